"""Where the schemas of contracts come from: the local ``schemas/`` tree or a registry.

A :class:`SchemaSource` is any callable ``source(subject, version) -> SourceSchema`` (version
None means the latest). :class:`LocalTreeSource` reads the working tree; :class:`RegistrySource`
reads a registry through a ``registry.client.RegistryClient`` (the pytest plugin's
``--registry-url``, and ``esr gate --against URL``). :class:`SchemaResolver` parses what a
source returns (references included, at most ``MAX_REFERENCE_DEPTH`` deep) with the schema's
format and caches the result: the plugin and the gate resolve registered schemas with this one.

A source may also say where it looks (``where``), list its subjects (``subjects()``) and add a
note about a missing subject (``missing_note(subject)``); :func:`unknown_subject` uses them to
write a message that says where the subject was looked for and what was probably meant.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from registry.contract_testing.access import RegistryAccess
from registry.domain import MAX_REFERENCE_DEPTH, Reference, SchemaType
from registry.errors import (
    AccessDenied,
    AuthenticationRequired,
    InvalidInput,
    InvalidSchema,
    RegistryError,
    SubjectNotFound,
    VersionNotFound,
)
from registry.formats import ParsedSchema, ResolvedReference, SchemaFormat, get_format
from registry.formats.tree import SchemaFile, load_tree
from registry.wire import schema_from_wire


@dataclass(frozen=True, slots=True)
class SourceSchema:
    """A schema as a source hands it over, before parsing.

    ``version`` is the registered version, or None for a schema read from the working tree;
    ``schema_id`` is the registry's global id when known (it goes into wire-format headers).
    """

    subject: str
    schema_type: SchemaType
    text: str
    version: int | None = None
    schema_id: int | None = None
    references: tuple[Reference, ...] = ()
    origin: str = ""


class SchemaSource(Protocol):
    """Anything that can fetch a subject's schema (``version`` None: the latest)."""

    def __call__(self, subject: str, version: int | None) -> SourceSchema:
        """Return the schema, or raise ``SubjectNotFound``/``VersionNotFound``."""
        ...


class LocalTreeSource:
    """Schemas from a ``schemas/`` tree on disk: one version per subject, the working copy."""

    def __init__(self, root: Path, *, label: str | None = None) -> None:
        self.root = root
        self.where = f"the schemas tree {label or root}"
        self._files: dict[str, SchemaFile] | None = None

    def _tree(self) -> dict[str, SchemaFile]:
        if self._files is None:
            self._files = {f.subject: f for f in load_tree(self.root)}
        return self._files

    def subjects(self) -> list[str]:
        """Every subject of the tree."""
        return sorted(self._tree())

    def __call__(self, subject: str, version: int | None) -> SourceSchema:
        """The file of ``subject``; a pinned ``version`` is verified against the working copy."""
        found = self._tree().get(subject)
        if found is None:
            raise SubjectNotFound(subject)
        return SourceSchema(
            subject, found.schema_type, found.read_text(), None, None, (), str(found.path)
        )


class RegistryReader(Protocol):
    """What :class:`RegistrySource` asks of a ``registry.client.RegistryClient``.

    Written as a protocol, not an import: the client brings httpx, which the import contracts
    keep out of this package (the plugin and the gate pass their client in).
    """

    base_url: str

    def version(self, subject: str, version: int | str = "latest") -> dict[str, Any]:
        """``GET /subjects/{subject}/versions/{version}``."""
        ...

    def subjects(self, prefix: str | None = None, *, deleted: bool = False) -> list[str]:
        """``GET /subjects``."""
        ...


class RegistrySource:
    """Schemas from a registry, over Confluent's REST API; the resolver asks once per version.

    ``access`` (the plugin's URL and credentials) makes an authentication error say what was
    sent; ``tree`` makes a subject missing from the registry but present in the working tree
    say so.
    """

    def __init__(
        self,
        client: RegistryReader,
        *,
        access: RegistryAccess | None = None,
        tree: LocalTreeSource | None = None,
    ) -> None:
        self.client = client
        self.access = access
        self.tree = tree
        self.url = access.url if access is not None else client.base_url
        self.where = f"the registry at {self.url}"
        self._subjects: list[str] | None = None

    def __call__(self, subject: str, version: int | None) -> SourceSchema:
        """``GET /subjects/{subject}/versions/{version or 'latest'}``, read as a schema."""
        try:
            data = self.client.version(subject, version if version is not None else "latest")
        except (AuthenticationRequired, AccessDenied) as exc:
            if self.access is not None:
                sent = self.access.credentials
                if self.access.basic_auth is None and self.access.token is None:
                    sent += "; give --registry-user with ESR_REGISTRY_PASSWORD, or --registry-token"
                exc.message = f"{self.where} answered: {exc.message} (sent {sent})"
                exc.args = (exc.message,)
            raise
        schema = schema_from_wire(data)
        return SourceSchema(
            subject=subject,
            schema_type=schema.schema_type,
            text=schema.schema,
            version=int(data["version"]),
            schema_id=int(data["id"]),
            references=schema.references,
            origin=f"{self.url} {subject}@{data['version']}",
        )

    def subjects(self) -> list[str]:
        """The registry's subjects (asked once, and only to suggest a name)."""
        if self._subjects is None:
            try:
                self._subjects = self.client.subjects()
            except RegistryError:
                self._subjects = []
        return self._subjects

    def missing_note(self, subject: str) -> str:
        """Say so when the schemas tree has a subject the registry lacks."""
        if self.tree is None:
            return ""
        try:
            self.tree(subject, None)
        except RegistryError:
            return ""
        return (
            f" ({self.tree.where} has it: register it, e.g. with esr push, or test against "
            "the schemas tree without a registry URL)"
        )


def unknown_subject(subject: str, source: SchemaSource) -> str:
    """``unknown subject 'x': not in the schemas tree schemas/; did you mean 'y'?``."""
    where = str(getattr(source, "where", "the schema source"))
    note = getattr(source, "missing_note", None)
    extra = str(note(subject)) if callable(note) else ""
    lister = getattr(source, "subjects", None)
    close = similar(subject, [str(s) for s in lister()]) if callable(lister) and not extra else []
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"unknown subject '{subject}': not in {where}{hint}{extra}"


def similar(name: str, known: list[str], limit: int = 3) -> list[str]:
    """The names of ``known`` that ``name`` is probably a misspelling of, best first.

    Only those nearly as close as the best are kept: subjects share long prefixes
    (``orders.``), which makes every one of them look somewhat alike.
    """
    scored = sorted(
        ((difflib.SequenceMatcher(None, name.lower(), k.lower()).ratio(), k) for k in known),
        key=lambda pair: -pair[0],
    )
    if not scored or scored[0][0] < 0.6:
        return []
    return [k for ratio, k in scored[:limit] if ratio >= scored[0][0] - 0.1]


@dataclass(frozen=True, eq=False)
class ResolvedSubject:
    """A subject's schema, parsed, with the format that validates and generates for it."""

    subject: str
    version: int | None
    schema: ParsedSchema
    format: SchemaFormat
    schema_id: int | None
    origin: str

    @property
    def schema_type(self) -> SchemaType:
        """AVRO or JSON."""
        return self.schema.schema_type

    @property
    def label(self) -> str:
        """``subject@3``, or ``subject@local`` for a working-tree schema."""
        return f"{self.subject}@{self.version if self.version is not None else 'local'}"


class SchemaResolver:
    """Fetches and parses subjects through a source, once each."""

    def __init__(self, source: SchemaSource, *, max_depth: int = MAX_REFERENCE_DEPTH) -> None:
        self.source = source
        self.max_depth = max_depth
        self._cache: dict[tuple[str, int | None], ResolvedSubject] = {}

    def resolve(self, subject: str, version: int | None = None) -> ResolvedSubject:
        """The parsed schema of ``subject`` at ``version`` (None: latest)."""
        return self._resolve(subject, version, 0)

    def _resolve(self, subject: str, version: int | None, depth: int) -> ResolvedSubject:
        key = (subject, version)
        if key in self._cache:
            return self._cache[key]
        if depth > self.max_depth:
            raise InvalidInput(f"references nest deeper than {self.max_depth} at '{subject}'")
        try:
            raw = self.source(subject, version)
        except SubjectNotFound as exc:
            exc.message = unknown_subject(subject, self.source)
            exc.args = (exc.message,)
            raise
        except VersionNotFound as exc:
            where = getattr(self.source, "where", "the schema source")
            exc.message = f"subject '{subject}' has no version {version} in {where}"
            exc.args = (exc.message,)
            raise
        references = tuple(
            ResolvedReference(
                ref.name,
                ref.subject,
                ref.version,
                self._resolve(ref.subject, ref.version, depth + 1).schema,
            )
            for ref in raw.references
        )
        fmt = get_format(raw.schema_type)
        try:
            parsed = fmt.parse(raw.text, references)
        except InvalidInput as exc:
            where = raw.origin or subject
            raise InvalidSchema(
                f"{where}: schema of '{subject}' is invalid: {exc.message}"
            ) from None
        resolved = ResolvedSubject(subject, raw.version, parsed, fmt, raw.schema_id, raw.origin)
        self._cache[key] = resolved
        return resolved
