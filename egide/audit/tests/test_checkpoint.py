"""Signed checkpoints: round trip, tampering, keys, strict parsing."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from egide.audit.checkpoint import (
    Checkpoint,
    CheckpointError,
    NoteVerifier,
    checkpoint_body,
    decode_verifier_key,
    encode_verifier_key,
    key_id,
    open_note,
    parse_and_verify,
    sign_checkpoint,
    sign_note,
)

ORIGIN = "egide.local/cabinet-test/audit"
KEY_NAME = "egide.local/cabinet-test/audit-2025"
ROOT = bytes(range(32))
WHEN = datetime(2025, 6, 1, 12, 34, 56, tzinfo=UTC)

# golang.org/x/mod/sumdb/note: the package's documented example (note.go and
# note_test.go), an independent implementation of the same signed-note format.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SEED = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1"
    "FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def note(key: Ed25519PrivateKey) -> str:
    return sign_checkpoint(ORIGIN, 1234, ROOT, WHEN, KEY_NAME, key)


def test_format_matches_c2sp(note: str, key: Ed25519PrivateKey) -> None:
    body, blank, sig_line, end = note.split("\n")[:4], *note.split("\n")[4:]
    assert body == [ORIGIN, "1234", base64.b64encode(ROOT).decode(), "time 2025-06-01T12:34:56Z"]
    assert blank == "" and end == ""
    prefix = f"\u2014 {KEY_NAME} "
    assert sig_line.startswith(prefix)
    raw = base64.b64decode(sig_line.removeprefix(prefix))
    assert raw[:4] == key_id(KEY_NAME, key.public_key()) and len(raw) == 68


def test_round_trip(note: str, key: Ed25519PrivateKey) -> None:
    cp = parse_and_verify(note, {KEY_NAME: key.public_key()}, origin=ORIGIN)
    assert cp == Checkpoint(ORIGIN, 1234, ROOT, WHEN, (KEY_NAME,))
    assert parse_and_verify(note.encode(), [NoteVerifier(KEY_NAME, key.public_key())]) == cp


def test_round_trip_without_time_and_empty_tree(key: Ed25519PrivateKey) -> None:
    empty = bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    text = sign_checkpoint(ORIGIN, 0, empty, None, KEY_NAME, key)
    assert text.startswith(f"{ORIGIN}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n")
    cp = parse_and_verify(text, {KEY_NAME: key.public_key()})
    assert (cp.size, cp.root, cp.time) == (0, empty, None)


def test_time_is_normalised_to_utc_seconds(key: Ed25519PrivateKey) -> None:
    paris = timezone(timedelta(hours=2))
    text = sign_checkpoint(ORIGIN, 1, ROOT, datetime(2025, 6, 1, 14, 0, 0, 999, tzinfo=paris), KEY_NAME, key)
    assert "\ntime 2025-06-01T12:00:00Z\n" in text
    with pytest.raises(CheckpointError, match="fuseau"):
        sign_checkpoint(ORIGIN, 1, ROOT, datetime(2025, 6, 1), KEY_NAME, key)


def test_every_single_byte_change_is_rejected(note: str, key: Ed25519PrivateKey) -> None:
    data = note.encode()
    for i in range(len(data)):
        for mask in (0x01, 0x20, 0x80):
            tampered = bytearray(data)
            tampered[i] ^= mask
            with pytest.raises(CheckpointError):
                parse_and_verify(bytes(tampered), {KEY_NAME: key.public_key()})


def test_truncation_and_insertion_are_rejected(note: str, key: Ed25519PrivateKey) -> None:
    trust = {KEY_NAME: key.public_key()}
    for i in range(len(note)):
        with pytest.raises(CheckpointError):
            parse_and_verify(note[:i], trust)
        with pytest.raises(CheckpointError):
            parse_and_verify(note[:i] + "x" + note[i:], trust)
    for variant in (note + "\n", note.replace("\n", "\r\n"), " " + note):
        with pytest.raises(CheckpointError):
            parse_and_verify(variant, trust)


def test_wrong_key_is_rejected(note: str) -> None:
    other = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(CheckpointError, match="aucune signature"):
        parse_and_verify(note, {KEY_NAME: other})  # same name, other key ID
    with pytest.raises(CheckpointError, match="aucune signature"):
        parse_and_verify(note, {})
    with pytest.raises(CheckpointError, match="aucune signature"):
        parse_and_verify(note, [NoteVerifier("autre.nom", other)])


def test_forged_signature_from_known_key_rejects_the_note(note: str, key: Ed25519PrivateKey) -> None:
    kid = key_id(KEY_NAME, key.public_key())
    forged = f"\u2014 {KEY_NAME} {base64.b64encode(kid + bytes(64)).decode()}\n"
    with pytest.raises(CheckpointError, match="signature invalide"):
        parse_and_verify(note + forged, {KEY_NAME: key.public_key()})
    short = f"\u2014 {KEY_NAME} {base64.b64encode(kid + bytes(10)).decode()}\n"
    with pytest.raises(CheckpointError, match="longueur"):
        parse_and_verify(note + short, {KEY_NAME: key.public_key()})


def test_unknown_signatures_are_ignored(note: str, key: Ed25519PrivateKey) -> None:
    witness = Ed25519PrivateKey.generate()
    cosigned = sign_note(note[: note.index("\n\n") + 1], "temoin.example/dpo", witness)
    both = note + cosigned.split("\n\n")[1]
    cp = parse_and_verify(both, {KEY_NAME: key.public_key()})
    assert cp.signers == (KEY_NAME,)
    cp = parse_and_verify(both, {KEY_NAME: key.public_key(), "temoin.example/dpo": witness.public_key()})
    assert cp.signers == (KEY_NAME, "temoin.example/dpo")


def test_key_rotation_keeps_old_heads_verifiable(key: Ed25519PrivateKey) -> None:
    new_key = Ed25519PrivateKey.generate()
    old_head = sign_checkpoint(ORIGIN, 10, ROOT, None, KEY_NAME, key)
    new_head = sign_checkpoint(ORIGIN, 20, ROOT, None, KEY_NAME, new_key)  # same name
    trusted = [NoteVerifier(KEY_NAME, new_key.public_key()), NoteVerifier(KEY_NAME, key.public_key())]
    assert parse_and_verify(old_head, trusted).size == 10
    assert parse_and_verify(new_head, trusted).size == 20
    with pytest.raises(CheckpointError):
        parse_and_verify(old_head, trusted[:1])


def test_unsigned_notes_are_never_accepted(key: Ed25519PrivateKey) -> None:
    body = checkpoint_body(ORIGIN, 5, ROOT, None)
    for text in (body, body + "\n", body + "\n\n", "", "\n"):
        with pytest.raises(CheckpointError):
            parse_and_verify(text, {KEY_NAME: key.public_key()})


def test_origin_must_match_when_given(note: str, key: Ed25519PrivateKey) -> None:
    with pytest.raises(CheckpointError, match="autre journal"):
        parse_and_verify(note, {KEY_NAME: key.public_key()}, origin="egide.local/autre/audit")


@pytest.mark.parametrize(
    "body",
    [
        f"{ORIGIN}\n01\n{base64.b64encode(ROOT).decode()}\n",  # leading zero
        f"{ORIGIN}\n+1\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n1_000\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n\u0661\n{base64.b64encode(ROOT).decode()}\n",  # Arabic-Indic one
        f"{ORIGIN}\n-1\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n1\n{base64.b64encode(ROOT[:31]).decode()}\n",
        f"{ORIGIN}\n1\n{ROOT.hex()}\n",
        f"{ORIGIN}\n1\n{base64.b64encode(ROOT).decode()[:-2]}B=\n",  # non-canonical padding bits
        f"{ORIGIN}\n1\n{base64.b64encode(ROOT).decode()}\nautre extension\n",
        f"{ORIGIN}\n1\n{base64.b64encode(ROOT).decode()}\ntime 2025-13-01T00:00:00Z\n",
        f"{ORIGIN}\n1\n{base64.b64encode(ROOT).decode()}\ntime 2025-06-01T12:00:00+02:00\n",
        f"{ORIGIN}\n1\n{base64.b64encode(ROOT).decode()}\n" + "time 2025-06-01T12:00:00Z\n" * 2,
        f"{ORIGIN}\n1\n",
    ],
)
def test_signed_but_malformed_bodies_are_rejected(body: str, key: Ed25519PrivateKey) -> None:
    text = sign_note(body, KEY_NAME, key)
    open_note(text, {KEY_NAME: key.public_key()})  # the signature itself is fine
    with pytest.raises(CheckpointError):
        parse_and_verify(text, {KEY_NAME: key.public_key()})


def test_signing_refuses_bad_input(key: Ed25519PrivateKey) -> None:
    for origin, size, root, name in [
        ("", 1, ROOT, KEY_NAME),
        ("a\nb", 1, ROOT, KEY_NAME),
        (ORIGIN, -1, ROOT, KEY_NAME),
        (ORIGIN, True, ROOT, KEY_NAME),
        (ORIGIN, 1, ROOT[:31], KEY_NAME),
        (ORIGIN, 1, ROOT, "nom avec espace"),
        (ORIGIN, 1, ROOT, "nom+plus"),
        (ORIGIN, 1, ROOT, ""),
    ]:
        with pytest.raises(CheckpointError):
            sign_checkpoint(origin, size, root, None, name, key)


def test_interoperates_with_go_sumdb_note() -> None:
    verifier = decode_verifier_key(GO_VKEY)
    assert verifier.name == "PeterNeumann"
    assert open_note(GO_NOTE, [verifier]) == (GO_TEXT, ("PeterNeumann",))
    go_key = Ed25519PrivateKey.from_private_bytes(GO_SEED)
    assert encode_verifier_key("PeterNeumann", go_key.public_key()) == GO_VKEY
    assert sign_note(GO_TEXT, "PeterNeumann", go_key) == GO_NOTE  # Ed25519 is deterministic


def test_verifier_key_text_form(key: Ed25519PrivateKey) -> None:
    text = encode_verifier_key(KEY_NAME, key.public_key())
    assert decode_verifier_key(text).key_id == key_id(KEY_NAME, key.public_key())
    name, hex_id, material = text.split("+", 2)
    wrong_type = base64.b64encode(bytes([2]) + bytes(32)).decode()
    for bad in (
        f"{name}+{'0' * 8}+{material}",  # inconsistent ID
        f"{name}+{hex_id}",
        f"autre+{hex_id}+{material}",  # ID binds the name too
        f"{name}+{hex_id}+{wrong_type}",
    ):
        with pytest.raises(CheckpointError):
            decode_verifier_key(bad)


def test_verifier_key_whose_base64_contains_a_plus() -> None:
    # Key of transparency-dev/formats note tests: its base64 part holds a "+".
    verifier = decode_verifier_key("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6")
    assert (verifier.name, verifier.key_id.hex()) == ("TEST", "7997405c")
