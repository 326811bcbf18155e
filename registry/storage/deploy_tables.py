"""The tables of deploy safety: who produces and consumes what, deployed where.

* ``services`` and ``service_versions``: an application and its versions (a git SHA, say),
  each with a branch and the time it was first published.
* ``published_contracts``: for a service version, each subject it produces or consumes, over
  which transport to which destination, the schema it was built against (by content, with the
  global id when the registry holds that schema under the subject) and, for consumers, the JSON
  pointers it reads (``NULL``: unknown, which means everything).
* ``verification_results``: pass or fail per contract of a service version, with the failure.
* ``environments`` and ``deployments``: which service version runs where, since when; an
  undeployed row keeps ``undeployed_at``.

Kept apart from ``registry.storage.tables`` so the Confluent tables stay one concept; imported
by it so that ``metadata`` holds every table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from registry.storage.tables import Timestamp, utcnow


class ServiceRow(SQLModel, table=True):
    """An application that produces or consumes events."""

    __tablename__ = "services"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=Timestamp)


class ServiceVersionRow(SQLModel, table=True):
    """One version of a service (unique per service)."""

    __tablename__ = "service_versions"
    __table_args__ = (UniqueConstraint("service_id", "version", name="uq_service_version"),)

    id: int | None = Field(default=None, primary_key=True)
    service_id: int
    version: str = Field(max_length=255)
    branch: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=Timestamp)


class PublishedContractRow(SQLModel, table=True):
    """A subject a service version produces or consumes, and the schema it was built against."""

    __tablename__ = "published_contracts"
    __table_args__ = (Index("ix_published_contracts_version", "service_version_id"),)

    id: int | None = Field(default=None, primary_key=True)
    service_version_id: int
    role: str = Field(max_length=16)
    subject: str = Field(max_length=255, index=True)
    transport: str = Field(max_length=32)
    destination: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    schema_type: str = Field(max_length=16)
    schema_text: str = Field(sa_column=Column(Text, nullable=False))
    schema_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    reads_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class VerificationResultRow(SQLModel, table=True):
    """Pass or fail of one contract of a service version (the latest report wins)."""

    __tablename__ = "verification_results"
    __table_args__ = (
        UniqueConstraint("service_version_id", "role", "subject", name="uq_verification"),
    )

    id: int | None = Field(default=None, primary_key=True)
    service_version_id: int
    role: str = Field(max_length=16)
    subject: str = Field(max_length=255)
    success: bool
    failure: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    reads_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    verified_at: datetime = Field(default_factory=utcnow, sa_type=Timestamp)


class EnvironmentRow(SQLModel, table=True):
    """A place service versions are deployed to (``prod``, ``staging``)."""

    __tablename__ = "environments"

    name: str = Field(max_length=64, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=Timestamp)


class DeploymentRow(SQLModel, table=True):
    """A service version running in an environment since ``deployed_at`` (until undeployed)."""

    __tablename__ = "deployments"
    __table_args__ = (Index("ix_deployments_environment", "environment", "service_id"),)

    id: int | None = Field(default=None, primary_key=True)
    environment: str = Field(max_length=64)
    service_id: int
    service_version_id: int
    deployed_at: datetime = Field(default_factory=utcnow, sa_type=Timestamp)
    undeployed_at: datetime | None = Field(default=None, sa_type=Timestamp)
