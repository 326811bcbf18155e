"""JSON Schemas moved into a document and back out: local references follow, references
elsewhere in the document are copied into the schema's own definitions."""

from __future__ import annotations

from typing import Any

import pytest

from registry.asyncapi.refs import check_refs, deref, localize, relocate, resolve
from registry.errors import InvalidInput

AT = "#/components/messages/m/payload/schema"
SCHEMA: dict[str, Any] = {
    "$defs": {"Money": {"type": "object"}},
    "properties": {
        "total": {"$ref": "#/$defs/Money"},
        "self": {"$ref": "#"},
        "remote": {"$ref": "https://example.com/a.json"},
    },
    "default": {"$ref": "#/data/not/a/schema"},
}


def test_relocate_then_localize_gives_the_schema_back() -> None:
    moved = relocate(SCHEMA, AT)

    assert moved["properties"]["total"] == {"$ref": f"{AT}/$defs/Money"}
    assert moved["properties"]["self"] == {"$ref": AT}
    assert moved["properties"]["remote"] == {"$ref": "https://example.com/a.json"}
    assert moved["default"] == SCHEMA["default"]  # data, not a schema
    document = {"components": {"messages": {"m": {"payload": {"schema": moved}}}}}
    assert resolve(document, moved["properties"]["total"]["$ref"]) == {"type": "object"}
    assert localize(document, moved, AT, "$defs", "doc") == SCHEMA


def test_references_elsewhere_are_bundled_with_what_they_reference() -> None:
    document = {
        "components": {
            "schemas": {
                "Line": {"properties": {"price": {"$ref": "#/components/schemas/Money"}}},
                "Money": {"type": "string"},
            }
        }
    }
    schema = {"items": {"$ref": "#/components/schemas/Line"}, "definitions": {"Line": {}}}

    found = localize(document, schema, "#/x", "definitions", "doc")

    assert found["items"] == {"$ref": "#/definitions/Line_2"}
    assert found["definitions"]["Line_2"]["properties"]["price"] == {"$ref": "#/definitions/Money"}
    assert found["definitions"]["Money"] == {"type": "string"}
    assert found["definitions"]["Line"] == {}


def test_deref_follows_chains_and_refuses_loops_and_other_files() -> None:
    document = {"a": {"$ref": "#/b"}, "b": {"$ref": "#/c"}, "c": 1, "x": {"$ref": "#/x"}}

    assert deref(document, document["a"], "#/a", "doc") == (1, "#/c")
    with pytest.raises(InvalidInput, match="loops"):
        deref(document, document["x"], "#/x", "doc")
    with pytest.raises(InvalidInput, match="another file"):
        deref(document, {"$ref": "c.yaml#/d"}, "#/z", "doc")


def test_check_refs_names_the_first_dangling_reference() -> None:
    check_refs({"a": {"$ref": "#/b/0"}, "b": [1]}, "doc")
    with pytest.raises(InvalidInput, match=r"doc: dangling \$ref '#/b/1'"):
        check_refs({"a": {"$ref": "#/b/1"}, "b": [1]}, "doc")


def test_pointer_tokens_are_escaped() -> None:
    assert resolve({"a/b": {"c~d": 2}}, "#/a~1b/c~0d") == 2


def test_anchors_are_not_pointers_and_stay_as_written() -> None:
    schema = {
        "$defs": {"Money": {"$anchor": "money", "type": "object"}},
        "properties": {"total": {"$ref": "#money"}, "all": {"$ref": "#"}},
    }

    moved = relocate(schema, AT)

    assert moved["properties"]["total"] == {"$ref": "#money"}
    assert moved["properties"]["all"] == {"$ref": AT}
    document = {"components": {"messages": {"m": {"payload": {"schema": moved}}}}}
    check_refs(document, "doc")  # an anchor is not a dangling pointer
    assert localize(document, moved, AT, "$defs", "doc") == schema
