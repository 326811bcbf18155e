"""The vocabulary of cloud sync: sources, targets, results and drift.

A *source* is the registry we treat as the truth (read over HTTP with
:class:`~registry.client.RegistryClient`, or in-process by the server). A *target* is one cloud
registry (EventBridge, Azure, Glue) behind the small :class:`SyncTarget` protocol; each lives in
its own module and is listed in :data:`registry.sync.TARGETS`. The runner
(:mod:`registry.sync.runner`) compares the two and pushes what is missing, in version order.

Errors raised by targets, all :class:`~registry.errors.RegistryError`::

    UpstreamError
    ├── TargetError            the target refused one call (the subject is reported failed)
    │   └── TargetThrottled    HTTP 429 or a throttling code: retried with backoff
    └── RegistryUnreachable
        └── TargetUnreachable  no answer at all: the run stops (exit 3)
    InvalidInput
    ├── NotConvertible         a version has no form the target accepts (subject skipped)
    └── TargetMisconfigured    missing group, bad credentials, bad options (exit 2)
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, ClassVar, Protocol

from registry.client import RegistryClient
from registry.domain import CompatibilityLevel, Reference, SchemaType
from registry.errors import (
    NotConvertible,
    TargetMisconfigured,
)
from registry.wire import config_from_wire, schema_from_wire

# --- source -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceVersion:
    """One version of a subject as the source registry stores it."""

    subject: str
    version: int
    schema: str
    schema_type: SchemaType = SchemaType.AVRO
    references: tuple[Reference, ...] = ()


class SchemaSource(Protocol):
    """Read access to the registry that is the source of truth."""

    def subjects(self, prefix: str | None = None) -> list[str]:
        """Live subject names, sorted, optionally only those starting with ``prefix``."""
        ...

    def versions(self, subject: str) -> list[SourceVersion]:
        """Every live version of a subject, in ascending version order."""
        ...

    def compatibility(self, subject: str) -> CompatibilityLevel:
        """The compatibility level in force for the subject (its own, else the global one)."""
        ...


class RegistrySource:
    """A :class:`SchemaSource` over the Confluent REST API of a (remote) registry."""

    def __init__(self, client: RegistryClient) -> None:
        self.client = client

    def subjects(self, prefix: str | None = None) -> list[str]:
        """Live subject names from ``GET /subjects?subjectPrefix=``, sorted."""
        names = self.client.subjects(prefix)
        return sorted(n for n in names if prefix is None or n.startswith(prefix))

    def versions(self, subject: str) -> list[SourceVersion]:
        """Each version from ``GET /subjects/{s}/versions/{v}``, ascending."""
        result = []
        for number in sorted(self.client.versions(subject)):
            data = self.client.version(subject, number)
            schema = schema_from_wire(data)
            result.append(
                SourceVersion(
                    subject=subject,
                    version=int(data.get("version", number)),
                    schema=schema.schema,
                    schema_type=schema.schema_type,
                    references=schema.references,
                )
            )
        return result

    def compatibility(self, subject: str) -> CompatibilityLevel:
        """``GET /config/{subject}?defaultToGlobal=true``."""
        level = config_from_wire(self.client.config(subject)).compatibility
        return level or CompatibilityLevel.BACKWARD


# --- target -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RemoteVersion:
    """One version as the target stores it: its own label and its content."""

    label: str
    content: str


@dataclass(frozen=True, slots=True)
class RemoteSchema:
    """What the target holds under one name."""

    name: str
    versions: tuple[RemoteVersion, ...]
    compatibility: str | None = None


@dataclass(frozen=True, slots=True)
class Converted:
    """A source version in the form the target stores (content plus the target's format word)."""

    content: str
    format: str
    note: str = ""


class SyncTarget(Protocol):
    """One cloud registry. Implementations translate their SDK's errors to the errors above."""

    kind: ClassVar[str]

    @property
    def label(self) -> str:
        """Where the target is, for messages (``EventBridge registry 'r' in us-east-1``)."""
        ...

    def ensure_ready(self, *, create: bool) -> bool:
        """Check the container (registry / group) exists; create it when allowed and possible.

        Returns whether it exists now. Raises :class:`TargetMisconfigured` when it is missing
        and cannot be created, :class:`TargetUnreachable` when nothing answers.
        """
        ...

    def remote_name(self, subject: str) -> str:
        """The name the subject gets on the target (sanitized to the target's rules)."""
        ...

    def convert(self, version: SourceVersion) -> Converted:
        """The version in the target's form, or :class:`NotConvertible` with the reason."""
        ...

    def read(self, name: str) -> RemoteSchema | None:
        """Every version stored under ``name``, oldest first; None when the name is unknown."""
        ...

    def push(
        self, name: str, subject: str, converted: Converted, *, first: bool, compatibility: str
    ) -> str:
        """Store one more version (creating the schema when ``first``); return its label.

        Storing content identical to the latest version is not an error: the target answers
        with the existing label.
        """
        ...

    def compatibility_for(self, level: CompatibilityLevel) -> tuple[str, ...]:
        """The target's words that match a registry level, preferred first; () = no notion."""
        ...

    def set_compatibility(self, name: str, value: str) -> bool:
        """Change the schema's compatibility; False when the target cannot (group-level)."""
        ...

    def list_names(self) -> list[str] | None:
        """Every schema name in the container, or None when the target cannot list them."""
        ...


class OfflineClient:
    """What a target gets instead of its SDK client for an offline dry run.

    A dry run only names and converts (:func:`~registry.sync.runner.dry_run`), so it needs no
    credentials and no network; any call on this client is a bug, and says so.
    ``meta.region_name`` answers the region given, for the AWS targets' labels.
    """

    def __init__(self, region: str | None = None) -> None:
        self.meta = SimpleNamespace(region_name=region or "default region")

    def __getattr__(self, name: str) -> Any:
        raise TargetMisconfigured(f"a dry run does not contact the target (it asked for {name!r})")


# --- results and drift -------------------------------------------------------------------------


class Outcome(enum.StrEnum):
    """What a sync did (or, in a dry run, would do) to one subject."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"
    WOULD_PUSH = "would push"  # an offline dry run: the target was not asked what it holds


@dataclass(slots=True)
class SubjectResult:
    """The outcome for one subject, with what the server records as sync state."""

    subject: str
    remote_name: str
    outcome: Outcome
    reason: str = ""
    pushed: list[int] = field(default_factory=list)
    labels: dict[int, str] = field(default_factory=dict)
    last_synced_version: int | None = None
    calls: int = 0
    unreachable: bool = False
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``--format json`` and ``GET /api/sync``."""
        return {
            "subject": self.subject,
            "remote_name": self.remote_name,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "pushed_versions": list(self.pushed),
            "remote_versions": {str(k): v for k, v in sorted(self.labels.items())},
            "last_synced_version": self.last_synced_version,
            "calls": self.calls,
            "notes": list(self.notes),
        }


class DriftKind(enum.StrEnum):
    """How the target differs from the registry."""

    MISSING = "missing"
    DIFFERENT = "different"
    UNKNOWN = "unknown"
    COMPATIBILITY = "compatibility"


@dataclass(frozen=True, slots=True)
class Drift:
    """One difference between the registry and the target."""

    kind: DriftKind
    remote_name: str
    subject: str | None = None
    version: int | None = None
    remote_label: str | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of ``--check --format json``."""
        return {
            "kind": self.kind.value,
            "subject": self.subject,
            "version": self.version,
            "remote_name": self.remote_name,
            "remote_version": self.remote_label,
            "detail": self.detail,
        }


@dataclass(slots=True)
class SyncState:
    """Per target and subject, what the server stores after each attempt (``GET /api/sync``)."""

    target: str
    subject: str
    last_synced_version: int | None = None
    last_error: str | None = None
    attempts: int = 0

    def record(self, result: SubjectResult) -> None:
        """Fold one result in: success clears the error and the attempt count."""
        if result.last_synced_version is not None:
            self.last_synced_version = result.last_synced_version
        if result.outcome is Outcome.FAILED:
            self.last_error = result.reason
            self.attempts += 1
        else:
            self.last_error = result.reason if result.outcome is Outcome.SKIPPED else None
            self.attempts = 0


# --- helpers shared by targets -----------------------------------------------------------------


def canonical_json(text: str) -> str:
    """A comparison form: sorted keys, no whitespace; non-JSON text is only stripped."""
    try:
        return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
    except ValueError:
        return text.strip()


def sanitize_name(subject: str, *, allowed: str, max_length: int, first: str = "") -> str:
    """Map a subject to a name matching ``[allowed]{1,max_length}``.

    Every other character becomes ``_``; a name that had to change or is too long gets a short
    hash of the subject appended, so distinct subjects keep distinct names.
    """
    name = re.sub(f"[^{allowed}]", "_", subject)
    if first and not re.match(f"[{first}]", name):
        name = "s" + name
    if name == subject and len(name) <= max_length:
        return name
    digest = hashlib.sha256(subject.encode()).hexdigest()[:8]
    return f"{name[: max_length - 9]}-{digest}"


def refuse_references(version: SourceVersion, target: str) -> None:
    """Targets do not resolve Confluent references: refuse such versions with the reason."""
    if version.references:
        names = ", ".join(f"{r.subject} v{r.version}" for r in version.references)
        raise NotConvertible(
            f"version {version.version} references other subjects ({names}); "
            f"{target} cannot resolve schema references"
        )
