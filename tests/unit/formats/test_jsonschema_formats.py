"""The asserted ``format`` values are a fixed set, the same in every install and every engine.

If this list changes, verdicts change: a format leaving it stops rejecting values, one joining
it starts. Update ``docs/validation.md`` with it.
"""

from __future__ import annotations

import json

import pytest

from registry.domain import CompatibilityPolicy
from registry.formats.jsonschema import JsonSchemaFormat
from registry.formats.jsonschema.drafts import Draft
from registry.formats.jsonschema.formats import ASSERTED_FORMATS, RS_VALIDATORS, rs_options

FMT = JsonSchemaFormat()
DRAFT4 = [
    "date", "date-time", "email", "hostname", "idn-email", "ipv4", "ipv6", "regex", "time", "uri",
]  # fmt: skip
DRAFT6 = sorted([*DRAFT4, "json-pointer", "uri-reference", "uri-template"])
DRAFT7 = sorted([*DRAFT6, "idn-hostname", "iri", "iri-reference", "relative-json-pointer"])
DRAFT2019 = sorted([*DRAFT7, "duration", "uuid"])
PINNED = {
    Draft.DRAFT4: DRAFT4,
    Draft.DRAFT6: DRAFT6,
    Draft.DRAFT7: DRAFT7,
    Draft.DRAFT2019_09: DRAFT2019,
    Draft.DRAFT2020_12: DRAFT2019,
}
# Every format name any draft defines, and some no draft does.
NAMES = sorted({*DRAFT2019, "color", "int32", "binary", "password", "phone"})
# Values no asserted format accepts.
NOT_A_VALUE = ["", "not valid ::: \\ [ ", "x" * 300, "%", "a b", "[", "{", "~2"]


@pytest.mark.parametrize("draft", list(Draft))
def test_the_asserted_formats_are_pinned(draft: Draft) -> None:
    assert sorted(ASSERTED_FORMATS[draft]) == PINNED[draft]
    assert sorted(draft.validator_class.FORMAT_CHECKER.checkers) == PINNED[draft]


@pytest.mark.parametrize("draft", list(Draft))
def test_jsonschema_rs_asserts_exactly_the_pinned_formats(draft: Draft) -> None:
    for name in NAMES:
        validator = RS_VALIDATORS[draft]({"format": name}, **rs_options())
        asserted = not all(validator.is_valid(value) for value in NOT_A_VALUE)
        assert asserted == (name in PINNED[draft]), name


@pytest.mark.parametrize("draft", list(Draft))
def test_both_engines_check_formats_alike(draft: Draft) -> None:
    checker = draft.validator_class.FORMAT_CHECKER
    samples = [*NOT_A_VALUE, "2024-02-03", "2024-02-30", "03:04:05Z", "P1D", "a@b.c", "::1"]
    for name in PINNED[draft]:
        rs = RS_VALIDATORS[draft]({"format": name}, **rs_options())
        for value in samples:
            assert checker.conforms(value, name) == rs.is_valid(value), (name, value)


@pytest.mark.parametrize("draft", list(Draft))
def test_every_asserted_format_has_examples(draft: Draft) -> None:
    for name in PINNED[draft]:
        parsed = FMT.parse(json.dumps({"$schema": draft.uri, "type": "string", "format": name}))
        examples = FMT.examples(parsed, 2)
        assert examples, name
        assert all(FMT.validate(parsed, e) == [] for e in examples)


def test_formats_are_asserted_in_every_draft_and_others_are_annotations() -> None:
    for draft in Draft:
        parsed = FMT.parse(json.dumps({"$schema": draft.uri, "format": "date"}))
        assert FMT.validate(parsed, "2024-02-30")[0].message == "'2024-02-30' is not a 'date'"
        assert FMT.validate(FMT.parse('{"format": "color"}'), "not a colour") == []


def test_the_compatibility_engine_counts_asserted_formats_only() -> None:
    writer = FMT.parse('{"type": "string"}')
    hostname = FMT.parse('{"type": "string", "format": "hostname"}')
    color = FMT.parse('{"type": "string", "format": "color"}')
    found = FMT.check(hostname, writer, CompatibilityPolicy.STRICT)
    assert [i.rule_id for i in found] == ["json.format-changed"]
    assert FMT.check(color, writer, CompatibilityPolicy.STRICT) == []
