"""The Avro schema format: parse, identity, compatibility, validation and examples.

* ``parse`` decodes the JSON, validates it to the Avro specification (``avro_schema``), then
  compiles it with fastavro, with the named types of referenced schemas preloaded so that
  ``"type": "com.acme.Address"`` defined in a referenced subject resolves.
* The identity (``ParsedSchema.canonical``) is the document as compact JSON with sorted keys:
  whitespace and key order do not matter, every attribute does (defaults, aliases, logical types,
  order, doc). With ``normalize=True`` names are also fully qualified, redundant namespaces
  dropped and ``{"type": "int"}`` written ``"int"``. Avro's Parsing Canonical Form (which drops
  defaults and aliases, so is not an identity) is :func:`parsing_canonical_form`.
* ``check`` applies the specification's schema-resolution rules (``avro_resolve``); each finding
  carries, when one is found within a small time budget, a counterexample that fastavro really
  fails to read (``avro_data``). The compatibility policy does not apply to Avro.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Sequence
from typing import Any, ClassVar

from fastavro.schema import fingerprint as _fastavro_fingerprint
from fastavro.schema import parse_schema

from registry.domain import CompatibilityPolicy, SchemaType
from registry.errors import InvalidSchema
from registry.formats.avro_data import counterexample, generate, violations
from registry.formats.avro_resolve import resolve
from registry.formats.avro_rules import RULES
from registry.formats.avro_schema import AvroCompiled, Builder, Node, check_nesting
from registry.formats.base import Incompatibility, ParsedSchema, ResolvedReference, Rule, Violation

EXAMPLE_BUDGET_SECONDS = 0.25


class AvroFormat:
    """Apache Avro schemas (``schemaType`` AVRO, the default)."""

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
        if not isinstance(text, str):
            raise InvalidSchema("Invalid Avro schema: the schema must be a JSON string")
        check_nesting(text)
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidSchema(
                f"Invalid Avro schema: not valid JSON at line {exc.lineno} column {exc.colno}: "
                f"{exc.msg}"
            ) from None
        known: dict[str, Node] = {}
        named: dict[str, Any] = {}
        for ref in references:
            compiled = _compiled(ref.schema, f"reference '{ref.name}'")
            for name, node in compiled.types.items():
                known.setdefault(name, node)
            for name, fa in compiled.named.items():
                named.setdefault(name, fa)
        built = Builder(known).build(document)
        fa_schema, fa_named = _fastavro(document, built.ignored_logical, named)
        compiled = AvroCompiled(built.root, built.types, built.local, fa_schema, fa_named)
        return ParsedSchema(
            schema_type=SchemaType.AVRO,
            text=text,
            document=document,
            canonical=_dumps(built.normalized if normalize else document),
            references=tuple(references),
            compiled=compiled,
        )

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
        r = _compiled(reader, "the reader schema")
        w = _compiled(writer, "the writer schema")
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
        root = _compiled(schema, "the schema").root
        try:
            return violations(root, instance)
        except RecursionError:
            return [Violation("", "the instance nests too deeply to validate", root.path)]

    def examples(self, schema: ParsedSchema, n: int, *, seed: int = 0) -> list[Any]:
        """Up to ``n`` instances valid under ``schema``, the same ones for the same ``seed``."""
        return generate(_compiled(schema, "the schema"), n, seed)


def parsing_canonical_form(schema: ParsedSchema) -> str:
    """Avro's Parsing Canonical Form (specification, "Parsing Canonical Form for Schemas").

    It keeps only what affects parsing binary data (names, types, fields, symbols, items,
    values, sizes), so it is the basis of Avro fingerprints, not of the registry's identity.
    Named types from references are written out in full where first used.
    """
    return _pcf(_compiled(schema, "the schema").root, set())


def fingerprint64(schema: ParsedSchema) -> int:
    """The CRC-64-AVRO (Rabin) fingerprint of the Parsing Canonical Form."""
    return int(_fastavro_fingerprint(parsing_canonical_form(schema), "CRC-64-AVRO"), 16)


def _pcf(node: Node, seen: set[str]) -> str:
    kind = node.kind
    if kind == "union":
        return "[" + ",".join(_pcf(b, seen) for b in node.branches) + "]"
    if kind in ("array", "map"):
        assert node.child is not None
        key = "items" if kind == "array" else "values"
        return f'{{"type":"{kind}","{key}":{_pcf(node.child, seen)}}}'
    if not node.name:
        return json.dumps(kind)
    if node.name in seen:
        return json.dumps(node.name)
    seen.add(node.name)
    head = f'{{"name":{json.dumps(node.name)},"type":"{kind}"'
    if kind == "enum":
        return head + f',"symbols":{_dumps(list(node.symbols))}}}'
    if kind == "fixed":
        return head + f',"size":{node.size}}}'
    fields = ",".join(
        f'{{"name":{json.dumps(f.name)},"type":{_pcf(f.type, seen)}}}' for f in node.fields
    )
    return head + f',"fields":[{fields}]}}'


def _compiled(schema: ParsedSchema, what: str) -> AvroCompiled:
    if schema.schema_type is not SchemaType.AVRO or not isinstance(schema.compiled, AvroCompiled):
        raise InvalidSchema(
            f"Invalid Avro schema: {what} is a {schema.schema_type.value} schema, not a parsed "
            "AVRO schema"
        )
    return schema.compiled


def _fastavro(
    document: Any, ignored_logical: list[str], named: dict[str, Any]
) -> tuple[Any, dict[str, Any]]:
    """Compile with fastavro, without the logical types the specification says to ignore."""
    if ignored_logical:
        document = copy.deepcopy(document)
        for path in ignored_logical:
            _resolve_pointer(document, path).pop("logicalType", None)
    table = dict(named)
    try:
        return parse_schema(document, named_schemas=table), table
    except Exception as exc:  # fastavro raises several unrelated types
        raise InvalidSchema(f"Invalid Avro schema: {exc}") from None


def _resolve_pointer(document: Any, path: str) -> Any:
    node = document
    for token in path.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
