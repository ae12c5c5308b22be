"""SFTP destinations against a real OpenSSH server on loopback, reached through the operator's ssh
client configuration (``BACKUP_SSH_CONFIG``): key, pinned host key, strict checking."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from egide.backups.errors import BackupFault
from egide.backups.models import Outcome
from egide.backups.restic import Repository
from egide.backups.services import backup_run, destination_add, repository_for
from egide.backups.sftp import SftpAddress, sftp_address, sftp_command
from egide.backups.staging import Manifest
from egide.backups.tests.conftest import DestinationMaker
from egide.backups.tests.faults import assert_fault_shown, assert_good_again
from egide.backups.tests.sshd import SshServer
from egide.core.errors import Invalid

# --- the ssh command (pure) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "address"),
    [
        ("sftp:backup@nas.local:/srv/egide", SftpAddress("backup", "nas.local", None)),
        ("sftp:nas.local:/srv/egide", SftpAddress("", "nas.local", None)),
        ("sftp:nas:egide", SftpAddress("", "nas", None)),
        ("sftp://backup@nas.local:2222//srv/egide", SftpAddress("backup", "nas.local", 2222)),
        ("sftp://nas.local/egide", SftpAddress("", "nas.local", None)),
        ("sftp://backup@[fd00::2]:22//srv/egide", SftpAddress("backup", "fd00::2", 22)),
    ],
)
def test_it_reads_the_sftp_locations_restic_accepts(location: str, address: SftpAddress) -> None:
    assert sftp_address(location) == address


@pytest.mark.parametrize(
    "location",
    [
        "sftp:-oProxyCommand=touch /tmp/x:/srv",  # an option for ssh, not a host
        "sftp:-l@nas:/srv",
        "sftp://-oProxyCommand=x@nas//srv",
        "sftp://backup:secret@nas//srv",  # a password
        "sftp://nas.local:99999//srv",
        "sftp://nas.local",  # no directory
        "sftp:nas.local",
        "sftp:na s:/srv",
        "rest:http://nas/",
    ],
)
def test_it_refuses_what_ssh_could_misread(location: str) -> None:
    with pytest.raises(ValueError, match="sftp location"):
        sftp_address(location)


def test_the_ssh_command_reads_the_configuration_and_takes_no_option_from_the_location() -> None:
    assert sftp_command("sftp://backup@nas:2222//srv/egide", "/etc/egide/ssh_config") == (
        "ssh -F /etc/egide/ssh_config -o BatchMode=yes -p 2222 -s -- backup@nas sftp"
    )
    assert sftp_command("sftp:nas:/srv/egide", "/etc/egide dir/ssh_config") == (
        "ssh -F '/etc/egide dir/ssh_config' -o BatchMode=yes -s -- nas sftp"
    )
    for config in ("relative/ssh_config", "/etc/it's/ssh_config", "/etc/a\\b"):
        with pytest.raises(ValueError, match="absolute path without quotes"):
            sftp_command("sftp:nas:/srv", config)


def test_only_sftp_locations_with_a_configuration_get_an_ssh_command(tmp_path: Path) -> None:
    def options(location: str, ssh_config: str) -> list[str]:
        repository = Repository(location, "password", cache_dir=tmp_path, ssh_config=ssh_config)
        return repository._global_options()

    assert options("sftp:nas:/srv", "") == []
    assert options("rest:http://nas/", "/etc/egide/ssh_config") == []
    assert options("sftp:nas:/srv", "/etc/egide/ssh_config") == [
        "-o",
        "sftp.command=ssh -F /etc/egide/ssh_config -o BatchMode=yes -s -- nas sftp",
    ]


def test_an_sftp_destination_with_a_doubtful_address_is_refused(backup_ready: Path) -> None:
    with pytest.raises(Invalid):
        destination_add(name="nas", kind="sftp", location="sftp:-oProxyCommand=sh:/srv")


# --- against sshd ------------------------------------------------------------------------------


def test_it_backs_up_to_an_sftp_server_and_restores_from_it(
    destination_make: DestinationMaker, sshd_server: SshServer, tmp_path: Path
) -> None:
    destination = destination_make("nas", sshd_server.repository("egide"))

    [result] = backup_run()

    assert (result.outcome, result.good) == (Outcome.SUCCESS, True)
    repository = repository_for(destination)
    [snapshot] = repository.snapshots()
    assert snapshot.id == result.snapshot_id
    # The repository is on the server's side, where sshd's account wrote it.
    assert (sshd_server.directory / "repositories" / "egide" / "config").is_file()
    target = tmp_path / "restored"
    repository.restore(snapshot.id, target)
    # The staged copy comes back: its manifest and the database file.
    [manifest_file] = target.rglob("manifest.json")
    database = manifest_file.parent / Manifest.load(manifest_file).database_file
    assert database.is_file() and database.stat().st_size > 0
    assert Manifest.load(manifest_file).verify(manifest_file.parent) == []  # byte for byte


def test_it_reports_a_stopped_sftp_server_and_backs_up_once_it_is_back(
    destination_make: DestinationMaker, sshd_server: SshServer
) -> None:
    destination = destination_make("nas", sshd_server.repository_url("egide"))
    sshd_server.stop()
    started = time.monotonic()

    results = backup_run()

    assert_fault_shown(results, destination, "unreachable")
    assert time.monotonic() - started < 30

    sshd_server.start()
    assert_good_again(backup_run(), destination)


def test_a_server_whose_host_key_changed_gets_nothing(
    destination_make: DestinationMaker, sshd_server: SshServer
) -> None:
    destination = destination_make("nas", sshd_server.repository("egide"))
    assert backup_run()[0].good
    # Another machine answering at the same address, or the server reinstalled: not the key
    # the operator pinned.
    sshd_server.stop()
    sshd_server.new_host_key()
    sshd_server.start()

    results = backup_run()

    assert_fault_shown(results, destination, "host-key")
    with pytest.raises(BackupFault) as refused:
        repository_for(destination).snapshots()
    assert refused.value.kind == "host-key"
    assert "host key" in refused.value.detail.lower()
