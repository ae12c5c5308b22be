from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from egide.access.models import Verdict
from egide.access.services import REASON_MIN_LENGTH, TEXT_MAX_LENGTH


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need this record now?"),
        min_length=REASON_MIN_LENGTH,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept encrypted with the record. The DPO reads it, and the patient may read it."),
    )


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"),
        choices=[
            (Verdict.JUSTIFIED.value, Verdict.JUSTIFIED.label),
            (Verdict.UNJUSTIFIED.value, Verdict.UNJUSTIFIED.label),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TrailLookupForm(forms.Form):
    patient = forms.UUIDField(label=_("Patient reference"))
