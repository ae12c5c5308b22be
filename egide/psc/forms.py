from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PscConfigurationForm(forms.Form):
    issuer = forms.CharField(
        label=_("Issuer"),
        max_length=500,
        help_text=_("Given by the ANS, e.g. https://auth.esante.gouv.fr/auth/realms/esante-wallet"),
    )
    discovery_url = forms.CharField(
        label=_("Discovery document"),
        max_length=500,
        required=False,
        help_text=_("Leave empty for the standard address (issuer + /.well-known/openid-configuration)."),
    )
    client_id = forms.CharField(label=_("Client id"), max_length=200)
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted. Leave empty to keep the current secret."),
    )
    redirect_uri = forms.CharField(label=_("Redirect URI"), max_length=500)
    enabled = forms.BooleanField(label=_("Allow logins with Pro Santé Connect"), required=False)


class RppsForm(forms.Form):
    account = forms.UUIDField(widget=forms.HiddenInput)
    rpps = forms.CharField(
        label=_("RPPS number"), max_length=20, required=False, help_text=_("Leave empty to remove it.")
    )
