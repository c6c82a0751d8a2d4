"""Upgrading licensing's database cleans the document names stored as browsers sent them."""

from alembic import command
from sqlalchemy import text

from chassis.database import make_engine
from chassis.migrate import alembic_config, upgrade


def test_stored_document_names_become_clean_display_names(database_url_factory):
    url = database_url_factory("licensing")
    command.downgrade(alembic_config("licensing", url), "0003")
    engine = make_engine(url)
    with engine.begin() as conn:  # the 0003 schema, written as it was then
        conn.execute(
            text(
                "INSERT INTO permit_types (code, name_id, name_en, agency, fee, "
                "sla_working_days, risk_level, required_documents) "
                "VALUES ('NIB', 'NIB', 'NIB', 'dpmptsp', 0, 1, 'low', '[\"ktp\"]')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO applications (id, permit_type, agency, applicant_id, "
                "applicant_name, status, created_at) "
                "VALUES ('a-1', 'NIB', 'dpmptsp', 'p-1', 'Siti', 'draft', :now)"
            ),
            {"now": "2026-12-01 08:00:00"},
        )
        for number, filename in enumerate(
            ["C:\\Users\\siti\\ktp\x1b.pdf", "../../etc/passwd", "", "plain.pdf"]
        ):
            conn.execute(
                text(
                    "INSERT INTO documents (id, application_id, kind, sha256, size, "
                    "content_type, filename, uploaded_at) "
                    "VALUES (:id, 'a-1', 'ktp', :sha256, 10, 'application/pdf', :filename, :now)"
                ),
                {
                    "id": f"d-{number}",
                    "sha256": f"{number}" * 64,
                    "filename": filename,
                    "now": "2026-12-01 08:00:00",
                },
            )
    upgrade("licensing", url)
    with engine.connect() as conn:
        names = conn.execute(text("SELECT id, filename FROM documents ORDER BY id")).all()
    engine.dispose()
    assert [name for _, name in names] == ["ktp.pdf", "passwd", "document.pdf", "plain.pdf"]
