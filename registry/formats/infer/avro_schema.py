"""Avro from sample events, read off the JSON Schema structure genson builds for them.

Each JSON kind becomes one Avro type: objects records (maps when a property name is not a valid
Avro name, since a field could not carry it), arrays arrays, strings strings, integers ``long``
(an int chosen from the values seen would break on the first bigger one; ``double`` beyond a
long), numbers ``double``, booleans ``boolean``. A field missing from some samples or null in
some is ``["null", T]`` with ``"default": null``. Nested records and enums are named after
their place (``shippingAddress`` -> ``ShippingAddress``, the items of ``lines`` ->
``LinesItem``), unique in the schema.

The schema must take the samples *as they are* (Python values from JSON, what ``validate`` and
fastavro's writer read), so logical types are proposed only where the base type holds the JSON
value: ``uuid`` on ``string``. ISO dates and timestamps stay strings: Avro's ``date`` and
``timestamp-millis`` annotate ``int`` and ``long`` (days and milliseconds), which a JSON string
is not. A place holding an object or an array in some samples and another non-null kind in
others is refused (``InvalidInput`` naming the place and the two kinds); unions of scalar kinds
(``["long", "string"]``) are proposed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from genson import SchemaBuilder  # type: ignore[import-untyped]

from registry.errors import InvalidInput
from registry.formats.infer.json_schema import check_samples, structure
from registry.formats.infer.values import (
    AVRO_NAME,
    ITEMS,
    VALUES,
    Names,
    Place,
    common_format,
    enum_symbols,
    kind_of,
    values_at,
    where,
)

_SCALARS = {"integer": "long", "number": "double", "boolean": "boolean", "string": "string"}
_STRUCTURED = ("object", "array")


def check_name(name: str, namespace: str | None) -> None:
    """Refuse a record name or namespace Avro would not accept."""
    if not AVRO_NAME.match(name):
        raise InvalidInput(
            f"'{name}' is not a valid Avro name: use letters, digits and _, not starting "
            "with a digit"
        )
    if namespace and not all(AVRO_NAME.match(part) for part in namespace.split(".")):
        raise InvalidInput(f"'{namespace}' is not a valid Avro namespace: dotted Avro names")


def check_objects(samples: Sequence[Any]) -> None:
    """Refuse samples that are not JSON objects: an Avro event schema is a record."""
    check_samples(samples)
    for index, sample in enumerate(samples):
        if not isinstance(sample, dict):
            raise InvalidInput(
                f"sample {index} is a JSON {kind_of(sample)}, not an object: Avro inference "
                "needs one JSON object per event"
            )


def infer_avro(
    samples: Sequence[Any],
    *,
    name: str,
    namespace: str | None = None,
    enum_threshold: int | None = None,
    formats: bool = True,
) -> dict[str, Any]:
    """An Avro record schema named ``name`` that every sample (a JSON object) encodes with.

    With ``enum_threshold`` N, a string place with at most N distinct values over at least 2N
    values becomes an enum, when every value is a valid Avro symbol and none is a date, time,
    UUID or email. With ``formats``, a string
    place holding only UUIDs is ``{"type": "string", "logicalType": "uuid"}``. Raises
    ``InvalidInput`` for no samples, a sample that is not an object, a bad name or namespace,
    and a place mixing an object or array with another kind.
    """
    check_name(name, namespace)
    check_objects(samples)
    builder = AvroBuilder(samples, Names([name]), enum_threshold=enum_threshold, formats=formats)
    document: dict[str, Any] = {"type": "record", "name": name}
    if namespace:
        document["namespace"] = namespace
    document["fields"] = builder.fields(structure(samples), ())
    return document


class AvroBuilder:
    """Turns genson's schema of some samples into Avro types, naming records as it goes."""

    def __init__(
        self,
        samples: Sequence[Any],
        names: Names,
        *,
        enum_threshold: int | None = None,
        formats: bool = True,
        base: Place = (),
    ) -> None:
        self.samples = samples
        self.base = base
        self.names = names
        self.enum_threshold = enum_threshold
        self.formats = formats

    def fields(self, node: dict[str, Any], place: Place) -> list[dict[str, Any]]:
        """The fields of the record at ``place`` (``node`` is an object schema)."""
        required = set(node.get("required", ()))
        found = []
        for field, schema in node.get("properties", {}).items():
            avro = self.type_of(schema, (*place, field))
            if field not in required or _nullable(avro):
                found.append({"name": field, "type": optional(avro), "default": None})
            else:
                found.append({"name": field, "type": avro})
        return found

    def type_of(self, node: dict[str, Any], place: Place) -> Any:
        """The Avro type for the JSON Schema ``node`` at ``place`` (a union when needed)."""
        branches: list[tuple[str, Any]] = []
        self._collect(node, place, branches)
        kinds = [kind for kind, _ in branches]
        structured = [k for k in kinds if k in _STRUCTURED]
        others = [k for k in kinds if k != "null" and k not in structured]
        if (structured and others) or len(structured) > 1:
            first, second = structured[0], (others or structured[1:])[0]
            raise InvalidInput(
                f"{where((*self.base, *place))} is {_a(first)} in some samples and "
                f"{_a(second)} in others: "
                "Avro inference does not propose a union of a record or array with another "
                "kind; give such events their own schema"
            )
        types = [avro for _, avro in branches]
        if "null" in kinds:
            types = ["null", *(t for t in types if t != "null")]
        return types[0] if len(types) == 1 else types

    def _collect(self, node: dict[str, Any], place: Place, out: list[tuple[str, Any]]) -> None:
        for branch in node.get("anyOf", []):
            self._collect(branch, place, out)
        types = node.get("type")
        for kind in [types] if isinstance(types, str) else types or []:
            out.append((kind, self._one(kind, node, place)))

    def _one(self, kind: str, node: dict[str, Any], place: Place) -> Any:
        if kind == "null":
            return "null"
        if kind == "string":
            return self._string(place)
        if kind == "integer" and any(
            isinstance(v, int) and not -(2**63) <= v < 2**63 for v in values_at(self.samples, place)
        ):
            return "double"  # beyond a long: JSON numbers are doubles to most readers anyway
        if kind in _SCALARS:
            return _SCALARS[kind]
        if kind == "array":
            items = node.get("items")
            if not isinstance(items, dict) or not items:
                return {"type": "array", "items": "string"}  # only empty arrays: a placeholder
            return {"type": "array", "items": self.type_of(items, (*place, ITEMS))}
        properties: dict[str, Any] = node.get("properties", {})
        if all(AVRO_NAME.match(p) for p in properties):
            return {
                "type": "record",
                "name": self.names.new((*self.base, *place)),
                "fields": self.fields(node, place),
            }
        merged = SchemaBuilder(schema_uri=None)
        for schema in properties.values():
            merged.add_schema(schema)
        return {"type": "map", "values": self.type_of(merged.to_schema(), (*place, VALUES))}

    def _string(self, place: Place) -> Any:
        strings = [v for v in values_at(self.samples, place) if isinstance(v, str)]
        found = common_format(strings)
        if self.formats and found == "uuid":
            return {"type": "string", "logicalType": "uuid"}
        symbols = enum_symbols(strings, self.enum_threshold) if found is None else None
        if symbols is not None and all(AVRO_NAME.match(s) for s in symbols):
            name = self.names.new((*self.base, *place))
            return {"type": "enum", "name": name, "symbols": symbols}
        return "string"


def _nullable(avro: Any) -> bool:
    return avro == "null" or (isinstance(avro, list) and "null" in avro)


def optional(avro: Any) -> Any:
    """``avro`` as a union with ``null`` first (so ``"default": null`` is valid)."""
    if avro == "null":
        return "null"
    if isinstance(avro, list):
        return ["null", *(t for t in avro if t != "null")]
    return ["null", avro]


def _a(kind: str) -> str:
    word = {"object": "an object", "array": "an array", "integer": "an integer"}
    return word.get(kind, f"a {kind}")
