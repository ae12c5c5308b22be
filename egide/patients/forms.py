from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from egide.core.errors import Invalid
from egide.patients.identifiers import IdentityStatus, InsOid
from egide.patients.vault import Identity

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name, name and first name (and birth date), or NIR"), max_length=200)


class PatientForm(forms.Form):
    birth_name = forms.CharField(label=_("Birth name"), max_length=200)
    birth_first_names = forms.CharField(
        label=_("Birth first names"), max_length=300, help_text=_("All of them, separated by spaces.")
    )
    used_name = forms.CharField(label=_("Used name"), max_length=200, required=False)
    used_first_name = forms.CharField(label=_("Used first name"), max_length=100, required=False)
    birth_date = forms.DateField(
        label=_("Birth date"), widget=DATE_INPUT, input_formats=["%Y-%m-%d", "%d/%m/%Y"]
    )
    sex = forms.ChoiceField(
        label=_("Sex"), choices=[("F", _("Female")), ("M", _("Male")), ("I", _("Undetermined"))]
    )
    birthplace_cog = forms.CharField(label=_("Birthplace code (COG)"), max_length=5, required=False)
    nir = forms.CharField(label=_("NIR or NIA"), max_length=21, required=False)
    ins_matricule = forms.CharField(label=_("INS matricule"), max_length=21, required=False)
    ins_oid = forms.ChoiceField(
        label=_("INS authority"),
        required=False,
        choices=[("", "—")] + [(oid.value, f"{oid.name} ({oid.value})") for oid in InsOid],
    )
    identity_status = forms.ChoiceField(
        label=_("Identity status"), choices=[(status.value, status.value) for status in IdentityStatus]
    )
    address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    death_date = forms.DateField(
        label=_("Date of death"), widget=DATE_INPUT, required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y"]
    )

    @classmethod
    def from_identity(cls, identity: Identity, *, ins_oid: str, identity_status: str) -> PatientForm:
        initial = {
            name: getattr(identity, name)
            for name in cls.base_fields
            if name not in {"birth_first_names", "ins_oid", "identity_status"}
        }
        initial["birth_first_names"] = " ".join(identity.birth_first_names)
        return cls(initial={**initial, "ins_oid": ins_oid, "identity_status": identity_status})

    def identity(self) -> Identity:
        data = self.cleaned_data
        return Identity(
            birth_name=data["birth_name"].strip(),
            birth_first_names=tuple(data["birth_first_names"].split()),
            birth_date=data["birth_date"],
            sex=data["sex"],
            used_name=data["used_name"].strip(),
            used_first_name=data["used_first_name"].strip(),
            birthplace_cog=data["birthplace_cog"].strip(),
            nir=data["nir"].strip(),
            ins_matricule=data["ins_matricule"].strip(),
            address=data["address"].strip(),
            phone=data["phone"].strip(),
            email=data["email"].strip(),
            death_date=data["death_date"],
        )

    def add_domain_errors(self, error: Invalid) -> None:
        for field, messages in error.fields.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("New note"), widget=forms.Textarea(attrs={"rows": 5}), max_length=100_000)


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("New document"),
        help_text=_("PDF, image, UTF-8 text or office file. The type is checked from the content."),
    )


class CareTeamForm(forms.Form):
    practitioner = forms.TypedChoiceField(label=_("Add to the care team"), coerce=uuid.UUID)

    def __init__(self, *args: Any, candidates: list[tuple[uuid.UUID, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["practitioner"])
        field.choices = [(str(person_id), label) for person_id, label in candidates]
