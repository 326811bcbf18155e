"""The benchmark's schemas: a writer and two readers per format, each with about 2,000 fields.

Fields are nested in groups of twenty (a record or object per group), and their types vary so
that every kind of comparison is exercised. The *compatible* reader makes changes a reader may
make (wider bounds and types, an added enum symbol, fewer required properties, an added field
with a default); the *incompatible* reader makes the same changes and four breaking ones.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

GROUP = 20


@dataclass(frozen=True)
class Case:
    """One format's schema texts and the number of leaf fields they declare."""

    name: str
    schema_type: str
    fields: int
    writer: str
    compatible: str
    incompatible: str


def json_schema_case(fields: int = 2_000) -> Case:
    """Writer and readers for JSON Schema (draft 2020-12, open content models)."""
    writer = _json_writer(fields // GROUP)
    compatible = copy.deepcopy(writer)
    _json_compatible_changes(compatible)
    incompatible = copy.deepcopy(compatible)
    _json_breaking_changes(incompatible)
    return Case("JSON Schema", "JSON", fields, *map(json.dumps, (writer, compatible, incompatible)))


def _json_field(index: int) -> dict[str, Any]:
    kind = index % 5
    if kind == 0:
        return {"type": "string", "maxLength": 10}
    if kind == 1:
        return {"type": "integer", "minimum": 0}
    if kind == 2:
        return {"enum": ["A", "B", "C"]}
    if kind == 3:
        return {"type": "array", "items": {"type": "string"}, "maxItems": 8}
    return {"type": ["string", "null"], "format": "date"}


def _json_writer(groups: int) -> dict[str, Any]:
    properties = {
        f"g{g}": {
            "type": "object",
            "properties": {f"f{i}": _json_field(i) for i in range(GROUP)},
            "required": ["f0", "f1"],
        }
        for g in range(groups)
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": ["g0"],
    }


def _json_group(schema: dict[str, Any], group: int) -> dict[str, Any]:
    result: dict[str, Any] = schema["properties"][f"g{group}"]
    return result


def _json_compatible_changes(schema: dict[str, Any]) -> None:
    _json_group(schema, 0)["properties"]["f0"]["maxLength"] = 20
    _json_group(schema, 1)["properties"]["f1"]["type"] = "number"
    _json_group(schema, 2)["required"] = ["f0"]
    _json_group(schema, 3)["properties"]["f2"]["enum"].append("D")


def _json_breaking_changes(schema: dict[str, Any]) -> None:
    _json_group(schema, 4)["properties"]["f0"]["maxLength"] = 5
    _json_group(schema, 5)["properties"]["f1"]["type"] = "string"
    _json_group(schema, 6)["required"] = ["f0", "f1", "f3"]
    _json_group(schema, 7)["properties"]["f2"]["enum"].remove("C")


def avro_case(fields: int = 2_000) -> Case:
    """Writer and readers for Avro (a record of records)."""
    writer = _avro_writer(fields // GROUP)
    compatible = copy.deepcopy(writer)
    _avro_compatible_changes(compatible)
    incompatible = copy.deepcopy(compatible)
    _avro_breaking_changes(incompatible)
    return Case("Avro", "AVRO", fields, *map(json.dumps, (writer, compatible, incompatible)))


def _avro_field(group: int, index: int) -> dict[str, Any]:
    kind = index % 5
    name = f"f{index}"
    if kind == 0:
        return {"name": name, "type": "int"}
    if kind == 1:
        return {"name": name, "type": ["null", "string"], "default": None}
    if kind == 2:
        symbols = ["A", "B", "C"]
        return {
            "name": name,
            "type": {"type": "enum", "name": f"E{group}_{index}", "symbols": symbols},
        }
    if kind == 3:
        return {"name": name, "type": {"type": "array", "items": "long"}}
    return {"name": name, "type": "string"}


def _avro_writer(groups: int) -> dict[str, Any]:
    records = [
        {
            "name": f"g{g}",
            "type": {
                "type": "record",
                "name": f"G{g}",
                "fields": [_avro_field(g, i) for i in range(GROUP)],
            },
        }
        for g in range(groups)
    ]
    return {"type": "record", "name": "Top", "namespace": "bench", "fields": records}


def _avro_fields(schema: dict[str, Any], group: int) -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = schema["fields"][group]["type"]["fields"]
    return fields


def _avro_compatible_changes(schema: dict[str, Any]) -> None:
    _avro_fields(schema, 0)[0]["type"] = "long"
    _avro_fields(schema, 1).append({"name": "added", "type": "string", "default": ""})
    del _avro_fields(schema, 2)[4]
    _avro_fields(schema, 3)[2]["type"]["symbols"].append("D")


def _avro_breaking_changes(schema: dict[str, Any]) -> None:
    _avro_fields(schema, 4).append({"name": "required_now", "type": "string"})
    _avro_fields(schema, 5)[4]["type"] = "int"
    _avro_fields(schema, 6)[2]["type"]["symbols"].remove("C")
    _avro_fields(schema, 7)[3]["type"]["items"] = "int"
