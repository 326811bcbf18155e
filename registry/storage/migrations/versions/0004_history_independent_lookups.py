"""Per-subject costs that do not grow with history: content fingerprints and lookup indexes.

* ``schemas.content_fingerprint``: SHA-256 over the schema type, canonical form and references
  (the identity without metadata and ruleSet), so that finding whether a subject already has a
  schema is an index lookup instead of a scan of every version. Existing rows are backfilled.
* ``ix_subject_versions_schema_subject`` on ``(schema_id, subject)`` replaces the index on
  ``schema_id`` alone: the versions of a subject that point at given schema ids, even for a
  schema shared by thousands of subjects.
* ``ix_subject_versions_subject`` goes: the unique ``(subject, version)`` index serves every
  lookup by subject. With a second index led by ``subject``, PostgreSQL's planner (before its
  statistics exist, and they do not on a new table) chose it for "newest version of a subject"
  or "version n" and read the whole history instead of one entry.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BATCH = 1000


def content_fingerprint(schema_type: str, canonical: str, references_json: str) -> str:
    """``registry.formats.base.schema_fingerprint``, frozen here as of this revision."""
    refs = [[r["name"], r["subject"], r["version"]] for r in json.loads(references_json)]
    payload = json.dumps([schema_type, canonical, refs], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def upgrade() -> None:
    op.add_column("schemas", sa.Column("content_fingerprint", sa.String(64), nullable=True))
    schemas = sa.table(
        "schemas",
        sa.column("id", sa.BigInteger()),
        sa.column("schema_type", sa.String()),
        sa.column("canonical", sa.Text()),
        sa.column("references_json", sa.Text()),
        sa.column("content_fingerprint", sa.String()),
    )
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(
            sa.select(
                schemas.c.id, schemas.c.schema_type, schemas.c.canonical, schemas.c.references_json
            )
            .where(schemas.c.id > last)
            .order_by(schemas.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for row in rows:
            conn.execute(
                schemas.update()
                .where(schemas.c.id == row.id)
                .values(
                    content_fingerprint=content_fingerprint(
                        row.schema_type, row.canonical, row.references_json
                    )
                )
            )
        last = rows[-1].id
    op.create_index("ix_schemas_content_fingerprint", "schemas", ["content_fingerprint"])
    op.create_index(
        "ix_subject_versions_schema_subject", "subject_versions", ["schema_id", "subject"]
    )
    op.drop_index("ix_subject_versions_schema_id", "subject_versions")
    op.drop_index("ix_subject_versions_subject", "subject_versions")


def downgrade() -> None:
    op.create_index("ix_subject_versions_subject", "subject_versions", ["subject"])
    op.create_index("ix_subject_versions_schema_id", "subject_versions", ["schema_id"])
    op.drop_index("ix_subject_versions_schema_subject", "subject_versions")
    op.drop_index("ix_schemas_content_fingerprint", "schemas")
    with op.batch_alter_table("schemas") as batch:
        batch.drop_column("content_fingerprint")
