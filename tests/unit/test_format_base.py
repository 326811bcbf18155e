"""The helpers every format shares: nesting depth without parsing, fingerprints."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from registry.domain import SchemaType
from registry.formats.base import json_depth, schema_fingerprint

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab\n'),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=20,
)


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_json_depth_matches_the_parsed_structure(value: Any) -> None:
    assert json_depth(json.dumps(value)) == _depth(value)


def test_json_depth_of_hostile_text() -> None:
    assert json_depth("[" * 10_000 + "]" * 10_000) == 10_000
    assert json_depth('"[[[[" ') == 0
    assert json_depth('{"a": "\\"[{"}') == 1


def test_fingerprint_separates_type_canonical_and_references() -> None:
    base = schema_fingerprint(SchemaType.JSON, "{}", [])
    assert base == schema_fingerprint(SchemaType.JSON, "{}", [])
    assert base != schema_fingerprint(SchemaType.AVRO, "{}", [])
    assert base != schema_fingerprint(SchemaType.JSON, "{} ", [])
    assert base != schema_fingerprint(SchemaType.JSON, "{}", [("a", "s", 1)])
