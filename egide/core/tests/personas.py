"""Constants shared by the persona fixtures of conftest.py and the tests."""

from __future__ import annotations

PERSONA_PASSWORD = "correct-horse-battery-staple-42"
