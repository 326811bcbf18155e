"""The catalogue's reads: every subject's newest version with its schema type, in a few queries.

The web UI lists subjects with their type, newest version, level, mode and last change, filtered
and paged. One grouped query over ``subject_versions`` finds each subject's newest version (the
newest live one, unless deleted subjects are asked for) and joins its schema's type; text search
is a ``LIKE`` on the subject name or on the newest schema's text. The explicit configs and modes
are small tables read whole. So the cost of a page does not grow with history, and a catalogue
of 10,000 subjects is one scan of the versions' index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_
from sqlalchemy import select as core_select
from sqlalchemy.orm import Session

from registry.storage.tables import ConfigRow, ModeRow, SchemaRow, SubjectVersionRow

_SV_TABLE = SubjectVersionRow.__table__  # type: ignore[attr-defined]
_SCHEMA_TABLE = SchemaRow.__table__  # type: ignore[attr-defined]
_SV = _SV_TABLE.c
_SCHEMA = _SCHEMA_TABLE.c
_CONFIG = ConfigRow.__table__.c  # type: ignore[attr-defined]
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


def catalogue_rows(
    session: Session,
    *,
    deleted: str = "live",
    prefix: str = "",
    schema_type: str | None = None,
    name: str = "",
    text: str = "",
) -> list[CatalogueRow]:
    """Every subject matching the filters, by name. ``deleted`` is ``live`` (some live
    version), ``all`` or ``only`` (every version soft-deleted); ``name`` is a substring of the
    subject, ``text`` a substring of its newest schema (field names, docs, anything)."""
    live = func.sum(case((_SV.deleted.is_(False), 1), else_=0))
    newest_live = func.max(case((_SV.deleted.is_(False), _SV.version), else_=None))
    newest = func.coalesce(newest_live, func.max(_SV.version))
    grouped = core_select(
        _SV.subject.label("s"),
        newest.label("v"),
        live.label("live"),
        func.max(_SV.created_at).label("updated"),
    ).group_by(_SV.subject)
    if prefix:
        grouped = grouped.where(_SV.subject.startswith(prefix, autoescape=True))
    if name:
        grouped = grouped.where(_SV.subject.contains(name, autoescape=True))
    if deleted == "live":
        grouped = grouped.having(live > 0)
    elif deleted == "only":
        grouped = grouped.having(live == 0)
    groups = grouped.subquery()
    query = (
        core_select(
            groups.c.s, groups.c.v, _SV.schema_id, _SCHEMA.schema_type, groups.c.updated,
            groups.c.live,
        )
        .select_from(groups)
        .join(_SV_TABLE, and_(_SV.subject == groups.c.s, _SV.version == groups.c.v))
        .join(_SCHEMA_TABLE, _SCHEMA.id == _SV.schema_id)
    )  # fmt: skip
    if schema_type:
        query = query.where(_SCHEMA.schema_type == schema_type)
    if text:
        query = query.where(
            or_(
                _SCHEMA.schema_text.contains(text, autoescape=True),
                groups.c.s.contains(text, autoescape=True),
            )
        )
    rows = session.execute(query.order_by(groups.c.s))
    return [CatalogueRow(r[0], r[1], r[2], r[3], r[4], int(r[5] or 0)) for r in rows]


def explicit_levels(session: Session) -> dict[str, str]:
    """Every stored compatibility level by subject (``""`` is the global one)."""
    rows = session.execute(
        core_select(_CONFIG.subject, _CONFIG.compatibility).where(_CONFIG.compatibility.isnot(None))
    )
    return {r[0]: r[1] for r in rows}


def explicit_modes(session: Session) -> dict[str, str]:
    """Every stored mode by subject (``""`` is the global one)."""
    return {r[0]: r[1] for r in session.execute(core_select(_MODE.subject, _MODE.mode))}
