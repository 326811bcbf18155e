"""Invariants of compatibility levels, for both formats, through ``check_compatibility``.

Hypothesis draws schema histories with the format tests' own generators (JSON Schema: schemas
and mutations of them; Avro: records and schema-evolution steps) and checks what must hold
whatever the engine decides for a pair:

* every schema is compatible with itself at every level (reflexive);
* BACKWARD(a, b) and FORWARD(b, a) ask the same question, so they agree;
* FULL is BACKWARD and FORWARD together;
* a transitive level is never more permissive than its latest-only level;
* NONE is always compatible;
* (JSON Schema) LENIENT is never stricter than STRICT.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from registry.compatibility import CompatibilityResult, check_compatibility
from registry.domain import CompatibilityLevel, CompatibilityPolicy, SchemaType
from registry.errors import InvalidSchema
from registry.formats import get_format
from registry.formats.base import ParsedSchema
from tests.unit.formats.test_avro_differential import mutate, mutations, name_types, writers
from tests.unit.formats.test_jsonschema_soundness import _mutated, _schemas

JSON = get_format(SchemaType.JSON)
AVRO = get_format(SchemaType.AVRO)
L = CompatibilityLevel
STRICT, LENIENT = CompatibilityPolicy.STRICT, CompatibilityPolicy.LENIENT
TRANSITIVE = {
    L.BACKWARD_TRANSITIVE: L.BACKWARD,
    L.FORWARD_TRANSITIVE: L.FORWARD,
    L.FULL_TRANSITIVE: L.FULL,
}
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# --- histories of three schemas, each a mutation of the one before ---------------------------


def _parse(fmt: Any, document: Any) -> ParsedSchema:
    try:
        parsed: ParsedSchema = fmt.parse(json.dumps(document))
    except InvalidSchema:
        assume(False)
        raise
    return parsed


@st.composite
def json_histories(draw: st.DrawFn) -> tuple[Any, list[ParsedSchema]]:
    first = draw(_schemas())
    second = draw(_mutated(first))
    third = draw(_mutated(second))
    return JSON, [_parse(JSON, doc) for doc in (first, second, third)]


@st.composite
def avro_histories(draw: st.DrawFn) -> tuple[Any, list[ParsedSchema]]:
    first = name_types(draw(writers), [0], "T")
    first["name"] = "Root"
    second = mutate(first, draw(mutations))
    third = mutate(second, draw(mutations))
    return AVRO, [_parse(AVRO, doc) for doc in (first, second, third)]


histories = st.one_of(json_histories(), avro_histories())


def judge(
    fmt: Any,
    candidate: ParsedSchema,
    previous: list[ParsedSchema],
    level: CompatibilityLevel,
    policy: CompatibilityPolicy = STRICT,
) -> CompatibilityResult:
    versions = list(enumerate(previous, 1))
    return check_compatibility(fmt, candidate, versions, level, policy)


def rules_of(result: CompatibilityResult) -> set[tuple[str, str, int | None, str]]:
    return {
        (f.rule_id, f.direction.value, f.version, f.incompatibility.message)
        for f in result.findings
    }


# --- the invariants ----------------------------------------------------------------------------


@SETTINGS
@given(histories)
def test_every_schema_is_compatible_with_itself_at_every_level(
    history: tuple[Any, list[ParsedSchema]],
) -> None:
    fmt, schemas = history
    for schema in schemas:
        for level in CompatibilityLevel:
            assert judge(fmt, schema, [schema], level).is_compatible, (level, schema.text)


@SETTINGS
@given(histories)
def test_backward_and_forward_swap_roles(history: tuple[Any, list[ParsedSchema]]) -> None:
    fmt, (a, b, _) = history
    backward = judge(fmt, b, [a], L.BACKWARD)
    forward = judge(fmt, a, [b], L.FORWARD)
    assert backward.is_compatible == forward.is_compatible, (a.text, b.text)
    assert {f.rule_id for f in backward.findings} == {f.rule_id for f in forward.findings}


@SETTINGS
@given(histories)
def test_full_is_backward_and_forward(history: tuple[Any, list[ParsedSchema]]) -> None:
    fmt, (a, b, _) = history
    for policy in (STRICT, LENIENT) if fmt is JSON else (STRICT,):
        backward = judge(fmt, b, [a], L.BACKWARD, policy)
        forward = judge(fmt, b, [a], L.FORWARD, policy)
        full = judge(fmt, b, [a], L.FULL, policy)
        assert full.is_compatible == (backward.is_compatible and forward.is_compatible)
        assert rules_of(full) == rules_of(backward) | rules_of(forward)


@SETTINGS
@given(histories)
def test_transitive_levels_are_never_more_permissive(
    history: tuple[Any, list[ParsedSchema]],
) -> None:
    fmt, (a, b, c) = history
    for transitive, latest in TRANSITIVE.items():
        everything = judge(fmt, c, [a, b], transitive)
        only_latest = judge(fmt, c, [a, b], latest)
        assert rules_of(only_latest) <= rules_of(everything), transitive
        if everything.is_compatible:
            assert only_latest.is_compatible, (transitive, a.text, b.text, c.text)


@SETTINGS
@given(histories)
def test_none_is_always_compatible(history: tuple[Any, list[ParsedSchema]]) -> None:
    fmt, (a, b, c) = history
    assert judge(fmt, c, [a, b], L.NONE).is_compatible
    assert judge(fmt, a, [], L.FULL_TRANSITIVE).is_compatible


@SETTINGS
@given(json_histories())
def test_lenient_is_never_stricter_than_strict(history: tuple[Any, list[ParsedSchema]]) -> None:
    fmt, (a, b, _) = history
    for level in (L.BACKWARD, L.FORWARD):
        if judge(fmt, b, [a], level, STRICT).is_compatible:
            assert judge(fmt, b, [a], level, LENIENT).is_compatible, (level, a.text, b.text)
