"""Registration, lookups, reads and deletes: the schema half of the service.

Every public method opens exactly one read or write transaction on the :class:`Database`,
so a request either happens entirely or not at all. Writes run under the registry-wide write
lock (see ``registry.storage.engine``), which is what makes ``max + 1`` allocation of schema
ids and versions safe across processes. Schema ids are immutable, so id lookups and parsed
schemas are served from bounded in-process caches; everything mutable (subjects, versions,
deletions, config, mode) is read from the database on every call.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from registry import errors
from registry.cache import LRUCache
from registry.compatibility import CompatibilityResult, check_compatibility
from registry.config import Settings
from registry.domain import (
    MAX_REFERENCE_DEPTH,
    SUPPORTED_SCHEMA_TYPES,
    AuditEntry,
    CompatibilityLevel,
    EffectiveConfig,
    Mode,
    Reference,
    SchemaInput,
    SchemaType,
    StoredSchema,
    SubjectVersion,
    schema_guid,
)
from registry.formats import get_format
from registry.formats.base import ParsedSchema, ResolvedReference, json_depth
from registry.service.associations import AssociationUseCases
from registry.service.deletes import DeleteUseCases
from registry.service.metadata import group_value, has_properties, wrapped
from registry.service.naming import (
    ANONYMOUS,
    LATEST,
    Caller,
    Registration,
    looks_like_json_schema,
    parse_guid,
    parse_version,
    schema_identity,
    validate_subject,
)
from registry.stats import Tally
from registry.storage import repository as repo
from registry.storage.engine import Database


class RegistryService(DeleteUseCases, AssociationUseCases):
    """Use cases of the registry over one database."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self._by_id: LRUCache[int, StoredSchema] = LRUCache(settings.schema_cache_size)
        self._parsed: LRUCache[int, ParsedSchema] = LRUCache(settings.schema_cache_size)
        self._listeners: list[Callable[[Registration], None]] = []
        # Counters for /metrics: registrations by outcome (created, existing) and the rules
        # behind refused registrations (each rule once per refusal).
        self.registrations: Tally[str] = Tally()
        self.rejections: Tally[str] = Tally()

    @property
    def caches(self) -> dict[str, LRUCache[int, Any]]:
        """The in-process caches by name, for their hit and miss counters."""
        return {"schemas": self._by_id, "parsed": self._parsed}

    def on_registered(self, listener: Callable[[Registration], None]) -> None:
        """Call ``listener`` after every registration that created a version (after commit).

        Listeners must be quick and must not raise: cloud sync only queues the subject.
        """
        self._listeners.append(listener)

    # --- parsing ----------------------------------------------------------------------------

    def parse_input(
        self, session: Session, schema: SchemaInput, *, normalize: bool = False
    ) -> ParsedSchema:
        """Check size and depth, resolve references and parse with the schema's format."""
        if len(schema.schema.encode("utf-8", "surrogatepass")) > self.settings.max_schema_bytes:
            raise errors.SchemaTooLarge(
                f"Schema is too large: {len(schema.schema.encode('utf-8', 'surrogatepass'))} "
                f"bytes, the limit is {self.settings.max_schema_bytes}"
            )
        if schema.schema_type not in SUPPORTED_SCHEMA_TYPES:
            raise errors.InvalidSchema(
                f"Schema type {schema.schema_type.value} is not supported: use AVRO or JSON"
            )
        depth = json_depth(schema.schema)
        if depth > self.settings.max_nesting_depth:
            raise errors.InvalidSchema(
                f"Invalid schema: nested {depth} levels deep, the limit is "
                f"{self.settings.max_nesting_depth}"
            )
        if self._reference_depth(session, schema.references, {}) > MAX_REFERENCE_DEPTH:
            raise errors.InvalidSchema(
                f"Invalid schema: references nest deeper than {MAX_REFERENCE_DEPTH} levels"
            )
        references = self._resolve(session, schema.references)
        try:
            return get_format(schema.schema_type).parse(
                schema.schema, references, normalize=normalize
            )
        except errors.InvalidSchema as exc:
            if schema.schema_type is SchemaType.AVRO and looks_like_json_schema(schema.schema):
                raise errors.InvalidSchema(
                    f'{exc.message}. This looks like a JSON Schema: send "schemaType": '
                    '"JSON" with it (the type defaults to AVRO, as in Confluent)'
                ) from None
            raise
        except (ValueError, RecursionError) as exc:
            # The formats raise InvalidSchema for what they foresee; a decoder's own limits
            # (a 50,000-digit number, say) are bad input all the same.
            raise errors.InvalidSchema(f"Invalid schema: {exc}") from None

    def _reference_depth(
        self, session: Session, references: Sequence[Reference], seen: dict[int, int]
    ) -> int:
        """How deep a chain of references goes (0 without references), from stored rows."""
        depth = 0
        for ref in references:
            row = repo.version_row(session, ref.subject, ref.version)
            if row is None:
                continue  # _resolve reports the missing reference precisely
            if row.schema_id not in seen:
                seen[row.schema_id] = MAX_REFERENCE_DEPTH + 1  # a cycle counts as too deep
                stored = self._stored(session, row.schema_id)
                seen[row.schema_id] = self._reference_depth(session, stored.references, seen)
            depth = max(depth, 1 + seen[row.schema_id])
            if depth > MAX_REFERENCE_DEPTH:
                break
        return depth

    def _resolve(
        self, session: Session, references: Sequence[Reference]
    ) -> tuple[ResolvedReference, ...]:
        resolved = []
        for ref in references:
            row = repo.version_row(session, ref.subject, ref.version)
            if row is None or row.deleted:
                raise errors.InvalidSchema(
                    f"Invalid schema: reference '{ref.name}' points to subject "
                    f"'{ref.subject}' version {ref.version}, which does not exist"
                )
            parsed = self._parsed_by_id(session, row.schema_id)
            resolved.append(ResolvedReference(ref.name, ref.subject, ref.version, parsed))
        return tuple(resolved)

    def parsed_schema(self, schema_id: int) -> ParsedSchema:
        """A stored schema, parsed with its references resolved (for examples and diffs)."""
        with self.db.read() as session:
            return self._parsed_by_id(session, schema_id)

    def parse_candidate(self, schema: SchemaInput) -> ParsedSchema:
        """A schema that is not registered, checked and parsed as a registration would; nothing
        is written."""
        with self.db.read() as session:
            return self.parse_input(session, schema)

    def _parsed_by_id(self, session: Session, schema_id: int) -> ParsedSchema:
        cached = self._parsed.get(schema_id)
        if cached is not None:
            return cached
        stored = self._stored(session, schema_id)
        refs = self._resolve(session, stored.references)
        parsed = get_format(stored.schema_type).parse(stored.schema, refs)
        self._parsed.put(schema_id, parsed)
        return parsed

    def _stored(self, session: Session, schema_id: int) -> StoredSchema:
        cached = self._by_id.get(schema_id)
        if cached is not None:
            return cached
        stored = repo.schema_by_id(session, schema_id)
        if stored is None:
            raise errors.SchemaNotFound(f"Schema {schema_id} not found")
        self._by_id.put(schema_id, stored)
        return stored

    def _stored_many(self, session: Session, ids: Sequence[int]) -> dict[int, StoredSchema]:
        """Schemas by id: from the cache, the rest in batched queries (never one per id)."""
        found: dict[int, StoredSchema] = {}
        missing = []
        for schema_id in ids:
            cached = self._by_id.get(schema_id)
            if cached is None:
                missing.append(schema_id)
            else:
                found[schema_id] = cached
        for schema_id, stored in repo.schemas_by_ids(session, missing).items():
            self._by_id.put(schema_id, stored)
            found[schema_id] = stored
        return found

    # --- registration -----------------------------------------------------------------------

    def register(
        self,
        subject: str,
        schema: SchemaInput,
        *,
        normalize: bool | None = None,
        schema_id: int | None = None,
        version: int | None = None,
        guid: str | None = None,
        caller: Caller = ANONYMOUS,
    ) -> Registration:
        """Register ``schema`` under ``subject``, or return the version that already has it.

        The same schema identity gets the same global id (and GUID) in every subject.
        Compatibility is checked against the live versions the subject's level requires
        (within its compatibility group), inside the write lock so that two concurrent
        registrations cannot both pass against a stale latest. In IMPORT mode an id, a version
        and a GUID may be given (a restore), and nothing is checked or inherited.
        """
        validate_subject(subject)
        with self.db.write() as session:
            registration = self._register_in(
                session,
                subject,
                schema,
                normalize=normalize,
                schema_id=schema_id,
                version=version,
                guid=guid,
                caller=caller,
            )
        self.registered(registration)
        return registration

    def registered(self, registration: Registration) -> None:
        """After the commit of :meth:`_register_in`: count it, cache it, tell the listeners."""
        if not registration.created:
            self.registrations.add("existing")
            return
        self._by_id.put(registration.id, registration.schema)
        if registration.parsed is not None:
            self._parsed.put(registration.id, registration.parsed)
        self.registrations.add("created")
        for listener in self._listeners:
            listener(registration)

    def _register_in(
        self,
        session: Session,
        subject: str,
        schema: SchemaInput,
        *,
        normalize: bool | None = None,
        schema_id: int | None = None,
        version: int | None = None,
        guid: str | None = None,
        caller: Caller = ANONYMOUS,
    ) -> Registration:
        """:meth:`register` within a write transaction (the caller commits, then calls
        :meth:`registered`)."""
        mode = self._require_writable(session, subject)
        importing = mode is Mode.IMPORT
        if (schema_id is not None or version is not None) and not importing:
            raise errors.OperationNotPermitted(
                "A schema id or version can only be given when the subject is in IMPORT mode"
            )
        config = self._effective_config(session, subject)
        parsed = self.parse_input(
            session, schema, normalize=config.normalize if normalize is None else normalize
        )
        existing = self._existing_version(
            session, subject, schema_identity(parsed, schema), parsed, schema
        )
        if existing is None and not importing:
            contracted = self._with_contract(session, subject, schema, config)
            if contracted is not schema:  # inherited or wrapped metadata or rules
                schema = contracted
                existing = self._existing_version(
                    session, subject, schema_identity(parsed, schema), parsed, schema
                )
        if existing is not None and (schema_id is None or schema_id == existing.schema.id):
            stored = existing.schema
            return Registration(stored.id, existing.version, subject, stored, created=False)
        identity = schema_identity(parsed, schema)
        if not importing:
            self._check_registration(session, subject, parsed, schema, config)
        stored = self._schema_for(
            session, parsed, schema, identity, schema_id, guid if importing else None
        )
        new_version = self._allocate_version(session, subject, version, stored.id)
        repo.insert_version(session, subject, new_version, stored.id)
        repo.record(
            session,
            AuditEntry(
                "register",
                subject,
                new_version,
                stored.id,
                caller.actor,
                caller.remote,
                {"schemaType": stored.schema_type.value},
            ),
        )
        return Registration(stored.id, new_version, subject, stored, created=True, parsed=parsed)

    def _with_contract(
        self, session: Session, subject: str, schema: SchemaInput, config: EffectiveConfig
    ) -> SchemaInput:
        """The schema with the metadata and ruleSet it is registered with: its own, or the
        latest live version's when it has none, wrapped in the config's defaults and
        overrides (see ``registry.service.metadata``)."""
        latest: StoredSchema | None = None
        if schema.metadata is None or schema.rule_set is None:
            row = repo.latest_version_row(session, subject)
            latest = self._stored(session, row.schema_id) if row is not None else None
        metadata = wrapped(
            config.default_metadata,
            schema.metadata if schema.metadata is not None or latest is None else latest.metadata,
            config.override_metadata,
        )
        rule_set = wrapped(
            config.default_rule_set,
            schema.rule_set if schema.rule_set is not None or latest is None else latest.rule_set,
            config.override_rule_set,
            rules=True,
        )
        if (metadata, rule_set) == (schema.metadata, schema.rule_set):
            return schema
        return replace(schema, metadata=metadata, rule_set=rule_set)

    def _check_registration(
        self,
        session: Session,
        subject: str,
        parsed: ParsedSchema,
        schema: SchemaInput,
        config: EffectiveConfig,
    ) -> None:
        """Refuse a registration that breaks the subject's compatibility level (409)."""
        previous = self._versions_to_check(
            session, subject, config.compatibility, config.group, schema.metadata
        )
        result = check_compatibility(
            get_format(parsed.schema_type), parsed, previous, config.compatibility, config.policy
        )
        if not result.is_compatible:
            for rule_id in {finding.rule_id for finding in result.findings}:
                self.rejections.add(rule_id)
            raise errors.IncompatibleSchema(
                "Schema being registered is incompatible with an earlier schema for "
                f'subject "{subject}", details: {json.dumps(result.messages())}'
            )

    def _existing_version(
        self,
        session: Session,
        subject: str,
        identity: str,
        parsed: ParsedSchema,
        schema: SchemaInput,
        *,
        include_deleted: bool = False,
    ) -> SubjectVersion | None:
        """The newest version of ``subject`` holding this schema: the same identity, or, when
        the request carries no metadata and no ruleSet, the same schema whatever the stored
        version's metadata and ruleSet (as Confluent matches). Index lookups, not a scan."""
        loose = schema.metadata is None and schema.rule_set is None
        row = repo.version_with_schema(
            session,
            subject,
            identity,
            parsed.fingerprint if loose else None,
            include_deleted=include_deleted,
        )
        if row is None:
            return None
        return SubjectVersion(
            subject, row.version, self._stored(session, row.schema_id), row.deleted
        )

    def _versions_to_check(
        self,
        session: Session,
        subject: str,
        level: CompatibilityLevel,
        group: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> list[tuple[int | None, ParsedSchema]]:
        """The live versions a level judges a new schema against, oldest first (see
        :meth:`CompatibilityLevel.versions_to_check`); none for NONE, which judges nothing.

        With a compatibility ``group``, only the versions whose group property has the value
        of the new schema's ``metadata`` count, and the latest is the latest of those.
        """
        if level is CompatibilityLevel.NONE:
            return []
        if group is None:
            rows = level.versions_to_check(
                lambda: repo.version_rows(session, subject, include_deleted=False),
                lambda: repo.latest_version_row(session, subject),
            )
        else:
            wanted = group_value(metadata, group)
            rows = level.pick_versions(
                [
                    row
                    for row in repo.version_rows(session, subject, include_deleted=False)
                    if group_value(self._stored(session, row.schema_id).metadata, group) == wanted
                ]
            )
        return [(r.version, self._parsed_by_id(session, r.schema_id)) for r in rows]

    def _schema_for(
        self,
        session: Session,
        parsed: ParsedSchema,
        schema: SchemaInput,
        identity: str,
        schema_id: int | None,
        guid: str | None = None,
    ) -> StoredSchema:
        if schema_id is not None:
            taken = repo.schema_by_id(session, schema_id)
            if taken is not None:
                if taken.fingerprint != identity:
                    raise errors.IdMismatch(
                        f"Schema id {schema_id} is already used by a different schema"
                    )
                return taken
        else:
            found = repo.schema_by_fingerprint(session, identity)
            if found is not None:
                return found
            schema_id = repo.max_schema_id(session) + 1
        stored = StoredSchema(
            id=schema_id,
            schema_type=parsed.schema_type,
            schema=schema.schema,
            canonical=parsed.canonical,
            fingerprint=identity,
            references=schema.references,
            metadata=schema.metadata,
            rule_set=schema.rule_set,
            guid=guid or schema_guid(identity),
        )
        repo.insert_schema(session, stored)
        return stored

    @staticmethod
    def _allocate_version(
        session: Session, subject: str, wanted: int | None, schema_id: int
    ) -> int:
        if wanted is None or wanted == LATEST:
            return repo.max_version(session, subject) + 1
        if wanted < 1:
            raise errors.InvalidVersion(f"Invalid version {wanted}: versions start at 1")
        if repo.version_row(session, subject, wanted) is not None:
            raise errors.InvalidVersion(f"Version {wanted} of subject '{subject}' already exists")
        return wanted

    # --- reads ------------------------------------------------------------------------------

    def schema_by_id(self, schema_id: int) -> StoredSchema:
        """The schema with a global id (from memory once seen: ids never change meaning).

        Confluent's ``?subject=`` on this lookup only selects a context and never restricts
        the answer, so it is not a parameter here.
        """
        cached = self._by_id.get(schema_id)
        if cached is not None:
            return cached
        with self.db.read() as session:
            return self._stored(session, schema_id)

    def schema_by_guid(self, guid: str) -> StoredSchema:
        """The schema with a GUID (Confluent 8's ``GET /schemas/guids/{guid}``)."""
        return self.schema_by_id(self.ids_by_guid(guid)[0])

    def ids_by_guid(self, guid: str) -> list[int]:
        """The global ids of the schema with a GUID (one, unless an import gave it several);
        40403 when there is none."""
        canonical = parse_guid(guid)
        with self.db.read() as session:
            ids = repo.schema_ids_by_guid(session, canonical)
        if not ids:
            raise errors.SchemaNotFound(f"Schema {guid} not found")
        return ids

    def schemas_newest_first(self, batch: int = 1000) -> Iterator[list[StoredSchema]]:
        """Every schema, newest id first, ``batch`` at a time (one short read each)."""
        before: int | None = None
        while True:
            with self.db.read() as session:
                found = repo.schemas_before(session, before, batch)
            if not found:
                return
            yield found
            before = found[-1].id

    def max_schema_id(self) -> int:
        """The highest global id handed out so far (0 when none)."""
        with self.db.read() as session:
            return repo.max_schema_id(session)

    def subjects_of_schema(
        self, schema_id: int, *, deleted: bool = False, subject: str | None = None
    ) -> list[str]:
        """Subjects that have a version pointing at the id."""
        with self.db.read() as session:
            self._stored(session, schema_id)
            pairs = repo.versions_of_schema(session, schema_id, include_deleted=deleted)
        names = sorted({s for s, _ in pairs if subject is None or s == subject})
        return names

    def versions_of_schema(self, schema_id: int, *, deleted: bool = False) -> list[tuple[str, int]]:
        """(subject, version) pairs pointing at the id."""
        with self.db.read() as session:
            self._stored(session, schema_id)
            return repo.versions_of_schema(session, schema_id, include_deleted=deleted)

    def list_schemas(
        self,
        *,
        prefix: str = "",
        deleted: bool = False,
        latest_only: bool = False,
        offset: int = 0,
        limit: int = -1,
    ) -> list[SubjectVersion]:
        """Every subject version (optionally only each subject's latest), paginated."""
        with self.db.read() as session:
            rows = repo.schema_listing(
                session,
                prefix=prefix,
                include_deleted=deleted,
                latest_only=latest_only,
                offset=offset,
                limit=limit,
            )
            schemas = self._stored_many(session, [i for _, _, i in rows])
            return [SubjectVersion(s, v, schemas[i]) for s, v, i in rows]

    def list_subjects(
        self, *, prefix: str = "", deleted: bool = False, deleted_only: bool = False
    ) -> list[str]:
        """Subject names: live ones, or with soft-deleted ones, or only soft-deleted ones."""
        state = "only" if deleted_only else ("all" if deleted else "live")
        with self.db.read() as session:
            return repo.subjects(session, prefix=prefix, deleted=state)

    def list_versions(
        self, subject: str, *, deleted: bool = False, deleted_only: bool = False
    ) -> list[int]:
        """Version numbers of a subject."""
        with self.db.read() as session:
            rows = repo.version_rows(session, subject)
        if not rows or (not deleted and not deleted_only and all(r.deleted for r in rows)):
            raise errors.SubjectNotFound(subject)
        if deleted_only:
            return [r.version for r in rows if r.deleted]
        return [r.version for r in rows if deleted or not r.deleted]

    def get_version(
        self, subject: str, version: str | int, *, deleted: bool = False
    ) -> SubjectVersion:
        """One version of a subject (``latest`` or -1 for the newest)."""
        number = parse_version(version)
        with self.db.read() as session:
            return self._version(session, subject, number, deleted=deleted)

    def _version(
        self, session: Session, subject: str, number: int, *, deleted: bool
    ) -> SubjectVersion:
        if number == LATEST:
            row = repo.latest_version_row(session, subject, include_deleted=deleted)
            if row is None:
                raise errors.SubjectNotFound(subject)
        else:
            row = repo.version_row(session, subject, number)
            if row is None or (row.deleted and not deleted):
                if not repo.has_versions(session, subject, include_deleted=deleted):
                    raise errors.SubjectNotFound(subject)
                raise errors.VersionNotFound(f"Version {number} not found for subject '{subject}'.")
        return SubjectVersion(
            subject, row.version, self._stored(session, row.schema_id), row.deleted
        )

    def referenced_by(self, subject: str, version: str | int) -> list[int]:
        """Ids of live schemas that reference this subject version."""
        number = parse_version(version)
        with self.db.read() as session:
            found = self._version(session, subject, number, deleted=True)
            return repo.referencing_schema_ids(session, subject, found.version)

    def lookup(
        self,
        subject: str,
        schema: SchemaInput,
        *,
        normalize: bool | None = None,
        deleted: bool = False,
    ) -> SubjectVersion:
        """The version of ``subject`` that holds this schema (40401 / 40403 when none)."""
        with self.db.read() as session:
            if not repo.has_versions(session, subject, include_deleted=deleted):
                raise errors.SubjectNotFound(subject)
            config = self._effective_config(session, subject)
            parsed = self.parse_input(
                session, schema, normalize=config.normalize if normalize is None else normalize
            )
            found = self._existing_version(
                session,
                subject,
                schema_identity(parsed, schema),
                parsed,
                schema,
                include_deleted=deleted,
            )
            if found is None:
                raise errors.SchemaNotFound("Schema not found")
            return found

    def latest_with_metadata(
        self, subject: str, wanted: Mapping[str, str], *, deleted: bool = False
    ) -> SubjectVersion:
        """The newest version whose metadata properties hold every pair of ``wanted``
        (Confluent's ``GET /subjects/{s}/metadata``; 40401 / 40403 when there is none)."""
        with self.db.read() as session:
            rows = [r for r in repo.version_rows(session, subject) if deleted or not r.deleted]
            if not rows:
                raise errors.SubjectNotFound(subject)
            for row in reversed(rows):
                stored = self._stored(session, row.schema_id)
                if has_properties(stored.metadata, wanted):
                    return SubjectVersion(subject, row.version, stored, row.deleted)
        raise errors.SchemaNotFound("Schema not found")

    def test_compatibility(
        self,
        subject: str,
        schema: SchemaInput,
        version: str | int | None = None,
        *,
        normalize: bool | None = None,
    ) -> CompatibilityResult:
        """Judge a schema against one version, or against every version the level requires,
        as a registration would: with the metadata it would be registered with, and within
        its compatibility group (a version of another group is no constraint)."""
        return self.judge_compatibility(subject, schema, version, normalize=normalize).result

    def judge_compatibility(
        self,
        subject: str,
        schema: SchemaInput,
        version: str | int | None = None,
        *,
        normalize: bool | None = None,
    ) -> Judgement:
        """:meth:`test_compatibility` with the parsed candidate and the versions it was
        checked against, for advice that weighs the findings (``registry.reads``)."""
        with self.db.read() as session:
            config = self._effective_config(session, subject)
            parsed = self.parse_input(
                session, schema, normalize=config.normalize if normalize is None else normalize
            )
            schema = self._with_contract(session, subject, schema, config)
            level = config.compatibility
            previous: list[tuple[int | None, ParsedSchema]]
            if version is not None:
                target = self._version(session, subject, parse_version(version), deleted=False)
                previous = [(target.version, self._parsed_by_id(session, target.schema.id))]
                if config.group is not None and group_value(
                    target.schema.metadata, config.group
                ) != group_value(schema.metadata, config.group):
                    previous = []
                level = level.single
            else:
                previous = self._versions_to_check(
                    session, subject, level, config.group, schema.metadata
                )
            result = check_compatibility(
                get_format(parsed.schema_type), parsed, previous, level, config.policy
            )
            return Judgement(result, parsed, dict(previous))


@dataclass(frozen=True, slots=True)
class Judgement:
    """A compatibility verdict with the candidate and the versions it was checked against."""

    result: CompatibilityResult
    candidate: ParsedSchema
    earlier: Mapping[int | None, ParsedSchema]
