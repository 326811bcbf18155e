"""Timestamps with time zone on PostgreSQL (SQLite stores text either way).

The tables always meant UTC instants; as ``TIMESTAMP WITHOUT TIME ZONE`` an aware value was
converted with the session's time zone, so a server whose time zone is not UTC would shift them.
Existing values were written in UTC and are read as such.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = (
    ("schemas", "created_at"),
    ("subject_versions", "created_at"),
    ("configs", "updated_at"),
    ("modes", "updated_at"),
    ("audit_log", "at"),
    ("users", "created_at"),
    ("tokens", "created_at"),
    ("tokens", "expires_at"),
    ("sync_state", "updated_at"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.execute(
            f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE TIMESTAMP WITH TIME ZONE '
            f"USING \"{column}\" AT TIME ZONE 'UTC'"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.execute(
            f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE TIMESTAMP WITHOUT TIME ZONE '
            f"USING \"{column}\" AT TIME ZONE 'UTC'"
        )
