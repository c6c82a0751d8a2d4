"""Where uploaded documents live: content-addressed files behind a small interface.

Files never travel over RabbitMQ; the gateway stores the bytes and services receive the
reference (SHA-256, size, content type). ``LocalDocumentStore`` keeps them on disk under
``var/documents`` by default; another store (object storage) needs only ``put``,
``exists`` and ``read``.

A file is kept only if it opens as what its first bytes say: a PDF with at least one page
(pypdf), a PNG or JPEG that Pillow verifies and decodes. A few bytes of a magic number are
not a document.
"""

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PIL import Image
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

# Leading bytes of the types the mall accepts; the name a client gives proves nothing.
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


# Pillow's names of the image types; a scan of an A4 page at 600 dpi is some 35 megapixels
IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
MAX_IMAGE_PIXELS = 50_000_000


class UnacceptableDocument(Exception):
    """The upload is of a type the mall does not take, too large, or does not open."""


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


def check_opens(content: bytes, content_type: str) -> None:
    """UnacceptableDocument unless ``content`` opens as ``content_type``."""
    if content_type == "application/pdf":
        _check_pdf(content)
    else:
        _check_image(content, IMAGE_FORMATS[content_type])


def _check_pdf(content: bytes) -> None:
    try:
        pages = len(PdfReader(io.BytesIO(content)).pages)
    except FileNotDecryptedError:
        raise UnacceptableDocument(
            "the PDF is password-protected: upload it without a password"
        ) from None
    except Exception:  # pypdf raises many kinds of error on a broken file
        raise UnacceptableDocument("the PDF does not open: it is damaged or cut off") from None
    if pages < 1:
        raise UnacceptableDocument("the PDF has no pages")


def _check_image(content: bytes, image_format: str) -> None:
    try:
        with Image.open(io.BytesIO(content), formats=[image_format]) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise UnacceptableDocument(
                    f"the image is too large: at most {MAX_IMAGE_PIXELS // 10**6} megapixels"
                )
            image.verify()
        # verify() checks a PNG's chunks but not a JPEG's data: decode it all once
        with Image.open(io.BytesIO(content), formats=[image_format]) as image:
            image.load()
    except UnacceptableDocument:
        raise
    except Exception:  # Pillow raises OSError, SyntaxError, ValueError... on a broken file
        raise UnacceptableDocument("the image does not open: it is damaged or cut off") from None


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
        check_opens(content, content_type)
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
