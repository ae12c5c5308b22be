from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from egide.accounts.models import Role
from egide.staff.services import InviteMethod


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
    )


class InviteForm(RolesForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    method = forms.ChoiceField(
        label=_("How the person receives their access"),
        choices=InviteMethod.choices,
        initial=InviteMethod.LINK,
        widget=forms.RadioSelect,
    )
    field_order = ["username", "first_name", "last_name", "email", "roles", "method"]
