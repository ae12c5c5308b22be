"""Documents attached to a patient: checked from their content, encrypted as a stream.

Each document has its own Tink streaming-AEAD keyset (AES256_GCM_HKDF_1MB: authenticated
1 MiB segments, truncation and reordering detected; no home-made format). The keyset is
serialised and sealed under the patient's data key, so crypto-shredding the patient makes
the documents unreadable too. The stream's associated data binds it to (patient, document):
a blob copied under another record does not open. The original file name is an envelope
bound to its row like every other personal field; the blob's own name is a random uuid.

Upload order (DESIGN "Invariants" 3): encrypt into a temporary file of the blob directory,
fsync, rename into place, then commit the row with its audit event. Any failure removes the
file; a crash between rename and commit can only leave a file whose keyset was never stored,
i.e. ciphertext nobody can open.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import logging
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, BinaryIO

import filetype
import tink
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from tink import secret_key_access, streaming_aead

from egide.access import policy
from egide.access.policy import Need
from egide.accounts.models import User
from egide.audit.actions import Action, Outcome
from egide.audit.services import audit_record
from egide.core.errors import Invalid, NotFound
from egide.crypto.envelope import open_, seal
from egide.crypto.errors import CryptoError, ShreddedKeyError
from egide.crypto.services import data_key_get
from egide.patients.errors import RecordUnreadable
from egide.patients.models import Document
from egide.patients.vault import field_aad, text_open, text_seal

logger = logging.getLogger(__name__)

streaming_aead.register()
KEY_TEMPLATE = streaming_aead.streaming_aead_key_templates.AES256_GCM_HKDF_1MB
CHUNK_BYTES = 1024 * 1024
SNIFF_BYTES = 8192
FILENAME_MAX = 200
# Office containers: the parts read to tell the format are small; never inflate more than this.
ZIP_PART_MAX = 1024 * 1024

# Media types accepted as detected from content by `filetype` (images, PDF, legacy office).
SNIFFED_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/tiff",
        "application/msword",
        "application/vnd.ms-excel",
    }
)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
# The main part's content type declared in [Content_Types].xml (ECMA-376 part 2). Macro-enabled
# variants (docm, xlsm) declare other types and are refused.
OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
TEXT = "text/plain; charset=utf-8"
# Text that a browser would treat as a page or an image with scripts: refused, even though
# downloads are attachments served with nosniff.
MARKUP = re.compile(rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|\?xml)\b", re.I)


def max_bytes() -> int:
    return int(settings.DOCUMENT_MAX_MB) * 1024 * 1024


def _refused() -> Invalid:
    return Invalid(
        fields={
            "file": [
                _(
                    "This kind of file is not accepted. Send a PDF, an image (PNG, JPEG, GIF, WebP, "
                    "TIFF), a UTF-8 text file or an office document (DOCX, XLSX, ODT, ODS, DOC, XLS). "
                    "Nothing was saved."
                )
            ]
        }
    )


def _office_type(upload: IO[bytes]) -> str:
    """DOCX/XLSX/ODT/ODS from the container's own declaration, never from the file name."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as part:
                    declared = part.read(200).decode("ascii", "replace").strip()
                if declared in {ODT, ODS}:
                    return declared
            elif "[Content_Types].xml" in names:
                with archive.open("[Content_Types].xml") as part:
                    types = part.read(ZIP_PART_MAX).decode("utf-8", "replace")
                for main_part, media_type in OOXML_MAIN_PARTS.items():
                    if f'ContentType="{main_part}"' in types:
                        return media_type
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        pass
    raise _refused()


def _is_utf8_text(upload: IO[bytes]) -> bool:
    upload.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    head = b""
    try:
        while chunk := upload.read(CHUNK_BYTES):
            if b"\x00" in chunk:
                return False
            if len(head) < SNIFF_BYTES:
                head += chunk[:SNIFF_BYTES]
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return not MARKUP.search(head)


def media_type_detect(upload: IO[bytes]) -> str:
    """The media type of an upload, read from its content; `Invalid` for anything not allowed."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    if head.startswith(b"PK\x03\x04"):
        return _office_type(upload)
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in SNIFFED_TYPES:
            return str(kind.mime)
        raise _refused()
    if _is_utf8_text(upload):
        return TEXT
    raise _refused()


def filename_clean(name: str) -> str:
    """The name without any path, control or format characters, at most 200 characters."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] not in {"C"}).strip(" .")
    if len(name) > FILENAME_MAX:
        stem, dot, extension = name.rpartition(".")
        keep = extension if dot and len(extension) <= 10 else ""
        suffix = f".{keep}" if keep else ""
        name = (stem if keep else name)[: FILENAME_MAX - len(suffix)].rstrip() + suffix
    return name or "document"


def blob_dir() -> Path:
    directory = Path(settings.DATA_DIR) / "blobs"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _stream_aad(patient_id: uuid.UUID, document_id: uuid.UUID) -> bytes:
    return f"patients.Document|content|{patient_id}|{document_id}".encode()


def _keyset_aad(document_id: uuid.UUID) -> bytes:
    return field_aad("Document", "keyset", document_id)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _encrypt_to_blob(upload: IO[bytes], handle: tink.KeysetHandle, aad: bytes, final: Path) -> None:
    """Encrypt while streaming into a 0600 temporary file, fsync, rename; leaves nothing on failure."""
    temporary = final.with_name(f".{final.name}.part")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        primitive = handle.primitive(streaming_aead.StreamingAead)
        # The encrypting stream closes the file when it is closed.
        with primitive.new_encrypting_stream(os.fdopen(descriptor, "wb"), aad) as stream:
            upload.seek(0)
            while chunk := upload.read(CHUNK_BYTES):
                stream.write(chunk)
        _fsync(temporary)
        os.replace(temporary, final)
        _fsync(final.parent)
    except BaseException:
        temporary.unlink(missing_ok=True)
        final.unlink(missing_ok=True)
        raise


def _readable_patient(actor: User, patient_id: uuid.UUID, *, lock: bool = False) -> policy.Access:
    return policy.patient_for(actor, patient_id, need=Need.CLINICAL, lock=lock)


def document_add(*, actor: User, patient_id: uuid.UUID, filename: str, upload: IO[bytes]) -> uuid.UUID:
    """Attach a file to a patient of the actor's care team. Refused files change nothing.

    Call outside any transaction: the blob is removed if this service's own transaction fails,
    which an enclosing transaction rolled back later would not tell it.
    """
    patient = _readable_patient(actor, patient_id).patient
    upload.seek(0, io.SEEK_END)
    size = upload.tell()
    if size == 0:
        raise Invalid(fields={"file": [_("The file is empty. Nothing was saved.")]})
    if size > max_bytes():
        raise Invalid(
            fields={
                "file": [
                    _("The file is larger than %(max)s MB. Nothing was saved.")
                    % {"max": settings.DOCUMENT_MAX_MB}
                ]
            }
        )
    media_type = media_type_detect(upload)
    key = data_key_get(data_key_id=patient.data_key_id)
    document_id, blob_name = uuid.uuid4(), str(uuid.uuid4())
    handle = tink.new_keyset_handle(KEY_TEMPLATE)
    keyset = tink.proto_keyset_format.serialize(handle, secret_key_access.TOKEN)
    final = blob_dir() / blob_name
    _encrypt_to_blob(upload, handle, _stream_aad(patient.id, document_id), final)
    try:
        with transaction.atomic():
            access = _readable_patient(actor, patient_id, lock=True)
            patient = access.patient
            Document.objects.create(
                id=document_id,
                patient=patient,
                uploaded_by=actor,
                size=size,
                media_type=media_type,
                filename=text_seal(
                    "Document", document_id, patient.data_key_id, key, "filename", filename_clean(filename)
                ),
                blob_name=blob_name,
                keyset=seal(key, patient.data_key_id, keyset, _keyset_aad(document_id)),
            )
            audit_record(
                action=Action.DOCUMENT_ADDED,
                actor=actor,
                subject_type="document",
                subject_id=document_id,
                patient_id=patient.id,
                justification=access.justification,
            )
    except BaseException:
        final.unlink(missing_ok=True)
        raise
    logger.debug("Document %s ajouté au patient %s", document_id, patient.id)
    return document_id


@dataclass(frozen=True)
class DocumentRow:
    id: uuid.UUID
    filename: str
    media_type: str
    size: int
    uploaded_at: datetime


def _unreadable(
    actor: User, access: policy.Access, action: Action, subject_type: str, subject_id: object
) -> None:
    # The failed read is itself a trace, committed even though the request fails.
    patient = access.patient
    with transaction.atomic():
        audit_record(
            action=action,
            outcome=Outcome.FAILURE,
            actor=actor,
            subject_type=subject_type,
            subject_id=subject_id,
            patient_id=patient.id,
            justification=access.justification,
        )
    logger.warning("Document illisible pour le patient %s (%s)", patient.id, subject_id)


def document_list_for_user(*, user: User, patient_id: uuid.UUID) -> list[DocumentRow]:
    """The documents of a patient with their file names, for the care team (shown on the patient
    page, whose view is audited by `patient_get_for_user`)."""
    access = _readable_patient(user, patient_id)
    patient = access.patient
    documents = list(Document.objects.filter(patient=patient))
    if not documents:
        return []
    try:
        key = data_key_get(data_key_id=patient.data_key_id)
        return [
            DocumentRow(
                document.id,
                text_open("Document", document.id, patient.data_key_id, key, "filename", document.filename),
                document.media_type,
                document.size,
                document.uploaded_at,
            )
            for document in documents
        ]
    except ShreddedKeyError:
        return []
    except CryptoError:
        _unreadable(user, access, Action.PATIENT_VIEWED, "patient", patient.id)
        raise RecordUnreadable from None


@dataclass(frozen=True)
class OpenedDocument:
    filename: str
    media_type: str
    size: int
    stream: BinaryIO  # decrypting reader; the caller closes it


def _decrypting_stream(handle: tink.KeysetHandle, path: Path, aad: bytes) -> BinaryIO:
    primitive = handle.primitive(streaming_aead.StreamingAead)
    stream: BinaryIO = primitive.new_decrypting_stream(path.open("rb"), aad)
    return stream


def _verified_size(handle: tink.KeysetHandle, path: Path, aad: bytes) -> int:
    total = 0
    with _decrypting_stream(handle, path, aad) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            total += len(chunk)
    return total


def _keyset_handle(document: Document, data_key_id: str, key: bytes) -> tink.KeysetHandle:
    keyset = open_({data_key_id: key}, document.keyset, _keyset_aad(document.id))
    return tink.proto_keyset_format.parse(keyset, secret_key_access.TOKEN)


def document_plaintext_size(*, document: Document, data_key_id: str, key: bytes) -> int:
    """Decrypt and authenticate the whole blob of ``document`` and return its plaintext size.

    No audit event and nothing returned but a size: for restore drills, which check that a
    restored copy still opens with the current keys. Raises ``CryptoError``, ``tink.TinkError``
    or ``OSError`` when it does not."""
    handle = _keyset_handle(document, data_key_id, key)
    return _verified_size(
        handle, blob_dir() / document.blob_name, _stream_aad(document.patient_id, document.id)
    )


def document_open_for_user(*, user: User, patient_id: uuid.UUID, document_id: uuid.UUID) -> OpenedDocument:
    """A document of the care team's patient as a decrypting stream. Audited.

    The whole blob is authenticated once before anything is sent, so an altered file answers a
    clear error instead of a download cut short; the second pass streams what was verified.
    """
    access = _readable_patient(user, patient_id)
    patient = access.patient
    document = Document.objects.filter(id=document_id, patient=patient).first()
    if document is None:
        raise NotFound
    aad = _stream_aad(patient.id, document.id)
    path = blob_dir() / document.blob_name
    try:
        key = data_key_get(data_key_id=patient.data_key_id)
    except ShreddedKeyError:
        raise NotFound from None
    try:
        handle = _keyset_handle(document, patient.data_key_id, key)
        filename = text_open("Document", document.id, patient.data_key_id, key, "filename", document.filename)
        if _verified_size(handle, path, aad) != document.size:
            raise tink.TinkError("plaintext size differs from the recorded size")
        stream = _decrypting_stream(handle, path, aad)
    except (CryptoError, tink.TinkError, OSError):
        _unreadable(user, access, Action.DOCUMENT_DOWNLOADED, "document", document.id)
        raise RecordUnreadable from None
    try:
        with transaction.atomic():
            audit_record(
                action=Action.DOCUMENT_DOWNLOADED,
                actor=user,
                subject_type="document",
                subject_id=document.id,
                patient_id=patient.id,
                justification=access.justification,
            )
    except BaseException:
        with contextlib.suppress(Exception):
            stream.close()
        raise
    return OpenedDocument(filename, document.media_type, document.size, stream)
