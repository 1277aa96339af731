"""What we accept as an attachment, decided by the file's content, never its name."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import IO

ACCEPTED_TYPES_TEXT = "PDF, PNG, JPEG, CSV, XLSX or DOCX"


@dataclass(frozen=True)
class SniffedFile:
    content_type: str
    size: int
    sha256: str


def _zip_office_type(head: bytes, stream: IO[bytes]) -> str | None:
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.startswith("xl/") for name in names):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if any(name.startswith("word/") for name in names):
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
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


def sniff(stream: IO[bytes]) -> SniffedFile | None:
    """Content type from the bytes, size and SHA-256; None when the type is not accepted."""
    stream.seek(0)
    data = stream.read()
    stream.seek(0)
    head = data[:8]
    content_type: str | None = None
    if data.startswith(b"%PDF-"):
        content_type = "application/pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        content_type = "image/png"
    elif head.startswith(b"\xff\xd8\xff"):
        content_type = "image/jpeg"
    elif head.startswith(b"PK\x03\x04"):
        content_type = _zip_office_type(head, io.BytesIO(data))
    elif _looks_like_csv(data):
        content_type = "text/csv"
    if content_type is None:
        return None
    return SniffedFile(content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest())
