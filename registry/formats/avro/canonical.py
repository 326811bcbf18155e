"""Avro's Parsing Canonical Form and its 64-bit fingerprint.

The registry's identity is ``ParsedSchema.canonical`` (:mod:`.parse`), which keeps defaults and
aliases. The Parsing Canonical Form (specification, "Parsing Canonical Form for Schemas") drops
them, so it is the basis of Avro fingerprints, not of identity.
"""

from __future__ import annotations

import json

from fastavro.schema import fingerprint as _fastavro_fingerprint

from registry.formats.avro.parse import compiled_of, dumps
from registry.formats.avro.schema import Node
from registry.formats.base import ParsedSchema


def parsing_canonical_form(schema: ParsedSchema) -> str:
    """Avro's Parsing Canonical Form (specification, "Parsing Canonical Form for Schemas").

    It keeps only what affects parsing binary data (names, types, fields, symbols, items,
    values, sizes), so it is the basis of Avro fingerprints, not of the registry's identity.
    Named types from references are written out in full where first used.
    """
    return _pcf(compiled_of(schema, "the schema").root, set())


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
        return head + f',"symbols":{dumps(list(node.symbols))}}}'
    if kind == "fixed":
        return head + f',"size":{node.size}}}'
    fields = ",".join(
        f'{{"name":{json.dumps(f.name)},"type":{_pcf(f.type, seen)}}}' for f in node.fields
    )
    return head + f',"fields":[{fields}]}}'
