"""All SQL of deploy safety (services, versions, contracts, verifications, deployments).

Functions take a session and never commit: :mod:`registry.service.deploys` decides. Rows become
the frozen values below here, so nothing above sees a table class. Names are sorted in Python,
so SQLite and PostgreSQL list them the same way.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import Session
from sqlmodel import col, select

from registry.storage.deploy_tables import (
    DeploymentRow,
    EnvironmentRow,
    PublishedContractRow,
    ServiceRow,
    ServiceVersionRow,
    VerificationResultRow,
)
from registry.storage.tables import utcnow


@dataclass(frozen=True, slots=True)
class ServiceVersion:
    """A version of a service, as stored."""

    id: int
    service: str
    version: str
    branch: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Contract:
    """A subject a service version produces or consumes (``reads`` None: unknown)."""

    role: str
    subject: str
    transport: str
    destination: str
    schema_type: str
    schema: str
    schema_id: int | None = None
    reads: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Verification:
    """The verification result of one contract of a service version."""

    role: str
    subject: str
    success: bool
    failure: str | None = None
    reads: tuple[str, ...] | None = None
    verified_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Deployment:
    """A service version deployed to an environment."""

    environment: str
    service: str
    version: str
    deployed_at: datetime
    undeployed_at: datetime | None = None


def _reads(text: str | None) -> tuple[str, ...] | None:
    return None if text is None else tuple(json.loads(text))


def dump_reads(reads: Sequence[str] | None) -> str | None:
    """The stored form of a read set (``None`` stays unknown)."""
    return None if reads is None else json.dumps(list(reads))


# --- services and versions ------------------------------------------------------------------


def service_id(session: Session, name: str) -> int | None:
    """The id of a service, or None."""
    return session.scalars(select(ServiceRow.id).where(ServiceRow.name == name)).first()


def ensure_service(session: Session, name: str) -> int:
    """The id of a service, created when new."""
    found = service_id(session, name)
    if found is not None:
        return found
    row = ServiceRow(name=name)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def services(session: Session) -> list[str]:
    """Every service name, sorted."""
    return sorted(session.scalars(select(ServiceRow.name)).all())


def _version(row: ServiceVersionRow, service: str) -> ServiceVersion:
    assert row.id is not None
    return ServiceVersion(row.id, service, row.version, row.branch, row.created_at)


def version(session: Session, service: str, number: str) -> ServiceVersion | None:
    """One version of a service, or None."""
    sid = service_id(session, service)
    if sid is None:
        return None
    row = session.scalars(
        select(ServiceVersionRow).where(
            ServiceVersionRow.service_id == sid, ServiceVersionRow.version == number
        )
    ).first()
    return None if row is None else _version(row, service)


def version_by_id(session: Session, version_id: int) -> ServiceVersion:
    """A version by its row id (which exists)."""
    row = session.get_one(ServiceVersionRow, version_id)
    service = session.get_one(ServiceRow, row.service_id)
    return _version(row, service.name)


def versions(session: Session, service: str) -> list[ServiceVersion]:
    """The versions of a service, oldest first."""
    sid = service_id(session, service)
    rows = session.scalars(
        select(ServiceVersionRow)
        .where(ServiceVersionRow.service_id == sid)
        .order_by(col(ServiceVersionRow.id))
    ).all()
    return [_version(row, service) for row in rows]


def ensure_version(session: Session, service: str, number: str, branch: str | None) -> int:
    """The id of a service version, created (with the service) when new; a branch given later
    fills in one not known before."""
    sid = ensure_service(session, service)
    row = session.scalars(
        select(ServiceVersionRow).where(
            ServiceVersionRow.service_id == sid, ServiceVersionRow.version == number
        )
    ).first()
    if row is None:
        row = ServiceVersionRow(service_id=sid, version=number, branch=branch)
        session.add(row)
        session.flush()
    elif branch and row.branch is None:
        row.branch = branch
        session.add(row)
    assert row.id is not None
    return row.id


def delete_version(session: Session, version_id: int) -> None:
    """A version with its contracts, results and deployments."""
    for table in (PublishedContractRow, VerificationResultRow, DeploymentRow):
        session.execute(delete(table).where(col(table.service_version_id) == version_id))
    session.execute(delete(ServiceVersionRow).where(col(ServiceVersionRow.id) == version_id))


def delete_service(session: Session, name: str) -> None:
    """A service with every version."""
    sid = service_id(session, name)
    for found in versions(session, name):
        delete_version(session, found.id)
    session.execute(delete(ServiceRow).where(col(ServiceRow.id) == sid))


# --- contracts and verifications ------------------------------------------------------------


def _contract(row: PublishedContractRow) -> Contract:
    return Contract(
        role=row.role,
        subject=row.subject,
        transport=row.transport,
        destination=row.destination,
        schema_type=row.schema_type,
        schema=row.schema_text,
        schema_id=row.schema_id,
        reads=_reads(row.reads_json),
    )


def contracts(session: Session, version_id: int) -> list[Contract]:
    """The contracts of a version, producers first, then by subject."""
    rows = session.scalars(
        select(PublishedContractRow).where(PublishedContractRow.service_version_id == version_id)
    ).all()
    found = [_contract(row) for row in rows]
    return sorted(found, key=lambda c: (c.role != "produces", c.subject, c.transport))


def replace_contracts(session: Session, version_id: int, published: Sequence[Contract]) -> None:
    """The version's contracts become ``published`` (a publication replaces the previous one)."""
    session.execute(
        delete(PublishedContractRow).where(
            col(PublishedContractRow.service_version_id) == version_id
        )
    )
    for c in published:
        session.add(
            PublishedContractRow(
                service_version_id=version_id,
                role=c.role,
                subject=c.subject,
                transport=c.transport,
                destination=c.destination,
                schema_type=c.schema_type,
                schema_text=c.schema,
                schema_id=c.schema_id,
                reads_json=dump_reads(c.reads),
            )
        )


def verifications(session: Session, version_id: int) -> list[Verification]:
    """The verification results of a version, by role and subject."""
    rows = session.scalars(
        select(VerificationResultRow).where(VerificationResultRow.service_version_id == version_id)
    ).all()
    found = [
        Verification(r.role, r.subject, r.success, r.failure, _reads(r.reads_json), r.verified_at)
        for r in rows
    ]
    return sorted(found, key=lambda v: (v.role != "produces", v.subject))


def put_verification(session: Session, version_id: int, result: Verification) -> None:
    """Record a result, replacing an earlier one for the same contract."""
    session.execute(
        delete(VerificationResultRow).where(
            col(VerificationResultRow.service_version_id) == version_id,
            col(VerificationResultRow.role) == result.role,
            col(VerificationResultRow.subject) == result.subject,
        )
    )
    session.add(
        VerificationResultRow(
            service_version_id=version_id,
            role=result.role,
            subject=result.subject,
            success=result.success,
            failure=result.failure,
            reads_json=dump_reads(result.reads),
        )
    )


# --- environments and deployments -----------------------------------------------------------


def environments(session: Session) -> list[str]:
    """Every environment name, sorted."""
    return sorted(session.scalars(select(EnvironmentRow.name)).all())


def has_environment(session: Session, name: str) -> bool:
    """Whether the environment exists."""
    return session.get(EnvironmentRow, name) is not None


def add_environment(session: Session, name: str) -> bool:
    """Create an environment; False when it existed."""
    if has_environment(session, name):
        return False
    session.add(EnvironmentRow(name=name))
    return True


def delete_environment(session: Session, name: str) -> None:
    """An environment and its deployment history."""
    session.execute(delete(DeploymentRow).where(col(DeploymentRow.environment) == name))
    session.execute(delete(EnvironmentRow).where(col(EnvironmentRow.name) == name))


def record_deployment(session: Session, environment: str, version_id: int) -> None:
    """``version_id`` runs in ``environment`` from now on; the service's previous one there
    (any other version) is undeployed."""
    row = session.get_one(ServiceVersionRow, version_id)
    now = utcnow()
    current = session.scalars(
        select(DeploymentRow).where(
            DeploymentRow.environment == environment,
            DeploymentRow.service_id == row.service_id,
            col(DeploymentRow.undeployed_at).is_(None),
        )
    ).all()
    if any(d.service_version_id == version_id for d in current):
        return
    session.execute(
        update(DeploymentRow)
        .where(
            col(DeploymentRow.environment) == environment,
            col(DeploymentRow.service_id) == row.service_id,
            col(DeploymentRow.undeployed_at).is_(None),
        )
        .values(undeployed_at=now)
    )
    session.add(
        DeploymentRow(
            environment=environment,
            service_id=row.service_id,
            service_version_id=version_id,
            deployed_at=now,
        )
    )


def deployments(
    session: Session, environment: str | None = None, *, current: bool = True
) -> list[tuple[int, Deployment]]:
    """Deployments (current ones unless asked), with their version ids, by environment and
    service."""
    query = (
        select(DeploymentRow, ServiceVersionRow, ServiceRow)
        .where(col(DeploymentRow.service_version_id) == col(ServiceVersionRow.id))
        .where(col(DeploymentRow.service_id) == col(ServiceRow.id))
    )
    if environment is not None:
        query = query.where(DeploymentRow.environment == environment)
    if current:
        query = query.where(col(DeploymentRow.undeployed_at).is_(None))
    found = [
        (
            v.id or 0,
            Deployment(d.environment, s.name, v.version, d.deployed_at, d.undeployed_at),
        )
        for d, v, s in session.execute(query).all()
    ]
    return sorted(found, key=lambda p: (p[1].environment, p[1].service, p[1].deployed_at))
