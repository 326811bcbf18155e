"""The catalogue's reads: every subject's newest version with its schema type, in a few queries.

The web UI lists subjects with their type, newest version, level, mode and last change, filtered
and paged. One grouped query over ``subject_versions`` finds each subject's newest version (the
newest live one, unless deleted subjects are asked for), joins its schema's type and its own
level; text search is a ``LIKE`` on the subject name or on the newest schema's text. Filters,
the count and the page are computed by the database, so only one page of rows is ever built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, case, false, func, or_
from sqlalchemy import select as core_select
from sqlalchemy.orm import Session

from registry.storage.tables import (
    ConfigRow,
    ModeRow,
    ReferenceRow,
    SchemaRow,
    SubjectVersionRow,
)

_SV_TABLE = SubjectVersionRow.__table__  # type: ignore[attr-defined]
_SCHEMA_TABLE = SchemaRow.__table__  # type: ignore[attr-defined]
_SV = _SV_TABLE.c
_SCHEMA = _SCHEMA_TABLE.c
_REF_TABLE = ReferenceRow.__table__  # type: ignore[attr-defined]
_REF = _REF_TABLE.c
_CONFIG_TABLE = ConfigRow.__table__  # type: ignore[attr-defined]
_CONFIG = _CONFIG_TABLE.c
_MODE = ModeRow.__table__.c  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class CatalogueRow:
    """A subject's newest version (newest live one when it has any)."""

    subject: str
    version: int
    schema_id: int
    schema_type: str
    updated: datetime | None
    live_versions: int
    level: str | None


@dataclass(frozen=True, slots=True)
class CatalogueFilter:
    """What the catalogue asks for. ``deleted`` is ``live`` (some live version), ``all`` or
    ``only`` (every version soft-deleted); ``name`` is a substring of the subject, ``text`` of
    its newest schema (field names, docs, anything); ``level`` the level in force, with
    ``default_level`` for subjects that set none; ``patterns`` the subjects the caller may see
    (``orders.*`` a prefix, else an exact name; None: every subject)."""

    deleted: str = "live"
    prefix: str = ""
    schema_type: str | None = None
    name: str = ""
    text: str = ""
    level: str | None = None
    default_level: str = "BACKWARD"
    patterns: tuple[str, ...] | None = None


def catalogue_page(
    session: Session, wanted: CatalogueFilter, offset: int, limit: int
) -> tuple[list[CatalogueRow], int]:
    """One page of the subjects matching ``wanted``, by name, and how many match in all.

    Filters, count and paging run in the database. Without a filter on the newest schema or the
    level, the page is cut from the grouped subjects before anything is joined, so only one
    page of rows is ever joined and built.
    """
    live = func.sum(case((_SV.deleted.is_(False), 1), else_=0))
    newest_live = func.max(case((_SV.deleted.is_(False), _SV.version), else_=None))
    newest = func.coalesce(newest_live, func.max(_SV.version))
    grouped = core_select(_SV.subject.label("s"), newest.label("v"), live.label("live"))
    grouped = grouped.group_by(_SV.subject)
    if wanted.prefix:
        grouped = grouped.where(_SV.subject.startswith(wanted.prefix, autoescape=True))
    if wanted.name:
        grouped = grouped.where(_SV.subject.contains(wanted.name, autoescape=True))
    if wanted.patterns is not None:
        allowed = (
            _SV.subject.startswith(p[:-1], autoescape=True) if p.endswith("*") else _SV.subject == p
            for p in wanted.patterns
        )
        grouped = grouped.where(or_(false(), *allowed))
    if wanted.deleted == "live":
        grouped = grouped.having(live > 0)
    elif wanted.deleted == "only":
        grouped = grouped.having(live == 0)
    joined_filters = bool(wanted.schema_type or wanted.text or wanted.level)
    if not joined_filters:
        total = session.execute(core_select(func.count()).select_from(grouped.subquery()))
        grouped = grouped.order_by(_SV.subject).offset(offset).limit(limit)
    groups = grouped.subquery()
    query = (
        core_select(
            groups.c.s, groups.c.v, _SV.schema_id, _SCHEMA.schema_type, _SV.created_at,
            groups.c.live, _CONFIG.compatibility,
        )
        .select_from(groups)
        .join(_SV_TABLE, and_(_SV.subject == groups.c.s, _SV.version == groups.c.v))
        .join(_SCHEMA_TABLE, _SCHEMA.id == _SV.schema_id)
        .outerjoin(_CONFIG_TABLE, _CONFIG.subject == groups.c.s)
    )  # fmt: skip
    if wanted.schema_type:
        query = query.where(_SCHEMA.schema_type == wanted.schema_type)
    if wanted.text:
        query = query.where(
            or_(
                _SCHEMA.schema_text.contains(wanted.text, autoescape=True),
                groups.c.s.contains(wanted.text, autoescape=True),
            )
        )
    if wanted.level:
        in_force = func.coalesce(_CONFIG.compatibility, wanted.default_level)
        query = query.where(in_force == wanted.level)
    if joined_filters:
        total = session.execute(core_select(func.count()).select_from(query.subquery()))
        query = query.order_by(groups.c.s).offset(offset).limit(limit)
    else:
        query = query.order_by(groups.c.s)
    count = int(total.scalar_one())
    found = [
        CatalogueRow(r[0], r[1], r[2], r[3], _aware(r[4]), int(r[5] or 0), r[6])
        for r in session.execute(query)
    ]
    return found, count


def _aware(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite's aggregate of a timestamp is its text
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def referrers(session: Session, subject: str) -> list[tuple[str, int]]:
    """The live (subject, version) pairs whose schema references any version of ``subject``,
    in one query (the subject page's "referenced by")."""
    query = (
        core_select(_SV.subject, _SV.version)
        .select_from(_SV_TABLE)
        .join(_REF_TABLE, _REF.schema_id == _SV.schema_id)
        .where(_REF.subject == subject, _SV.deleted.is_(False))
        .distinct()
        .order_by(_SV.subject, _SV.version)
    )
    return [(r[0], r[1]) for r in session.execute(query)]


def explicit_levels(session: Session) -> dict[str, str]:
    """Every stored compatibility level by subject (``""`` is the global one)."""
    rows = session.execute(
        core_select(_CONFIG.subject, _CONFIG.compatibility).where(_CONFIG.compatibility.isnot(None))
    )
    return {r[0]: r[1] for r in rows}


def explicit_modes(session: Session) -> dict[str, str]:
    """Every stored mode by subject (``""`` is the global one)."""
    return {r[0]: r[1] for r in session.execute(core_select(_MODE.subject, _MODE.mode))}
