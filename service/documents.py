"""Uploaded documents on disk: random names in a private directory, never served statically."""

from __future__ import annotations

import secrets
from pathlib import Path

EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


class FileDocumentStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, data: bytes, content_type: str) -> str:
        key = secrets.token_hex(16) + EXTENSIONS.get(content_type, "")
        folder = self.root / key[:2]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / key
        with path.open("xb") as handle:  # never overwrite
            handle.write(data)
        path.chmod(0o600)
        return key

    def load(self, key: str) -> bytes:
        if not key.replace(".", "").isalnum():
            raise KeyError(key)
        return (self.root / key[:2] / key).read_bytes()
