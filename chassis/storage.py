"""Where uploaded documents live: content-addressed files behind a small interface.

Files never travel over RabbitMQ; the gateway stores the bytes and services receive the
reference (SHA-256, size, content type). ``LocalDocumentStore`` keeps them on disk under
``var/documents`` by default; another store (object storage) needs only ``put``,
``exists`` and ``read``.
"""

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

# Leading bytes of the types the mall accepts; the name a client gives proves nothing.
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


class UnacceptableDocument(Exception):
    """The upload is of a type the mall does not take, or too large."""


@dataclass(frozen=True)
class StoredDocument:
    sha256: str
    size: int
    content_type: str


def sniff_content_type(head: bytes) -> str | None:
    """The accepted type ``head`` starts with, or None."""
    for signature, content_type in SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    return None


class DocumentStore(Protocol):
    def put(self, content: bytes) -> StoredDocument: ...

    def exists(self, sha256: str) -> bool: ...

    def read(self, sha256: str) -> bytes: ...


class LocalDocumentStore:
    """Files named by their SHA-256 under ``root``; the same content is stored once."""

    def __init__(self, root: str | Path, max_bytes: int):
        self.root, self.max_bytes = Path(root), max_bytes

    def put(self, content: bytes) -> StoredDocument:
        if len(content) > self.max_bytes:
            raise UnacceptableDocument(
                f"file is {len(content)} bytes; the limit is {self.max_bytes} bytes"
            )
        content_type = sniff_content_type(content[:16])
        if content_type is None:
            raise UnacceptableDocument("only PDF, JPEG and PNG files are accepted")
        sha256 = hashlib.sha256(content).hexdigest()
        path = self._path(sha256)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # write beside the target, then rename: readers never see half a file
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as partial:
                partial.write(content)
                partial.flush()
                os.fsync(partial.fileno())
            os.replace(partial.name, path)
        return StoredDocument(sha256, len(content), content_type)

    def exists(self, sha256: str) -> bool:
        return len(sha256) == 64 and self._path(sha256).is_file()

    def read(self, sha256: str) -> bytes:
        return self._path(sha256).read_bytes()

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256


def document_store(config: dict) -> LocalDocumentStore:
    """The store a process's config names (``DOCUMENT_STORE``, ``MAX_DOCUMENT_BYTES``)."""
    return LocalDocumentStore(
        config.get("DOCUMENT_STORE") or "var/documents",
        int(config.get("MAX_DOCUMENT_BYTES") or 10 * 2**20),
    )
