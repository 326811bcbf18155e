"""Schema GUIDs, the rest of Confluent's config, and associations (additive).

* ``schemas.guid``: the schema's GUID (Confluent 8). Existing rows get the GUID the code derives
  from their identity (the first 128 bits of ``fingerprint``), so a schema registered before
  and after the upgrade has the same one on every node; indexed for ``/schemas/guids/{guid}``.
* ``configs``: ``compatibility_group`` and the default and override metadata and rule sets.
* ``associations``: the subject a resource (a Kafka topic) uses for its keys or values.

Revision ID: 0007_guids_config_associations
Revises: 0006_dek_registry
Create Date: 2026-12-14
"""

from __future__ import annotations

import hashlib
import re
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0007_guids_config_associations"
down_revision = "0006_dek_registry"
branch_labels = None
depends_on = None

BATCH = 1000


def guid_of(fingerprint: str) -> str:
    """``registry.service.naming.schema_guid``, frozen here as of this revision."""
    if not re.fullmatch(r"[0-9a-f]{32,}", fingerprint):
        fingerprint = hashlib.sha256(fingerprint.encode()).hexdigest()
    return str(uuid.UUID(hex=fingerprint[:32]))


def _backfill_guids() -> None:
    schemas = sa.table(
        "schemas",
        sa.column("id", sa.BigInteger()),
        sa.column("fingerprint", sa.String()),
        sa.column("guid", sa.String()),
    )
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(
            sa.select(schemas.c.id, schemas.c.fingerprint)
            .where(schemas.c.id > last)
            .order_by(schemas.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for row in rows:
            conn.execute(
                schemas.update().where(schemas.c.id == row.id).values(guid=guid_of(row.fingerprint))
            )
        last = rows[-1].id


def upgrade() -> None:
    op.add_column("schemas", sa.Column("guid", sa.String(36), nullable=True))
    _backfill_guids()
    op.create_index("ix_schemas_guid", "schemas", ["guid"])
    op.add_column("configs", sa.Column("compatibility_group", sa.String(255), nullable=True))
    for column in (
        "default_metadata_json",
        "override_metadata_json",
        "default_ruleset_json",
        "override_ruleset_json",
    ):
        op.add_column("configs", sa.Column(column, sa.Text(), nullable=True))
    op.create_table(
        "associations",
        sa.Column("guid", sa.String(36), primary_key=True),
        sa.Column("resource_type", sa.String(32), nullable=False),
        sa.Column("resource_namespace", sa.String(255), nullable=False),
        sa.Column("resource_name", sa.String(255), nullable=False),
        sa.Column("resource_id", sa.String(255), nullable=False),
        sa.Column("association_type", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("lifecycle", sa.String(8), nullable=False),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "resource_type",
            "resource_namespace",
            "resource_name",
            "association_type",
            name="uq_association_resource_type",
        ),
    )
    op.create_index("ix_associations_resource_id", "associations", ["resource_id"])
    op.create_index("ix_associations_subject", "associations", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_associations_subject", "associations")
    op.drop_index("ix_associations_resource_id", "associations")
    op.drop_table("associations")
    with op.batch_alter_table("configs") as batch:
        for column in (
            "override_ruleset_json",
            "default_ruleset_json",
            "override_metadata_json",
            "default_metadata_json",
            "compatibility_group",
        ):
            batch.drop_column(column)
    op.drop_index("ix_schemas_guid", "schemas")
    with op.batch_alter_table("schemas") as batch:
        batch.drop_column("guid")
