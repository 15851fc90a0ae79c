"""Uploaded documents: what a file must be, and where files are kept (behind a protocol).

The file's content decides its type (magic bytes), never its name; files are stored under
random keys by a ``DocumentStore`` and the name is kept only for display.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .errors import ValidationFailed
from .i18n import N_

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
DOCUMENT_TYPES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


class DocumentStore(Protocol):
    """Where uploaded files live (a private directory, an object store): keys, not paths."""

    def save(self, data: bytes, content_type: str) -> str: ...

    def load(self, key: str) -> bytes: ...


def document_type(data: bytes) -> str | None:
    return next((kind for magic, kind in DOCUMENT_TYPES.items() if data.startswith(magic)), None)


def checked_uploads(
    uploads: Sequence[Upload], field: str = "documents"
) -> list[tuple[Upload, str]]:
    """Every upload with its type, or an error before anything is stored."""
    checked = []
    for index, upload in enumerate(uploads):
        if len(upload.data) > MAX_DOCUMENT_BYTES:
            message = N_("A file may be at most 5 MB.")
            raise ValidationFailed(
                message, code="document_too_large", fields={f"{field}.{index}": message}
            )
        kind = document_type(upload.data)
        if kind is None:
            message = N_("Upload a PDF, JPEG or PNG file.")
            raise ValidationFailed(
                message, code="document_type", fields={f"{field}.{index}": message}
            )
        checked.append((upload, kind))
    return checked


def safe_filename(name: str) -> str:
    """Only for display: the file is stored under a random key, never under this name."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    return (cleaned or "document")[:200]
