"""documents keep a clean display name, not the path a browser sent

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 14:10:00
"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# A copy of services.licensing.domain.display_name as it was when this migration was
# written: a migration must do the same thing whenever it runs.
MAX_DISPLAY_NAME = 120
FALLBACK_NAMES = {
    "application/pdf": "document.pdf",
    "image/jpeg": "document.jpg",
    "image/png": "document.png",
}
INVISIBLE = frozenset({"Cc", "Cf", "Cs"})


def display_name(given: str | None, content_type: str) -> str:
    name = re.split(r"[/\\]", given or "")[-1]
    name = "".join(" " if c.isspace() else c for c in name)  # tabs, newlines: spaces
    name = "".join(c for c in name if unicodedata.category(c) not in INVISIBLE)
    name = " ".join(name.split()).strip(" .")
    if len(name) > MAX_DISPLAY_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: MAX_DISPLAY_NAME - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:MAX_DISPLAY_NAME].rstrip(" .")
    return name or FALLBACK_NAMES.get(content_type, "document")


documents = sa.table(
    "documents",
    sa.column("id", sa.String),
    sa.column("filename", sa.String),
    sa.column("content_type", sa.String),
)


def upgrade() -> None:
    connection = op.get_bind()
    stored = connection.execute(
        sa.select(documents.c.id, documents.c.filename, documents.c.content_type)
    ).all()
    for document_id, filename, content_type in stored:
        clean = display_name(filename, content_type)
        if clean != filename:
            connection.execute(
                documents.update().where(documents.c.id == document_id).values(filename=clean)
            )


def downgrade() -> None:
    pass  # the names as sent are not kept anywhere: the clean ones stay
