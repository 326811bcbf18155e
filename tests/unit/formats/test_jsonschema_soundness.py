"""Soundness by sampling: a verdict of compatible is never refuted by a generated instance.

Hypothesis draws writer schemas and mutations of them (the reader). Whenever the STRICT engine
says the reader can read the writer (BACKWARD), every instance generated from the writer must
validate under the reader. The reflexive and direction-swap invariants are checked too.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.domain import CompatibilityPolicy
from registry.formats.jsonschema import JsonSchemaFormat
from registry.formats.jsonschema.examples import Unsatisfiable, generate

FMT = JsonSchemaFormat()
NAMES = st.sampled_from(["a", "b", "c"])
SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def _scalar() -> st.SearchStrategy[dict[str, Any]]:
    string = st.fixed_dictionaries(
        {"type": st.just("string")},
        optional={
            "minLength": st.integers(0, 3),
            "maxLength": st.integers(3, 6),
            "enum": st.lists(st.sampled_from(["x", "yy", "zzz", "wwww"]), min_size=1, unique=True),
        },
    )
    number = st.fixed_dictionaries(
        {"type": st.sampled_from(["integer", "number"])},
        optional={
            "minimum": st.integers(-5, 0),
            "maximum": st.integers(0, 5),
            "exclusiveMaximum": st.integers(1, 6),
            "multipleOf": st.sampled_from([1, 2, 3, 0.5]),
        },
    )
    simple = st.fixed_dictionaries(
        {"type": st.sampled_from(["boolean", "null", ["string", "null"], ["integer", "string"]])}
    )
    return st.one_of(string, number, simple, st.just({}))


def _schemas() -> st.SearchStrategy[Any]:
    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        obj = st.fixed_dictionaries(
            {"type": st.just("object"), "properties": st.dictionaries(NAMES, children, max_size=3)},
            optional={
                "required": st.lists(NAMES, max_size=2, unique=True),
                "additionalProperties": st.one_of(st.booleans(), children),
                "minProperties": st.integers(0, 2),
                "maxProperties": st.integers(1, 4),
            },
        )
        arr = st.fixed_dictionaries(
            {"type": st.just("array"), "items": children},
            optional={
                "minItems": st.integers(0, 2),
                "maxItems": st.integers(1, 4),
                "uniqueItems": st.booleans(),
            },
        )
        combos = st.one_of(
            st.builds(lambda bs: {"anyOf": bs}, st.lists(children, min_size=1, max_size=3)),
            st.builds(lambda bs: {"oneOf": bs}, st.lists(children, min_size=1, max_size=3)),
            st.builds(lambda bs: {"allOf": bs}, st.lists(children, min_size=1, max_size=2)),
            st.builds(lambda n: {"not": n}, children),
        )
        return st.one_of(obj, arr, combos)

    return st.recursive(_scalar(), extend, max_leaves=6)


@st.composite
def _mutated(draw: st.DrawFn, schema: Any) -> Any:
    """A reader close to ``schema``: keywords dropped, bounds moved by one, subschemas mutated
    (at every depth), keywords added."""
    if not isinstance(schema, dict) or draw(st.integers(0, 9)) == 0:
        return draw(_schemas())
    result = dict(schema)
    for key in list(result):
        value = result[key]
        choice = draw(st.integers(0, 3))
        if choice == 0:
            del result[key]
        elif choice == 1 and key == "properties":
            result[key] = {k: draw(_mutated(v)) for k, v in value.items()}
        elif choice == 1 and key in ("items", "additionalProperties", "not"):
            result[key] = draw(_mutated(value))
        elif choice == 1 and key in ("anyOf", "oneOf", "allOf"):
            result[key] = [draw(_mutated(branch)) for branch in value]
        elif choice == 2 and isinstance(value, int) and not isinstance(value, bool):
            moved = value + draw(st.sampled_from([-1, 1]))
            # Bounds stay >= 0; multipleOf must stay > 0 to be a schema at all.
            result[key] = max(1 if key == "multipleOf" else 0, moved)
    if draw(st.booleans()):
        extra = draw(_schemas())
        if isinstance(extra, dict):
            result.update({k: v for k, v in extra.items() if k not in result})
    return result


@st.composite
def _pairs(draw: st.DrawFn) -> tuple[Any, Any]:
    writer = draw(_schemas())
    return writer, draw(_mutated(writer))


def _instances(parsed: Any) -> list[Any]:
    found = FMT.examples(parsed, 12, seed=1)
    for seed in range(6):
        for mode in ("min", "max", "random"):
            try:
                value = generate(parsed, mode, seed)
            except Unsatisfiable:
                continue
            if not FMT.validate(parsed, value):
                found.append(value)
    return found


@SETTINGS
@given(_pairs())
def test_compatible_verdicts_are_never_refuted(pair: tuple[Any, Any]) -> None:
    writer_doc, reader_doc = pair
    writer, reader = FMT.parse(json.dumps(writer_doc)), FMT.parse(json.dumps(reader_doc))
    if FMT.check(reader, writer, CompatibilityPolicy.STRICT):
        return
    for instance in _instances(writer):
        assert FMT.validate(reader, instance) == [], (writer_doc, reader_doc, instance)


@settings(max_examples=100, deadline=None, database=None)
@given(_schemas())
def test_every_schema_reads_itself(document: Any) -> None:
    parsed = FMT.parse(json.dumps(document))
    assert FMT.check(parsed, parsed) == []
    assert FMT.check(parsed, parsed, CompatibilityPolicy.LENIENT) == []


@settings(max_examples=40, deadline=None, database=None)
@given(_pairs())
def test_counterexamples_are_real(pair: tuple[Any, Any]) -> None:
    writer, reader = (FMT.parse(json.dumps(d)) for d in pair)
    for inc in FMT.check(reader, writer):
        if inc.has_example:
            assert FMT.validate(writer, inc.example) == []
            assert FMT.validate(reader, inc.example) != []


# Every pair of these small schemas is checked: random pairs rarely move one bound by one.
GRID: list[Any] = [
    *({"type": "string", "maxLength": n} for n in (3, 4)),
    *({"type": "string", "minLength": n} for n in (1, 2)),
    {"type": "string", "enum": ["x", "yy"]},
    {"type": "string", "enum": ["x"]},
    *({"type": "integer", "minimum": n} for n in (0, 1)),
    *({"type": "number", "maximum": n} for n in (4, 5)),
    *({"type": "number", "exclusiveMaximum": n} for n in (4, 5)),
    *({"type": "integer", "multipleOf": n} for n in (2, 4)),
    {"type": "array", "items": {"type": "integer"}, "maxItems": 2},
    {"type": "array", "items": {"type": "integer"}, "maxItems": 3, "uniqueItems": True},
    {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
    {"type": "object", "properties": {"a": {"type": "string"}}, "maxProperties": 1},
    {"type": ["string", "null"]},
    {"type": "null"},
]


def test_every_pair_of_the_grid_is_sound() -> None:
    parsed = [FMT.parse(json.dumps(doc)) for doc in GRID]
    instances = [_instances(schema) for schema in parsed]
    for writer, samples in zip(parsed, instances, strict=True):
        for reader in parsed:
            if FMT.check(reader, writer, CompatibilityPolicy.STRICT):
                continue
            for instance in samples:
                assert FMT.validate(reader, instance) == [], (writer.text, reader.text, instance)
