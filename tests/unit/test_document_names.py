"""A document's display name: the browser's name without folders, invisible characters
or excess length, and never empty."""

import pytest

from services.licensing.domain import MAX_DISPLAY_NAME, display_name


@pytest.mark.parametrize(
    "given, shown",
    [
        ("ktp.pdf", "ktp.pdf"),
        ("C:\\Users\\siti\\Documents\\ktp scan.pdf", "ktp scan.pdf"),
        ("../../etc/passwd", "passwd"),
        ("folder/sub\\mixed/plan.png", "plan.png"),
        ("ktp\x00.pdf", "ktp.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("  two\t\tspaces .pdf ", "two spaces .pdf"),
        ("", "document.pdf"),
        (None, "document.pdf"),
        ("/", "document.pdf"),
        ("..", "document.pdf"),
        ("C:\\fakepath\\", "document.pdf"),
        ("\x00\x01\u200b", "document.pdf"),
    ],
)
def test_the_display_name_is_the_clean_last_part_of_the_given_name(given, shown):
    assert display_name(given, "application/pdf") == shown


def test_the_fallback_follows_the_content_type():
    assert display_name("", "image/png") == "document.png"
    assert display_name("\\", "image/jpeg") == "document.jpg"


def test_a_long_name_is_bounded_and_keeps_its_extension():
    shown = display_name("a" * 500 + ".pdf", "application/pdf")
    assert len(shown) == MAX_DISPLAY_NAME and shown.endswith("a.pdf")
    assert len(display_name("b" * 500, "application/pdf")) == MAX_DISPLAY_NAME
