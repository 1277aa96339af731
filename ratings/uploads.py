"""What we accept as an attachment, decided by the file's content, never its name."""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

ACCEPTED_TYPES_TEXT = "PDF, PNG, JPEG, CSV, XLSX or DOCX"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# What `sniff` can answer: a stored attachment is served with one of these.
ACCEPTED_CONTENT_TYPES = ("application/pdf", "image/png", "image/jpeg", "text/csv", XLSX, DOCX)
HEAD_BYTES = 64 * 1024  # enough to tell the type; the rest is hashed as it streams


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Every upload streams to a temporary file on disk, never into memory; past the size limit
    nothing more is kept (one byte over, so the service sees it is too large), while the file's
    `size` still counts every byte sent, for the error message."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.kept = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        room = settings.ATTACHMENT_MAX_BYTES + 1 - self.kept
        if room > 0:
            piece = raw_data[:room]
            self.file.write(piece)
            self.kept += len(piece)
        return None


@dataclass(frozen=True)
class SniffedFile:
    content_type: str
    size: int
    sha256: str


def _zip_office_type(stream: IO[bytes]) -> str | None:
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.startswith("xl/") for name in names):
        return XLSX
    if any(name.startswith("word/") for name in names):
        return DOCX
    return None


def _looks_like_csv(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    lines = [line for line in text.splitlines() if line.strip()]
    # Text with a separator on its first line; no markup pretending to be data.
    return (
        bool(lines) and ("," in lines[0] or ";" in lines[0] or "\t" in lines[0]) and not text.lstrip().startswith("<")
    )


def _digest(stream: IO[bytes]) -> tuple[int, str]:
    stream.seek(0)
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return size, digest.hexdigest()


def sniff(stream: IO[bytes]) -> SniffedFile | None:
    """Content type from the bytes, size and SHA-256 (read in chunks); None when not accepted."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    size, sha256 = _digest(stream)
    content_type: str | None = None
    if head.startswith(b"%PDF-"):
        content_type = "application/pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        content_type = "image/png"
    elif head.startswith(b"\xff\xd8\xff"):
        content_type = "image/jpeg"
    elif head.startswith(b"PK\x03\x04"):
        content_type = _zip_office_type(stream)
        stream.seek(0)
    elif _looks_like_csv(head if size <= HEAD_BYTES else head.rsplit(b"\n", 1)[0]):
        content_type = "text/csv"
    if content_type is None:
        return None
    return SniffedFile(content_type=content_type, size=size, sha256=sha256)


# --- PDFs that act when opened -------------------------------------------------------------------
ACTIVE_NAMES = {"/JavaScript": "JavaScript", "/JS": "JavaScript", "/Launch": "a launch action"}
_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")


def _raw_names(stream: IO[bytes]) -> set[str]:
    """Names written in the file itself, #xx escapes decoded (catches what a broken file hides)."""
    stream.seek(0)
    names: set[str] = set()
    tail = b""
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        data = tail + chunk
        for match in _NAME.finditer(data):
            raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), match.group())
            names.add(raw.decode("latin-1"))
        tail = data[-64:]
    stream.seek(0)
    return names


def _walk_names(value: Any, seen: set[int], names: set[str], depth: int = 0) -> None:
    if depth > 50:
        return
    if isinstance(value, IndirectObject):
        if value.idnum in seen:
            return
        seen.add(value.idnum)
        value = value.get_object()
    if isinstance(value, DictionaryObject):
        for key, item in value.items():
            names.add(str(key))
            if isinstance(item, NameObject):
                names.add(str(item))
            _walk_names(item, seen, names, depth + 1)
    elif isinstance(value, ArrayObject):
        for item in value:
            _walk_names(item, seen, names, depth + 1)


def pdf_active_content(stream: IO[bytes]) -> str:
    """What in this PDF would run when it is opened (JavaScript, a launch action), or ''."""
    names = _raw_names(stream)
    try:
        reader = PdfReader(stream, strict=False)
        _walk_names(reader.trailer, set(), names)
    except Exception:  # noqa: S110 - a PDF pypdf cannot read is judged by its raw names alone
        pass
    finally:
        stream.seek(0)
    found = sorted({label for name, label in ACTIVE_NAMES.items() if name in names})
    return " and ".join(found)
