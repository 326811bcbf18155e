"""Avro schema -> the JSON Schema that code generation reads, names and logical types kept.

The conversion itself is :mod:`registry.formats.convert.avro_to_jsonschema` (the JSON Schema of
the datum's plain JSON form: a union value is the bare value, ``bytes`` are ISO-8859-1 text, a
logical type keeps its base type, so ``timestamp-millis`` is an integer). Generated models
describe that same form, so they read and write what an Avro producer emits as JSON. This module
only adds what a model needs besides validation:

* **names**: every named type becomes a definition titled with its Avro name (``Money`` for
  ``com.shop.orders.Money``), so classes are named as the schema names them; two types of one
  name in different namespaces are told apart by their full names (``ComShopOrdersMoney``);
* **namespaces**: the full name closes each record's and enum's docstring;
* **logical types**: ``uuid`` strings get ``format: uuid`` (typed ``UUID`` in pydantic models);
  the others keep their base type and say what the number or text means in the field's
  docstring (``timestamp-millis``: milliseconds since the epoch, UTC).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from registry.errors import NotConvertible
from registry.formats.avro.types import NAMED_TYPE_WORDS
from registry.formats.convert.avro_to_jsonschema import avro_to_jsonschema
from registry.formats.infer.values import pascal_case

LOGICAL = "x-avro-logicalType"
_DEFINITIONS = "#/definitions/"

_MEANINGS = {
    "uuid": "a UUID in its 36-character text form",
    "date": "days since 1970-01-01",
    "time-millis": "milliseconds after midnight",
    "time-micros": "microseconds after midnight",
    "timestamp-millis": "milliseconds since 1970-01-01T00:00:00Z",
    "timestamp-micros": "microseconds since 1970-01-01T00:00:00Z",
    "timestamp-nanos": "nanoseconds since 1970-01-01T00:00:00Z",
    "local-timestamp-millis": "milliseconds since 1970-01-01T00:00:00, local time",
    "local-timestamp-micros": "microseconds since 1970-01-01T00:00:00, local time",
    "local-timestamp-nanos": "nanoseconds since 1970-01-01T00:00:00, local time",
    "duration": "months, days and milliseconds, three little-endian unsigned 32-bit integers",
    "big-decimal": "a decimal as Avro encodes it in bytes",
}


def avro_json_schema(document: Any) -> dict[str, Any]:
    """The JSON Schema to generate models from for a parsed (and valid) Avro schema document.

    Raises ``NotConvertible`` when the schema has no JSON Schema form (an unknown type name, a
    type defined twice).
    """
    converted = avro_to_jsonschema(document, logical_types=True)
    definitions: dict[str, Any] = converted.pop("definitions", {})
    root = _root_fullname(document)
    names = _class_names([*([root] if root else []), *definitions])
    renamed = {names[full]: _named(full, body, names[full]) for full, body in definitions.items()}
    if root is not None:
        converted = _named(root, converted, names[root])
    if renamed:
        converted["definitions"] = renamed
    refs = {f"{_DEFINITIONS}{full}": f"{_DEFINITIONS}{name}" for full, name in names.items()}
    rewritten: dict[str, Any] = _rewritten(converted, refs)
    return rewritten


def _root_fullname(document: Any) -> str | None:
    if not isinstance(document, dict) or document.get("type") not in NAMED_TYPE_WORDS:
        return None
    name = str(document.get("name", ""))
    if "." in name or not document.get("namespace"):
        return name
    return f"{document['namespace']}.{name}"


def _class_names(fullnames: list[str]) -> dict[str, str]:
    """A distinct class name per full name: the short name unless two types share it."""
    short = {full: pascal_case(full.rsplit(".", 1)[-1]) for full in fullnames}
    counts = Counter(short.values())
    names = {full: name if counts[name] == 1 else pascal_case(full) for full, name in short.items()}
    if len(set(names.values())) != len(names):
        raise NotConvertible(f"named types give clashing class names: {sorted(names)}")
    return names


def _named(fullname: str, body: dict[str, Any], title: str) -> dict[str, Any]:
    """A named type's definition: titled with its class name, its full name in the docstring."""
    kind = "enum" if "enum" in body else "record" if body.get("type") == "object" else "fixed"
    note = f"Avro {kind} {fullname}."
    doc = body.get("description")
    described = f"{doc}\n\n{note}" if isinstance(doc, str) and doc else note
    # Only records and enums become classes; a fixed type is a constrained string in place.
    return {"title": title, **body, "description": described} if kind != "fixed" else body


def _rewritten(node: Any, refs: dict[str, str]) -> Any:
    """``node`` with definition references renamed and logical types explained."""
    if isinstance(node, list):
        return [_rewritten(item, refs) for item in node]
    if not isinstance(node, dict):
        return node
    node = _collapsed(node)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            out[key] = refs.get(value, value)
        elif key == "properties" and isinstance(value, dict):
            out[key] = {name: _rewritten(_explained(form), refs) for name, form in value.items()}
        elif key not in (LOGICAL, "x-avro-precision", "x-avro-scale"):
            out[key] = _rewritten(value, refs)
    return out


def _collapsed(node: dict[str, Any]) -> dict[str, Any]:
    """An optional primitive (``anyOf`` null and one typed form) as one form of two types.

    ``{"anyOf": [{"type": "null"}, {"type": "integer", "maximum": M}]}`` becomes ``{"type":
    ["null", "integer"], "maximum": M}``: the same instances, as every keyword of the typed form
    constrains its own type only. The generator then writes ``int | None``, not a wrapper class.
    """
    branches = node.get("anyOf")
    if not isinstance(branches, list) or len(branches) != 2 or {"type": "null"} not in branches:
        return node
    other = next(b for b in branches if b != {"type": "null"})
    if not isinstance(other, dict) or not isinstance(other.get("type"), str) or "$ref" in other:
        return node
    rest = {key: value for key, value in node.items() if key != "anyOf"}
    first = branches.index({"type": "null"}) == 0
    kinds = ["null", other["type"]] if first else [other["type"], "null"]
    return {**other, **rest, "type": kinds}


def _explained(form: dict[str, Any]) -> dict[str, Any]:
    """A field's form with what its logical types mean appended to its description."""
    notes = [_meaning(node) for node in _logical_nodes(form)]
    if not notes:
        return form
    doc = form.get("description")
    text = " ".join(dict.fromkeys(notes))
    return {**form, "description": f"{doc}\n\n{text}" if isinstance(doc, str) and doc else text}


def _logical_nodes(form: Any) -> list[dict[str, Any]]:
    """The forms with a logical type in a field's form (itself, union branches, items, values)."""
    if not isinstance(form, dict):
        return []
    found = [form] if LOGICAL in form else []
    for key in ("anyOf", "allOf"):
        for branch in form.get(key, []):
            found += _logical_nodes(branch)
    for key in ("items", "additionalProperties"):
        found += _logical_nodes(form.get(key))
    return found


def _meaning(form: dict[str, Any]) -> str:
    name = str(form[LOGICAL])
    if name == "decimal":
        precision, scale = form.get("x-avro-precision"), form.get("x-avro-scale", 0)
        return (
            f"Avro decimal({precision}, {scale}): the unscaled value as two's-complement "
            "big-endian bytes, written as ISO-8859-1 text."
        )
    meaning = _MEANINGS.get(name)
    return f"Avro {name}: {meaning}." if meaning else f"Avro {name}."
