"""Differential test: where validation trusts jsonschema-rs, it agrees with ``jsonschema``.

For every supported draft, over the shop's schemas (``schemas/*.json``, read in each draft) and
hand-written schemas covering the keywords, instances are the example generator's output,
mutations of it (most of them invalid) and Python values JSON has no word for. Whenever a
schema is on the fast path, jsonschema-rs and the ``jsonschema`` validator classes must give
the same verdict; the schemas the fast path refuses are checked to be refused, with a reason.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.errors import InvalidSchema
from registry.formats.base import ParsedSchema, ResolvedReference
from registry.formats.jsonschema import JsonSchemaFormat
from registry.formats.jsonschema.budget import VALIDATION_STEPS, spending
from registry.formats.jsonschema.drafts import Draft
from registry.formats.jsonschema.examples import Unsatisfiable, generate
from registry.formats.jsonschema.fast import FastPath
from registry.formats.jsonschema.formats import RS_VALIDATORS, rs_options
from registry.formats.jsonschema.patterns import rs_pattern
from registry.formats.jsonschema.validate import fast_path, validate_instance, validator_of

FMT = JsonSchemaFormat()
ROOT = Path(__file__).resolve().parents[3]
SHOP = sorted((ROOT / "schemas").glob("*/*.json"))
ALL = frozenset(Draft)
D6 = frozenset(d for d in Draft if d >= Draft.DRAFT6)
D7 = frozenset(d for d in Draft if d >= Draft.DRAFT7)
D2019 = frozenset({Draft.DRAFT2019_09, Draft.DRAFT2020_12})
UPTO2019 = frozenset(d for d in Draft if d <= Draft.DRAFT2019_09)
UPTO7 = frozenset(d for d in Draft if d <= Draft.DRAFT7)
FORMATS = [
    "date", "date-time", "time", "duration", "email", "idn-email", "hostname", "idn-hostname",
    "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uri-template",
    "json-pointer", "relative-json-pointer", "regex", "uuid", "color",
]  # fmt: skip
PATTERNS = [
    "^cus_[A-Za-z0-9]{8,}$", "^-?[0-9]+\\.[0-9]{2}$", "^[A-Z]{2}$", "^a$|^b$", "^(ab|cd)+$",
    "a.c", "^.$", "^[^a-c]*$", "x{2,3}?", "^(?:a|b$)", "[$.]$", "^[\\-+]?[0-9]*$", "^$",
    "^\\$", "é+", "^[a-zà-ÿ]+$", "^\\t\\n$",
]  # fmt: skip
NUMBERS = {"minimum": 1, "maximum": 10, "multipleOf": 2}

# (id, document, drafts): hand-written schemas covering the keywords.
KEYWORDS: list[tuple[str, Any, frozenset[Draft]]] = [
    ("types", {"type": ["string", "integer", "null"]}, ALL),
    ("number", {"type": "number", **NUMBERS}, ALL),
    ("integer", {"type": "integer", "minimum": -3, "maximum": 2**70}, ALL),
    ("untyped-bounds", NUMBERS, ALL),
    ("big-multiple", {"multipleOf": 3, "maximum": 2**80}, ALL),
    ("float-multiple", {"items": {"multipleOf": 0.1}}, ALL),
    ("big-bounds", {"minimum": -(2**60), "maximum": 1.8446744073709552e19}, ALL),
    ("big-exclusive-4", {"maximum": 2**63, "exclusiveMaximum": True, "minimum": -1e30,
                         "exclusiveMinimum": True}, frozenset({Draft.DRAFT4})),
    ("big-exclusive", {"exclusiveMinimum": -9.223372036854776e18, "exclusiveMaximum": 2**64}, D6),
    ("big-enum", {"enum": [2**63, 1e30, [2**60], {"k": 2**64}]}, ALL),
    ("big-const", {"const": 9.223372036854776e18}, D6),
    ("small-enum", {"enum": [0, 0.5, -1]}, ALL),
    ("float-counts", {"maxLength": 2.0, "minItems": 1.0}, D6),
    ("cents", {"type": "number", "multipleOf": 0.01}, ALL),
    ("exclusive-4", {"minimum": 0, "exclusiveMinimum": True, "maximum": 5,
                     "exclusiveMaximum": True}, frozenset({Draft.DRAFT4})),
    ("exclusive", {"exclusiveMinimum": 0, "exclusiveMaximum": 5.5}, D6),
    ("enum", {"enum": [1, "a", None, [1, 2], {"k": 1.5}, True]}, ALL),
    ("const", {"const": {"a": [1, 2.0]}}, D6),
    ("const-number", {"const": 1}, D6),
    ("strings", {"type": "string", "minLength": 2, "maxLength": 4}, ALL),
    *((f"pattern-{i}", {"type": "string", "pattern": p}, ALL) for i, p in enumerate(PATTERNS)),
    *((f"format-{f}", {"format": f}, ALL) for f in FORMATS),
    ("items", {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3,
               "uniqueItems": True}, ALL),
    ("tuple", {"items": [{"type": "string"}, {"type": "integer"}],
               "additionalItems": False}, UPTO2019),
    ("tuple-schema", {"items": [{"type": "string"}], "additionalItems": {"type": "boolean"}},
     UPTO2019),
    ("additional-items-alone", {"additionalItems": False}, UPTO2019),
    ("prefix", {"prefixItems": [{"type": "string"}], "items": {"type": "integer"}},
     frozenset({Draft.DRAFT2020_12})),
    ("contains", {"contains": {"type": "integer", "minimum": 5}}, D6),
    ("min-contains", {"contains": {"const": 1}, "minContains": 2, "maxContains": 3}, D2019),
    ("object", {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
                "required": ["a"], "additionalProperties": False}, ALL),
    ("pattern-properties", {"patternProperties": {"^x_": {"type": "integer"}, "y$": {"not": {}}},
                            "additionalProperties": {"type": "string"}}, ALL),
    ("property-counts", {"minProperties": 1, "maxProperties": 2}, ALL),
    ("dependencies", {"dependencies": {"a": ["b"], "c": {"required": ["d"]}}}, UPTO7),
    ("dependent", {"dependentRequired": {"a": ["b"]},
                   "dependentSchemas": {"c": {"required": ["d"]}}}, D2019),
    ("property-names", {"propertyNames": {"pattern": "^[a-z]+$", "maxLength": 3}}, D6),
    ("if", {"if": {"properties": {"k": {"const": 1}}, "required": ["k"]},
            "then": {"required": ["a"]}, "else": {"required": ["b"]}}, D7),
    ("combinators", {"allOf": [{"type": "object"}], "anyOf": [{"required": ["a"]},
                     {"required": ["b"]}], "oneOf": [{"required": ["c"]}, {"required": ["d"]}],
                     "not": {"required": ["e"]}}, ALL),
    ("booleans", {"properties": {"a": True, "b": False}, "items": False}, D6),
    ("ref-siblings", {"definitions": {"s": {"type": "string"}},
                      "properties": {"a": {"$ref": "#/definitions/s", "maxLength": 2}}}, ALL),
    ("defs", {"$defs": {"n": {"type": "integer", "minimum": 0}},
              "items": {"$ref": "#/$defs/n"}}, ALL),
    ("ids", {"$id": "https://example.com/root.json",
             "definitions": {"c": {"$id": "c.json", "type": "boolean"}},
             "properties": {"c": {"$ref": "c.json"}, "d": {"$ref": "root.json#/definitions/c"}}},
     D6),
    ("anchor", {"$defs": {"b": {"$anchor": "b", "type": "integer"}},
                "properties": {"b": {"$ref": "#b"}}}, D2019),
    ("unevaluated", {"properties": {"a": True}, "allOf": [{"properties": {"b": True}}],
                     "unevaluatedProperties": False}, D2019),
    ("unevaluated-items", {"prefixItems": [True], "unevaluatedItems": {"type": "string"}},
     frozenset({Draft.DRAFT2020_12})),
    ("content", {"type": "string", "contentEncoding": "base64",
                 "contentMediaType": "application/json"}, ALL),
    ("nested", {"properties": {"a": {"properties": {"b": {"items": {"enum": [1, 2]}}}}}}, ALL),
]  # fmt: skip


def _doubling(levels: int) -> Any:
    """Each level applies two subschemas to property ``a``: 2**levels of them at the bottom."""
    node: Any = {"type": "string"}
    for _ in range(levels):
        node = {"allOf": [{"properties": {"a": node}}, {"properties": {"a": node}}]}
    return node


# Schemas that must not be on the fast path, and the reason's key words.
UNTRUSTED: list[tuple[Any, str]] = [
    ({"type": "string", "pattern": "^\\d+$"}, "pattern"),
    ({"patternProperties": {"(?i)^a": {}}}, "pattern"),
    ({"type": "string", "pattern": "a$\\n"}, "pattern"),
    ({"definitions": {"n": {"properties": {"n": {"$ref": "#/definitions/n"}}}},
      "$ref": "#/definitions/n"}, "recursive"),
    ({"$schema": "https://json-schema.org/draft/2020-12/schema",
      "$defs": {"x": {"$dynamicAnchor": "x"}}, "$dynamicRef": "#x"}, "$dynamicRef"),
    ({"properties": {"m": {"$ref": "http://json-schema.org/draft-07/schema#"}}}, "meta-schema"),
    ({"$defs": {f"d{i}": {"anyOf": [{"$ref": f"#/$defs/d{i + 1}"}] * 2} for i in range(30)}
      | {"d30": {"type": "string"}}, "$ref": "#/$defs/d0"}, "fan-out"),
    ({"$defs": {f"d{i}": {"properties": {"n": {"$ref": f"#/$defs/d{i + 1}"}}}
      for i in range(100)} | {"d100": {}}, "$ref": "#/$defs/d0"}, "deep"),
    ({"properties": {"a": {"$ref": "#/properties/b/enum/0"}, "b": {"enum": [{"type": "x"}]}}},
     "enum"),
    (_doubling(11), "fan-out"),
]  # fmt: skip

# Values JSON cannot hold, and strings where the regex dialects differ.
PROBES: list[Any] = [
    None, True, False, 0, 1, -1, 1.0, 1.5, 2**70, -(2**70), 1e300, -0.0, 0.5, 0.3, 19.9, 1e55,
    3.7521717531263196e18, 6.318707794027044e19, 2.8037144807938618e17, [0.3, 0.7, 1e-320],
    2**53 + 1, float(2**53), 2**60, float(2**60), 2**63, float(2**63), -(2**63), -(2.0**63),
    2**64, 2**64 + 1, float(2**64), 10**30, 1e30, [2**63, float(2**63)], [2**70, 2**70 + 1],
    [[2**64], [float(2**64)]], [{"k": -(2**63)}, {"k": -(2.0**63)}], [1e30, 10**30],
    float("nan"), float("inf"), -float("inf"), Decimal("1"), Decimal("1.0"), Decimal("NaN"),
    Decimal("2.5"), (1, 2), ("a",), [1, 1.0], [True, 1], [[1], [1]], {"a": (1,)},
    "", "a", "ab\n", "\n", "\r", "\u2028", "\u0661\u0662\u0663", "\u0663", "A1", "abc",
    "x_1", "é", "aB", "$",
    "cus_abcdEFGH12", "cus_abcdEFGH12\n", "12.34", "12.34\n", "GB", "GB\n", "ab", "cd\n",
    "2024-02-03", "2024-02-30", "03:04:05Z", "P1D", "a@b.c", "not an email", "192.0.2.1",
    "::1", "https://example.com/a", "/a", "a b", "{x}", "0/a", "e30=",
    "123e4567-e89b-12d3-a456-426614174000", "!!", {}, {"a": 1}, {"a": "x", "b": 2},
    {"x_1": 1, "zy": 1}, [], [1, 2, 3],
]  # fmt: skip


def _document(raw: Any, draft: Draft) -> Any:
    document = copy.deepcopy(raw)
    if isinstance(document, dict):
        document["$schema"] = draft.uri
    return document


def _parse(document: Any, references: tuple[ResolvedReference, ...] = ()) -> ParsedSchema | None:
    try:
        return FMT.parse(json.dumps(document), references)
    except InvalidSchema:
        return None


def _cases() -> Iterator[tuple[str, ParsedSchema]]:
    for name, raw, drafts in KEYWORDS:
        for draft in sorted(drafts):
            yield f"{name}-{draft.value}", FMT.parse(json.dumps(_document(raw, draft)))
    for path in SHOP:  # in every draft whose meta-schema accepts it
        raw = json.loads(path.read_text())
        for draft in Draft:
            parsed = _parse(_document(raw, draft))
            if parsed is not None:
                yield f"{path.stem}-{draft.value}", parsed


CASES = list(_cases())


def _mutations(value: Any) -> Iterator[Any]:
    """Variants of ``value`` changed at one place each: most are invalid."""
    yield from _replacements(value)
    if isinstance(value, dict):
        for key in list(value)[:8]:
            yield {k: v for k, v in value.items() if k != key}
            for changed in _mutations(value[key]):
                yield {**value, key: changed}
        yield {**value, "unexpected": 1}
    elif isinstance(value, list) and value:
        yield value[:-1]
        yield [*value, value[0]]
        yield tuple(value)
        for changed in _mutations(value[0]):
            yield [changed, *value[1:]]


def _replacements(value: Any) -> Iterator[Any]:
    if isinstance(value, str):
        yield from (value + "\n", value + "x", value[:-1], value.upper(), "\u0661" + value, 3)
    elif isinstance(value, bool):
        yield from (not value, 1)
    elif isinstance(value, int | float):
        yield from (value + 1, value - 1, value + 0.5, float(value), -value, str(value), None)
        yield from (Decimal(value), float("inf"))
    elif value is None:
        yield from (0, "")
    else:
        yield from (None, "x")


def _instances(parsed: ParsedSchema, limit: int = 80) -> list[Any]:
    seeds = FMT.examples(parsed, 4, seed=3)
    for mode in ("min", "max", "random"):
        try:
            seeds.append(generate(parsed, mode, 1))
        except Unsatisfiable:
            continue
    found: list[Any] = [*seeds, *PROBES]
    for seed in seeds:
        found.extend(_take(_mutations(seed), limit // max(1, len(seeds))))
    return found


def _take(values: Iterator[Any], n: int) -> list[Any]:
    return [v for _, v in zip(range(n), values, strict=False)]


def _reference_verdict(parsed: ParsedSchema, instance: Any) -> bool | None:
    """``jsonschema``'s verdict (None when it cannot give one: too deep, or it crashes)."""
    try:
        with spending(VALIDATION_STEPS):
            return bool(validator_of(parsed).is_valid(instance))
    except (RecursionError, TypeError, ArithmeticError, ValueError):
        return None


def _fast_verdict(fast: Any, instance: Any) -> bool | None:
    try:
        return bool(fast.is_valid(instance))
    except (ValueError, TypeError, OverflowError):
        return None


def _assert_agree(name: str, parsed: ParsedSchema, instance: Any) -> None:
    fast = fast_path(parsed).validator
    ours = _fast_verdict(fast, instance)
    reference = _reference_verdict(parsed, instance)
    if ours is None or reference is None:
        return
    if _decimal_float_comparison(instance):
        return  # see test_decimal_is_compared_exactly_only_by_jsonschema
    assert ours == reference, (name, parsed.document, instance)


def _decimal_float_comparison(instance: Any) -> bool:
    return isinstance(instance, Decimal) and instance != instance.to_integral_value()


@pytest.mark.parametrize(("name", "parsed"), CASES, ids=[name for name, _ in CASES])
def test_trusted_schemas_give_the_verdict_of_jsonschema(name: str, parsed: ParsedSchema) -> None:
    fast = fast_path(parsed)
    assert fast.validator is not None, (name, fast.reason)
    for instance in _instances(parsed):
        _assert_agree(name, parsed, instance)


def test_every_draft_and_every_shop_schema_is_covered() -> None:
    covered = {(name.rsplit("-", 1)[0], int(name.rsplit("-", 1)[1])) for name, _ in CASES}
    for draft in Draft:
        assert ("object", draft.value) in covered
    assert {(path.stem, 2020) for path in SHOP} <= covered


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
        st.text(max_size=6), st.sampled_from(PROBES),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=6,
)  # fmt: skip


@st.composite
def _mutated(draw: st.DrawFn, value: Any) -> Any:
    """``value`` with one place, drawn at any depth, replaced or removed."""
    if isinstance(value, dict) and value and draw(st.integers(0, 3)):
        key = draw(st.sampled_from(sorted(value)))
        if draw(st.booleans()):
            return {k: v for k, v in value.items() if k != key}
        return {**value, key: draw(_mutated(value[key]))}
    if isinstance(value, list) and value and draw(st.integers(0, 3)):
        index = draw(st.integers(0, len(value) - 1))
        return [*value[:index], draw(_mutated(value[index])), *value[index + 1 :]]
    return draw(JSON_VALUES)


@settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.data())
def test_mutated_examples_get_the_verdict_of_jsonschema(data: st.DataObject) -> None:
    name, parsed = data.draw(st.sampled_from(CASES))
    seeds = FMT.examples(parsed, 3, seed=data.draw(st.integers(0, 3)))
    base = data.draw(st.sampled_from(seeds)) if seeds else None
    _assert_agree(name, parsed, data.draw(_mutated(base)))


@pytest.mark.parametrize(("document", "words"), UNTRUSTED)
def test_schemas_it_cannot_be_trusted_with_go_to_jsonschema(document: Any, words: str) -> None:
    parsed = _parse(document)
    assert parsed is not None
    fast = fast_path(parsed)
    assert fast.validator is None
    assert fast.reason is not None and words in fast.reason


@pytest.mark.parametrize(
    "document",
    [
        _doubling(9),
        {"properties": {f"p{i}": {"type": "string"} for i in range(5_000)}},
        {"$defs": {"unused": {"$ref": "#"}}, "type": "object"},
        {"allOf": [{"$ref": "#/$defs/a"}] * 200, "$defs": {"a": {"anyOf": [True] * 4}}},
    ],
)
def test_large_but_bounded_shapes_stay_on_the_fast_path(document: Any) -> None:
    assert fast_path(FMT.parse(json.dumps(document))).reason is None


def test_references_to_other_subjects_are_resolved_locally() -> None:
    leaf = FMT.parse(json.dumps({"$defs": {"id": {"type": "integer", "minimum": 1}}}))
    leaf_ref = ResolvedReference("leaf.json", "leaf", 2, leaf)
    middle_doc = {"properties": {"id": {"$ref": "leaf.json#/$defs/id"},
                                 "code": {"pattern": "^[A-Z]{2}$"}}}  # fmt: skip
    middle = FMT.parse(json.dumps(middle_doc), (leaf_ref,))
    middle_ref = ResolvedReference("middle.json", "middle", 1, middle)
    top = FMT.parse(json.dumps({"properties": {"m": {"$ref": "middle.json"}}}), (middle_ref,))
    assert fast_path(top).validator is not None
    for instance in [{"m": {"id": 3}}, {"m": {"id": 0}}, {"m": {"code": "GB\n"}}, {"m": 1}]:
        _assert_agree("references", top, instance)
    assert FMT.validate(top, {"m": {"id": 0}})[0].path == "/m/id"


def test_a_reference_of_another_draft_goes_to_jsonschema() -> None:
    tuple_items = {"$schema": Draft.DRAFT7.uri, "items": [{"type": "string"}]}
    ref = ResolvedReference("t.json", "t", 1, FMT.parse(json.dumps(tuple_items)))
    top = FMT.parse(json.dumps({"$schema": Draft.DRAFT2020_12.uri, "$ref": "t.json"}), (ref,))
    assert "DRAFT7" in (fast_path(top).reason or "")


def test_violations_are_those_of_the_jsonschema_path() -> None:
    parsed = FMT.parse((ROOT / "schemas/orders/OrderPlaced.json").read_text())
    slow = FMT.parse(parsed.text)
    slow.compiled.fast = FastPath(reason="forced for this test")
    assert fast_path(parsed).validator is not None
    example = FMT.examples(parsed, 1)[0]
    for instance in [example, *_take(_mutations(example), 60)]:
        assert validate_instance(parsed, instance) == validate_instance(slow, instance)


def test_decimal_is_compared_exactly_only_by_jsonschema() -> None:
    """The one known difference, for a value no decoder of ours produces: ``jsonschema``
    compares ``Decimal("0.1")`` with the float ``0.1`` exactly (they differ), jsonschema-rs by
    decimal value (they are equal). JSON instances never hold a ``Decimal``."""
    parsed = FMT.parse('{"enum": [0.1]}')
    assert fast_path(parsed).validator.is_valid(Decimal("0.1"))
    assert not validator_of(parsed).is_valid(Decimal("0.1"))


def test_values_jsonschema_rs_cannot_read_are_left_to_jsonschema() -> None:
    parsed = FMT.parse('{"type": "object", "properties": {"a": {"type": "string"}}}')
    assert FMT.validate(parsed, {"a": {1, 2}})[0].path == "/a"
    assert FMT.validate(parsed, {1: "x"}) == []
    assert FMT.validate(parsed, {"a": "\ud800"}) == []
    deep: Any = "x"
    for _ in range(5000):
        deep = [deep]
    assert FMT.validate(FMT.parse('{"enum": [[1]]}'), deep)[0].message.startswith(
        "The instance nests too deeply"
    )


def test_arithmetic_is_computed_as_jsonschema_does() -> None:
    for document, value in [
        ('{"uniqueItems": true}', [2**63, float(2**63)]),
        ('{"exclusiveMaximum": 8.157632611158906e17}', 815763261115890561),
        ('{"multipleOf": 3}', 3.7521717531263196e18),
        ('{"multipleOf": 0.1}', 0.3),
    ]:
        parsed = FMT.parse(document)
        assert fast_path(parsed).validator.is_valid(value) == validator_of(parsed).is_valid(value)


def test_non_finite_numbers_are_of_no_type_in_both_engines() -> None:
    for document in ['{"type": "number"}', '{"maximum": 1}', '{"type": "null"}']:
        parsed = FMT.parse(document)
        for value in (math.inf, -math.inf, math.nan):
            assert fast_path(parsed).validator.is_valid(value) == validator_of(parsed).is_valid(
                value
            )


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("^cus_[A-Za-z0-9]{8,}$", "^cus_[A-Za-z0-9]{8,}\\n?$"),
        ("^a$|^(b|c$)$", "^a\\n?$|^(b|c\\n?$)\\n?$"),
        ("[$]\\$", "[$]\\$"),
        ("a.b*?c{2}", "a.b*?c{2}"),
        ("\\d", None),
        ("[\\w]", None),
        ("(?i)a", None),
        ("(?P<n>a)", None),
        ("(?=a)", None),
        ("\\1", None),
        ("[]a]", None),
        ("a{,2}", None),
        ("a*+", None),
        ("a$b", None),
        ("(a$)+", None),
        ("(a$|b)c", None),
        ("[a--b]", None),
        ("\\<", None),
        ("x}", None),
        ("(", None),
    ],
)
def test_patterns_outside_the_common_subset_are_refused(pattern: str, expected: str | None) -> None:
    assert rs_pattern(pattern) == expected


PIECES = [
    "a", "b", ".", "\\n", "\n", "\\$", "\\.", "-", "[ab]", "[^a]", "[a-]", "[$\\]]", "^", "$",
    "|", "(", ")", "(?:", "*", "+", "?", "{2}", "{1,}", "{0,2}", "*?", "}", "\\d",
]  # fmt: skip


@settings(max_examples=400, deadline=None, database=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8).map("".join))
def test_accepted_patterns_match_as_python_does(pattern: str) -> None:
    adjusted = rs_pattern(pattern)
    if adjusted is None:
        return
    validator = RS_VALIDATORS[2020]({"pattern": adjusted}, **rs_options())
    for text in ["", "a", "b", "ab", "a\n", "\n", "ba\n", "aab", "2", "a\nb", "-", "$", "{2}"]:
        assert validator.is_valid(text) == bool(re.search(pattern, text)), (pattern, text)
