"""``esr infer [FILES...]``: a schema from sample events, or the widening an existing one needs.

Samples come from files (``.json``: one event, or a JSON array of events; ``.jsonl`` and
``.ndjson``: one event per line) or from stdin (``-`` or no file: a JSON array, one JSON
document, or JSON Lines). The schema (draft 2020-12 JSON Schema, or Avro with ``--type avro``)
goes to ``--output`` or stdout.

With ``--existing FILE`` the command validates every sample with that schema, writes the
smallest widening that accepts them all (the schema itself when it already does) and reports
the rejected samples, the changes and the compatibility verdict of the proposal against the
existing schema at ``--level``. The report goes to stdout when the schema goes to a file, to
stderr otherwise, so that ``esr infer --existing s.json events.jsonl > proposal.json`` works.
Exit codes: 0 ok (every sample accepted), 1 some samples rejected, 2 bad input.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from registry.cli.errors import EXIT_BREAKING, EXIT_OK, exit_on_registry_error
from registry.cli.files import read_schema, write_output
from registry.compatibility import CompatibilityResult, check_compatibility
from registry.domain import CompatibilityLevel, CompatibilityPolicy, SchemaType
from registry.errors import InvalidInput
from registry.formats import get_format
from registry.formats.infer import Widening, infer_avro, infer_json_schema, widen
from registry.formats.infer.values import AVRO_NAME, pascal_case
from registry.formats.tree import schema_type_for

LINES_SUFFIXES = (".jsonl", ".ndjson")
STDIN = "<stdin>"
SHOWN_REJECTIONS = 20


@dataclass(frozen=True, slots=True)
class Sample:
    """One event and where it was read (``events.jsonl:12``, ``batch.json[3]``)."""

    value: Any
    source: str


def register(app: typer.Typer) -> None:
    """Add ``esr infer`` to the CLI."""
    app.command(name="infer")(infer)


def infer(
    files: list[Path] | None = typer.Argument(
        None, help="Sample events: .json (one or an array), .jsonl/.ndjson; - or none: stdin."
    ),
    schema_type: str | None = typer.Option(
        None, "--type", "-t", help="json or avro (default: json, or the --existing schema's)."
    ),
    name: str | None = typer.Option(
        None, "--name", help="Avro record name (default: from the first file); JSON title."
    ),
    namespace: str | None = typer.Option(None, "--namespace", help="Avro namespace."),
    enum_threshold: int | None = typer.Option(
        None,
        "--enum-threshold",
        min=1,
        help="Propose an enum for a string with at most N distinct values over 2N or more.",
    ),
    formats: bool = typer.Option(
        True, "--formats/--no-formats", help="Propose date-time, date, uuid and email formats."
    ),
    closed: bool = typer.Option(
        False, "--closed", help="JSON Schema: close objects (additionalProperties: false)."
    ),
    existing: Path | None = typer.Option(
        None, "--existing", help="Report the samples this schema rejects and propose a widening."
    ),
    level: str = typer.Option(
        "BACKWARD", "--level", help="Compatibility level of the proposal's verdict."
    ),
    policy: str = typer.Option("STRICT", "--policy", help="JSON Schema policy: STRICT or LENIENT."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the schema to FILE (default: stdout)."
    ),
    report_format: str = typer.Option(
        "text", "--format", "-f", help="The widening report: text or json."
    ),
) -> None:
    """Infer a schema from sample events, or widen --existing; exit 0, 1 or 2."""
    code = EXIT_OK
    with exit_on_registry_error():
        if report_format not in ("text", "json"):
            raise InvalidInput(f"--format: use text or json, not '{report_format}'")
        kind = _schema_type(schema_type, existing)
        judged = (CompatibilityLevel.parse(level), CompatibilityPolicy.parse(policy))
        samples = read_samples(files or [])
        values = [s.value for s in samples]
        if existing is not None:
            code = _widen(existing, kind, samples, judged, output, report_format)
        elif kind is SchemaType.AVRO:
            schema = infer_avro(
                values,
                name=name or _default_name(files or []),
                namespace=namespace,
                enum_threshold=enum_threshold,
                formats=formats,
            )
            write_output(output, json.dumps(schema, indent=2) + "\n")
        else:
            schema = infer_json_schema(
                values, formats=formats, enum_threshold=enum_threshold, closed=closed, title=name
            )
            write_output(output, json.dumps(schema, indent=2) + "\n")
    raise typer.Exit(code)


def _widen(
    existing: Path,
    kind: SchemaType,
    samples: list[Sample],
    judged: tuple[CompatibilityLevel, CompatibilityPolicy],
    output: Path | None,
    report_format: str,
) -> int:
    """Write the proposal and the report; the exit code says whether a sample was rejected."""
    current = read_schema(existing, kind)
    widening = widen(current, [s.value for s in samples])
    verdict = check_compatibility(get_format(kind), widening.proposal, [(None, current)], *judged)
    text = widening.proposal.text
    write_output(output, text if text.endswith("\n") else text + "\n")
    where = str(output) if output is not None and str(output) != "-" else "stdout"
    render = _json_report if report_format == "json" else _text_report
    report = render(existing, widening, verdict, judged[1], samples, where)
    typer.echo(report, nl=False, err=where == "stdout")
    return EXIT_BREAKING if widening.rejected else EXIT_OK


def _schema_type(option: str | None, existing: Path | None) -> SchemaType:
    if option is not None:
        if option.lower() not in ("json", "avro"):
            raise InvalidInput(f"--type: use json or avro, not '{option}'")
        return SchemaType.parse(option.upper())
    if existing is None:
        return SchemaType.JSON
    found = schema_type_for(existing)
    if found is None:
        raise InvalidInput(
            f"{existing}: cannot tell the schema type from the extension; use --type"
        )
    return found


def _default_name(files: list[Path]) -> str:
    stem = pascal_case(files[0].stem) if files and str(files[0]) != "-" else "Event"
    return stem if AVRO_NAME.match(stem) else "Event"


def read_samples(files: list[Path]) -> list[Sample]:
    """Every sample of the files, in order (no file, or ``-``: stdin); none is an error."""
    found: list[Sample] = []
    for path in files or [Path("-")]:
        if str(path) == "-":
            found += parse_samples(sys.stdin.read(), STDIN, lines=None)
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"{path}: cannot read ({exc})") from None
        suffix = path.suffix.lower()
        lines = True if suffix in LINES_SUFFIXES else False if suffix == ".json" else None
        found += parse_samples(text, str(path), lines=lines)
    if not found:
        where = ", ".join(str(p) for p in files) or STDIN
        raise InvalidInput(f"no samples: {where} holds no events")
    return found


def parse_samples(text: str, source: str, *, lines: bool | None) -> list[Sample]:
    """The events of one input: JSON Lines (``lines``), one JSON document, or either (None).

    A JSON document that is an array is a list of events. Malformed JSON raises
    ``InvalidInput`` naming the source, line and column.
    """
    if not text.strip():
        return []
    if lines is None:
        whole = _decode(text, source, 0, quiet=True)
        if whole is not _MALFORMED:
            return _document_samples(whole, source)
        lines = len([line for line in text.splitlines() if line.strip()]) > 1
    if not lines:
        return _document_samples(_decode(text, source, 0), source)
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            found.append(Sample(_decode(line, source, number), f"{source}:{number}"))
    return found


_MALFORMED = object()


def _decode(text: str, source: str, line: int, *, quiet: bool = False) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if quiet:
            return _MALFORMED
        at = f"{source}:{line or exc.lineno}"
        raise InvalidInput(f"{at}: malformed JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise InvalidInput(f"{source}: the JSON nests too deeply") from None


def _document_samples(value: Any, source: str) -> list[Sample]:
    if isinstance(value, list):
        return [Sample(item, f"{source}[{index}]") for index, item in enumerate(value)]
    return [Sample(value, source)]


def _text_report(
    existing: Path,
    widening: Widening,
    verdict: CompatibilityResult,
    policy: CompatibilityPolicy,
    samples: list[Sample],
    where: str,
) -> str:
    total = len(samples)
    if widening.accepts_all:
        lines = [f"{existing} accepts all {total} samples; the proposal is the schema unchanged"]
    else:
        lines = [f"{existing} rejects {len(widening.rejected)} of {total} samples:"]
        for rejection in widening.rejected[:SHOWN_REJECTIONS]:
            lines.append(f"  sample {rejection.index} ({samples[rejection.index].source}):")
            lines += [f"    {v.path or '/'}: {v.message}" for v in rejection.violations]
        if len(widening.rejected) > SHOWN_REJECTIONS:
            lines.append(f"  ... and {len(widening.rejected) - SHOWN_REJECTIONS} more")
    if widening.changes:
        lines.append(f"proposed widening, written to {where}:")
        lines += [f"  {change}" for change in widening.changes]
    for rejection in widening.unresolved:
        lines.append(f"still rejected by the proposal: sample {rejection.index}")
    state = "compatible" if verdict.is_compatible else "incompatible"
    lines.append(f"{state} with {existing} ({verdict.level.value}, {policy.value})")
    lines += [f"  {finding.describe()}" for finding in verdict.findings]
    return "\n".join(lines) + "\n"


def _json_report(
    existing: Path,
    widening: Widening,
    verdict: CompatibilityResult,
    policy: CompatibilityPolicy,
    samples: list[Sample],
    where: str,
) -> str:
    def described(index: int, violations: Any) -> dict[str, Any]:
        return {
            "index": index,
            "source": samples[index].source,
            "violations": [
                {"path": v.path, "message": v.message, "schemaPath": v.schema_path}
                for v in violations
            ],
        }

    document = {
        "existing": str(existing),
        "schemaType": widening.existing.schema_type.value,
        "samples": len(samples),
        "accepted": widening.accepts_all,
        "rejected": [described(r.index, r.violations) for r in widening.rejected],
        "changes": list(widening.changes),
        "unresolved": [described(r.index, r.violations) for r in widening.unresolved],
        "proposal": where,
        "compatible": verdict.is_compatible,
        "level": verdict.level.value,
        "policy": policy.value,
        "findings": [finding.as_dict() for finding in verdict.findings],
    }
    return json.dumps(document, indent=2, default=str) + "\n"
