"""The DEK registry: key encryption keys and the wrapped data encryption keys (additive).

Revision ID: 0006_dek_registry
Revises: 0005
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_dek_registry"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "keks",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("kms_type", sa.Text(), nullable=False),
        sa.Column("kms_key_id", sa.Text(), nullable=False),
        sa.Column("kms_props_json", sa.Text(), nullable=False),
        sa.Column("doc", sa.Text(), nullable=True),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "deks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kek_name", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("encrypted_key_material", sa.Text(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("kek_name", "subject", "algorithm", "version", name="uq_dek_version"),
    )


def downgrade() -> None:
    op.drop_table("deks")
    op.drop_table("keks")
