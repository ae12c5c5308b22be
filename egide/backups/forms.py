from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from egide.backups.models import DestinationKind


class DestinationForm(forms.Form):
    name = forms.SlugField(
        label=_("Name"),
        max_length=50,
        help_text=_("Short, lower-case letters, digits and hyphens: « usb-1 », « nas », « cloud »."),
    )
    kind = forms.ChoiceField(label=_("Type"), choices=DestinationKind.choices)
    location = forms.CharField(
        label=_("Location"),
        max_length=500,
        help_text=_(
            "As restic takes it: /mnt/usb/egide, rest:https://server:8000/egide/, "
            "sftp:user@host:/srv/egide, s3:https://s3.example/bucket/egide."
        ),
    )
    append_only = forms.BooleanField(
        label=_("Append-only server (it refuses deletions: recommended against ransomware)"), required=False
    )
    offline = forms.BooleanField(
        label=_("Removable (plugged in for the backup, then taken away)"), required=False
    )
    offline_warn_days = forms.IntegerField(
        label=_("Warn when a removable destination has not been plugged in for (days)"),
        min_value=1,
        max_value=365,
        initial=7,
    )
