"""All SQL of the registry. Functions take a session and never commit: the service decides.

Rows are turned into the value types of ``registry.domain`` here, so nothing above this module
sees a table class.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import bindparam, case, delete, func, or_, update
from sqlalchemy import select as core_select
from sqlalchemy.orm import Session
from sqlmodel import col, select

from registry.domain import (
    AuditEntry,
    CompatibilityLevel,
    CompatibilityPolicy,
    Mode,
    Reference,
    SchemaType,
    StoredSchema,
    SubjectConfig,
    schema_guid,
)
from registry.formats.base import schema_fingerprint
from registry.storage.tables import (
    GLOBAL,
    AuditRow,
    ConfigRow,
    ModeRow,
    ReferenceRow,
    SchemaRow,
    SubjectVersionRow,
    SyncStateRow,
    TokenRow,
    UserRow,
    utcnow,
)

# --- schemas --------------------------------------------------------------------------------


_SCHEMA = SchemaRow.__table__.c  # type: ignore[attr-defined]
_SCHEMA_COLUMNS = (
    _SCHEMA.id,
    _SCHEMA.schema_type,
    _SCHEMA.schema_text,
    _SCHEMA.canonical,
    _SCHEMA.fingerprint,
    _SCHEMA.references_json,
    _SCHEMA.metadata_json,
    _SCHEMA.ruleset_json,
    _SCHEMA.guid,
)
_SCHEMA_BY_ID = core_select(*_SCHEMA_COLUMNS).where(_SCHEMA.id == bindparam("id"))


def _schema_from_row(row: Any) -> StoredSchema:
    refs = tuple(
        Reference(r["name"], r["subject"], r["version"]) for r in json.loads(row.references_json)
    )
    return StoredSchema(
        id=row.id,
        schema_type=SchemaType(row.schema_type),
        schema=row.schema_text,
        canonical=row.canonical,
        fingerprint=row.fingerprint,
        references=refs,
        metadata=json.loads(row.metadata_json) if row.metadata_json else None,
        rule_set=json.loads(row.ruleset_json) if row.ruleset_json else None,
        guid=row.guid or schema_guid(row.fingerprint),  # a row an older node wrote
    )


def schema_by_id(session: Session, schema_id: int) -> StoredSchema | None:
    """The schema with this global id."""
    row = session.execute(_SCHEMA_BY_ID, {"id": schema_id}).first()
    return _schema_from_row(row) if row is not None else None


def schema_by_fingerprint(session: Session, fingerprint: str) -> StoredSchema | None:
    """The schema with this identity, wherever it was registered."""
    row = session.scalars(
        select(SchemaRow)
        .where(col(SchemaRow.fingerprint) == fingerprint)
        .order_by(col(SchemaRow.id))
    ).first()
    return _schema_from_row(row) if row is not None else None


def schema_ids_by_guid(session: Session, guid: str) -> list[int]:
    """The ids of the schemas with this GUID, lowest first (one, unless an import gave a
    schema several ids)."""
    query = core_select(_SCHEMA.id).where(_SCHEMA.guid == guid).order_by(_SCHEMA.id)
    return [int(i) for i in session.scalars(query)]


def max_schema_id(session: Session) -> int:
    """The highest id handed out so far (0 when none)."""
    return int(session.scalar(select(func.max(col(SchemaRow.id)))) or 0)


def insert_schema(session: Session, schema: StoredSchema) -> None:
    """Store a new schema and its references."""
    session.add(
        SchemaRow(
            id=schema.id,
            schema_type=schema.schema_type.value,
            fingerprint=schema.fingerprint,
            canonical=schema.canonical,
            schema_text=schema.schema,
            content_fingerprint=schema_fingerprint(
                schema.schema_type,
                schema.canonical,
                [(r.name, r.subject, r.version) for r in schema.references],
            ),
            references_json=json.dumps([r.as_dict() for r in schema.references]),
            metadata_json=json.dumps(schema.metadata) if schema.metadata is not None else None,
            ruleset_json=json.dumps(schema.rule_set) if schema.rule_set is not None else None,
            guid=schema.guid,
        )
    )
    for ref in schema.references:
        session.add(
            ReferenceRow(
                schema_id=schema.id, name=ref.name, subject=ref.subject, version=ref.version
            )
        )
    session.flush()


# --- subject versions -----------------------------------------------------------------------


class VersionRef(NamedTuple):
    """A subject version as the use cases need it: number, schema id, soft-deleted or not."""

    version: int
    schema_id: int
    deleted: bool


# The hot reads are built once: constructing a statement costs more than running it on SQLite.
_SV = SubjectVersionRow.__table__.c  # type: ignore[attr-defined]
_REF_COLUMNS = (_SV.version, _SV.schema_id, _SV.deleted)
_OF_SUBJECT = _SV.subject == bindparam("subject")
_LIVE = _SV.deleted.is_(False)
_ALL_ROWS = core_select(*_REF_COLUMNS).where(_OF_SUBJECT).order_by(_SV.version)
_LIVE_ROWS = core_select(*_REF_COLUMNS).where(_OF_SUBJECT, _LIVE).order_by(_SV.version)
_NEWEST = core_select(*_REF_COLUMNS).where(_OF_SUBJECT).order_by(_SV.version.desc()).limit(1)
_NEWEST_LIVE = (
    core_select(*_REF_COLUMNS).where(_OF_SUBJECT, _LIVE).order_by(_SV.version.desc()).limit(1)
)
_ONE = core_select(*_REF_COLUMNS).where(_OF_SUBJECT, _SV.version == bindparam("version"))
_WITH_SCHEMA = core_select(*_REF_COLUMNS).where(
    _SV.schema_id == bindparam("schema_id"), _OF_SUBJECT
)


def version_rows(
    session: Session, subject: str, *, include_deleted: bool = True
) -> list[VersionRef]:
    """A subject's versions, ascending."""
    query = _ALL_ROWS if include_deleted else _LIVE_ROWS
    return [VersionRef(*row) for row in session.execute(query, {"subject": subject})]


def latest_version_row(
    session: Session, subject: str, *, include_deleted: bool = False
) -> VersionRef | None:
    """A subject's newest version (an index lookup on ``(subject, version)``)."""
    query = _NEWEST if include_deleted else _NEWEST_LIVE
    row = session.execute(query, {"subject": subject}).first()
    return VersionRef(*row) if row is not None else None


def has_versions(session: Session, subject: str, *, include_deleted: bool = False) -> bool:
    """Whether the subject has a version (a live one, unless ``include_deleted``)."""
    return latest_version_row(session, subject, include_deleted=include_deleted) is not None


def version_with_schema(
    session: Session,
    subject: str,
    fingerprint: str,
    content_fingerprint: str | None,
    *,
    include_deleted: bool = False,
) -> VersionRef | None:
    """The newest version of the subject whose schema has this identity ``fingerprint`` (or,
    when ``content_fingerprint`` is given, the same schema whatever its metadata and ruleSet).

    Two index lookups: the schema ids with either fingerprint, then the subject's versions
    pointing at them; the cost does not depend on how many versions the subject has.
    """
    condition = col(SchemaRow.fingerprint) == fingerprint
    if content_fingerprint is not None:
        condition = or_(condition, col(SchemaRow.content_fingerprint) == content_fingerprint)
    found: list[VersionRef] = []
    for schema_id in session.scalars(select(col(SchemaRow.id)).where(condition)):
        # One id at a time: with a single id PostgreSQL always reads the (schema_id, subject)
        # index; given a list, without statistics it may walk the subject's whole history.
        rows = session.execute(_WITH_SCHEMA, {"subject": subject, "schema_id": schema_id})
        found += (VersionRef(*row) for row in rows if include_deleted or not row.deleted)
    return max(found, default=None, key=lambda ref: ref.version)


def version_row(session: Session, subject: str, version: int) -> VersionRef | None:
    """One version of a subject, deleted or not."""
    row = session.execute(_ONE, {"subject": subject, "version": version}).first()
    return VersionRef(*row) if row is not None else None


def max_version(session: Session, subject: str) -> int:
    """The highest version a subject still has (soft-deleted ones included); 0 when none.

    The newest index entry, not ``max()``: PostgreSQL aggregates ``max(version)`` over every
    entry of the subject instead of reading the last one."""
    newest = latest_version_row(session, subject, include_deleted=True)
    return newest.version if newest is not None else 0


def insert_version(session: Session, subject: str, version: int, schema_id: int) -> None:
    """Add a version to a subject."""
    session.add(SubjectVersionRow(subject=subject, version=version, schema_id=schema_id))
    session.flush()


def set_versions_deleted(session: Session, subject: str, versions: Sequence[int]) -> None:
    """Soft-delete versions."""
    session.execute(
        update(SubjectVersionRow)
        .where(
            col(SubjectVersionRow.subject) == subject, col(SubjectVersionRow.version).in_(versions)
        )
        .values(deleted=True)
    )


def hard_delete_versions(session: Session, subject: str, versions: Sequence[int]) -> None:
    """Remove versions for good (the schemas they point to stay: ids are never reused)."""
    session.execute(
        delete(SubjectVersionRow).where(
            col(SubjectVersionRow.subject) == subject,
            col(SubjectVersionRow.version).in_(versions),
        )
    )


def subjects(session: Session, *, prefix: str = "", deleted: str = "live") -> list[str]:
    """Subject names. ``deleted`` is ``live`` (some live version), ``all`` or ``only``
    (every version soft-deleted)."""
    live = func.sum(case((col(SubjectVersionRow.deleted).is_(False), 1), else_=0))
    query = select(col(SubjectVersionRow.subject)).group_by(col(SubjectVersionRow.subject))
    if prefix:
        query = query.where(col(SubjectVersionRow.subject).startswith(prefix, autoescape=True))
    if deleted == "live":
        query = query.having(live > 0)
    elif deleted == "only":
        query = query.having(live == 0)
    return list(session.scalars(query.order_by(col(SubjectVersionRow.subject))))


def versions_of_schema(
    session: Session, schema_id: int, *, include_deleted: bool = False
) -> list[tuple[str, int]]:
    """(subject, version) pairs pointing at a schema id."""
    query = select(col(SubjectVersionRow.subject), col(SubjectVersionRow.version)).where(
        col(SubjectVersionRow.schema_id) == schema_id
    )
    if not include_deleted:
        query = query.where(col(SubjectVersionRow.deleted).is_(False))
    rows = session.execute(
        query.order_by(col(SubjectVersionRow.subject), col(SubjectVersionRow.version))
    )
    return [(r[0], r[1]) for r in rows]


def schema_listing(
    session: Session,
    *,
    prefix: str,
    include_deleted: bool,
    latest_only: bool = False,
    offset: int = 0,
    limit: int = -1,
) -> list[tuple[str, int, int]]:
    """(subject, version, schema id) of every version (or each subject's newest), sorted by
    subject then version, one page of it: the database does the grouping and the paging."""
    filters = []
    if prefix:
        filters.append(_SV.subject.startswith(prefix, autoescape=True))
    if not include_deleted:
        filters.append(_LIVE)
    query = core_select(_SV.subject, _SV.version, _SV.schema_id).where(*filters)
    if latest_only:
        newest = (
            core_select(_SV.subject.label("s"), func.max(_SV.version).label("v"))
            .where(*filters)
            .group_by(_SV.subject)
            .subquery()
        )
        query = query.join(newest, (_SV.subject == newest.c.s) & (_SV.version == newest.c.v))
    query = query.order_by(_SV.subject, _SV.version).offset(offset)
    if limit >= 0:
        query = query.limit(limit)
    return [(r[0], r[1], r[2]) for r in session.execute(query)]


def schemas_by_ids(session: Session, ids: Sequence[int]) -> dict[int, StoredSchema]:
    """Schemas by global id, in one query per thousand ids."""
    found: dict[int, StoredSchema] = {}
    unique = sorted(set(ids))
    for start in range(0, len(unique), 1000):
        chunk = unique[start : start + 1000]
        rows = session.execute(core_select(*_SCHEMA_COLUMNS).where(_SCHEMA.id.in_(chunk)))
        found.update((row.id, _schema_from_row(row)) for row in rows)
    return found


def schemas_before(session: Session, before: int | None, limit: int) -> list[StoredSchema]:
    """Up to ``limit`` schemas with ids below ``before`` (all when None), newest first."""
    query = core_select(*_SCHEMA_COLUMNS)
    if before is not None:
        query = query.where(_SCHEMA.id < before)
    rows = session.execute(query.order_by(_SCHEMA.id.desc()).limit(limit))
    return [_schema_from_row(row) for row in rows]


def referencing_schema_ids(session: Session, subject: str, version: int) -> list[int]:
    """Ids of schemas with a reference to this subject version, that some live version uses."""
    query = (
        select(col(ReferenceRow.schema_id))
        .where(col(ReferenceRow.subject) == subject, col(ReferenceRow.version) == version)
        .where(
            col(ReferenceRow.schema_id).in_(
                select(col(SubjectVersionRow.schema_id)).where(
                    col(SubjectVersionRow.deleted).is_(False)
                )
            )
        )
        .distinct()
        .order_by(col(ReferenceRow.schema_id))
    )
    return [int(i) for i in session.scalars(query)]


# --- config and mode ------------------------------------------------------------------------


_CFG = ConfigRow.__table__.c  # type: ignore[attr-defined]
_CONFIGS = core_select(
    _CFG.subject,
    _CFG.compatibility,
    _CFG.policy,
    _CFG.normalize,
    _CFG.compatibility_group,
    _CFG.default_metadata_json,
    _CFG.override_metadata_json,
    _CFG.default_ruleset_json,
    _CFG.override_ruleset_json,
).where(_CFG.subject.in_(bindparam("subjects", expanding=True)))
_MODE = ModeRow.__table__.c  # type: ignore[attr-defined]
_MODES = core_select(_MODE.subject, _MODE.mode).where(
    _MODE.subject.in_(bindparam("subjects", expanding=True))
)


def _json_or_none(text: str | None) -> Any:
    return json.loads(text) if text else None


def _dumps_or_none(value: Any) -> str | None:
    return json.dumps(value) if value is not None else None


def configs(session: Session, *subjects: str) -> dict[str, SubjectConfig]:
    """The stored configs of these subjects (``""`` for the global one), in one query."""
    return {
        row.subject: SubjectConfig(
            compatibility=CompatibilityLevel(row.compatibility) if row.compatibility else None,
            policy=CompatibilityPolicy(row.policy) if row.policy else None,
            normalize=row.normalize,
            group=row.compatibility_group,
            default_metadata=_json_or_none(row.default_metadata_json),
            override_metadata=_json_or_none(row.override_metadata_json),
            default_rule_set=_json_or_none(row.default_ruleset_json),
            override_rule_set=_json_or_none(row.override_ruleset_json),
        )
        for row in session.execute(_CONFIGS, {"subjects": list(subjects)})
    }


def get_config(session: Session, subject: str = GLOBAL) -> SubjectConfig | None:
    """The stored config of a subject (or the global one for ``""``)."""
    return configs(session, subject).get(subject)


def put_config(session: Session, subject: str, config: SubjectConfig) -> None:
    """Create or replace a config row."""
    row = session.get(ConfigRow, subject) or ConfigRow(subject=subject)
    row.compatibility = config.compatibility.value if config.compatibility else None
    row.policy = config.policy.value if config.policy else None
    row.normalize = config.normalize
    row.compatibility_group = config.group
    row.default_metadata_json = _dumps_or_none(config.default_metadata)
    row.override_metadata_json = _dumps_or_none(config.override_metadata)
    row.default_ruleset_json = _dumps_or_none(config.default_rule_set)
    row.override_ruleset_json = _dumps_or_none(config.override_rule_set)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()


def delete_config(session: Session, subject: str) -> None:
    """Remove a config row."""
    session.execute(delete(ConfigRow).where(col(ConfigRow.subject) == subject))


def modes(session: Session, *subjects: str) -> dict[str, Mode]:
    """The stored modes of these subjects (``""`` for the global one), in one query."""
    return {
        row.subject: Mode(row.mode) for row in session.execute(_MODES, {"subjects": list(subjects)})
    }


def get_mode(session: Session, subject: str = GLOBAL) -> Mode | None:
    """The stored mode of a subject (or the global one for ``""``)."""
    return modes(session, subject).get(subject)


def put_mode(session: Session, subject: str, mode: Mode) -> None:
    """Create or replace a mode row."""
    row = session.get(ModeRow, subject) or ModeRow(subject=subject, mode=mode.value)
    row.mode = mode.value
    session.add(row)
    session.flush()


def delete_mode(session: Session, subject: str) -> None:
    """Remove a mode row."""
    session.execute(delete(ModeRow).where(col(ModeRow.subject) == subject))


def any_schema(session: Session) -> bool:
    """Whether any subject version exists at all."""
    return session.scalar(select(col(SubjectVersionRow.id)).limit(1)) is not None


# --- audit ----------------------------------------------------------------------------------


def record(session: Session, entry: AuditEntry) -> None:
    """Append to the audit log."""
    session.add(
        AuditRow(
            actor=entry.actor,
            remote=entry.remote,
            action=entry.action,
            subject=entry.subject,
            version=entry.version,
            schema_id=entry.schema_id,
            detail_json=json.dumps(entry.detail, default=str),
        )
    )


def audit_entries(
    session: Session,
    *,
    limit: int = 100,
    offset: int = 0,
    subject: str | None = None,
    action: str | None = None,
    actor: str | None = None,
) -> list[dict[str, Any]]:
    """The newest audit entries first, of one subject, action or actor when given."""
    query = select(AuditRow)
    if subject is not None:
        query = query.where(col(AuditRow.subject) == subject)
    if action is not None:
        query = query.where(col(AuditRow.action) == action)
    if actor is not None:
        query = query.where(col(AuditRow.actor) == actor)
    rows = session.scalars(query.order_by(col(AuditRow.id).desc()).offset(offset).limit(limit))
    return [
        {
            "id": r.id,
            "at": r.at.isoformat(),
            "actor": r.actor,
            "remote": r.remote,
            "action": r.action,
            "subject": r.subject,
            "version": r.version,
            "schemaId": r.schema_id,
            "detail": json.loads(r.detail_json),
        }
        for r in rows
    ]


# --- users and tokens -----------------------------------------------------------------------


def users(session: Session) -> list[UserRow]:
    """Every user."""
    return list(session.scalars(select(UserRow).order_by(col(UserRow.name))))


def user_count(session: Session) -> int:
    """How many users exist."""
    return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)


def put_user(
    session: Session, name: str, password_hash: str, role: str, subjects: list[str]
) -> None:
    """Create or replace a user."""
    row = session.get(UserRow, name) or UserRow(name=name, password_hash=password_hash, role=role)
    row.password_hash = password_hash
    row.role = role
    row.subjects_json = json.dumps(subjects)
    session.add(row)
    session.flush()


def delete_user(session: Session, name: str) -> bool:
    """Remove a user and their tokens; False when there was no such user."""
    row = session.get(UserRow, name)
    if row is None:
        return False
    session.delete(row)
    session.execute(delete(TokenRow).where(col(TokenRow.user) == name))
    return True


def put_token(
    session: Session, token_hash: str, user: str, description: str | None, expires_at: Any
) -> None:
    """Store a token's hash."""
    session.add(
        TokenRow(token_hash=token_hash, user=user, description=description, expires_at=expires_at)
    )
    session.flush()


def tokens(session: Session) -> list[TokenRow]:
    """Every token (hashes only)."""
    return list(session.scalars(select(TokenRow)))


def token(session: Session, token_hash: str) -> TokenRow | None:
    """A token by its hash."""
    return session.get(TokenRow, token_hash)


def tokens_of(session: Session, user: str | None = None) -> list[TokenRow]:
    """Tokens (of one user, or of everyone), by user then creation time."""
    query = select(TokenRow).order_by(col(TokenRow.user), col(TokenRow.created_at))
    if user is not None:
        query = query.where(col(TokenRow.user) == user)
    return list(session.scalars(query))


def tokens_with_hash_prefix(session: Session, prefix: str) -> list[TokenRow]:
    """Tokens whose hash starts with ``prefix`` (lowercase hex: a token's short id)."""
    return list(
        session.scalars(
            select(TokenRow).where(col(TokenRow.token_hash).startswith(prefix, autoescape=True))
        )
    )


def delete_tokens(session: Session, token_hashes: Sequence[str]) -> int:
    """Delete tokens by hash; how many there were."""
    if not token_hashes:
        return 0
    result = session.execute(delete(TokenRow).where(col(TokenRow.token_hash).in_(token_hashes)))
    return int(getattr(result, "rowcount", 0) or 0)


# --- sync state -----------------------------------------------------------------------------


def sync_states(session: Session) -> list[SyncStateRow]:
    """Every sync state, by target then subject."""
    query = select(SyncStateRow).order_by(col(SyncStateRow.target), col(SyncStateRow.subject))
    return list(session.scalars(query))


def sync_state(session: Session, target: str, subject: str) -> SyncStateRow | None:
    """One target's state for one subject."""
    return session.get(SyncStateRow, (target, subject))


def put_sync_state(
    session: Session,
    target: str,
    subject: str,
    last_synced_version: int | None,
    last_error: str | None,
    attempts: int,
) -> None:
    """Create or replace a sync state."""
    row = session.get(SyncStateRow, (target, subject)) or SyncStateRow(
        target=target, subject=subject
    )
    row.last_synced_version = last_synced_version
    row.last_error = last_error
    row.attempts = attempts
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
