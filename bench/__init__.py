"""Égide benchmarks: `make bench` runs every bench/bench_*.py and prints ratios measured in one run."""

from __future__ import annotations

from typing import NamedTuple


class Figure(NamedTuple):
    """One printed result; ``goal`` says what the issue asks for, in words."""

    name: str
    value: float
    unit: str
    goal: str
