"""What the benchmarks that need their own installation share: settings are read once per process,
so each such benchmark runs in a child process on a throwaway SQLite installation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench import Figure


def installation_setup(directory: Path, *, keys: bool = True) -> None:
    """Point Égide at ``directory`` (data, keys, heads), migrate, and create keys if asked."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egide.settings")
    os.environ["EGIDE_DATA_DIR"] = str(directory / "data")
    os.environ["EGIDE_KEY_DIR"] = str(directory / "keys")
    os.environ["EGIDE_AUDIT_HEADS_DIR"] = str(directory / "heads")
    # Set, not defaulted: the parent's other benchmarks may have set them, and a configured
    # PostgreSQL or sealed key provider must never receive bench data.
    os.environ["EGIDE_KEY_PROVIDER"] = "file"
    os.environ.pop("EGIDE_DATABASE_URL", None)
    os.environ.setdefault("EGIDE_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from egide.crypto.runtime import keys_create, keys_exist

    Path(settings.DATA_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
    Path(settings.KEY_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)
    if keys and not keys_exist():
        keys_create()


def figures_from_child(module: str) -> list[Figure]:
    """Run ``python -m module --json FILE`` and read the figures it wrote."""
    with tempfile.TemporaryDirectory(prefix="egide-bench-out-") as directory:
        output = Path(directory) / "figures.json"
        subprocess.run(  # noqa: S603  # this same interpreter, one of our modules
            [sys.executable, "-m", module, "--json", str(output)],
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        return [Figure(*row) for row in json.loads(output.read_text())]


def child_main(measure: Callable[[], list[Figure]]) -> None:
    """The child's entry point: figures to the JSON file given, or printed when run by hand."""
    figures = measure()
    if sys.argv[1:2] == ["--json"]:
        Path(sys.argv[2]).write_text(json.dumps([list(figure) for figure in figures]))
        return
    for figure in figures:
        print(f"  {figure.name:<55} {figure.value:>12.3f} {figure.unit:<10} (objectif : {figure.goal})")
