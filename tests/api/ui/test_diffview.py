"""The diff page's data: pretty texts, side-by-side rows, anchored findings, level verdicts.

Real formats and the real compatibility engine throughout; no web app is started."""

from __future__ import annotations

import json

from registry.api.ui.diffview import (
    DiffRow,
    LevelVerdict,
    finding_views,
    pretty,
    side_by_side,
    verdicts,
)
from registry.compatibility import Direction, check_compatibility, rule_catalogue
from registry.domain import CompatibilityLevel, CompatibilityPolicy, SchemaType
from registry.formats import get_format
from registry.formats.base import ParsedSchema

AVRO = get_format(SchemaType.AVRO)
JSON = get_format(SchemaType.JSON)

L = CompatibilityLevel


def avro_record(*fields: dict) -> str:
    """A compact Avro record ``User`` with the given fields."""
    return json.dumps(
        {"type": "record", "name": "User", "fields": list(fields)}, separators=(",", ":")
    )


ID = {"name": "id", "type": "long"}
EMAIL = {"name": "email", "type": "string"}
EMAIL_DEFAULT = {"name": "email", "type": "string", "default": ""}


def avro(text: str) -> ParsedSchema:
    return AVRO.parse(text)


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the only line of ``text`` containing ``needle``."""
    (number,) = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return number


# --- pretty ------------------------------------------------------------------------------------


def test_pretty_reindents_compact_json_keeping_key_order() -> None:
    text = '{"type":"record","name":"Ünï","fields":[{"name":"id","type":"long"}]}'
    assert pretty(text) == (
        "{\n"
        '  "type": "record",\n'
        '  "name": "Ünï",\n'
        '  "fields": [\n'
        "    {\n"
        '      "name": "id",\n'
        '      "type": "long"\n'
        "    }\n"
        "  ]\n"
        "}"
    )


def test_pretty_returns_text_that_is_not_json_unchanged() -> None:
    text = 'syntax = "proto3";\nmessage User { int64 id = 1; }\n'
    assert pretty(text) == text
    assert pretty("") == ""
    assert pretty('{"truncated": ') == '{"truncated": '


def test_pretty_of_a_bare_json_string_is_itself() -> None:
    assert pretty(' "string" ') == '"string"'


def test_pretty_keeps_a_lone_surrogate_escaped_so_the_page_can_be_encoded() -> None:
    shown = pretty('{"doc": "\\ud800 é"}')
    assert shown == '{\n  "doc": "\\ud800 \\u00e9"\n}'
    shown.encode()


# --- side_by_side ------------------------------------------------------------------------------


def test_side_by_side_of_an_added_field_has_added_rows_without_old_numbers() -> None:
    old, new = avro_record(ID), avro_record(ID, EMAIL)
    rows = side_by_side(old, new)

    added = [row for row in rows if row.kind == "added"]
    assert [row.new_text.strip() for row in added] == [
        "},",
        "{",
        '"name": "email",',
        '"type": "string"',
    ]
    assert all(row.old_no is None and row.old_text == "" for row in added)
    assert [row.new_no for row in added] == [8, 9, 10, 11]
    assert not [row for row in rows if row.kind in ("removed", "changed")]

    # Every line of both pretty texts appears once, in order, with its own number.
    old_lines, new_lines = pretty(old).splitlines(), pretty(new).splitlines()
    assert [(r.old_no, r.old_text) for r in rows if r.old_no is not None] == list(
        enumerate(old_lines, 1)
    )
    assert [(r.new_no, r.new_text) for r in rows if r.new_no is not None] == list(
        enumerate(new_lines, 1)
    )
    assert all(r.old_text == r.new_text for r in rows if r.kind == "equal")


def test_side_by_side_of_a_changed_line_pairs_both_numbers() -> None:
    old = avro_record(ID, {"name": "age", "type": "int"})
    new = avro_record(ID, {"name": "age", "type": "long"})
    rows = side_by_side(old, new)

    changed = [row for row in rows if row.kind != "equal"]
    line = line_of(pretty(old), '"type": "int"')
    assert changed == [
        DiffRow("changed", line, '      "type": "int"', line, '      "type": "long"')
    ]
    assert len(rows) == len(pretty(old).splitlines())


def test_side_by_side_pads_the_shorter_side_of_a_replace_block() -> None:
    rows = side_by_side("a\nb\nc", "a\nX\nY\nZ\nc")
    assert rows == [
        DiffRow("equal", 1, "a", 1, "a"),
        DiffRow("changed", 2, "b", 2, "X"),
        DiffRow("added", None, "", 3, "Y"),
        DiffRow("added", None, "", 4, "Z"),
        DiffRow("equal", 3, "c", 5, "c"),
    ]
    rows = side_by_side("a\nX\nY\nc", "a\nb\nc")
    assert [(r.kind, r.old_no, r.new_no, r.new_text) for r in rows] == [
        ("equal", 1, 1, "a"),
        ("changed", 2, 2, "b"),
        ("removed", 3, None, ""),
        ("equal", 4, 3, "c"),
    ]


def test_side_by_side_of_identical_schemas_is_all_equal() -> None:
    text = avro_record(ID, EMAIL)
    rows = side_by_side(text, pretty(text))
    assert {row.kind for row in rows} == {"equal"}
    assert len(rows) == len(pretty(text).splitlines())


# --- finding_views -----------------------------------------------------------------------------


def test_finding_views_anchor_an_avro_field_added_without_default() -> None:
    old, new = avro_record(ID), avro_record(ID, EMAIL)
    result = check_compatibility(AVRO, avro(new), [(1, avro(old))], L.BACKWARD)
    (view,) = finding_views(old, new, result.findings)

    rule = rule_catalogue()["avro.field-added-without-default"]
    assert view.rule_id == rule.id
    assert view.title == rule.title
    assert view.explanation == rule.description
    assert "email" in view.message
    assert (view.direction, view.breaks) == ("BACKWARD", "producers")
    # BACKWARD: the new schema reads, the old one wrote.
    assert view.new_pointer == "/fields/1"
    assert view.old_pointer == "/fields"
    new_text = pretty(new)
    assert view.new_line == line_of(new_text, '"name": "email"') - 1  # the field's opening brace
    assert new_text.splitlines()[view.new_line - 1].strip() == "{"
    assert view.old_line == line_of(pretty(old), '"fields"')
    assert view.example is not None
    example = json.loads(view.example)
    assert set(example) == {"id"}
    assert view.example == json.dumps(example, indent=2)


def test_finding_views_swap_pointers_for_forward_findings() -> None:
    # Removing a field without default: the OLD schema (the reader, FORWARD) misses it.
    old, new = avro_record(ID, EMAIL), avro_record(ID)
    result = check_compatibility(AVRO, avro(new), [(1, avro(old))], L.FULL)
    (view,) = finding_views(old, new, result.findings)

    assert (view.rule_id, view.direction, view.breaks) == (
        "avro.field-added-without-default",
        "FORWARD",
        "consumers",
    )
    assert (view.old_pointer, view.new_pointer) == ("/fields/1", "/fields")
    assert view.old_line == line_of(pretty(old), '"name": "email"') - 1
    assert view.new_line == line_of(pretty(new), '"fields"')


def test_finding_views_of_a_json_schema_type_change() -> None:
    old = '{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"string"}}}'
    new = '{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}}}'
    result = check_compatibility(JSON, JSON.parse(new), [(3, JSON.parse(old))], L.FULL)
    views = finding_views(old, new, result.findings)

    assert [(v.rule_id, v.direction, v.breaks) for v in views] == [
        ("json.type-changed", "BACKWARD", "producers"),
        ("json.type-changed", "FORWARD", "consumers"),
    ]
    old_age, new_age = line_of(pretty(old), '"age"'), line_of(pretty(new), '"age"')
    for view in views:
        assert view.title == rule_catalogue()["json.type-changed"].title
        assert view.explanation
        assert view.old_pointer == view.new_pointer == "/properties/age"
        assert (view.old_line, view.new_line) == (old_age, new_age)
        assert view.example is not None
    backward, forward = views
    assert isinstance(json.loads(backward.example or "")["age"], str)
    assert isinstance(json.loads(forward.example or "")["age"], int)


def test_finding_views_show_avro_bytes_in_examples_as_their_json_encoding() -> None:
    old = avro_record({"name": "data", "type": "bytes"}, {"name": "n", "type": "int"})
    new = avro_record({"name": "data", "type": "bytes"}, {"name": "n", "type": "string"})
    result = check_compatibility(AVRO, avro(new), [(1, avro(old))], L.BACKWARD)
    (finding,) = result.findings
    raw = finding.incompatibility.example
    assert isinstance(raw["data"], bytes)

    (view,) = finding_views(old, new, result.findings)
    assert view.rule_id == "avro.type-mismatch"
    assert json.loads(view.example or "") == {"data": raw["data"].decode("latin-1"), "n": raw["n"]}
    assert view.old_pointer == view.new_pointer == "/fields/1/type"
    assert view.new_line == line_of(pretty(new), '"type": "string"')


def test_finding_views_of_a_schema_type_change_point_at_the_first_line() -> None:
    old, new = avro_record(ID), '{"type":"object"}'
    result = check_compatibility(JSON, JSON.parse(new), [(1, avro(old))], L.BACKWARD)
    (view,) = finding_views(old, new, result.findings)
    assert view.rule_id == "schema.type-changed"
    assert view.title == "Schema type changed"
    assert (view.old_line, view.new_line) == (1, 1)
    assert view.example is None
    assert result.findings[0].direction is Direction.BACKWARD


# --- verdicts ----------------------------------------------------------------------------------


def _table(found: list[LevelVerdict]) -> dict[CompatibilityLevel, bool]:
    return {v.level: v.compatible for v in found}


def test_verdicts_of_removing_a_field_without_default() -> None:
    # BACKWARD-compatible (the new reader ignores the old field), FORWARD-incompatible (old
    # readers need a value for 'email').
    history = [(1, avro(avro_record(ID, EMAIL)))]
    found = verdicts(avro(avro_record(ID)), history, CompatibilityPolicy.STRICT)

    assert [v.level for v in found] == [
        L.BACKWARD,
        L.BACKWARD_TRANSITIVE,
        L.FORWARD,
        L.FORWARD_TRANSITIVE,
        L.FULL,
        L.FULL_TRANSITIVE,
    ]
    assert _table(found) == {
        L.BACKWARD: True,
        L.BACKWARD_TRANSITIVE: True,
        L.FORWARD: False,
        L.FORWARD_TRANSITIVE: False,
        L.FULL: False,
        L.FULL_TRANSITIVE: False,
    }
    for verdict in found:
        expected = () if verdict.compatible else ("avro.field-added-without-default",)
        assert verdict.rules == expected
        assert verdict.findings == len(expected)


def test_verdicts_of_transitive_levels_check_every_earlier_version() -> None:
    # v1 has no email; v2 added it with a default; the candidate drops the default. Against v2
    # the candidate reads fine (BACKWARD), against v1 it lacks a value for 'email'.
    history = [(1, avro(avro_record(ID))), (2, avro(avro_record(ID, EMAIL_DEFAULT)))]
    candidate = avro(avro_record(ID, EMAIL))
    found = verdicts(candidate, history, CompatibilityPolicy.STRICT)

    assert _table(found) == {
        L.BACKWARD: True,
        L.BACKWARD_TRANSITIVE: False,
        L.FORWARD: True,
        L.FORWARD_TRANSITIVE: True,
        L.FULL: True,
        L.FULL_TRANSITIVE: False,
    }
    by_level = {v.level: v for v in found}
    assert by_level[L.BACKWARD_TRANSITIVE].rules == ("avro.field-added-without-default",)
    assert by_level[L.BACKWARD_TRANSITIVE].findings == 1
    assert by_level[L.FULL_TRANSITIVE].rules == ("avro.field-added-without-default",)


def test_verdicts_with_no_history_pass_every_level() -> None:
    found = verdicts(avro(avro_record(ID)), [], CompatibilityPolicy.STRICT)
    assert found == [LevelVerdict(v.level, True, 0, ()) for v in found]
    assert len(found) == 6


def test_verdicts_of_json_schema_collect_distinct_sorted_rules() -> None:
    old = '{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}}}'
    new = '{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}}}'
    found = verdicts(JSON.parse(new), [(1, JSON.parse(old))], CompatibilityPolicy.STRICT)
    by_level = {v.level: v for v in found}
    full = by_level[L.FULL]
    assert not full.compatible
    assert full.findings >= 2
    assert full.rules == tuple(sorted(set(full.rules)))
    assert "json.type-changed" in full.rules
    assert set(by_level[L.BACKWARD].rules) <= set(full.rules)
