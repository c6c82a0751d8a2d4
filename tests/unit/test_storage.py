"""The document store: types from content, a size limit, one file per content, no halves."""

import hashlib
import struct
import zlib

import pytest

from chassis.storage import LocalDocumentStore, UnacceptableDocument, sniff_content_type
from tests.documents import jpeg, pdf, png

PDF, JPEG, PNG = pdf("one"), jpeg("two"), png("three")


@pytest.mark.parametrize(
    "content, expected",
    [
        (PDF, "application/pdf"),
        (JPEG, "image/jpeg"),
        (PNG, "image/png"),
        (b"GIF89a" + b"0" * 10, None),
        (b"<html>", None),
        (b"", None),
    ],
)
def test_the_type_is_read_from_the_first_bytes(content, expected):
    assert sniff_content_type(content[:16]) == expected


def test_a_stored_file_is_named_by_its_sha256_and_read_back(tmp_path):
    store = LocalDocumentStore(tmp_path, max_bytes=2000)
    stored = store.put(PDF)
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (stored.size, stored.content_type) == (len(PDF), "application/pdf")
    assert store.exists(stored.sha256) and store.read(stored.sha256) == PDF
    assert store.put(PDF) == stored  # the same content is kept once
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1


@pytest.mark.parametrize(
    "content, reason",
    [
        (PDF + b"0" * 2000, "limit is 2000 bytes"),
        (b"MZ\x90\x00 an executable", "only PDF, JPEG and PNG"),
    ],
)
def test_refused_files_leave_nothing_behind(tmp_path, content, reason):
    store = LocalDocumentStore(tmp_path, max_bytes=2000)
    with pytest.raises(UnacceptableDocument, match=reason):
        store.put(content)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_only_sha256_names_are_looked_up(tmp_path):
    store = LocalDocumentStore(tmp_path, max_bytes=1000)
    assert store.exists("../../etc/passwd") is False
    with pytest.raises(ValueError):
        store.read("../" * 21 + "x")


def huge_png() -> bytes:
    """A valid PNG whose header claims 8000 x 8000 pixels (Pillow reads only the header
    before the size is checked)."""
    small = png("huge")
    header = b"IHDR" + struct.pack(">II", 8_000, 8_000) + small[24:29]
    return small[:12] + header + struct.pack(">I", zlib.crc32(header)) + small[33:]


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"%PDF-1.7\n" + b"x" * 500, "the PDF does not open"),
        (PDF[: len(PDF) // 2], "the PDF does not open"),
        (pdf(pages=0), "the PDF has no pages"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 500, "the image does not open"),
        (PNG[:-10], "the image does not open"),
        (b"\xff\xd8\xff\xe0" + b"2" * 500, "the image does not open"),
        (JPEG[:-40], "the image does not open"),
        (PNG[:8] + JPEG[3:], "the image does not open"),  # a JPEG passed off as a PNG
        (huge_png(), "at most 50 megapixels"),
    ],
)
def test_a_file_is_kept_only_if_it_opens_as_what_it_starts_with(tmp_path, content, reason):
    store = LocalDocumentStore(tmp_path, max_bytes=10_000)
    with pytest.raises(UnacceptableDocument, match=reason):
        store.put(content)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_real_pdfs_and_images_of_every_accepted_type_are_kept(tmp_path):
    store = LocalDocumentStore(tmp_path, max_bytes=10_000)
    kept = [store.put(content).content_type for content in (pdf("a", pages=3), PNG, JPEG)]
    assert kept == ["application/pdf", "image/png", "image/jpeg"]
