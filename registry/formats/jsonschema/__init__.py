"""JSON Schema (drafts 4, 6, 7, 2019-09 and 2020-12) as a registry schema format.

The public face is :class:`JsonSchemaFormat`; the work is done in private modules:
``parse`` (decoding, meta-schema, ``$ref`` resolution, canonical form), ``validate``
(instances: the jsonschema-rs fast path of ``fast`` and ``patterns``, then ``jsonschema``),
``formats`` (the fixed set of asserted formats), ``examples`` (instance generation), ``compat``
(the semantic compatibility engine), ``counterexamples`` and ``rules`` (the rule catalogue).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from registry.domain import CompatibilityPolicy, SchemaType
from registry.formats.base import (
    Incompatibility,
    ParsedSchema,
    ResolvedReference,
    Rule,
    Violation,
)
from registry.formats.jsonschema.compat import check_compatibility
from registry.formats.jsonschema.examples import generate_examples
from registry.formats.jsonschema.parse import parse_schema
from registry.formats.jsonschema.rules import RULES
from registry.formats.jsonschema.validate import validate_instance


class JsonSchemaFormat:
    """The :class:`~registry.formats.base.SchemaFormat` for ``schemaType`` JSON."""

    schema_type: ClassVar[SchemaType] = SchemaType.JSON
    rules: ClassVar[Sequence[Rule]] = RULES

    def parse(
        self,
        text: str,
        references: Sequence[ResolvedReference] = (),
        *,
        normalize: bool = False,
    ) -> ParsedSchema:
        """Parse, check against the draft's meta-schema and resolve every ``$ref``.

        Raises ``InvalidSchema`` for bad JSON (with line and column), duplicate keys, nesting
        deeper than 256, unknown ``$schema``, meta-schema violations and unresolvable or
        remote ``$ref`` (nothing is fetched).
        """
        return parse_schema(text, references, normalize=normalize)

    def check(
        self,
        reader: ParsedSchema,
        writer: ParsedSchema,
        policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    ) -> list[Incompatibility]:
        """Every reason ``reader`` may reject an instance ``writer`` accepts (empty: ok)."""
        return check_compatibility(reader, writer, policy)

    def validate(self, schema: ParsedSchema, instance: Any) -> list[Violation]:
        """Every violation of ``schema`` by ``instance`` (empty: it conforms)."""
        return validate_instance(schema, instance)

    def examples(self, schema: ParsedSchema, n: int, *, seed: int = 0) -> list[Any]:
        """Up to ``n`` distinct valid instances, deterministic for ``seed``."""
        return generate_examples(schema, n, seed=seed)


__all__ = ["JsonSchemaFormat"]
