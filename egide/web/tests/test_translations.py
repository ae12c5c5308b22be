"""The French catalogue is complete and compiled: no English string leaks into the French interface."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import egide

PACKAGE = Path(egide.__file__).parent
CATALOGUE = PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def msgids(po_text: str) -> list[str]:
    """The msgid lines of a msgattrib output, the header excepted."""
    return [line for line in po_text.splitlines() if line.startswith("msgid ") and line != 'msgid ""']


def test_every_marked_string_has_a_french_translation(tmp_path: Path) -> None:
    copy = tmp_path / "egide"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    # Without settings, makemessages updates the copy's own locale/ directory only.
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "fr", "--no-obsolete"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    updated = copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(updated)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", str(updated)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert msgids(untranslated) == [], "chaînes sans traduction française"
    assert msgids(fuzzy) == [], "traductions approximatives (fuzzy) à revoir"


def test_the_compiled_catalogue_matches_its_source(tmp_path: Path) -> None:
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(CATALOGUE)], check=True)
    assert compiled.read_bytes() == CATALOGUE.with_suffix(".mo").read_bytes(), "lancez « make messages »"
