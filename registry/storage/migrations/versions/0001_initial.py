"""Initial tables: schemas, subject versions, references, configs, modes, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schemas",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("schema_type", sa.String(16), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("canonical", sa.Text(), nullable=False),
        sa.Column("schema_text", sa.Text(), nullable=False),
        sa.Column("references_json", sa.Text(), nullable=False),
        sa.Column("metadata_json", sa.Text(), nullable=True),
        sa.Column("ruleset_json", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_schemas_fingerprint", "schemas", ["fingerprint"])
    op.create_table(
        "subject_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("schema_id", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("subject", "version", name="uq_subject_version"),
    )
    op.create_index("ix_subject_versions_subject", "subject_versions", ["subject"])
    op.create_index("ix_subject_versions_schema_id", "subject_versions", ["schema_id"])
    op.create_table(
        "schema_references",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("schema_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_schema_references_schema_id", "schema_references", ["schema_id"])
    op.create_index("ix_schema_references_target", "schema_references", ["subject", "version"])
    op.create_table(
        "configs",
        sa.Column("subject", sa.String(255), primary_key=True),
        sa.Column("compatibility", sa.String(32), nullable=True),
        sa.Column("policy", sa.String(16), nullable=True),
        sa.Column("normalize", sa.Boolean(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "modes",
        sa.Column("subject", sa.String(255), primary_key=True),
        sa.Column("mode", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(255), nullable=True),
        sa.Column("remote", sa.String(255), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(255), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("schema_id", sa.BigInteger(), nullable=True),
        sa.Column("detail_json", sa.Text(), nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    for table in (
        "audit_log",
        "modes",
        "configs",
        "schema_references",
        "subject_versions",
        "schemas",
    ):
        op.drop_table(table)
