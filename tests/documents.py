"""Real small documents for tests: the document store keeps only files that open.

Each maker takes a ``mark`` written into the file's metadata, so files with different
marks differ in content (and SHA-256) while the same mark gives the same bytes.
"""

from io import BytesIO

from PIL import Image, PngImagePlugin
from pypdf import PdfWriter

A4 = (595, 842)  # points


def pdf(mark: str = "", pages: int = 1) -> bytes:
    """A PDF of blank A4 pages (pypdf writes the same bytes for the same mark)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(*A4)
    if mark:
        writer.add_metadata({"/Title": mark})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def png(mark: str = "", size: tuple[int, int] = (16, 16)) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Title", mark)
    out = BytesIO()
    Image.new("RGB", size, "white").save(out, "PNG", pnginfo=info)
    return out.getvalue()


def jpeg(mark: str = "", size: tuple[int, int] = (16, 16)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, "white").save(out, "JPEG", comment=mark.encode())
    return out.getvalue()
