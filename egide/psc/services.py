"""Every write of Pro Santé Connect: settings, RPPS registration, and the login flow itself.

The flow (issue 5 item 3): ``psc_authorisation_start`` records a single-use authorisation and
returns the provider's URL; ``psc_callback_complete`` consumes it, checks the provider's answer
(``egide.psc.oidc``) and matches the RPPS to an active staff account registered beforehand. No
account is ever created here. Every outcome is journalled with opaque ids only: an unknown RPPS
appears as a keyed fingerprint, never in clear.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TypedDict
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from egide.accounts.models import Practice, Role, User
from egide.audit.actions import Action, Outcome
from egide.audit.services import audit_record
from egide.core.errors import Invalid, NotFound
from egide.crypto.envelope import key_id_of, open_, seal
from egide.crypto.hierarchy import Keyring, root_key_id, root_version_of
from egide.crypto.hierarchy import Purpose as KeyPurpose
from egide.crypto.rotation import RootVersionDependent
from egide.crypto.runtime import current_keyring, require_unsealed
from egide.mfa.homologation import card_only_refuse, means_approved
from egide.mfa.models import Means
from egide.psc import oidc
from egide.psc.failures import Failure, PscFailure
from egide.psc.models import PscAuthorisation, PscConfiguration, PscIdentity, Purpose
from egide.psc.rpps import rpps_check_digit_ok, rpps_from_national_id, rpps_is_well_formed, rpps_normalise

# A person has this long to log in at the provider before the authorisation lapses.
AUTHORISATION_MINUTES = 10
CONFIGURATION_SUBJECT = "psc-configuration"
IDENTITY_SUBJECT = "psc-identity"
_FINGERPRINT_SALT = "egide.psc.rpps-fingerprint"
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class Pending(TypedDict):
    """What the browser's session keeps between the redirect and the callback."""

    state: str
    nonce: str
    code_verifier: str
    next: str


@dataclass(frozen=True)
class PscLogin:
    user: User
    identity: PscIdentity
    purpose: Purpose


# --- Settings -------------------------------------------------------------------------------


def _secret_aad(configuration: PscConfiguration) -> bytes:
    # Bound to its row: copied to another practice's row, the envelope does not open.
    return f"psc.PscConfiguration|client_secret|{configuration.pk}".encode()


def _secret_seal(configuration: PscConfiguration, secret: str, keyring: Keyring | None = None) -> str:
    if keyring is None:
        require_unsealed()
        keyring = current_keyring()
    key = keyring.purpose_key(KeyPurpose.FIELD)
    return seal(key.key, root_key_id(key.version), secret.encode(), _secret_aad(configuration))


def client_secret_open(configuration: PscConfiguration, keyring: Keyring | None = None) -> str:
    """The client secret in clear, for the token request only; fails closed (CryptoError)."""
    if keyring is None:
        require_unsealed()
        keyring = current_keyring()

    def lookup(key_id: str) -> bytes:
        return keyring.purpose_key(KeyPurpose.FIELD, root_version_of(key_id)).key

    return open_(lookup, configuration.client_secret, _secret_aad(configuration)).decode()


def client_secret_versions_in_use() -> set[int]:
    """Root versions the practices' client secrets are sealed under (a row per practice: few)."""
    envelopes = PscConfiguration.objects.values_list("client_secret", flat=True)
    return {root_version_of(key_id_of(envelope)) for envelope in envelopes}


def client_secrets_reseal_batch(keyring: Keyring, batch_size: int) -> int:
    """Re-seal up to ``batch_size`` client secrets under an older root version (root-key rotation)."""
    moved = 0
    with transaction.atomic():
        for configuration in PscConfiguration.objects.select_for_update():
            if moved == batch_size or root_version_of(key_id_of(configuration.client_secret)) >= (
                keyring.current_version
            ):
                continue
            secret = client_secret_open(configuration, keyring)
            configuration.client_secret = _secret_seal(configuration, secret, keyring)
            configuration.save(update_fields=["client_secret"])
            moved += 1
    return moved


CLIENT_SECRETS = RootVersionDependent(
    label="secrets de client Pro Santé Connect",
    versions_in_use=client_secret_versions_in_use,
    migrate_batch=client_secrets_reseal_batch,
)


def _url_errors(value: str, *, field: str) -> dict[str, list[str]]:
    """HTTPS only, except on loopback (a test or sandbox provider on the same machine)."""
    try:
        URLValidator(schemes=["https", "http"])(value)
    except ValidationError:
        return {field: [_("Enter a complete address, starting with https://.")]}
    parts = urlsplit(value)
    if parts.scheme != "https" and parts.hostname not in _LOOPBACK_HOSTS:
        return {field: [_("Enter a complete address, starting with https://.")]}
    return {}


def _issuer_allowed(issuer: str) -> bool:
    allowed = [entry.rstrip("/") for entry in settings.PSC_ALLOWED_ISSUERS]
    return "*" in allowed or issuer in allowed


def psc_configure(
    *,
    actor: User | None,
    practice: Practice,
    issuer: str,
    client_id: str,
    client_secret: str = "",
    redirect_uri: str,
    discovery_url: str = "",
    enabled: bool = True,
    actor_label: str | None = None,
) -> PscConfiguration:
    """Create or change the practice's PSC client; an empty ``client_secret`` keeps the current one.

    By an administrator of the practice (``actor``), or by ``egide psc configure`` (``actor`` None).
    The secret is stored only as an envelope; the journal records the change, not the values.
    """
    if actor is not None and (actor.practice_id != practice.pk or Role.ADMIN not in actor.role_set()):
        raise NotFound
    issuer, client_id, redirect_uri = issuer.strip().rstrip("/"), client_id.strip(), redirect_uri.strip()
    discovery_url = discovery_url.strip()
    errors: dict[str, list[str]] = {}
    errors |= _url_errors(issuer, field="issuer")
    errors |= _url_errors(redirect_uri, field="redirect_uri")
    if "issuer" not in errors and not _issuer_allowed(issuer):
        errors["issuer"] = [
            _(
                "This issuer is not one the server’s operator allowed: ask them to add it to "
                "EGIDE_PSC_ALLOWED_ISSUERS."
            )
        ]
    if discovery_url:
        errors |= _url_errors(discovery_url, field="discovery_url")
        if "discovery_url" not in errors and not discovery_url.startswith(issuer + "/"):
            errors["discovery_url"] = [
                _("The discovery document must be published under the issuer’s address.")
            ]
    if not client_id:
        errors["client_id"] = [_("This field is required.")]
    existing = PscConfiguration.objects.filter(practice=practice).first()
    if not client_secret and existing is None:
        errors["client_secret"] = [_("This field is required.")]
    if errors:
        raise Invalid(fields=errors)
    if not enabled and (existing is None or existing.enabled):
        card_only_refuse(practice)
    configuration = existing or PscConfiguration(practice=practice)
    configuration.issuer = issuer
    configuration.discovery_url = discovery_url
    configuration.client_id = client_id
    configuration.redirect_uri = redirect_uri
    configuration.enabled = enabled
    if client_secret:
        configuration.client_secret = _secret_seal(configuration, client_secret)
    with transaction.atomic():
        configuration.save()
        audit_record(
            action=Action.PSC_CONFIGURED,
            actor=actor,
            actor_label=actor_label if actor is None else None,
            practice_id=practice.pk,
            subject_type=CONFIGURATION_SUBJECT,
            subject_id=configuration.pk,
        )
    return configuration


def psc_rpps_register(
    *, actor: User | None, account: User, rpps: str, actor_label: str | None = None
) -> tuple[PscIdentity, bool]:
    """Register the RPPS number of a staff account of the administrator's practice.

    Returns the identity and whether the (UNCONFIRMED) Luhn check passed: a failed check is shown
    as a warning, never a refusal (egide.psc.rpps). Another account of the practice holding the
    same number is ``Invalid``.
    """
    if actor is not None and (actor.practice_id != account.practice_id or Role.ADMIN not in actor.role_set()):
        raise NotFound
    rpps = rpps_normalise(rpps)
    if not rpps_is_well_formed(rpps):
        raise Invalid(fields={"rpps": [_("An RPPS number has 11 digits.")]})
    taken = PscIdentity.objects.filter(practice_id=account.practice_id, rpps=rpps).exclude(user=account)
    if taken.exists():
        raise Invalid(fields={"rpps": [_("This RPPS number is already registered on another account.")]})
    with transaction.atomic():
        identity, _created = PscIdentity.objects.update_or_create(
            user=account,
            defaults={"practice_id": account.practice_id, "rpps": rpps, "name": "psc", "confirmed": True},
        )
        audit_record(
            action=Action.PSC_RPPS_REGISTERED,
            actor=actor,
            actor_label=actor_label if actor is None else None,
            practice_id=account.practice_id,
            subject_type=IDENTITY_SUBJECT,
            subject_id=account.pk,
        )
    return identity, rpps_check_digit_ok(rpps)


def psc_rpps_remove(*, actor: User, account: User) -> None:
    """The account can no longer log in with Pro Santé Connect (audited)."""
    if actor.practice_id != account.practice_id or Role.ADMIN not in actor.role_set():
        raise NotFound
    with transaction.atomic():
        deleted, _rows = PscIdentity.objects.filter(user=account).delete()
        if deleted:
            audit_record(
                action=Action.PSC_RPPS_REMOVED,
                actor=actor,
                practice_id=account.practice_id,
                subject_type=IDENTITY_SUBJECT,
                subject_id=account.pk,
            )


# --- The login flow ------------------------------------------------------------------------------


def rpps_fingerprint(rpps: str) -> str:
    """A keyed digest naming an RPPS in the journal without revealing it (11 digits are too few for
    a plain hash: every RPPS number could be tried)."""
    return salted_hmac(_FINGERPRINT_SALT, rpps, algorithm="sha256").hexdigest()[:32]


def _state_digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _failure_record(
    failure: PscFailure,
    *,
    practice_id: object | None,
    actor: User | None,
    authorisation: PscAuthorisation | None,
) -> None:
    with transaction.atomic():
        audit_record(
            action=Action.PSC_LOGIN_FAILED,
            outcome=Outcome.DENIED if failure.failure is Failure.UNKNOWN_RPPS else Outcome.FAILURE,
            actor=actor,
            actor_label=None if actor is not None else "",
            practice_id=practice_id,
            subject_type=f"psc:{failure.failure.code}",
            subject_id=failure.fingerprint or (authorisation.pk if authorisation is not None else ""),
        )


def _enabled_configuration(practice: Practice) -> PscConfiguration:
    configuration = PscConfiguration.objects.filter(practice=practice, enabled=True).first()
    # The practice's homologation decides too: PSC withdrawn there means no PSC login.
    if configuration is None or not means_approved(practice=practice, means=Means.PSC):
        raise PscFailure(Failure.NOT_CONFIGURED)
    return configuration


def psc_authorisation_start(
    *, practice: Practice, purpose: Purpose, user: User | None = None, next_url: str = ""
) -> tuple[str, Pending]:
    """Start a login (or ``user``'s re-authentication): the provider's URL and what the session keeps.

    A provider that cannot be reached is a ``PscFailure``, journalled.
    """
    try:
        configuration = _enabled_configuration(practice)
        metadata = oidc.provider_metadata(
            issuer=configuration.issuer, configured_discovery_url=configuration.discovery_url
        )
    except PscFailure as failure:
        _failure_record(failure, practice_id=practice.pk, actor=user, authorisation=None)
        raise
    pending = Pending(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        # RFC 7636 §4.1: 43 to 128 characters; 64 random characters here.
        code_verifier=secrets.token_urlsafe(48),
        next=next_url,
    )
    PscAuthorisation.objects.create(
        state_digest=_state_digest(pending["state"]), practice=practice, purpose=purpose, user=user
    )
    url = oidc.authorisation_url(
        metadata=metadata,
        client_id=configuration.client_id,
        redirect_uri=configuration.redirect_uri,
        state=pending["state"],
        nonce=pending["nonce"],
        code_verifier=pending["code_verifier"],
    )
    return url, pending


def _authorisation_claim(*, state: str, pending: Pending | None, current: User | None) -> PscAuthorisation:
    """The authorisation ``state`` names, used now and never again."""
    authorisation = (
        PscAuthorisation.objects.select_related("practice").filter(state_digest=_state_digest(state)).first()
        if state
        else None
    )
    if authorisation is None:
        raise PscFailure(Failure.STATE_INVALID)
    # The conditional update makes the state single-use even for two callbacks arriving together.
    claimed = PscAuthorisation.objects.filter(pk=authorisation.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not claimed:
        raise PscFailure(Failure.STATE_REPLAYED)
    # Bound to the browser that started it (no login forced on someone else, OIDC Core §15.5.2)…
    if pending is None or not constant_time_compare(pending["state"], state):
        raise PscFailure(Failure.STATE_INVALID)
    # …recent, and for a re-authentication, to the account of the session.
    if authorisation.created_at < timezone.now() - timedelta(minutes=AUTHORISATION_MINUTES):
        raise PscFailure(Failure.STATE_INVALID)
    if authorisation.purpose == Purpose.REAUTHENTICATION and (
        current is None or authorisation.user_id != current.pk
    ):
        raise PscFailure(Failure.STATE_INVALID)
    return authorisation


def _identity_for(practice: Practice, userinfo: dict[str, object]) -> PscIdentity:
    national_id = userinfo.get("SubjectNameID")
    rpps = rpps_from_national_id(national_id) if isinstance(national_id, str) else None
    if rpps is None:
        raise PscFailure(Failure.NO_RPPS)
    identity: PscIdentity | None = (
        PscIdentity.objects.select_related("user")
        .filter(practice=practice, rpps=rpps, confirmed=True, user__is_active=True, user__practice=practice)
        .first()
    )
    if identity is None:
        raise PscFailure(Failure.UNKNOWN_RPPS, fingerprint=rpps_fingerprint(rpps))
    return identity


def _verified_login(
    authorisation: PscAuthorisation, *, code: str, error: str, pending: Pending
) -> PscIdentity:
    if error or not code:
        raise PscFailure(Failure.PROVIDER_DENIED)
    configuration = _enabled_configuration(authorisation.practice)
    metadata = oidc.provider_metadata(
        issuer=configuration.issuer, configured_discovery_url=configuration.discovery_url
    )
    token = oidc.tokens_fetch(
        metadata=metadata,
        client_id=configuration.client_id,
        client_secret=client_secret_open(configuration),
        redirect_uri=configuration.redirect_uri,
        code=code,
        code_verifier=pending["code_verifier"],
    )
    claims = oidc.id_token_claims(
        metadata=metadata, client_id=configuration.client_id, token=token, nonce=pending["nonce"]
    )
    userinfo = oidc.userinfo_fetch(metadata=metadata, token=token, subject=str(claims["sub"]))
    return _identity_for(authorisation.practice, userinfo)


def psc_callback_complete(
    *, state: str, code: str, error: str, pending: Pending | None, current: User | None
) -> PscLogin:
    """Check the provider's answer to an authorisation; the staff account it proves, journalled.

    Refusals raise ``PscFailure`` (journalled too): unknown or expired state, replayed state,
    provider refusal, unreachable provider, bad signature, invalid ID token, ``acr`` other than
    ``eidas1``, no RPPS, an RPPS registered on no active account of the practice, and for a
    re-authentication, someone else's card.
    """
    authorisation: PscAuthorisation | None = None
    try:
        authorisation = _authorisation_claim(state=state, pending=pending, current=current)
        assert pending is not None  # noqa: S101  # checked by _authorisation_claim
        identity = _verified_login(authorisation, code=code, error=error, pending=pending)
        purpose = Purpose(authorisation.purpose)
        if purpose == Purpose.REAUTHENTICATION and identity.user_id != authorisation.user_id:
            raise PscFailure(Failure.OTHER_ACCOUNT)
    except PscFailure as failure:
        _failure_record(
            failure,
            practice_id=authorisation.practice_id if authorisation is not None else None,
            actor=current,
            authorisation=authorisation,
        )
        raise
    with transaction.atomic():
        audit_record(
            action=Action.PSC_LOGIN_SUCCEEDED if purpose == Purpose.LOGIN else Action.PSC_REAUTH_SUCCEEDED,
            actor=identity.user,
            practice_id=authorisation.practice_id,
            subject_type=IDENTITY_SUBJECT,
            subject_id=identity.user_id,
        )
    return PscLogin(user=identity.user, identity=identity, purpose=purpose)


def psc_authorisations_purge() -> int:
    """Forget authorisations older than a day (used or lapsed long ago); returns how many."""
    stale = PscAuthorisation.objects.filter(created_at__lt=timezone.now() - timedelta(days=1))
    deleted, _rows = stale.delete()
    return deleted
