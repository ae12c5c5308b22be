"""`egide check --deploy` says when passkeys could not work with the configured host names."""

from __future__ import annotations

from pytest_django.fixtures import Settings as SettingsWrapper

from egide.mfa.checks import check_webauthn_rp_id, rp_id


def test_it_accepts_an_rp_id_that_covers_a_served_host(settings: SettingsWrapper) -> None:
    settings.ALLOWED_HOSTS = ["egide.cabinet-lilas.fr"]
    settings.WEBAUTHN_RP_ID = "cabinet-lilas.fr"
    assert check_webauthn_rp_id(None) == []


def test_it_refuses_an_rp_id_no_served_host_belongs_to(settings: SettingsWrapper) -> None:
    settings.ALLOWED_HOSTS = ["egide.cabinet-lilas.fr"]
    settings.WEBAUTHN_RP_ID = "autre-cabinet.fr"
    [error] = check_webauthn_rp_id(None)
    assert error.id == "egide.mfa.E001" and "autre-cabinet.fr" in error.msg


def test_it_takes_the_first_host_name_by_default(settings: SettingsWrapper) -> None:
    settings.ALLOWED_HOSTS = ["192.168.1.10", "egide.cabinet-lilas.fr"]
    settings.WEBAUTHN_RP_ID = ""
    assert rp_id() == "egide.cabinet-lilas.fr"
    assert check_webauthn_rp_id(None) == []


def test_it_warns_when_only_ip_addresses_are_served(settings: SettingsWrapper) -> None:
    settings.ALLOWED_HOSTS = ["192.168.1.10", "[::1]"]
    settings.WEBAUTHN_RP_ID = ""
    [warning] = check_webauthn_rp_id(None)
    assert warning.id == "egide.mfa.W001"
