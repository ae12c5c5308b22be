from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from egide.mfa.homologation import REFERENCE_MAX_LENGTH
from egide.mfa.models import Means


class PasskeyNameForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=64, help_text=_("For example: office computer, red key.")
    )


class PasskeyRegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=64, required=False, help_text=_("For example: office computer, red key.")
    )
    credential = forms.CharField(max_length=20_000, widget=forms.HiddenInput)


class TotpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none"}),
    )


class MeansDecisionForm(forms.Form):
    APPROVE = "approve"
    WITHDRAW = "withdraw"

    means = forms.ChoiceField(label=_("Means"), choices=Means.choices)
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[(APPROVE, _("Approve")), (WITHDRAW, _("Withdraw the approval"))]
    )
    reference = forms.CharField(
        label=_("Reference of the practice's decision"),
        max_length=REFERENCE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: security committee of 12 March 2026, minutes no. 4."),
    )
