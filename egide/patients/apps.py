from __future__ import annotations

from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "egide.patients"
    label = "patients"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from egide.crypto.rotation import root_version_dependent_register
        from egide.patients.rotation import PATIENT_INDEXES

        root_version_dependent_register(PATIENT_INDEXES)
