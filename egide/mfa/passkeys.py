"""Passkeys (WebAuthn, through py_webauthn): registration, second-factor login, rename, removal.

The ceremonies' options are embedded in the page as JSON data (``json_script``: no inline script,
the CSP stays strict) and `static/mfa/passkeys.js` hands them to ``navigator.credentials``. The
challenge lives in the session, single-use and short-lived. User verification (PIN, fingerprint,
face) is required, so a passkey alone is two factors (possession and knowledge or inherence): the
eIDAS "substantial" level the ANS référentiel accepts (regulatory-facts §5.5).

A signature counter that does not grow (WebAuthn §6.1.1) hints at a cloned authenticator: the
login is refused and the journal says so. Authenticators that never count (0, synced passkeys)
are accepted, as the specification allows.
"""

from __future__ import annotations

import json
import logging
import time

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from egide.accounts.models import User
from egide.audit.actions import Action, Outcome
from egide.audit.services import audit_record
from egide.core.errors import Conflict, Invalid, NotFound
from egide.mfa.checks import rp_id, rp_id_covers
from egide.mfa.models import PasskeyDevice, SealedTOTPDevice

logger = logging.getLogger(__name__)

RP_NAME = "Égide"
CHALLENGE_SESSION_KEY = "egide_webauthn"
# The browser's own timeout (WebAuthn `timeout`) and how long the challenge stays valid here.
CEREMONY_SECONDS = 300
SUBJECT = "passkey"
REGISTER = "register"
AUTHENTICATE = "authenticate"


def passkeys_available(request: HttpRequest) -> bool:
    """Whether a browser at this address can use passkeys: the host belongs to the RP id, in a
    secure context (HTTPS, or localhost which browsers treat as secure)."""
    hostname, _port = split_domain_port(request.get_host())
    secure = request.is_secure() or hostname == "localhost" or hostname.endswith(".localhost")
    return secure and rp_id_covers(rp_id(), hostname)


def _expected_origins(request: HttpRequest) -> list[str]:
    # The request's own origin: Django checked its host against ALLOWED_HOSTS. A phishing page
    # relaying the ceremony has another origin, which the browser writes in clientDataJSON.
    return list(settings.WEBAUTHN_ORIGINS) or [f"{request.scheme}://{request.get_host()}"]


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    descriptors = []
    for passkey in PasskeyDevice.objects.filter(user=user, confirmed=True):
        transports = []
        for name in passkey.transports:
            try:
                transports.append(AuthenticatorTransport(name))
            except ValueError:
                continue
        descriptors.append(
            PublicKeyCredentialDescriptor(
                id=base64url_to_bytes(passkey.credential_id), transports=transports or None
            )
        )
    return descriptors


def _remember_challenge(request: HttpRequest, kind: str, challenge: bytes) -> None:
    request.session[CHALLENGE_SESSION_KEY] = {
        "kind": kind,
        "challenge": bytes_to_base64url(challenge),
        "at": time.time(),
    }


def _take_challenge(request: HttpRequest, kind: str) -> bytes:
    """The pending challenge of this kind, removed so it serves once; Invalid when none or stale."""
    pending = request.session.pop(CHALLENGE_SESSION_KEY, None)
    if (
        not isinstance(pending, dict)
        or pending.get("kind") != kind
        or not isinstance(pending.get("at"), float)
        or time.time() - pending["at"] > CEREMONY_SECONDS
    ):
        raise Invalid(_("The passkey request has expired. Reload the page and try again."))
    return base64url_to_bytes(str(pending["challenge"]))


def registration_options(*, request: HttpRequest, user: User) -> str:
    """The options of a new registration (JSON for the page); the challenge is kept in the session."""
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name=RP_NAME,
        # An opaque handle (the account's UUID), never a name: it is stored on the authenticator.
        user_id=user.pk.bytes,
        user_name=user.username,
        user_display_name=user.label,
        timeout=CEREMONY_SECONDS * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(user),
    )
    _remember_challenge(request, REGISTER, options.challenge)
    return str(options_to_json(options))


def authentication_options(*, request: HttpRequest, credentials: list[PublicKeyCredentialDescriptor]) -> str:
    """The options of a login with one of ``credentials`` (the account's passkeys; JSON for the page)."""
    options = generate_authentication_options(
        rp_id=rp_id(),
        timeout=CEREMONY_SECONDS * 1000,
        allow_credentials=credentials,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    _remember_challenge(request, AUTHENTICATE, options.challenge)
    return str(options_to_json(options))


def default_name() -> str:
    return _("Passkey of %(date)s") % {"date": date_format(timezone.localdate(), "SHORT_DATE_FORMAT")}


def passkey_register(*, request: HttpRequest, user: User, credential: str, name: str = "") -> PasskeyDevice:
    """Verify a registration response and keep the new passkey (audited).

    Raises `Invalid` with a French message when the response does not hold (wrong origin or
    challenge, no user verification, a credential already known…).
    """
    challenge = _take_challenge(request, REGISTER)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=_expected_origins(request),
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        logger.info("Enregistrement de clé d'accès refusé pour %s : %s", user.pk, type(error).__name__)
        raise Invalid(_("This passkey could not be registered. Try again, or use another device.")) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if PasskeyDevice.objects.filter(credential_id=credential_id).exists():
        raise Invalid(_("This passkey is already registered."))
    try:
        transports = [
            str(transport) for transport in json.loads(credential).get("response", {}).get("transports", [])
        ]
    except (ValueError, AttributeError):
        transports = []
    with transaction.atomic():
        passkey: PasskeyDevice = PasskeyDevice.objects.create(
            user=user,
            name=(name.strip() or default_name())[:64],
            confirmed=True,
            credential_id=credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=transports[:10],
            aaguid=str(verified.aaguid),
            backed_up=verified.credential_backed_up,
        )
        audit_record(
            action=Action.PASSKEY_REGISTERED, actor=user, subject_type=SUBJECT, subject_id=passkey.pk
        )
    return passkey


def _credential_id_of(credential: str) -> str:
    try:
        return bytes_to_base64url(parse_authentication_credential_json(credential).raw_id)
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise Invalid(_("This passkey could not be verified. Try again.")) from None


def passkey_authenticate(*, request: HttpRequest, user: User, credential: str) -> PasskeyDevice:
    """Verify a login assertion of one of ``user``'s passkeys; returns the passkey.

    Raises `Invalid` (French) otherwise. A signature counter that did not grow, on a correctly
    signed assertion, is recorded in the journal (possible copy of the authenticator) before the
    refusal.
    """
    challenge = _take_challenge(request, AUTHENTICATE)
    credential_id = _credential_id_of(credential)
    passkey = PasskeyDevice.objects.filter(user=user, confirmed=True, credential_id=credential_id).first()
    if passkey is None:
        raise Invalid(_("This passkey is not registered for your account."))
    try:
        # The counter is compared below, after the signature is known good, so that a forged
        # assertion cannot write "possible copy" in the journal.
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=_expected_origins(request),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=0,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        logger.info("Connexion par clé d'accès refusée pour %s : %s", user.pk, type(error).__name__)
        raise Invalid(_("This passkey could not be verified. Try again.")) from None
    new_count = verified.new_sign_count
    with transaction.atomic():
        locked: PasskeyDevice = PasskeyDevice.objects.select_for_update().get(pk=passkey.pk)
        regressed = (new_count > 0 or locked.sign_count > 0) and new_count <= locked.sign_count
        if regressed:
            audit_record(
                action=Action.PASSKEY_REFUSED,
                outcome=Outcome.DENIED,
                actor=user,
                subject_type=SUBJECT,
                subject_id=locked.pk,
            )
        else:
            locked.sign_count = new_count
            locked.backed_up = verified.credential_backed_up
            locked.set_last_used_timestamp(commit=False)
            locked.save(update_fields=["sign_count", "backed_up", "last_used_at"])
    if regressed:
        logger.warning("Compteur de signature en recul pour la clé d'accès %s", locked.pk)
        raise Invalid(
            _(
                "This passkey was refused: its counter went backwards, which can mean it was copied. "
                "Use another second factor and tell your administrator."
            )
        )
    return locked


def passkeys_of(user: User) -> list[PasskeyDevice]:
    return list(PasskeyDevice.objects.filter(user=user, confirmed=True).order_by("created_at"))


def _own_passkey(user: User, passkey_id: object) -> PasskeyDevice:
    passkey: PasskeyDevice | None = (
        PasskeyDevice.objects.select_for_update().filter(pk=passkey_id, user=user).first()
    )
    if passkey is None:
        raise NotFound
    return passkey


def passkey_rename(*, user: User, passkey_id: object, name: str) -> PasskeyDevice:
    """Give one's own passkey another label (audited; the label is not journalled)."""
    name = name.strip()
    if not name:
        raise Invalid(fields={"name": [_("Give the passkey a name.")]})
    with transaction.atomic():
        passkey = _own_passkey(user, passkey_id)
        passkey.name = name[:64]
        passkey.save(update_fields=["name"])
        audit_record(action=Action.PASSKEY_RENAMED, actor=user, subject_type=SUBJECT, subject_id=passkey.pk)
    return passkey


def passkey_remove(*, user: User, passkey_id: object) -> None:
    """Remove one's own passkey (audited); refused if no other second factor would remain."""
    with transaction.atomic():
        passkey = _own_passkey(user, passkey_id)
        others = (
            PasskeyDevice.objects.filter(user=user, confirmed=True).exclude(pk=passkey.pk).exists()
            or SealedTOTPDevice.objects.filter(user=user, confirmed=True).exists()
        )
        if not others:
            raise Conflict(
                _(
                    "This is your only second factor: add another passkey or an authenticator "
                    "application before removing it."
                )
            )
        passkey.delete()
        audit_record(action=Action.PASSKEY_REMOVED, actor=user, subject_type=SUBJECT, subject_id=passkey_id)


def login_offer(*, request: HttpRequest, user: User) -> dict[str, object] | None:
    """Options for a passkey login on this page, or None (no passkey, or not possible here)."""
    if not passkeys_available(request):
        return None
    credentials = _descriptors(user)
    if not credentials:
        return None
    loaded: dict[str, object] = json.loads(authentication_options(request=request, credentials=credentials))
    return loaded


def registration_offer(*, request: HttpRequest, user: User) -> dict[str, object] | None:
    """Options for registering a passkey on this page, or None when this address cannot."""
    if not passkeys_available(request):
        return None
    loaded: dict[str, object] = json.loads(registration_options(request=request, user=user))
    return loaded
