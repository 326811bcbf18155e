"""``esr check WRITER READER``: is a new schema compatible with earlier ones? Offline.

``WRITER`` is the earlier schema and ``READER`` the new one: the names follow the default
BACKWARD question (can the new schema read what the earlier one wrote?); with ``--mode FORWARD``
the engine asks the reverse and FULL asks both, exactly as the registry would for a subject whose
latest version is ``WRITER``. ``--previous`` adds older versions (oldest first) for the
transitive modes. Exit codes: 0 compatible, 1 incompatible, 2 bad input.

``--reads /orderId --reads /total/amount`` judges for a consumer that reads with ``WRITER`` and
reads those JSON pointers of the event (``*`` for any array item): a finding touching none of
them is downgraded to a warning, and what such a consumer cannot read of ``READER`` is added
(removing a field it reads breaks it even where the level allows the removal). The exit code
then follows that judgement. This is the offline form of ``esr gate --consumers``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from registry.cli.errors import EXIT_BREAKING, EXIT_OK, exit_on_registry_error
from registry.cli.files import read_schema
from registry.compatibility import CompatibilityResult, check_compatibility
from registry.domain import CompatibilityLevel, CompatibilityPolicy, SchemaType
from registry.errors import InvalidInput
from registry.formats import get_format
from registry.formats.base import ParsedSchema
from registry.formats.tree import schema_type_for
from registry.reads import ConsumerAdvice, ConsumerView, DeployedConsumer, advise, check_reads


def register(app: typer.Typer) -> None:
    """Add ``esr check`` to the CLI."""
    app.command(name="check")(check)


def check(
    writer: Path = typer.Argument(..., help="The earlier schema (the latest registered version)."),
    reader: Path = typer.Argument(..., help="The new schema."),
    previous: list[Path] | None = typer.Option(
        None, "--previous", "-p", help="Older versions, oldest first, for transitive modes."
    ),
    mode: str = typer.Option("BACKWARD", "--mode", "-m", help="Compatibility level."),
    policy: str = typer.Option("STRICT", "--policy", help="JSON Schema policy: STRICT or LENIENT."),
    schema_type: str | None = typer.Option(
        None, "--type", "-t", help="AVRO or JSON (default: from the extension, .avsc or .json)."
    ),
    output: str = typer.Option("text", "--format", "-f", help="text or json."),
    reads: list[str] | None = typer.Option(
        None,
        "--reads",
        help="A JSON pointer a consumer reading with WRITER reads (repeatable, or comma-"
        "separated): judge the findings by it.",
    ),
) -> None:
    """Check READER against WRITER (and --previous versions) at --mode; exit 0, 1 or 2."""
    with exit_on_registry_error():
        if output not in ("text", "json"):
            raise InvalidInput(f"--format: use text or json, not '{output}'")
        level = CompatibilityLevel.parse(mode)
        rules = CompatibilityPolicy.parse(policy)
        history = [*(previous or []), writer]
        kind = _schema_type(schema_type, [*history, reader])
        fmt = get_format(kind)
        candidate = read_schema(reader, kind)
        earlier = [(index, read_schema(path, kind)) for index, path in enumerate(history, 1)]
        result = check_compatibility(fmt, candidate, earlier, level, rules)
        files = {index: str(path) for index, path in enumerate(history, 1)}
        advice, read_set = None, _read_set(reads) if reads is not None else ()
        if read_set:
            advice = _advise(result, candidate, dict(earlier), read_set, writer)
        if output == "json":
            typer.echo(_json(result, kind, rules, reader, files, advice))
        else:
            typer.echo(_text(result, rules, files, advice, read_set), nl=False)
    compatible = result.is_compatible if advice is None else advice.is_compatible
    raise typer.Exit(EXIT_OK if compatible else EXIT_BREAKING)


#: How a ``--reads`` consumer is named in the answers.
READER = "the consumer"


def _read_set(values: list[str]) -> tuple[str, ...]:
    pointers = [p.strip() for value in values for p in value.split(",") if p.strip()]
    found = check_reads(pointers)
    if found is None:
        raise InvalidInput("--reads: give at least one JSON pointer, such as /orderId")
    return found


def _advise(
    result: CompatibilityResult,
    candidate: ParsedSchema,
    earlier: dict[int | None, ParsedSchema],
    reads: tuple[str, ...],
    writer: Path,
) -> ConsumerAdvice:
    latest = earlier[max(k for k in earlier if k is not None)]
    consumer = DeployedConsumer(
        READER, f"reading {writer.name}", "-", latest.schema_type.value, latest.text, reads
    )
    view = ConsumerView("--reads", (consumer,))
    return advise(view, "-", result.findings, candidate, earlier)


def _schema_type(option: str | None, paths: list[Path]) -> SchemaType:
    if option is not None:
        return SchemaType.parse(option)
    types = {schema_type_for(path) for path in paths}
    if None in types:
        unknown = next(p for p in paths if schema_type_for(p) is None)
        raise InvalidInput(f"{unknown}: cannot tell the schema type from the extension; use --type")
    if len(types) > 1:
        raise InvalidInput("the files mix .avsc and .json; compatibility needs one schema type")
    found = types.pop()
    assert found is not None
    return found


def _text(
    result: CompatibilityResult,
    policy: CompatibilityPolicy,
    files: dict[int, str],
    advice: ConsumerAdvice | None = None,
    reads: tuple[str, ...] = (),
) -> str:
    compatible = result.is_compatible if advice is None else advice.is_compatible
    verdict = "compatible" if compatible else "incompatible"
    heading = f"{verdict} ({result.level.value}, {policy.value}"
    if advice is not None and reads:
        heading += f", for a consumer reading {', '.join(reads)}"
    lines = [heading + ")"]
    for index, finding in enumerate(result.findings):
        where = files.get(finding.version or 0, "")
        line = f"  {where}: {finding.describe()}"
        if advice is not None:
            weighed = advice.findings[index].advice
            line += " [warning: not read]" if weighed.downgrade else " [read]"
        lines.append(line)
    for broken in advice.breaks if advice is not None else ():
        inc = broken.finding.incompatibility
        mark = "" if broken.read else " [warning: not read]"
        line = f"  {READER} ({', '.join(broken.finding.pointers)}): [{inc.rule_id}] {inc.message}"
        if inc.has_example:
            line += f"; example that breaks: {json.dumps(inc.example, separators=(',', ':'))}"
        lines.append(line + mark)
    return "\n".join(lines) + "\n"


def _json(
    result: CompatibilityResult,
    kind: SchemaType,
    policy: CompatibilityPolicy,
    reader: Path,
    files: dict[int, str],
    advice: ConsumerAdvice | None = None,
) -> str:
    findings = []
    for finding in result.findings:
        data = finding.as_dict()
        data["file"] = files.get(finding.version or 0)
        findings.append(data)
    document: dict[str, Any] = {
        "compatible": result.is_compatible if advice is None else advice.is_compatible,
        "level": result.level.value,
        "policy": policy.value,
        "schemaType": kind.value,
        "reader": str(reader),
        "writers": list(files.values()),
        "findings": findings,
    }
    if advice is not None:
        document["levelCompatible"] = result.is_compatible
        for data, weighed in zip(findings, advice.findings, strict=True):
            data["downgraded"] = weighed.advice.downgrade
            data["pointers"] = list(weighed.advice.pointers)
        document["consumerFindings"] = [
            {"blocking": b.read, **b.finding.as_dict()} for b in advice.breaks
        ]
    return json.dumps(document, indent=2, default=str)
