"""Where our JSON Schema verdicts deliberately differ from Confluent's, and why.

Our engine is *semantic*: BACKWARD holds when every instance valid under the writer (old) schema
is valid under the reader (new) one. Confluent's ``SchemaDiff`` compares schemas syntactically,
and in the cases below its verdict is not what the specification says. This module is the one
list: the conformance test (``tests/unit/formats/test_jsonschema_conformance.py``) checks that
exactly these Confluent cases differ, and ``esr rules`` prints them into ``docs/rules.md``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Difference:
    """One case of Confluent's test data where our STRICT BACKWARD verdict differs."""

    case: str
    confluent: str
    ours: str
    why: str


CONFLUENT_DIFFERENCES: tuple[Difference, ...] = (
    Difference(
        "diff-schema-examples: Detect required array to be changed",
        "compatible",
        "incompatible",
        '`required` goes from `["foo"]` to `["bar"]`. Confluent sees only "foo no longer '
        'required" because `bar` is not a declared property, but the reader now requires '
        '`bar`: the writer instance `{"foo": "x"}` is rejected (`json.required-added`).',
    ),
    Difference(
        "diff-schema-examples-2020-12: Detect required array to be changed",
        "compatible",
        "incompatible",
        "The same case in draft 2020-12.",
    ),
    Difference(
        "diff-schema-examples: Detect removed boolean additional items",
        "incompatible",
        "compatible",
        "`additionalItems` next to no list-form `items` MUST be ignored (draft-07 Validation "
        '6.4.2), so `{"additionalItems": true}` and `{"additionalItems": false}` both accept '
        "every value.",
    ),
    Difference(
        "diff-schema-examples: Detect changes to additional items schema",
        "incompatible",
        "compatible",
        "Same reason: `additionalItems` has no effect without a list `items`.",
    ),
)

# Choices that make us stricter than Confluent, not exercised by its test data.
STRICTER_CHOICES: tuple[tuple[str, str], ...] = (
    (
        "A required property with a `default` is still a required property.",
        "Confluent counts `REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED` as compatible, but validation "
        "never inserts defaults, so a writer instance without the property is rejected.",
    ),
    (
        "Adding a `oneOf` branch is compatible only when the new branch cannot overlap the others.",
        "Confluent treats every added branch as `SUM_TYPE_EXTENDED`; a value matching two "
        "branches fails `oneOf` (`json.one-of-overlap`).",
    ),
    (
        "Patterns are not compared.",
        "Any change of `pattern` other than its removal is reported (`json.pattern-changed`), "
        "as Confluent does, because inclusion of regular languages is not decided here.",
    ),
    (
        "Schemas too large or complex to compare are incompatible.",
        "Past a fixed budget of work (exponential `$ref` fan-out through `anyOf`/`oneOf`, say) "
        "the answer is `json.undecidable`, never a guess of compatible.",
    ),
)

APICURIO_NOTE = (
    "Apicurio's JSON Schema compatibility data is measured too (agreement 137 of 145). The "
    "eight disagreements are cases where Apicurio's expectation is not semantic: annotations "
    "(`contentEncoding`, `contentMediaType`) that validation ignores, an unsatisfiable `const`, "
    "`anyOf` branches that accept everything either way, and `oneOf` cases whose overlapping "
    "branches make Apicurio's expected direction wrong."
)


def deliberate_differences() -> dict[str, str]:
    """Confluent case label (``"<file>: <description>"``) -> why we differ."""
    return {d.case: d.why for d in CONFLUENT_DIFFERENCES}
