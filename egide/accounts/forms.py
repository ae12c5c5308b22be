from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from egide.accounts.models import TokenScope


class TemporaryPasswordChangeForm(PasswordChangeForm):
    """Django's change form (current password, new one twice, our validators), plus one rule:
    the new password is not the temporary one again."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        new = self.cleaned_data.get("new_password1")
        if new and new == self.cleaned_data.get("old_password"):
            self.add_error("new_password1", _("The new password must differ from the current one."))
        return cleaned


class SecondFactorForm(forms.Form):
    """A typed code, or a passkey's answer (``credential``, JSON filled in by mfa/passkeys.js)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none"}),
    )
    credential = forms.CharField(required=False, max_length=20_000, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("code") and not cleaned.get("credential"):
            self.add_error("code", _("Type the code, or use your passkey."))
        return cleaned


class ReauthenticationForm(SecondFactorForm):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["password", "code"]


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the token is for."))
    scope = forms.ChoiceField(label=_("Scope"), choices=TokenScope.choices, initial=TokenScope.READ)
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a token that does not expire."),
    )
