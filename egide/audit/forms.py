from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egide.audit.actions import Action
from egide.audit.selectors import JournalFilter


class JournalFilterForm(forms.Form):
    """Opaque ids and dates only: nothing here is personal data, so a GET form is fine."""

    actor = forms.ChoiceField(label=_("User"), required=False)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All actions")), *Action.choices]
    )
    patient = forms.CharField(label=_("Patient (opaque id)"), required=False, max_length=80)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, actors: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["actor"].choices = [("", _("All users")), *actors]  # type: ignore[attr-defined]

    def journal_filter(self) -> JournalFilter:
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        zone = timezone.get_current_timezone()
        return JournalFilter(
            actor_id=data.get("actor") or "",
            action=data.get("action") or "",
            patient_id=(data.get("patient") or "").strip(),
            start=datetime.combine(start, time.min, zone) if start else None,
            end=datetime.combine(end + timedelta(days=1), time.min, zone) if end else None,
        )
