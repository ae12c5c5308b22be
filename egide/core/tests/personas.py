"""Constants shared by the persona fixtures of conftest.py and the tests."""

from __future__ import annotations

PERSONA_PASSWORD = "Tilleul-7-Lilas-Port!"
