"""Small files of every accepted type, built in memory (no fixture files to keep in sync)."""

from __future__ import annotations

import io
import uuid
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _image(format_name: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 60)).save(buffer, format=format_name)
    return buffer.getvalue()


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members:
            # OpenDocument: "mimetype" first and stored (ODF 1.2 part 3 §3.3).
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=method)
    return buffer.getvalue()


def _ooxml(main_part: str, content_type: str) -> bytes:
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
        f'2006/content-types"><Override PartName="/{main_part}" ContentType="{content_type}"/></Types>'
    )
    return _zip([("[Content_Types].xml", types.encode()), (main_part, b"<xml/>")])


def _odf(media_type: str) -> bytes:
    return _zip([("mimetype", media_type.encode()), ("content.xml", b"<xml/>")])


PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
DOC = OLE_HEADER + bytes(504) + b"\xec\xa5\xc1\x00" + bytes(600)
XLS = OLE_HEADER + bytes(504) + b"\x09\x08\x10\x00\x00\x06\x05\x00" + bytes(600)

# (file name, content, media type served back)
ACCEPTED = [
    ("compte-rendu.pdf", PDF, "application/pdf"),
    ("radio.png", _image("PNG"), "image/png"),
    ("photo.jpg", _image("JPEG"), "image/jpeg"),
    ("schema.gif", _image("GIF"), "image/gif"),
    ("dermato.webp", _image("WEBP"), "image/webp"),
    ("scan.tiff", _image("TIFF"), "image/tiff"),
    ("notes.txt", "Tension 12/8, revoir dans 3 mois — élevée.\n".encode(), "text/plain; charset=utf-8"),
    (
        "courrier.docx",
        _ooxml(
            "word/document.xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        ),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "bilan.xlsx",
        _ooxml(
            "xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
        ),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "lettre.odt",
        _odf("application/vnd.oasis.opendocument.text"),
        "application/vnd.oasis.opendocument.text",
    ),
    (
        "tableau.ods",
        _odf("application/vnd.oasis.opendocument.spreadsheet"),
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    ("ancien.doc", DOC, "application/msword"),
    ("ancien.xls", XLS, "application/vnd.ms-excel"),
]

ELF = b"\x7fELF\x02\x01\x01" + bytes(9) + b"\x02\x00\x3e\x00" + bytes(200)
WINDOWS_EXE = b"MZ\x90\x00" + bytes(60) + b"PE\x00\x00" + bytes(200)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
MACRO_DOCX = _ooxml("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml")
PLAIN_ZIP = _zip([("readme.txt", b"hello")])

# (file name it pretends to be, content)
REFUSED = [
    ("compte-rendu.pdf", ELF),
    ("radio.png", WINDOWS_EXE),
    ("notes.txt", HTML),
    ("lettre.pdf", HTML),
    ("schema.txt", SVG),
    ("courrier.docx", MACRO_DOCX),
    ("archive.docx", PLAIN_ZIP),
    ("latin1.txt", "Hélène".encode("latin-1")),
]


def upload(client: Client, patient_id: uuid.UUID, name: str, content: bytes) -> None:
    url = reverse("patients:document_new", kwargs={"patient_id": patient_id})
    client.post(url, {"file": SimpleUploadedFile(name, content)})


def download_url(patient_id: uuid.UUID, document_id: uuid.UUID) -> str:
    return reverse(
        "patients:document_download", kwargs={"patient_id": patient_id, "document_id": document_id}
    )
