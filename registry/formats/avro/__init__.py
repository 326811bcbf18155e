"""Apache Avro as a registry schema format.

The public face is :class:`AvroFormat`; the work is done in private modules: ``types`` (the one
table of primitive types, the logical types), ``schema`` (the node graph), ``build`` (documents
to nodes, validated to the specification), ``defaults``, ``parse`` (text, references, fastavro,
the identity form), ``canonical`` (Parsing Canonical Form, fingerprints), ``resolve`` (schema
resolution, as findings), ``rules`` (the rule catalogue), ``validate``, ``examples`` and
``counterexamples``.

* The identity (``ParsedSchema.canonical``) is the document as compact JSON with sorted keys:
  whitespace and key order do not matter, every attribute does (defaults, aliases, logical types,
  order, doc). With ``normalize=True`` names are also fully qualified, redundant namespaces
  dropped and ``{"type": "int"}`` written ``"int"``. Avro's Parsing Canonical Form (which drops
  defaults and aliases, so is not an identity) is in ``canonical``.
* ``check`` applies the specification's schema-resolution rules; each finding carries, when one
  is found within a small time budget, a counterexample that fastavro really fails to read. The
  compatibility policy does not apply to Avro.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, ClassVar

from registry.domain import CompatibilityPolicy, SchemaType
from registry.formats.avro.counterexamples import counterexample
from registry.formats.avro.examples import generate
from registry.formats.avro.parse import compiled_of, parse_schema
from registry.formats.avro.resolve import resolve
from registry.formats.avro.rules import RULES
from registry.formats.avro.validate import violations
from registry.formats.base import Incompatibility, ParsedSchema, ResolvedReference, Rule, Violation

EXAMPLE_BUDGET_SECONDS = 0.25


class AvroFormat:
    """The :class:`~registry.formats.base.SchemaFormat` for ``schemaType`` AVRO (the default)."""

    schema_type: ClassVar[SchemaType] = SchemaType.AVRO
    rules: ClassVar[Sequence[Rule]] = RULES

    def parse(
        self,
        text: str,
        references: Sequence[ResolvedReference] = (),
        *,
        normalize: bool = False,
    ) -> ParsedSchema:
        """Parse and validate Avro schema ``text``; raise ``InvalidSchema`` saying what and where.

        Named types defined in ``references`` (each a parsed AVRO schema) may be used by name.
        """
        return parse_schema(text, references, normalize=normalize)

    def check(
        self,
        reader: ParsedSchema,
        writer: ParsedSchema,
        policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    ) -> list[Incompatibility]:
        """Everything that stops ``reader`` reading data written with ``writer`` (empty: ok).

        Follows the Avro specification's "Schema Resolution" section; ``policy`` has no effect
        on Avro. Counterexamples are attached when found within ``EXAMPLE_BUDGET_SECONDS``.
        """
        r = compiled_of(reader, "the reader schema")
        w = compiled_of(writer, "the writer schema")
        deadline = time.monotonic() + EXAMPLE_BUDGET_SECONDS
        out: list[Incompatibility] = []
        for found in resolve(r, w):
            inc = found.incompatibility
            if time.monotonic() < deadline:
                ok, example = counterexample(r, w, found.steer, deadline)
                if ok:
                    inc = inc.with_example(example)
            out.append(inc)
        return out

    def validate(self, schema: ParsedSchema, instance: Any) -> list[Violation]:
        """Every way ``instance`` fails to conform to ``schema`` (JSON pointers to the datum)."""
        root = compiled_of(schema, "the schema").root
        try:
            return violations(root, instance)
        except RecursionError:
            return [Violation("", "the instance nests too deeply to validate", root.path)]

    def examples(self, schema: ParsedSchema, n: int, *, seed: int = 0) -> list[Any]:
        """Up to ``n`` instances valid under ``schema``, the same ones for the same ``seed``."""
        return generate(compiled_of(schema, "the schema"), n, seed)


__all__ = ["AvroFormat"]
