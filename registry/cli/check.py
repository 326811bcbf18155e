"""``esr check WRITER READER``: is a new schema compatible with earlier ones? Offline.

``WRITER`` is the earlier schema and ``READER`` the new one: the names follow the default
BACKWARD question (can the new schema read what the earlier one wrote?); with ``--mode FORWARD``
the engine asks the reverse and FULL asks both, exactly as the registry would for a subject whose
latest version is ``WRITER``. ``--previous`` adds older versions (oldest first) for the
transitive modes. Exit codes: 0 compatible, 1 incompatible, 2 bad input.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from registry.cli.errors import EXIT_BREAKING, EXIT_OK, exit_on_registry_error
from registry.compatibility import CompatibilityResult, check_compatibility
from registry.domain import CompatibilityLevel, CompatibilityPolicy, SchemaType
from registry.errors import InvalidInput
from registry.formats import get_format
from registry.formats.base import ParsedSchema
from registry.formats.tree import schema_type_for


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
        candidate = _parse(reader, kind)
        earlier = [(index, _parse(path, kind)) for index, path in enumerate(history, 1)]
        result = check_compatibility(fmt, candidate, earlier, level, rules)
        files = {index: str(path) for index, path in enumerate(history, 1)}
        if output == "json":
            typer.echo(_json(result, kind, rules, reader, files))
        else:
            typer.echo(_text(result, rules, files), nl=False)
    raise typer.Exit(EXIT_OK if result.is_compatible else EXIT_BREAKING)


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


def _parse(path: Path, kind: SchemaType) -> ParsedSchema:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read ({exc})") from None
    try:
        return get_format(kind).parse(text)
    except InvalidInput as exc:
        raise InvalidInput(f"{path}: {exc.message}") from None


def _text(result: CompatibilityResult, policy: CompatibilityPolicy, files: dict[int, str]) -> str:
    verdict = "compatible" if result.is_compatible else "incompatible"
    lines = [f"{verdict} ({result.level.value}, {policy.value})"]
    for finding in result.findings:
        where = files.get(finding.version or 0, "")
        lines.append(f"  {where}: {finding.describe()}")
    return "\n".join(lines) + "\n"


def _json(
    result: CompatibilityResult,
    kind: SchemaType,
    policy: CompatibilityPolicy,
    reader: Path,
    files: dict[int, str],
) -> str:
    findings = []
    for finding in result.findings:
        data = finding.as_dict()
        data["file"] = files.get(finding.version or 0)
        findings.append(data)
    return json.dumps(
        {
            "compatible": result.is_compatible,
            "level": result.level.value,
            "policy": policy.value,
            "schemaType": kind.value,
            "reader": str(reader),
            "writers": list(files.values()),
            "findings": findings,
        },
        indent=2,
        default=str,
    )
