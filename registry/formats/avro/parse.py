"""Avro schema text to a :class:`~registry.formats.base.ParsedSchema`, and back to its graph.

The text is refused before any recursive parser sees it when it nests too deeply, then decoded,
validated to the specification (:mod:`.build`) and compiled with fastavro, with the named types of
referenced schemas preloaded so that ``"type": "com.acme.Address"`` defined in a referenced
subject resolves. The identity (``ParsedSchema.canonical``) is the document as compact JSON with
sorted keys, or with ``normalize`` its normalized form.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from typing import Any

from fastavro.schema import parse_schema as _fastavro_parse

from registry.domain import SchemaType
from registry.errors import InvalidSchema
from registry.formats.avro.build import Builder
from registry.formats.avro.schema import AvroCompiled, Node
from registry.formats.base import ParsedSchema, ResolvedReference, json_depth

MAX_DEPTH = 256


def parse_schema(
    text: str, references: Sequence[ResolvedReference] = (), *, normalize: bool = False
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
        compiled = compiled_of(ref.schema, f"reference '{ref.name}'")
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
        canonical=dumps(built.normalized if normalize else document),
        references=tuple(references),
        compiled=compiled,
    )


def check_nesting(text: str, limit: int = MAX_DEPTH) -> None:
    """Refuse JSON nested deeper than ``limit`` before any recursive parser sees it."""
    if json_depth(text) > limit:
        raise InvalidSchema(
            f"Invalid Avro schema: it nests deeper than {limit} levels, "
            "which this registry does not accept"
        )


def compiled_of(schema: ParsedSchema, what: str) -> AvroCompiled:
    """The node graph and fastavro form of a parsed AVRO schema; ``what`` names it in errors."""
    if schema.schema_type is not SchemaType.AVRO or not isinstance(schema.compiled, AvroCompiled):
        raise InvalidSchema(
            f"Invalid Avro schema: {what} is a {schema.schema_type.value} schema, not a parsed "
            "AVRO schema"
        )
    return schema.compiled


def dumps(value: Any) -> str:
    """Compact JSON with sorted keys: the identity form of a document."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


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
        return _fastavro_parse(document, named_schemas=table), table
    except Exception as exc:  # fastavro raises several unrelated types
        raise InvalidSchema(f"Invalid Avro schema: {exc}") from None


def _resolve_pointer(document: Any, path: str) -> Any:
    node = document
    for token in path.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node
