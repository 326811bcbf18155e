"""All SQL of the associations (which subject a Kafka topic uses). Never commits.

Rows become :class:`registry.domain.Association` values here. Lists come back in Confluent's
order (``Association.compareTo``: resource name, namespace, type, association type, subject),
sorted in Python so that SQLite and PostgreSQL collations cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.orm import Session
from sqlmodel import col, select

from registry.domain import Association, Lifecycle
from registry.storage.tables import AssociationRow, utcnow


def _association(row: AssociationRow) -> Association:
    return Association(
        subject=row.subject,
        guid=row.guid,
        resource_name=row.resource_name,
        resource_namespace=row.resource_namespace,
        resource_id=row.resource_id,
        resource_type=row.resource_type,
        association_type=row.association_type,
        lifecycle=Lifecycle(row.lifecycle),
        frozen=row.frozen,
    )


def _sorted(rows: Sequence[AssociationRow]) -> list[Association]:
    found = [_association(row) for row in rows]
    return sorted(
        found,
        key=lambda a: (
            a.resource_name,
            a.resource_namespace,
            a.resource_type,
            a.association_type,
            a.subject,
        ),
    )


def by_resource_name(
    session: Session, name: str, namespace: str | None, resource_type: str
) -> list[Association]:
    """Associations of a resource by name, in one namespace or (None) in any."""
    query = select(AssociationRow).where(
        col(AssociationRow.resource_name) == name,
        col(AssociationRow.resource_type) == resource_type,
    )
    if namespace is not None:
        query = query.where(col(AssociationRow.resource_namespace) == namespace)
    return _sorted(session.scalars(query).all())


def by_resource_id(session: Session, resource_id: str, resource_type: str) -> list[Association]:
    """Associations of a resource by its id."""
    query = select(AssociationRow).where(
        col(AssociationRow.resource_id) == resource_id,
        col(AssociationRow.resource_type) == resource_type,
    )
    return _sorted(session.scalars(query).all())


def by_subject(
    session: Session, subject: str, resource_type: str | None = None
) -> list[Association]:
    """Associations that point at a subject (of one resource type, or of any)."""
    query = select(AssociationRow).where(col(AssociationRow.subject) == subject)
    if resource_type is not None:
        query = query.where(col(AssociationRow.resource_type) == resource_type)
    return _sorted(session.scalars(query).all())


def put(session: Session, association: Association) -> None:
    """Create an association, or change the one with its GUID."""
    row = session.get(AssociationRow, association.guid) or AssociationRow(
        guid=association.guid,
        resource_type=association.resource_type,
        resource_namespace=association.resource_namespace,
        resource_name=association.resource_name,
        resource_id=association.resource_id,
        association_type=association.association_type,
        subject=association.subject,
        lifecycle=association.lifecycle.value,
    )
    row.resource_id = association.resource_id
    row.subject = association.subject
    row.lifecycle = association.lifecycle.value
    row.frozen = association.frozen
    row.updated_at = utcnow()
    session.add(row)
    session.flush()


def remove(session: Session, guids: Sequence[str]) -> None:
    """Delete associations by GUID."""
    if guids:
        session.execute(delete(AssociationRow).where(col(AssociationRow.guid).in_(guids)))
