"""The contract every schema format keeps, and the vocabulary of compatibility rules.

A format (``avro/``, ``jsonschema/``) is one object implementing :class:`SchemaFormat`:
it parses and validates schema text into a :class:`ParsedSchema` carrying its canonical form,
judges whether a *reader* schema can read everything a *writer* schema may produce, validates
instances and generates example instances. Formats are pure: no web, database or cloud imports.

Compatibility findings are :class:`Incompatibility` values naming a :class:`Rule` from the
format's catalogue (``RULES``), so every front end (REST ``verbose``, ``esr check``, the CI gate)
prints the same stable rule ids.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, ClassVar, Protocol, runtime_checkable

from registry.domain import CompatibilityPolicy, SchemaType


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of incompatibility, with a stable id and an example pair for the docs.

    ``writer`` and ``reader`` are example schema documents that break the rule in the BACKWARD
    direction (the reader cannot read everything the writer produces).
    """

    id: str
    title: str
    description: str
    writer: Any = None
    reader: Any = None
    policy: CompatibilityPolicy | None = None


@dataclass(frozen=True, slots=True)
class Incompatibility:
    """Why a reader schema cannot read some data a writer schema allows.

    ``reader_path`` and ``writer_path`` are JSON pointers (RFC 6901, starting with ``/`` or
    empty for the root) into the reader and writer schema documents. ``example`` is, when the
    format could find one within its budget, an instance valid under the writer that the reader
    rejects (``has_example`` tells an example of ``None`` from no example).
    """

    rule_id: str
    message: str
    reader_path: str = ""
    writer_path: str = ""
    example: Any = None
    has_example: bool = False

    def with_example(self, example: Any) -> Incompatibility:
        """A copy carrying a counterexample instance."""
        return Incompatibility(
            self.rule_id, self.message, self.reader_path, self.writer_path, example, True
        )


@dataclass(frozen=True, slots=True)
class Violation:
    """Why an instance does not conform to a schema (for contract tests)."""

    path: str
    message: str
    schema_path: str = ""
    expected: Any = None
    actual: Any = None


@dataclass(frozen=True, eq=False)
class ResolvedReference:
    """A reference whose target schema has been loaded and parsed.

    ``name`` is the reference name the referring schema uses: for Avro the full name of a named
    type defined in the referenced schema; for JSON Schema the URI a ``$ref`` points to.
    """

    name: str
    subject: str
    version: int
    schema: ParsedSchema


@dataclass(frozen=True, eq=False)
class ParsedSchema:
    """A schema that parsed and validated, with everything needed to compare and use it.

    ``canonical`` is the identity form: compact JSON that keeps every part with meaning (for
    Avro: defaults, aliases, logical types, order) and drops whitespace and key order.
    ``document`` is the parsed JSON document as written. ``compiled`` is whatever the format
    keeps for fast validation (fastavro's parsed schema, a jsonschema validator...).
    """

    schema_type: SchemaType
    text: str
    document: Any
    canonical: str
    references: tuple[ResolvedReference, ...] = ()
    compiled: Any = field(default=None, repr=False)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of type, canonical form and references: equal exactly when identity is."""
        refs = [(r.name, r.subject, r.version) for r in self.references]
        return schema_fingerprint(self.schema_type, self.canonical, refs)


def schema_fingerprint(
    schema_type: SchemaType, canonical: str, references: Sequence[tuple[str, str, int]]
) -> str:
    """SHA-256 over a schema's type, canonical form and references."""
    refs = [list(r) for r in references]
    payload = json.dumps([schema_type.value, canonical, refs], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` in JSON text, found without parsing it.

    Used to refuse hostile documents (10,000 nested arrays, say) before any recursive parser
    sees them. Strings are blanked out first, so brackets inside them do not count; the scan
    is linear and touches only the brackets.
    """
    brackets = _BRACKETS.findall(_JSON_STRING.sub('""', text))
    steps = accumulate(1 if b in "[{" else -1 for b in brackets)
    return max(steps, default=0)


@runtime_checkable
class SchemaFormat(Protocol):
    """What every schema format implements."""

    schema_type: ClassVar[SchemaType]
    rules: ClassVar[Sequence[Rule]]

    def parse(
        self,
        text: str,
        references: Sequence[ResolvedReference] = (),
        *,
        normalize: bool = False,
    ) -> ParsedSchema:
        """Parse and validate ``text``; raise ``InvalidSchema`` with a precise message."""
        ...

    def check(
        self,
        reader: ParsedSchema,
        writer: ParsedSchema,
        policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    ) -> list[Incompatibility]:
        """Everything that stops ``reader`` reading data written with ``writer`` (empty: ok)."""
        ...

    def validate(self, schema: ParsedSchema, instance: Any) -> list[Violation]:
        """Every way ``instance`` fails to conform to ``schema`` (empty: it conforms)."""
        ...

    def examples(self, schema: ParsedSchema, n: int, *, seed: int = 0) -> list[Any]:
        """Up to ``n`` instances valid under ``schema``, deterministic for a seed."""
        ...
