"""The tables, as SQLModel classes on SQLAlchemy 2.

* ``schemas``: one row per distinct schema identity (type + canonical form + references +
  metadata + ruleSet), keyed by the global integer id. Rows are never deleted or updated, so an
  id, once handed out, always means the same schema and is never reused. ``fingerprint`` hashes
  the whole identity, ``content_fingerprint`` the schema alone (without metadata and ruleSet);
  both are indexed, so finding a schema under a subject never scans its history. The only
  index led by ``subject`` is the unique ``(subject, version)``: see migration 0004. ``guid``
  is the schema's GUID (Confluent 8), derived from the identity or kept from an import.
* ``subject_versions``: the versions of each subject, with a soft-delete flag.
* ``schema_references``: the references each schema makes, for ``referencedby``.
* ``configs`` and ``modes``: global settings under the subject ``""``, per-subject otherwise.
* ``associations``: which subject a resource (a Kafka topic) uses for its keys or values.
* ``audit_log``: every write, who, when, what and from where.
* ``keks`` and ``deks``: the DEK registry's key encryption keys and the data encryption keys
  wrapped by them (only ever the wrapped material; see ``registry.service.dek``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Index,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

GLOBAL = ""


def utcnow() -> datetime:
    """Timestamps are stored in UTC."""
    return datetime.now(UTC)


class Timestamp(TypeDecorator[datetime]):
    """A point in time, stored in UTC and read back as an aware UTC datetime.

    ``TIMESTAMP WITH TIME ZONE`` on PostgreSQL (so the server's time zone setting never shifts
    a value); SQLite keeps text, to which UTC is attached when reading.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Aware values are converted to UTC; naive ones are taken to be UTC already."""
        if value is None:
            return None
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Always aware, in UTC."""
        if value is None:
            return None
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


class SchemaRow(SQLModel, table=True):
    """A schema under its global id."""

    __tablename__ = "schemas"

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    schema_type: str = Field(max_length=16)
    fingerprint: str = Field(max_length=64, index=True)
    content_fingerprint: str | None = Field(default=None, max_length=64, index=True)
    canonical: str = Field(sa_column=Column(Text, nullable=False))
    schema_text: str = Field(sa_column=Column(Text, nullable=False))
    references_json: str = Field(sa_column=Column(Text, nullable=False, default="[]"))
    metadata_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    ruleset_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    guid: str | None = Field(default=None, max_length=36, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=Timestamp)


class SubjectVersionRow(SQLModel, table=True):
    """One version of a subject."""

    __tablename__ = "subject_versions"
    __table_args__ = (
        UniqueConstraint("subject", "version", name="uq_subject_version"),
        Index("ix_subject_versions_schema_subject", "schema_id", "subject"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=255)  # indexed by (subject, version) and (schema_id, subject)
    version: int
    schema_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    deleted: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=Timestamp)


class ReferenceRow(SQLModel, table=True):
    """A reference from a schema to a subject version."""

    __tablename__ = "schema_references"
    __table_args__ = (Index("ix_schema_references_target", "subject", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    schema_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    name: str = Field(sa_column=Column(Text, nullable=False))
    subject: str = Field(max_length=255)
    version: int


class ConfigRow(SQLModel, table=True):
    """Compatibility settings; subject ``""`` holds the global ones."""

    __tablename__ = "configs"

    subject: str = Field(max_length=255, primary_key=True)
    compatibility: str | None = Field(default=None, max_length=32)
    policy: str | None = Field(default=None, max_length=16)
    normalize: bool | None = None
    compatibility_group: str | None = Field(default=None, max_length=255)
    default_metadata_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    override_metadata_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    default_ruleset_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    override_ruleset_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=Timestamp)


class ModeRow(SQLModel, table=True):
    """Mode; subject ``""`` holds the global one."""

    __tablename__ = "modes"

    subject: str = Field(max_length=255, primary_key=True)
    mode: str = Field(max_length=32)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=Timestamp)


class AssociationRow(SQLModel, table=True):
    """The subject a resource uses for its keys or its values (one per resource and type)."""

    __tablename__ = "associations"
    __table_args__ = (
        UniqueConstraint(
            "resource_type",
            "resource_namespace",
            "resource_name",
            "association_type",
            name="uq_association_resource_type",
        ),
        Index("ix_associations_resource_id", "resource_id"),
        Index("ix_associations_subject", "subject"),
    )

    guid: str = Field(max_length=36, primary_key=True)
    resource_type: str = Field(max_length=32)
    resource_namespace: str = Field(max_length=255)
    resource_name: str = Field(max_length=255)
    resource_id: str = Field(max_length=255)
    association_type: str = Field(max_length=32)
    subject: str = Field(max_length=255)
    lifecycle: str = Field(max_length=8)
    frozen: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=Timestamp)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=Timestamp)


class AuditRow(SQLModel, table=True):
    """One write recorded for the audit log."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=Timestamp, index=True)
    actor: str | None = Field(default=None, max_length=255)
    remote: str | None = Field(default=None, max_length=255)
    action: str = Field(max_length=64)
    subject: str | None = Field(default=None, max_length=255)
    version: int | None = None
    schema_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    detail_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))


metadata = SQLModel.metadata


class UserRow(SQLModel, table=True):
    """A user who may call the API (passwords are stored as slow scrypt hashes)."""

    __tablename__ = "users"

    name: str = Field(max_length=255, primary_key=True)
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    role: str = Field(max_length=16)
    subjects_json: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    created_at: datetime = Field(default_factory=utcnow, sa_type=Timestamp)


class TokenRow(SQLModel, table=True):
    """A bearer token (only its SHA-256 is stored)."""

    __tablename__ = "tokens"

    token_hash: str = Field(max_length=64, primary_key=True)
    user: str = Field(max_length=255, index=True)
    description: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=Timestamp)
    expires_at: datetime | None = Field(default=None, sa_type=Timestamp)


class SyncStateRow(SQLModel, table=True):
    """How far each cloud sync target has got with each subject."""

    __tablename__ = "sync_state"

    target: str = Field(max_length=32, primary_key=True)
    subject: str = Field(max_length=255, primary_key=True)
    last_synced_version: int | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    attempts: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_type=Timestamp)


class KekRow(SQLModel, table=True):
    """A key encryption key: a KMS key named for the clients that wrap DEKs with it."""

    __tablename__ = "keks"

    name: str = Field(max_length=64, primary_key=True)
    kms_type: str = Field(sa_column=Column(Text, nullable=False))
    kms_key_id: str = Field(sa_column=Column(Text, nullable=False))
    kms_props_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    doc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    shared: bool = Field(default=False)
    deleted: bool = Field(default=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=Timestamp)


class DekRow(SQLModel, table=True):
    """One version of a data encryption key of a subject, as its KEK wrapped it."""

    __tablename__ = "deks"
    __table_args__ = (
        UniqueConstraint("kek_name", "subject", "algorithm", "version", name="uq_dek_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kek_name: str = Field(max_length=64)
    subject: str = Field(max_length=255)
    algorithm: str = Field(max_length=16)
    version: int
    encrypted_key_material: str = Field(sa_column=Column(Text, nullable=False))
    deleted: bool = Field(default=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=Timestamp)


# The deploy-safety tables live in their own module; importing it here puts them in ``metadata``.
from registry.storage import deploy_tables as deploy_tables  # noqa: E402
