"""Run a command against a throwaway PostgreSQL cluster.

    python scripts/pg_cluster.py -- pytest …

Creates a cluster in a temporary directory (Debian's `postgresql` binaries),
listening on a free loopback port only, exports EGIDE_DATABASE_URL for the
command, then stops the cluster and removes the directory, whatever happened.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

DATABASE = "egide"
ROLE = "egide"


def _bin(name: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    found = candidates[-1] if candidates else shutil.which(name)
    if not found:
        sys.exit(f"{name} introuvable : installez le paquet Debian « postgresql » (make system-deps).")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as_cluster_owner(command: list[str], owner: str | None) -> list[str]:
    # PostgreSQL refuses to run as root: use the "postgres" account Debian creates.
    return ["runuser", "-u", owner, "--", *command] if owner else command


@contextlib.contextmanager
def cluster() -> Iterator[str]:
    owner = "postgres" if os.geteuid() == 0 else None
    workdir = Path(tempfile.mkdtemp(prefix="egide-pg-"))
    data, sockets = workdir / "data", workdir / "run"
    sockets.mkdir()
    if owner:
        account = pwd.getpwnam(owner)
        for path in (workdir, sockets):
            os.chown(path, account.pw_uid, account.pw_gid)
    port = _free_port()
    log = workdir / "server.log"
    try:
        subprocess.run(
            _as_cluster_owner(
                [
                    _bin("initdb"),
                    "-D",
                    str(data),
                    "-U",
                    ROLE,
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ],
                owner,
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # Loopback only; fsync off because the cluster dies with the run.
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off -c full_page_writes=off"
        subprocess.run(
            _as_cluster_owner(
                [_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"], owner
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            _as_cluster_owner(
                [_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", ROLE, DATABASE], owner
            ),
            check=True,
        )
        yield f"postgres://{ROLE}@127.0.0.1:{port}/{DATABASE}"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_cluster_owner([_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], owner),
                check=False,
                stdout=subprocess.DEVNULL,
            )
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str]) -> int:
    if "--" not in argv:
        sys.exit("usage : pg_cluster.py -- COMMANDE …")
    command = argv[argv.index("--") + 1 :]
    with cluster() as url:
        print(f"PostgreSQL jetable prêt : {url}", flush=True)
        return subprocess.run(command, env={**os.environ, "EGIDE_DATABASE_URL": url}, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
