"""Run every benchmark module (bench/bench_*.py) and print its figures.

A module exposes ``run() -> list[Figure]``. Speed goals are compared as ratios
measured in the same run, so a slower or busier machine does not change them.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable

import bench
from bench import Figure


def main() -> int:
    modules = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    if not modules:
        print("Aucun banc d'essai pour l'instant.")
        return 0
    for name in modules:
        runner: Callable[[], list[Figure]] = importlib.import_module(f"bench.{name}").run
        print(f"== {name} ==")
        for figure in runner():
            print(f"  {figure.name:<55} {figure.value:>12.3f} {figure.unit:<10} (objectif : {figure.goal})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
