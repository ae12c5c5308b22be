"""Égide as an OpenID Connect client of Pro Santé Connect, through Authlib and joserfc.

Nothing here implements OAuth or JOSE itself: Authlib builds the authorisation request (PKCE S256,
state, nonce) and exchanges the code; joserfc checks the ID token's signature against the provider's
published keys; Authlib's ``CodeIDToken`` checks issuer, audience, expiry, nonce and ``at_hash``
(OpenID Connect Core §3.1.3.7). This module only adds what PSC asks for (``scope_all``,
``acr_values=eidas1``) and turns every failure into a ``PscFailure`` with a reason code.

Network calls are made outside any database transaction (STYLE.md "The write path").
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

import requests
from authlib.integrations.base_client import OAuthError  # type: ignore[import-untyped]
from authlib.integrations.requests_client import OAuth2Session  # type: ignore[import-untyped]
from authlib.oauth2.rfc6749.errors import OAuth2Error  # type: ignore[import-untyped]
from authlib.oidc.core import CodeIDToken  # type: ignore[import-untyped]
from django.conf import settings
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import BadSignatureError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from egide.psc.failures import Failure, PscFailure

# PSC's own request parameters (regulatory-facts §7.1 [S41]).
SCOPE = "openid scope_all"
REQUIRED_ACR = "eidas1"
SIGNING_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)
# The discovery document and the keys are read at run time and kept briefly: a key rotation or a
# change of hostname at the ANS is seen within minutes, without a restart.
METADATA_CACHE_SECONDS = 300
HTTP_TIMEOUT_SECONDS = 10
# Clock skew accepted on the ID token's iat/exp.
ID_TOKEN_LEEWAY_SECONDS = 60
STANDARD_DISCOVERY_PATH = "/.well-known/openid-configuration"
REQUIRED_METADATA = ("issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")

Metadata = dict[str, Any]
Claims = dict[str, Any]


def discovery_url(issuer: str, configured: str) -> str:
    """PSC publishes its document at ``{issuer}/.well-known/wallet-openid-configuration``
    (regulatory-facts §7.1), hence a configurable address; the standard path otherwise."""
    return configured or issuer.rstrip("/") + STANDARD_DISCOVERY_PATH


def _cache_key(kind: str, url: str) -> str:
    return f"egide.psc.{kind}.{hashlib.sha256(url.encode()).hexdigest()}"


def _get_json(url: str, **kwargs: Any) -> Any:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT_SECONDS, **kwargs)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError):
        raise PscFailure(Failure.UNREACHABLE) from None


def provider_metadata(*, issuer: str, configured_discovery_url: str) -> Metadata:
    """The provider's discovery document (cached a few minutes), checked against the issuer."""
    url = discovery_url(issuer, configured_discovery_url)
    key = _cache_key("metadata", url)
    metadata = cache.get(key)
    if metadata is None:
        metadata = _get_json(url)
        if not isinstance(metadata, dict) or any(
            not isinstance(metadata.get(name), str) for name in REQUIRED_METADATA
        ):
            raise PscFailure(Failure.MISCONFIGURED)
        # OpenID Connect Discovery §4.3: the document's issuer must be the one configured.
        if metadata["issuer"] != issuer:
            raise PscFailure(Failure.MISCONFIGURED)
        cache.set(key, metadata, METADATA_CACHE_SECONDS)
    return cast(Metadata, metadata)


def _key_set(metadata: Metadata, *, refresh: bool = False) -> KeySet:
    key = _cache_key("jwks", metadata["jwks_uri"])
    document = None if refresh else cache.get(key)
    if document is None:
        document = _get_json(metadata["jwks_uri"])
        cache.set(key, document, METADATA_CACHE_SECONDS)
    try:
        return KeySet.import_key_set(document)
    except (JoseError, ValueError, TypeError, KeyError):
        raise PscFailure(Failure.MISCONFIGURED) from None


def authorisation_url(
    *, metadata: Metadata, client_id: str, redirect_uri: str, state: str, nonce: str, code_verifier: str
) -> str:
    """Where to send the browser: code flow, PKCE S256, ``scope_all``, ``acr_values=eidas1``."""
    session = OAuth2Session(client_id, scope=SCOPE, redirect_uri=redirect_uri, code_challenge_method="S256")
    url, _state = session.create_authorization_url(
        metadata["authorization_endpoint"],
        state=state,
        nonce=nonce,
        code_verifier=code_verifier,
        acr_values=REQUIRED_ACR,
    )
    return str(url)


def tokens_fetch(
    *,
    metadata: Metadata,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    code: str,
    code_verifier: str,
) -> dict[str, Any]:
    """Exchange the authorisation code (with the PKCE verifier) at the token endpoint."""
    session = OAuth2Session(
        client_id,
        client_secret,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106  # a method name
    )
    try:
        token = session.fetch_token(
            metadata["token_endpoint"],
            grant_type="authorization_code",
            code=code,
            code_verifier=code_verifier,
            timeout=HTTP_TIMEOUT_SECONDS,
        )
    except requests.RequestException:
        raise PscFailure(Failure.UNREACHABLE) from None
    except (OAuthError, OAuth2Error, ValueError):
        raise PscFailure(Failure.INVALID_ANSWER) from None
    if not isinstance(token, dict) or not token.get("id_token") or not token.get("access_token"):
        raise PscFailure(Failure.INVALID_ANSWER)
    return dict(token)


def id_token_claims(*, metadata: Metadata, client_id: str, token: dict[str, Any], nonce: str) -> Claims:
    """The ID token's claims once its signature, issuer, audience, expiry, nonce and ``acr`` hold."""
    # Asymmetric algorithms only, whatever the metadata lists ("none" or HMAC must never pass).
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [algorithm for algorithm in offered if algorithm in SIGNING_ALGORITHMS] or ["RS256"]
    try:
        try:
            decoded = jwt.decode(token["id_token"], _key_set(metadata), algorithms=algorithms)
        except InvalidKeyIdError:
            # The provider may have rotated its keys since they were cached.
            decoded = jwt.decode(token["id_token"], _key_set(metadata, refresh=True), algorithms=algorithms)
    except BadSignatureError:
        raise PscFailure(Failure.BAD_SIGNATURE) from None
    except (JoseError, ValueError, TypeError):
        raise PscFailure(Failure.INVALID_ANSWER) from None
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        {
            "iss": {"essential": True, "values": [metadata["issuer"]]},
            # Authlib checks the audience only when asked (OpenID Connect Core §3.1.3.7 item 3).
            "aud": {"essential": True, "values": [client_id]},
        },
        {"nonce": nonce, "client_id": client_id, "access_token": token["access_token"]},
    )
    try:
        claims.validate(leeway=ID_TOKEN_LEEWAY_SECONDS)
    except (JoseError, ValueError, TypeError):
        raise PscFailure(Failure.INVALID_ANSWER) from None
    # eIDAS "substantial": a CPS card or the e-CPS application (regulatory-facts §5.5, §7.1).
    # Which levels count is a setting: PSC's full acr set is UNCONFIRMED (regulatory-facts §7.1).
    if decoded.claims.get("acr") not in settings.PSC_ACCEPTED_ACR:
        raise PscFailure(Failure.WRONG_ACR)
    return dict(decoded.claims)


def userinfo_fetch(*, metadata: Metadata, token: dict[str, Any], subject: str) -> Claims:
    """The userinfo claims (``SubjectNameID``…); their ``sub`` must be the ID token's
    (OpenID Connect Core §5.3.2), or they may describe someone else."""
    userinfo = _get_json(
        metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    if not isinstance(userinfo, dict) or userinfo.get("sub") != subject:
        raise PscFailure(Failure.INVALID_ANSWER)
    return userinfo
