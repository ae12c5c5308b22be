"""FHIR bundles for the import and export tests, and a comparison modulo ids."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

from egide.patients.fhir import NIR_SYSTEM
from egide.patients.tests.conftest import valid_nir

JSON = dict[str, Any]


def patient_entry(
    number_body: str = "1850299000123",
    *,
    family: str = "Garnier",
    given: tuple[str, ...] = ("Octave",),
    birth_date: str | None = "1985-02-14",
    nir: str | None = None,
    system: str = NIR_SYSTEM,
    reference: str | None = None,
) -> JSON:
    resource: JSON = {
        "resourceType": "Patient",
        "identifier": [{"system": system, "value": nir if nir is not None else valid_nir(number_body)}],
        "name": [{"use": "official", "family": family, "given": list(given)}],
        "gender": "male",
    }
    if birth_date is not None:
        resource["birthDate"] = birth_date
    return {"fullUrl": reference or f"urn:uuid:{uuid.uuid4()}", "resource": resource}


def note_entry(patient: JSON, text: str, written_on: str = "2024-05-02") -> JSON:
    return {
        "fullUrl": f"urn:uuid:{uuid.uuid4()}",
        "resource": {
            "resourceType": "Observation",
            "status": "final",
            "code": {"text": "Note clinique"},
            "subject": {"reference": patient["fullUrl"]},
            "effectiveDateTime": written_on,
            "valueString": text,
        },
    }


def bundle(*entries: JSON) -> JSON:
    return {"resourceType": "Bundle", "type": "collection", "entry": list(entries)}


def write(path: Path, content: JSON | str) -> Path:
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def without_ids(exported: JSON) -> JSON:
    """The bundle with resource ids, fullUrls, references and note authors replaced by positions.

    Ids are opaque and new in every practice; a note's author is the importing account there.
    """
    result = copy.deepcopy(exported)
    positions = {entry["fullUrl"]: f"entry-{index}" for index, entry in enumerate(result["entry"])}
    for entry in result["entry"]:
        entry["fullUrl"] = positions[entry["fullUrl"]]
        resource = entry["resource"]
        resource.pop("id", None)
        resource.pop("performer", None)
        if "subject" in resource:
            resource["subject"]["reference"] = positions[resource["subject"]["reference"]]
    return result
