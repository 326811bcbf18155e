"""Read pointers, and which compatibility findings they reach (registry.reads)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from registry import errors
from registry.formats.base import Incompatibility
from registry.reads import check_reads, parse_pointer, reads_any, touched_pointers


@pytest.mark.parametrize(
    ("pointer", "tokens"),
    [("", ()), ("/a", ("a",)), ("/a/*/b", ("a", "*", "b")), ("/a~1b/c~0d", ("a/b", "c~d"))],
)
def test_pointers_parse(pointer: str, tokens: tuple[str, ...]) -> None:
    assert parse_pointer(pointer) == tokens


@pytest.mark.parametrize("pointer", ["a", "/a~2", "/~"])
def test_malformed_pointers_are_refused(pointer: str) -> None:
    with pytest.raises(errors.InvalidPublication, match="Read pointer"):
        parse_pointer(pointer)


def test_no_reads_is_unknown_and_unknown_reads_everything() -> None:
    assert check_reads(None) is None
    assert check_reads([]) is None
    assert reads_any(None, ["/anything"])
    assert reads_any([], ["/anything"])
    assert check_reads(["/b", "/a", "/a"]) == ("/a", "/b")


@pytest.mark.parametrize(
    ("reads", "touched", "expected"),
    [
        (["/id"], ["/total"], False),
        (["/total"], ["/total"], True),
        (["/items"], ["/items/*/sku"], True),
        (["/items/*/sku"], ["/items"], True),
        (["/items/*/sku"], ["/items/*/price"], False),
        (["/items/0/sku"], ["/items/*/sku"], True),
        (["/id"], [""], True),
        ([""], ["/x"], True),
    ],
)
def test_reads_meet_touched_pointers_by_prefix(
    reads: list[str], touched: list[str], expected: bool
) -> None:
    assert reads_any(reads, touched) is expected


def _json(properties: dict[str, Any], required: list[str]) -> str:
    return json.dumps({"type": "object", "properties": properties, "required": required})


def test_json_schema_paths_become_event_pointers() -> None:
    reader = _json({"items": {"type": "array", "items": {"type": "object"}}}, [])
    inc = Incompatibility("r", "m", "/properties/items/items/properties/sku/type", "")
    assert touched_pointers(inc, "JSON", reader, reader) == ["/items/*/sku"]


def test_a_newly_required_property_touches_that_property() -> None:
    reader = _json({"a": {}, "b": {}}, ["a", "b"])
    writer = _json({"a": {}, "b": {}}, ["a"])
    inc = Incompatibility("json.required-added", "m", "/required", "")
    assert touched_pointers(inc, "JSON", reader, writer) == ["/b"]


def test_avro_paths_follow_field_names() -> None:
    reader = json.dumps(
        {
            "type": "record",
            "name": "R",
            "fields": [
                {"name": "id", "type": "string"},
                {"name": "lines", "type": {"type": "array", "items": {
                    "type": "record", "name": "L", "fields": [{"name": "qty", "type": "int"}]}}},
            ],
        }
    )  # fmt: skip
    inc = Incompatibility("r", "m", "/fields/1/type/items/fields/0/type", "/fields")
    assert touched_pointers(inc, "AVRO", reader, reader) == ["/lines/*/qty"]


def test_a_finding_at_the_root_touches_everything() -> None:
    text = _json({}, [])
    assert touched_pointers(Incompatibility("r", "m", "", ""), "JSON", text, text) == [""]
