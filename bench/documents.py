"""Uploads for the benchmarks: real PDFs (the document store keeps only files that open),
each new to the store."""

import os
from io import BytesIO

from pypdf import PdfWriter


def fresh_pdf(size: int) -> bytes:
    """A one-page PDF of about ``size`` bytes: random bytes in an attached file make it big
    and unlike any other."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_attachment("filler.bin", os.urandom(max(size - 800, 16)))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
