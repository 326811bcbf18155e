"""``esr rules``: every compatibility rule, with an example and what the engine says about it.

The rules come from the code (:func:`registry.compatibility.rule_catalogue`); for each one the
command runs the engine on the rule's example pair (BACKWARD: the reader is the new schema) and
shows the finding exactly as ``esr check`` prints it, counterexample included. The JSON Schema
cases where we deliberately differ from Confluent come from
:mod:`registry.formats.jsonschema.differences`. ``docs/rules.md`` is this command's markdown
output (``esr rules --format markdown > docs/rules.md``); a test fails when it is not current.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import typer

from registry.cli.errors import exit_on_registry_error
from registry.compatibility import (
    COMMON_RULES,
    Direction,
    Finding,
    check_compatibility,
    rule_catalogue,
)
from registry.domain import CompatibilityLevel, CompatibilityPolicy, SchemaType
from registry.errors import InvalidInput
from registry.formats import all_formats, get_format
from registry.formats.base import Rule, SchemaFormat
from registry.formats.jsonschema.differences import (
    APICURIO_NOTE,
    CONFLUENT_DIFFERENCES,
    STRICTER_CHOICES,
)

REGENERATE = "esr rules --format markdown > docs/rules.md"
_FORMAT_NAMES: dict[SchemaType | None, str] = {
    SchemaType.AVRO: "Avro",
    SchemaType.JSON: "JSON Schema",
    None: "Every format",
}


def register(app: typer.Typer) -> None:
    """Add ``esr rules`` to the CLI."""
    app.command(name="rules")(rules)


def rules(
    output: str = typer.Option("text", "--format", "-f", help="text, markdown or json."),
) -> None:
    """List every compatibility rule with an example pair and the engine's message for it."""
    with exit_on_registry_error():
        renderers = {"text": render_text, "markdown": render_markdown, "json": render_json}
        if output not in renderers:
            raise InvalidInput(f"--format: use text, markdown or json, not '{output}'")
        typer.echo(renderers[output](catalogue()), nl=False)


@dataclass(frozen=True)
class Entry:
    """One rule, the format it belongs to and the findings its example pair produces."""

    rule: Rule
    schema_type: SchemaType | None  # None: a rule of every format
    findings: tuple[Finding, ...]

    @property
    def policy(self) -> CompatibilityPolicy:
        """The policy the example is checked under."""
        return self.rule.policy or CompatibilityPolicy.STRICT


def catalogue() -> list[Entry]:
    """Every rule of :func:`rule_catalogue`, by format, with the findings for its example."""
    entries = [
        Entry(rule, fmt.schema_type, _findings(fmt, rule))
        for fmt in all_formats()
        for rule in fmt.rules
    ] + [Entry(rule, None, _type_change()) for rule in COMMON_RULES]
    listed = {entry.rule.id for entry in entries}
    if listed != set(rule_catalogue()):  # pragma: no cover - a format outside all_formats()
        raise RuntimeError("the rule catalogue and the formats disagree")
    return entries


def _type_change() -> tuple[Finding, ...]:
    """What the engine says when a JSON Schema follows an Avro schema under BACKWARD."""
    avro, json_schema = get_format(SchemaType.AVRO), get_format(SchemaType.JSON)
    writer = avro.parse('"string"')
    reader = json_schema.parse('{"type": "string"}')
    result = check_compatibility(json_schema, reader, [(None, writer)], CompatibilityLevel.BACKWARD)
    return result.findings


def _findings(fmt: SchemaFormat, rule: Rule) -> tuple[Finding, ...]:
    if rule.writer is None or rule.reader is None:
        return ()
    writer = fmt.parse(json.dumps(rule.writer))
    reader = fmt.parse(json.dumps(rule.reader))
    found = fmt.check(reader, writer, rule.policy or CompatibilityPolicy.STRICT)
    mine = [inc for inc in found if inc.rule_id == rule.id] or found
    return tuple(Finding(inc, Direction.BACKWARD) for inc in mine)


# --- text -----------------------------------------------------------------------------------


def render_text(entries: list[Entry]) -> str:
    """One block per rule: id and title, description, and what ``esr check`` prints."""
    lines: list[str] = []
    for entry in entries:
        lines += [f"{entry.rule.id}: {entry.rule.title}", f"  {entry.rule.description}"]
        lines += [f"  example: {finding.describe()}" for finding in entry.findings]
        lines.append("")
    lines.append("Deliberate differences from Confluent (JSON Schema, STRICT, BACKWARD):")
    for diff in CONFLUENT_DIFFERENCES:
        lines.append(f"  {diff.case}: Confluent {diff.confluent}, ours {diff.ours}. {diff.why}")
    return "\n".join(lines) + "\n"


# --- markdown -------------------------------------------------------------------------------


def render_markdown(entries: list[Entry]) -> str:
    """The whole of ``docs/rules.md``."""
    parts = [_HEADER.format(command=REGENERATE, toc=_contents(entries))]
    for schema_type, name in _FORMAT_NAMES.items():
        parts.append(f"## {name}\n")
        parts += [_rule_section(e) for e in entries if e.schema_type is schema_type]
    parts.append(_differences())
    return "\n".join(parts)


_HEADER = """# Compatibility rules

<!-- Generated by `{command}`; do not edit by hand.
     tests/unit/test_rules_doc.py fails when this file is not current. -->

Every incompatibility the registry reports names one of these rules, by a stable id: the REST
API's `verbose=true` messages, `esr check` and the CI gate all print it. A rule is a way a
*reader* schema can fail to read data a *writer* schema allows. BACKWARD compatibility asks
whether the new schema (the reader) reads what earlier ones wrote, so a BACKWARD failure breaks
producers; FORWARD asks the reverse and breaks consumers; FULL asks both.

Each rule below comes with an example pair that breaks it in the BACKWARD direction and the
finding the engine reports for that pair, exactly as `esr check` prints it, with the
counterexample it found: an instance the writer accepts and the reader rejects (for Avro, a
record written with the writer schema that the reader cannot decode).

{toc}
"""


def _contents(entries: list[Entry]) -> str:
    lines = []
    for schema_type, name in _FORMAT_NAMES.items():
        ids = [e.rule.id for e in entries if e.schema_type is schema_type]
        lines.append(
            f"- **{name}** ({len(ids)}): " + ", ".join(f"[`{i}`](#{_anchor(i)})" for i in ids)
        )
    lines.append(
        "- [Deliberate differences from Confluent](#deliberate-differences-from-confluent)"
    )
    return "\n".join(lines)


def _anchor(rule_id: str) -> str:
    return rule_id.replace(".", "")


def _rule_section(entry: Entry) -> str:
    rule = entry.rule
    lines = [f"### {rule.id}", "", f"**{rule.title}.** {rule.description}", ""]
    if rule.policy is CompatibilityPolicy.LENIENT:
        lines += ["Applies under the LENIENT policy.", ""]
    if rule.writer is not None:
        lines += [f"- writer (earlier): `{_compact(rule.writer)}`"]
        lines += [f"- reader (new): `{_compact(rule.reader)}`", ""]
    if entry.findings:
        lines.append("```text")
        lines += [f"$ esr check writer reader  # {entry.policy.value}"]
        lines += [finding.describe() for finding in entry.findings]
        lines += ["```", ""]
    return "\n".join(lines)


def _compact(document: Any) -> str:
    return json.dumps(document, separators=(", ", ": "))


def _differences() -> str:
    lines = [
        "## Deliberate differences from Confluent",
        "",
        "Our JSON Schema engine is *semantic*: BACKWARD holds when every instance valid under "
        "the writer schema is valid under the reader. Confluent's `SchemaDiff` compares schemas "
        "syntactically, and in the cases below (from its own test data, STRICT policy, "
        "BACKWARD) its verdict is not what the specification says. We agree with every other "
        "STRICT and LENIENT verdict of that data; "
        "`tests/unit/formats/test_jsonschema_conformance.py` keeps this list and the code in "
        "step.",
        "",
        "| case (file: description) | Confluent | ours | why |",
        "|---|---|---|---|",
    ]
    lines += [f"| {d.case} | {d.confluent} | {d.ours} | {d.why} |" for d in CONFLUENT_DIFFERENCES]
    lines += ["", "Choices that make us stricter than Confluent, not exercised by its data:", ""]
    lines += [f"- **{what}** {why}" for what, why in STRICTER_CHOICES]
    lines += ["", APICURIO_NOTE, ""]
    return "\n".join(lines)


# --- json -----------------------------------------------------------------------------------


def render_json(entries: list[Entry]) -> str:
    """Machine-readable: every rule with its example and findings, and the differences."""
    data = {
        "rules": [
            {
                "id": e.rule.id,
                "schemaType": e.schema_type.value if e.schema_type else None,
                "title": e.rule.title,
                "description": e.rule.description,
                "policy": e.policy.value,
                "writer": e.rule.writer,
                "reader": e.rule.reader,
                "findings": [f.as_dict() for f in e.findings],
            }
            for e in entries
        ],
        "confluentDifferences": [
            {"case": d.case, "confluent": d.confluent, "ours": d.ours, "why": d.why}
            for d in CONFLUENT_DIFFERENCES
        ],
    }
    return json.dumps(data, indent=2, default=_jsonable) + "\n"


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)
