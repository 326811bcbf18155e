"""Value types shared by every layer: schema types, levels, modes, references, schemas.

These are plain frozen dataclasses and enums with no behaviour that needs I/O, so formats,
compatibility, storage, service, API, CLI and the pytest plugin can all speak the same words.
"""

from __future__ import annotations

import enum
import hashlib
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from registry.errors import (
    InvalidAssociation,
    InvalidCompatibilityLevel,
    InvalidInput,
    InvalidMode,
    InvalidSchema,
)

_E = TypeVar("_E", bound=enum.StrEnum)
_V = TypeVar("_V")

#: How deep a chain of references may go (a schema referencing one that references another...).
#: The service refuses a registration beyond it, and the resolvers of the gate and the contract
#: tests stop there too, so a cycle or a runaway chain fails the same way everywhere.
MAX_REFERENCE_DEPTH = 32


def parse_enum(cls: type[_E], text: str, error: Callable[[str], Exception]) -> _E:
    """The member of ``cls`` whose value is ``text`` in any case, or ``error(valid)`` raised.

    ``valid`` lists the members' values in definition order (``"A, B, C"``) for the message.
    Every enum a user may spell (levels, modes, roles, severities...) is read here, so all of
    them accept the same spellings and say what is valid the same way.
    """
    for spelling in (text.upper(), text.lower()):
        try:
            return cls(spelling)
        except ValueError:
            continue
    raise error(", ".join(member.value for member in cls)) from None


class SchemaType(enum.StrEnum):
    """The schema languages the registry stores. PROTOBUF is recognised only to refuse it."""

    AVRO = "AVRO"
    JSON = "JSON"
    PROTOBUF = "PROTOBUF"

    @classmethod
    def parse(cls, value: str | None) -> SchemaType:
        """Read a ``schemaType`` field; absent means AVRO, as in Confluent's API."""
        if value is None or value == "":
            return cls.AVRO
        return parse_enum(
            cls,
            value,
            lambda _: InvalidSchema(
                f"Invalid schemaType '{value}': supported types are AVRO and JSON"
            ),
        )


SUPPORTED_SCHEMA_TYPES: tuple[SchemaType, ...] = (SchemaType.AVRO, SchemaType.JSON)


class CompatibilityLevel(enum.StrEnum):
    """Confluent's compatibility levels."""

    NONE = "NONE"
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"

    @classmethod
    def parse(cls, value: str) -> CompatibilityLevel:
        """Read a level in any case; unknown levels raise ``InvalidCompatibilityLevel``."""
        return parse_enum(
            cls,
            str(value),
            lambda valid: InvalidCompatibilityLevel(
                f"Invalid compatibility level '{value}'. Valid values are: {valid}"
            ),
        )

    @property
    def transitive(self) -> bool:
        """Whether the level checks against every live version, not only the latest."""
        return self.value.endswith("_TRANSITIVE")

    def versions_to_check(
        self, every: Callable[[], Sequence[_V]], latest: Callable[[], _V | None]
    ) -> list[_V]:
        """The versions a new schema is judged against at this level, oldest first.

        Transitive levels judge against every live version (``every()``), the others against
        the latest only (``latest()``, None when there is none). Both are loaders, so that only
        a transitive level reads a subject's whole history (a database table, a git log).
        NONE judges nothing, but picks like the single levels: a caller may still want the
        latest version (the gate compares schema types at every level).
        """
        if self.transitive:
            return list(every())
        found = latest()
        return [] if found is None else [found]

    def pick_versions(self, live: Sequence[_V]) -> list[_V]:
        """:meth:`versions_to_check` over versions already in hand (live ones, oldest first)."""
        return self.versions_to_check(lambda: live, lambda: live[-1] if live else None)

    @property
    def single(self) -> CompatibilityLevel:
        """The same directions against one version: the level without ``_TRANSITIVE``."""
        return _SINGLE.get(self, self)

    @property
    def checks_backward(self) -> bool:
        """Whether the new schema must read data written with earlier ones."""
        return self.value.startswith(("BACKWARD", "FULL"))

    @property
    def checks_forward(self) -> bool:
        """Whether earlier schemas must read data written with the new one."""
        return self.value.startswith(("FORWARD", "FULL"))


_SINGLE = {
    CompatibilityLevel.BACKWARD_TRANSITIVE: CompatibilityLevel.BACKWARD,
    CompatibilityLevel.FORWARD_TRANSITIVE: CompatibilityLevel.FORWARD,
    CompatibilityLevel.FULL_TRANSITIVE: CompatibilityLevel.FULL,
}


class CompatibilityPolicy(enum.StrEnum):
    """How JSON Schema content models are judged (Confluent's ``compatibilityPolicy``)."""

    STRICT = "STRICT"
    LENIENT = "LENIENT"

    @classmethod
    def parse(cls, value: str) -> CompatibilityPolicy:
        """Read a policy in any case; unknown values raise ``InvalidCompatibilityLevel``."""
        return parse_enum(
            cls,
            str(value),
            lambda valid: InvalidCompatibilityLevel(
                f"Invalid compatibility policy '{value}'. Valid values are: {valid}"
            ),
        )


class Mode(enum.StrEnum):
    """Confluent's registry modes."""

    READWRITE = "READWRITE"
    READONLY = "READONLY"
    READONLY_OVERRIDE = "READONLY_OVERRIDE"
    IMPORT = "IMPORT"

    @classmethod
    def parse(cls, value: str) -> Mode:
        """Read a mode in any case; unknown modes raise ``InvalidMode``."""
        return parse_enum(
            cls,
            str(value),
            lambda valid: InvalidMode(f"Invalid mode '{value}'. Valid values are: {valid}"),
        )


@dataclass(frozen=True, slots=True)
class Reference:
    """A named pointer from one schema to a version of another subject."""

    name: str
    subject: str
    version: int

    def as_dict(self) -> dict[str, Any]:
        """The Confluent wire form."""
        return {"name": self.name, "subject": self.subject, "version": self.version}


@dataclass(frozen=True, slots=True)
class SchemaInput:
    """What a client sends to register, look up or test a schema."""

    schema: str
    schema_type: SchemaType = SchemaType.AVRO
    references: tuple[Reference, ...] = ()
    metadata: dict[str, Any] | None = None
    rule_set: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class StoredSchema:
    """A schema as stored under its global id (immutable once written)."""

    id: int
    schema_type: SchemaType
    schema: str
    canonical: str
    fingerprint: str
    references: tuple[Reference, ...] = ()
    metadata: dict[str, Any] | None = None
    rule_set: dict[str, Any] | None = None
    guid: str | None = None


def schema_guid(identity: str) -> str:
    """A schema's GUID: the first 128 bits of its identity, as a UUID.

    Confluent 8 derives its GUIDs from the schema's content too (an MD5 of the schema text,
    references, metadata and ruleSet, as ``Schema.getGuid`` does): the same schema has the
    same GUID in every subject and on every node, and again after a restore. (An identity
    that is not a hash, as in a row written by hand, is hashed first.)
    """
    if not re.fullmatch(r"[0-9a-f]{32,}", identity):  # not a hash (a row written by hand)
        identity = hashlib.sha256(identity.encode()).hexdigest()
    return str(uuid.UUID(hex=identity[:32]))


@dataclass(frozen=True, slots=True)
class SubjectVersion:
    """One version of a subject and the schema it points to."""

    subject: str
    version: int
    schema: StoredSchema
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class SubjectConfig:
    """Compatibility settings, global (subject None) or for one subject; None is unset.

    ``group`` is Confluent's ``compatibilityGroup``: the metadata property whose value splits
    a subject's versions into groups checked only among themselves. The default and override
    metadata and rule sets are merged into every schema registered (Confluent's
    ``defaultMetadata``, ``overrideMetadata``, ``defaultRuleSet``, ``overrideRuleSet``).
    """

    compatibility: CompatibilityLevel | None = None
    policy: CompatibilityPolicy | None = None
    normalize: bool | None = None
    group: str | None = None
    default_metadata: dict[str, Any] | None = None
    override_metadata: dict[str, Any] | None = None
    default_rule_set: dict[str, Any] | None = None
    override_rule_set: dict[str, Any] | None = None

    def is_empty(self) -> bool:
        """Whether no setting is set at all."""
        return all(getattr(self, name) is None for name in CONFIG_FIELDS)


#: The settings of a config, by attribute name, in the order Confluent's ``Config`` lists them.
CONFIG_FIELDS = (
    "compatibility",
    "policy",
    "normalize",
    "group",
    "default_metadata",
    "override_metadata",
    "default_rule_set",
    "override_rule_set",
)


@dataclass(frozen=True, slots=True)
class ConfigUpdate:
    """A change to a config: the settings ``named`` take the values of ``values`` (None there
    clears a setting); the others keep theirs."""

    values: SubjectConfig
    named: frozenset[str]

    def applied_to(self, old: SubjectConfig) -> SubjectConfig:
        """The config after this change."""
        return replace(old, **{name: getattr(self.values, name) for name in self.named})


@dataclass(frozen=True, slots=True)
class EffectiveConfig:
    """Settings in force for a subject after falling back to the global ones."""

    compatibility: CompatibilityLevel
    policy: CompatibilityPolicy
    normalize: bool
    group: str | None = None
    default_metadata: dict[str, Any] | None = None
    override_metadata: dict[str, Any] | None = None
    default_rule_set: dict[str, Any] | None = None
    override_rule_set: dict[str, Any] | None = None


@dataclass(slots=True)
class AuditEntry:
    """One write recorded in the audit log."""

    action: str
    subject: str | None = None
    version: int | None = None
    schema_id: int | None = None
    actor: str | None = None
    remote: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


class Role(enum.StrEnum):
    """What a user may do: readers read; writers also register and test compatibility;
    admins also change config and mode, delete, and manage users."""

    READER = "reader"
    WRITER = "writer"
    ADMIN = "admin"

    @classmethod
    def parse(cls, value: str) -> Role:
        """Read a role name in any case."""
        return parse_enum(
            cls,
            value,
            lambda _: InvalidInput(f"Invalid role '{value}': use reader, writer or admin"),
        )


class Action(enum.IntEnum):
    """What a request does; each role allows the actions up to its own."""

    READ = 1
    WRITE = 2
    ADMIN = 3


ROLE_ALLOWS: dict[Role, Action] = {
    Role.READER: Action.READ,
    Role.WRITER: Action.WRITE,
    Role.ADMIN: Action.ADMIN,
}


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller. ``subjects`` are patterns (``orders.*`` is a prefix); empty
    means every subject."""

    name: str
    role: Role
    subjects: tuple[str, ...] = ()

    def allows(self, action: Action, subject: str | None = None) -> bool:
        """Whether this caller may perform ``action`` (on ``subject`` when there is one)."""
        if action > ROLE_ALLOWS[self.role]:
            return False
        if subject is None or not self.subjects or self.role is Role.ADMIN:
            return True
        return any(
            subject.startswith(p[:-1]) if p.endswith("*") else subject == p for p in self.subjects
        )


class Lifecycle(enum.StrEnum):
    """How an association ties a subject to its resource (Confluent's ``LifecyclePolicy``):
    STRONG, the subject belongs to the resource and goes with it; WEAK, it only uses it."""

    STRONG = "STRONG"
    WEAK = "WEAK"

    @classmethod
    def parse(cls, value: str) -> Lifecycle:
        """Read a lifecycle in any case; anything else is an ``InvalidAssociation``."""
        return parse_enum(
            cls,
            str(value),
            lambda valid: InvalidAssociation(
                f"Invalid association: lifecycle '{value}' is not one of {valid}"
            ),
        )


@dataclass(frozen=True, slots=True)
class Association:
    """The subject a resource (a Kafka topic) uses for its keys or its values."""

    subject: str
    guid: str
    resource_name: str
    resource_namespace: str
    resource_id: str
    resource_type: str
    association_type: str
    lifecycle: Lifecycle
    frozen: bool = False
