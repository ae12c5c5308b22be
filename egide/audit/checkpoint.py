"""Signed tree heads: C2SP tlog-checkpoint bodies in C2SP signed notes.

A checkpoint is plain text that can leave the database (backups, the DPO's
mailbox, an external witness) and be checked later by ``egide audit verify``
or by standard transparency-log tooling (c2sp.org/tlog-checkpoint,
c2sp.org/signed-note, Ed25519 per RFC 8032). Parsing is strict and fails
closed: anything unexpected raises ``CheckpointError`` with a French message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

# signed-note "Signature types": 0x01 is Ed25519 over the note text.
_ED25519_TYPE: Final = b"\x01"
_ROOT_SIZE: Final = 32
_SIGNATURE_SIZE: Final = 4 + 64  # key ID || Ed25519 signature
# signed-note "Format": verifiers SHOULD bound the note, MUST accept 16 sigs.
MAX_SIGNATURES: Final = 32
MAX_NOTE_CHARS: Final = 64 * 1024

_SIG_PREFIX: Final = "\u2014 "  # em dash, space
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_SIZE = re.compile(r"0|[1-9][0-9]{0,18}")  # ASCII decimal, no leading zero (< 10**19)
_TIME = re.compile(r"time ([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z")


class CheckpointError(ValueError):
    """Malformed, unsigned, untrusted or forged checkpoint (fail closed)."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    time: datetime | None
    signers: tuple[str, ...]  # names of the trusted keys whose signature verified


def key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    """signed-note "Ed25519 signatures": SHA-256(name || 0x0A || 0x01 || key)[:4]."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(name.encode() + b"\n" + _ED25519_TYPE + raw).digest()[:4]


@dataclass(frozen=True)
class NoteVerifier:
    """A trusted key. Several may share a name (rotation): the ID tells apart."""

    name: str
    public_key: Ed25519PublicKey
    key_id: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _check_key_name(self.name)
        object.__setattr__(self, "key_id", key_id(self.name, self.public_key))


def _check_key_name(name: str) -> None:
    # signed-note "Format": non-empty, no Unicode space, no "+".
    if not name or "+" in name or any(c.isspace() for c in name) or _CONTROL.search(name):
        raise CheckpointError(f"nom de clé invalide : {name!r}")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    # Canonical form only: non-zero padding bits would let a modified text
    # decode to the same bytes, and every byte of a checkpoint must count.
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise CheckpointError(f"{what} : base64 invalide") from None
    if _b64(data) != text:
        raise CheckpointError(f"{what} : base64 non canonique")
    return data


def _format_time(time: datetime) -> str:
    if time.tzinfo is None or time.utcoffset() is None:
        raise CheckpointError("l'heure du point de contrôle doit porter un fuseau")
    t = time.astimezone(UTC)
    # RFC 3339 §5.6 date-time in UTC ("Z"), to the second.
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z"


def checkpoint_body(origin: str, size: int, root: bytes, time: datetime | None) -> str:
    """tlog-checkpoint "Note text": origin, size, base64 root, extensions."""
    if not origin or "\n" in origin or _CONTROL.search(origin):
        raise CheckpointError("origine du journal invalide")
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size < 10**19:
        raise CheckpointError("taille d'arbre invalide")
    if len(root) != _ROOT_SIZE:
        raise CheckpointError("empreinte racine invalide (32 octets attendus)")
    body = f"{origin}\n{size}\n{_b64(root)}\n"
    if time is not None:
        body += f"time {_format_time(time)}\n"
    return body


def sign_note(text: str, key_name: str, private_key: Ed25519PrivateKey) -> str:
    """signed-note: text, blank line, "— <name> base64(key ID || Ed25519 sig)"."""
    _check_key_name(key_name)
    if not text.endswith("\n") or _CONTROL.search(text):
        raise CheckpointError("texte de note invalide")
    kid = key_id(key_name, private_key.public_key())
    signature = private_key.sign(text.encode("utf-8"))
    return f"{text}\n{_SIG_PREFIX}{key_name} {_b64(kid + signature)}\n"


def sign_checkpoint(
    origin: str,
    size: int,
    root: bytes,
    time: datetime | None,
    key_name: str,
    private_key: Ed25519PrivateKey,
) -> str:
    """Signed checkpoint of the tree of ``size`` leaves with hash ``root``."""
    return sign_note(checkpoint_body(origin, size, root, time), key_name, private_key)


def _split_note(text: str) -> tuple[str, list[tuple[str, bytes]]]:
    # signed-note "Format": only newline among the ASCII control characters.
    if _CONTROL.search(text):
        raise CheckpointError("caractère de contrôle interdit dans la note")
    # The text is separated from the signatures by the *last* empty line.
    cut = text.rfind("\n\n")
    if cut < 0 or not text.endswith("\n"):
        raise CheckpointError("note non signée ou mal terminée")
    body, block = text[: cut + 1], text[cut + 2 : -1]
    if not block:
        raise CheckpointError("note non signée")
    lines = block.split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise CheckpointError("trop de signatures dans la note")
    signatures: list[tuple[str, bytes]] = []
    for line in lines:
        if not line.startswith(_SIG_PREFIX):
            raise CheckpointError("ligne de signature mal formée")
        parts = line.removeprefix(_SIG_PREFIX).split(" ")
        if len(parts) != 2:
            raise CheckpointError("ligne de signature mal formée")
        name, encoded = parts
        _check_key_name(name)
        sig = _unb64(encoded, "signature")
        if len(sig) < 5:
            raise CheckpointError("signature trop courte")
        signatures.append((name, sig))
    return body, signatures


def _parse_body(body: str) -> tuple[str, int, bytes, datetime | None]:
    lines = body[:-1].split("\n")
    if len(lines) < 3 or not all(lines):  # tlog-checkpoint: non-empty lines
        raise CheckpointError("corps de point de contrôle mal formé")
    origin, size_text, root_text, *extensions = lines
    if not _SIZE.fullmatch(size_text):
        raise CheckpointError("taille d'arbre mal formée")
    root = _unb64(root_text, "empreinte racine")
    if len(root) != _ROOT_SIZE:
        raise CheckpointError("empreinte racine de longueur invalide")
    time: datetime | None = None
    if len(extensions) > 1:
        raise CheckpointError("extensions inattendues dans le point de contrôle")
    if extensions:  # only our own "time" extension is understood
        match = _TIME.fullmatch(extensions[0])
        if match is None:
            raise CheckpointError("extension inconnue dans le point de contrôle")
        year, month, day, hour, minute, second = (int(g) for g in match.groups())
        try:
            time = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError:  # e.g. month 13, or a leap second
            raise CheckpointError("heure du point de contrôle invalide") from None
    return origin, int(size_text), root, time


def open_note(
    text: str | bytes,
    verifiers: Iterable[NoteVerifier] | Mapping[str, Ed25519PublicKey],
) -> tuple[str, tuple[str, ...]]:
    """Verified text of a signed note, and the names of the keys that signed.

    signed-note "Signatures": signatures whose (name, key ID) match no trusted
    key are ignored (witness cosignatures, retired keys); every matching one
    must verify, else the whole note is rejected; at least one must match.
    """
    if len(text) > MAX_NOTE_CHARS:
        raise CheckpointError("note signée trop longue")
    try:  # signed-note "Format": MUST be valid UTF-8 (no lone surrogates)
        text = text.decode("utf-8") if isinstance(text, bytes) else text
        text.encode("utf-8")
    except UnicodeError:
        raise CheckpointError("note signée non UTF-8") from None
    if isinstance(verifiers, Mapping):
        trusted = [NoteVerifier(name, key) for name, key in verifiers.items()]
    else:
        trusted = list(verifiers)
    body, signatures = _split_note(text)
    message = body.encode("utf-8")
    signers: dict[str, None] = {}  # ordered set
    for name, sig in signatures:
        for verifier in trusted:
            if verifier.name != name or verifier.key_id != sig[:4]:
                continue
            if len(sig) != _SIGNATURE_SIZE:
                raise CheckpointError(f"signature de longueur invalide ({name})")
            try:
                verifier.public_key.verify(sig[4:], message)
            except InvalidSignature:
                raise CheckpointError(f"signature invalide ({name})") from None
            signers[name] = None
    if not signers:
        raise CheckpointError("aucune signature d'une clé de confiance")
    return body, tuple(signers)


def parse_and_verify(
    text: str | bytes,
    verifiers: Iterable[NoteVerifier] | Mapping[str, Ed25519PublicKey],
    *,
    origin: str | None = None,
) -> Checkpoint:
    """Checkpoint from a signed note, accepted only if a trusted key signed it.

    ``verifiers`` lists every trusted key, current and retired (rotation keeps
    old heads verifiable). ``origin``, if given, must equal the first line.
    """
    body, signers = open_note(text, verifiers)
    cp_origin, size, root, time = _parse_body(body)
    if origin is not None and cp_origin != origin:
        raise CheckpointError("point de contrôle d'un autre journal")
    return Checkpoint(cp_origin, size, root, time, signers)


def encode_verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """Text form of a public key, "<name>+<hex key ID>+<base64(0x01 || key)>".

    Same layout as golang.org/x/mod/sumdb/note verifier keys, so the key
    given to the DPO or a witness also works with standard tooling.
    """
    _check_key_name(name)
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return f"{name}+{key_id(name, public_key).hex()}+{_b64(_ED25519_TYPE + raw)}"


def decode_verifier_key(text: str) -> NoteVerifier:
    """Inverse of ``encode_verifier_key``; checks the embedded key ID."""
    parts = text.strip().split("+", 2)  # names have no "+"; base64 may
    if len(parts) != 3 or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
        raise CheckpointError("clé de vérification mal formée")
    name, hex_id, encoded = parts
    raw = _unb64(encoded, "clé de vérification")
    if len(raw) != 33 or raw[:1] != _ED25519_TYPE:
        raise CheckpointError("clé de vérification : type ou longueur inattendus")
    try:
        verifier = NoteVerifier(name, Ed25519PublicKey.from_public_bytes(raw[1:]))
    except ValueError as exc:  # CheckpointError is one too
        raise CheckpointError("clé de vérification invalide") from exc
    if verifier.key_id.hex() != hex_id:
        raise CheckpointError("clé de vérification : identifiant incohérent")
    return verifier
