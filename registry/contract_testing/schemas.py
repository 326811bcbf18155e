"""Where the schemas of contracts come from: the local ``schemas/`` tree or a registry.

A :class:`SchemaSource` is any callable ``source(subject, version) -> SourceSchema`` (version
None means the latest). This layer cannot import the HTTP client (a sibling layer), so the
pytest plugin passes a source built on ``registry.client.RegistryClient`` when ``--registry-url``
is given; :class:`LocalTreeSource` reads the working tree. :class:`SchemaResolver` parses what a
source returns (references included) with the schema's format and caches the result.

A source may also say where it looks (``where``), list its subjects (``subjects()``) and add a
note about a missing subject (``missing_note(subject)``); :func:`unknown_subject` uses them to
write a message that says where the subject was looked for and what was probably meant.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from registry.domain import Reference, SchemaType
from registry.errors import InvalidInput, InvalidSchema, SubjectNotFound, VersionNotFound
from registry.formats import ParsedSchema, ResolvedReference, SchemaFormat, get_format
from registry.formats.tree import SchemaFile, load_tree


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

    def __init__(self, source: SchemaSource, *, max_depth: int = 32) -> None:
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
