"""All SQL of the DEK registry. Functions take a session and never commit: the service decides.

Rows are turned into :class:`Kek` and :class:`Dek` here, so nothing above this module sees a
table class. Names and subjects are sorted in Python, not by the database: PostgreSQL's
collation and SQLite's byte order would list them differently.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import Session
from sqlmodel import col, select

from registry.storage.tables import DekRow, KekRow, utcnow


def _millis(at: datetime) -> int:
    return int(at.timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class Kek:
    """A key encryption key as stored (``ts``: milliseconds since the epoch, last write)."""

    name: str
    kms_type: str
    kms_key_id: str
    kms_props: dict[str, str] = field(default_factory=dict)
    doc: str | None = None
    shared: bool = False
    deleted: bool = False
    ts: int = 0


@dataclass(frozen=True, slots=True)
class Dek:
    """One version of a data encryption key, as its KEK wrapped it (never the raw key)."""

    kek_name: str
    subject: str
    version: int
    algorithm: str
    encrypted_key_material: str
    deleted: bool = False
    ts: int = 0


def _kek(row: KekRow) -> Kek:
    return Kek(
        name=row.name,
        kms_type=row.kms_type,
        kms_key_id=row.kms_key_id,
        kms_props=json.loads(row.kms_props_json),
        doc=row.doc,
        shared=row.shared,
        deleted=row.deleted,
        ts=_millis(row.updated_at),
    )


def _dek(row: DekRow) -> Dek:
    return Dek(
        kek_name=row.kek_name,
        subject=row.subject,
        version=row.version,
        algorithm=row.algorithm,
        encrypted_key_material=row.encrypted_key_material,
        deleted=row.deleted,
        ts=_millis(row.updated_at),
    )


# --- keks -----------------------------------------------------------------------------------


def keks(session: Session, *, include_deleted: bool) -> list[Kek]:
    """Every KEK (soft-deleted ones only when asked), by name."""
    query = select(KekRow)
    if not include_deleted:
        query = query.where(col(KekRow.deleted).is_(False))
    return sorted((_kek(row) for row in session.scalars(query)), key=lambda k: k.name)


def kek(session: Session, name: str) -> Kek | None:
    """The KEK with this name, soft-deleted or not."""
    row = session.get(KekRow, name)
    return _kek(row) if row is not None else None


def put_kek(session: Session, kek: Kek) -> Kek:
    """Insert or replace a KEK; its timestamp becomes now."""
    row = session.get(KekRow, kek.name) or KekRow(name=kek.name, kms_type="", kms_key_id="")
    row.kms_type = kek.kms_type
    row.kms_key_id = kek.kms_key_id
    row.kms_props_json = json.dumps(kek.kms_props, sort_keys=True)
    row.doc = kek.doc
    row.shared = kek.shared
    row.deleted = kek.deleted
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return _kek(row)


def delete_kek(session: Session, name: str) -> None:
    """Remove a KEK for good."""
    session.execute(delete(KekRow).where(col(KekRow.name) == name))


# --- deks -----------------------------------------------------------------------------------


def deks_of_kek(session: Session, kek_name: str, *, include_deleted: bool) -> list[Dek]:
    """Every DEK wrapped by a KEK, any subject and algorithm."""
    query = select(DekRow).where(col(DekRow.kek_name) == kek_name)
    if not include_deleted:
        query = query.where(col(DekRow.deleted).is_(False))
    return [_dek(row) for row in session.scalars(query)]


def dek_versions(
    session: Session, kek_name: str, subject: str, algorithm: str, *, include_deleted: bool
) -> list[Dek]:
    """The versions of a subject's DEK under a KEK with one algorithm, oldest first."""
    query = select(DekRow).where(
        col(DekRow.kek_name) == kek_name,
        col(DekRow.subject) == subject,
        col(DekRow.algorithm) == algorithm,
    )
    if not include_deleted:
        query = query.where(col(DekRow.deleted).is_(False))
    return [_dek(row) for row in session.scalars(query.order_by(col(DekRow.version)))]


def dek(session: Session, kek_name: str, subject: str, algorithm: str, version: int) -> Dek | None:
    """One version of a DEK, soft-deleted or not."""
    row = session.scalars(
        select(DekRow).where(
            col(DekRow.kek_name) == kek_name,
            col(DekRow.subject) == subject,
            col(DekRow.algorithm) == algorithm,
            col(DekRow.version) == version,
        )
    ).first()
    return _dek(row) if row is not None else None


def put_dek(session: Session, dek: Dek) -> Dek:
    """Insert or replace one version of a DEK; its timestamp becomes now."""
    row = session.scalars(
        select(DekRow).where(
            col(DekRow.kek_name) == dek.kek_name,
            col(DekRow.subject) == dek.subject,
            col(DekRow.algorithm) == dek.algorithm,
            col(DekRow.version) == dek.version,
        )
    ).first()
    if row is None:
        row = DekRow(
            kek_name=dek.kek_name,
            subject=dek.subject,
            algorithm=dek.algorithm,
            version=dek.version,
            encrypted_key_material="",
        )
    row.encrypted_key_material = dek.encrypted_key_material
    row.deleted = dek.deleted
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return _dek(row)


def set_deks_deleted(session: Session, targets: Sequence[Dek], deleted: bool) -> None:
    """Soft-delete or undelete these DEK versions."""
    for target in targets:
        session.execute(
            update(DekRow)
            .where(
                col(DekRow.kek_name) == target.kek_name,
                col(DekRow.subject) == target.subject,
                col(DekRow.algorithm) == target.algorithm,
                col(DekRow.version) == target.version,
            )
            .values(deleted=deleted, updated_at=utcnow())
        )


def delete_deks(session: Session, targets: Sequence[Dek]) -> None:
    """Remove these DEK versions for good."""
    for target in targets:
        session.execute(
            delete(DekRow).where(
                col(DekRow.kek_name) == target.kek_name,
                col(DekRow.subject) == target.subject,
                col(DekRow.algorithm) == target.algorithm,
                col(DekRow.version) == target.version,
            )
        )
