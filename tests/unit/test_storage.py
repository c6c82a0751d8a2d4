"""The document store: types from content, a size limit, one file per content, no halves."""

import hashlib

import pytest

from chassis.storage import LocalDocumentStore, UnacceptableDocument, sniff_content_type

PDF = b"%PDF-1.4\n" + b"1" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"2" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"3" * 100


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
    store = LocalDocumentStore(tmp_path, max_bytes=1000)
    stored = store.put(PDF)
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (stored.size, stored.content_type) == (len(PDF), "application/pdf")
    assert store.exists(stored.sha256) and store.read(stored.sha256) == PDF
    assert store.put(PDF) == stored  # the same content is kept once
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1


@pytest.mark.parametrize(
    "content, reason",
    [
        (PDF + b"0" * 1000, "limit is 1000 bytes"),
        (b"MZ\x90\x00 an executable", "only PDF, JPEG and PNG"),
    ],
)
def test_refused_files_leave_nothing_behind(tmp_path, content, reason):
    store = LocalDocumentStore(tmp_path, max_bytes=1000)
    with pytest.raises(UnacceptableDocument, match=reason):
        store.put(content)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_only_sha256_names_are_looked_up(tmp_path):
    store = LocalDocumentStore(tmp_path, max_bytes=1000)
    assert store.exists("../../etc/passwd") is False
    with pytest.raises(ValueError):
        store.read("../" * 21 + "x")
