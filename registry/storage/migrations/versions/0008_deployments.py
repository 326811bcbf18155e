"""Deploy safety: services, versions, published contracts, verifications, deployments (additive).

Revision ID: 0008_deployments
Revises: 0007_guids_config_associations
Create Date: 2026-12-02
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008_deployments"
down_revision = "0007_guids_config_associations"
branch_labels = None
depends_on = None


def _at(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "services",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        _at("created_at"),
    )
    op.create_table(
        "service_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(255), nullable=False),
        sa.Column("branch", sa.String(255), nullable=True),
        _at("created_at"),
        sa.UniqueConstraint("service_id", "version", name="uq_service_version"),
    )
    op.create_table(
        "published_contracts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("service_version_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("transport", sa.String(32), nullable=False),
        sa.Column("destination", sa.Text(), nullable=False),
        sa.Column("schema_type", sa.String(16), nullable=False),
        sa.Column("schema_text", sa.Text(), nullable=False),
        sa.Column("schema_id", sa.BigInteger(), nullable=True),
        sa.Column("reads_json", sa.Text(), nullable=True),
    )
    op.create_index("ix_published_contracts_version", "published_contracts", ["service_version_id"])
    op.create_index("ix_published_contracts_subject", "published_contracts", ["subject"])
    op.create_table(
        "verification_results",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("service_version_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.Column("reads_json", sa.Text(), nullable=True),
        _at("verified_at"),
        sa.UniqueConstraint("service_version_id", "role", "subject", name="uq_verification"),
    )
    op.create_table(
        "environments",
        sa.Column("name", sa.String(64), primary_key=True),
        _at("created_at"),
    )
    op.create_table(
        "deployments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("environment", sa.String(64), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("service_version_id", sa.Integer(), nullable=False),
        _at("deployed_at"),
        _at("undeployed_at", nullable=True),
    )
    op.create_index("ix_deployments_environment", "deployments", ["environment", "service_id"])


def downgrade() -> None:
    op.drop_index("ix_deployments_environment", table_name="deployments")
    op.drop_table("deployments")
    op.drop_table("environments")
    op.drop_table("verification_results")
    op.drop_index("ix_published_contracts_subject", table_name="published_contracts")
    op.drop_index("ix_published_contracts_version", table_name="published_contracts")
    op.drop_table("published_contracts")
    op.drop_table("service_versions")
    op.drop_table("services")
