"""Typed failures of the crypto core.

Every failure raises; nothing here ever falls back to plaintext (DESIGN invariant 4: decryption and
verification fail closed). Messages are plain French for the person who reads them, and never carry
key material, plaintext, a passphrase or a recovery share: exceptions end up in logs and tracebacks.
"""

from __future__ import annotations


class CryptoError(Exception):
    """Base of every failure of the crypto core; catch this one at the edges."""


class DecryptionError(CryptoError):
    """A ciphertext could not be opened: altered, truncated, or bound to another place or key."""


class MalformedEnvelopeError(DecryptionError):
    """The value is not an envelope at all (truncated, bad encoding, or never encrypted)."""


class UnknownSchemeError(DecryptionError):
    """The envelope names a scheme this version of Égide does not know."""


class UnknownKeyError(CryptoError):
    """The key an envelope or a caller names is not in the keyring."""


class ShreddedKeyError(CryptoError):
    """The data key was destroyed on purpose (crypto-shredding): its data is gone for good."""


class KeyringError(CryptoError):
    """The keyring is inconsistent, or an operation would leave it so."""


class KeyStoreError(CryptoError):
    """The key directory cannot be used: missing, unsafe permissions or unreadable file."""


class SealedError(CryptoError):
    """The master key is sealed, or the passphrase given to unseal it is wrong."""


class RecoveryError(CryptoError):
    """The recovery kit shares do not rebuild a master key."""


class JournalError(CryptoError):
    """The crypto-shredding journal is unreadable: refuse rather than forget an erasure."""
