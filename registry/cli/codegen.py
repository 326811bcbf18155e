"""``esr codegen``: typed Python models (pydantic v2 or dataclasses) for a schema.

The schema comes from a file (``.json`` JSON Schema, ``.avsc`` Avro) or from a registry
(``--subject S [--version N|latest]``, at ``--registry`` or ``ESR_REGISTRY_URL``); the models go
to ``--output`` or stdout. The module is a function of the schema alone (see
:mod:`registry.codegen`), so ``--check`` can tell whether the file on disk is what the schema
gives today: exit 0 when it is, 1 when it is stale or missing, for CI.

Bad input (a file that cannot be read or is not a valid schema, an unknown subject or version,
a ``$ref`` outside the schema) exits 2 with a one-line message and writes nothing; an
unreachable registry exits 3, as for every command. The output file is replaced whole, never
left half written.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated

import typer

from registry.cli.errors import EXIT_BREAKING, EXIT_OK, exit_on_registry_error
from registry.cli.files import write_output
from registry.cli.options import (
    DEFAULT_REGISTRY,
    AliasedCommand,
    Registry,
    Timeout,
    Token,
    User,
    basic_auth,
)
from registry.client import RegistryClient
from registry.codegen import ModelFlavour, SchemaSource, generate_models
from registry.errors import InvalidInput, InvalidVersion
from registry.formats.tree import EXTENSIONS, schema_type_for
from registry.wire import schema_from_wire

SHOWN_DIFF_LINES = 40


def register(app: typer.Typer) -> None:
    """Add ``esr codegen`` to the CLI."""
    app.command(name="codegen", cls=AliasedCommand)(codegen)


def codegen(
    schema_file: Annotated[
        Path | None,
        typer.Argument(metavar="FILE", help="A schema file: .json (JSON Schema) or .avsc (Avro)."),
    ] = None,
    subject: Annotated[
        str | None,
        typer.Option("--subject", "-s", help="Read the schema from the registry: this subject."),
    ] = None,
    version: Annotated[
        str, typer.Option("--version", help="With --subject: a version number or latest.")
    ] = "latest",
    model: Annotated[
        ModelFlavour,
        typer.Option("--model", "-m", help="The kind of classes: pydantic (v2) or dataclasses."),
    ] = ModelFlavour.PYDANTIC,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the module to FILE (default: stdout)."),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Exit 1 if --output FILE is missing or not what is generated."
        ),
    ] = False,
    registry: Registry = DEFAULT_REGISTRY,
    timeout: Timeout = 10.0,
    user: User = None,
    token: Token = None,
) -> None:
    """Write Python models (pydantic v2 or dataclasses) for a schema; --check for CI."""
    code = EXIT_OK
    with exit_on_registry_error():
        if check and (output is None or str(output) == "-"):
            raise InvalidInput("--check needs --output FILE: the generated file to compare")
        if schema_file is not None and subject is not None:
            raise InvalidInput("give a schema FILE or --subject, not both")
        if schema_file is not None:
            source = read_source(schema_file)
        elif subject is not None:
            source = fetch_source(registry, subject, version, timeout, basic_auth(user), token)
        else:
            raise InvalidInput("give a schema FILE, or --subject to read one from the registry")
        text = generate_models(source, model)
        if check and output is not None:
            code = _check(output, text, source)
        else:
            write_output(output, text)
    raise typer.Exit(code)


def read_source(path: Path) -> SchemaSource:
    """The schema of a file, its type told by the extension."""
    schema_type = schema_type_for(path)
    if schema_type is None:
        known = ", ".join(EXTENSIONS)
        raise InvalidInput(f"{path}: cannot tell the schema type from the extension (use {known})")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InvalidInput(f"{path}: cannot read ({reason})") from None
    return SchemaSource(text, schema_type, path.as_posix(), name=path.stem)


def fetch_source(
    registry: str,
    subject: str,
    version: str,
    timeout: float,
    auth: tuple[str, str] | None,
    token: str | None,
) -> SchemaSource:
    """The schema of a subject's version on a registry (``latest``: the newest live one)."""
    wanted = version.strip().lower()
    if wanted != "latest" and not (wanted.isdigit() and int(wanted) > 0):
        raise InvalidVersion(f"--version: a positive number or latest, not '{version}'")
    with RegistryClient(registry, timeout=timeout, auth=auth, token=token) as client:
        data = client.version(subject, wanted)
    schema = schema_from_wire(data)
    origin = f"subject {subject} version {data.get('version', wanted)}"
    if schema.references:
        names = ", ".join(ref.name for ref in schema.references)
        raise InvalidInput(
            f"{origin}: the schema has references ({names}); esr codegen reads one schema alone"
        )
    return SchemaSource(schema.schema, schema.schema_type, origin, name=subject.split(".")[-1])


def _check(output: Path, text: str, source: SchemaSource) -> int:
    """Compare the file on disk with ``text``; say what is wrong and return the exit code."""
    try:
        current = output.read_text(encoding="utf-8")
    except FileNotFoundError:
        typer.echo(f"{output} is missing: generate it with esr codegen -o {output}", err=True)
        return EXIT_BREAKING
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{output}: cannot read ({exc})") from None
    if current == text:
        typer.echo(f"{output} is up to date with {source.origin}")
        return EXIT_OK
    diff = list(
        difflib.unified_diff(
            current.splitlines(),
            text.splitlines(),
            f"{output} (on disk)",
            f"{output} (generated)",
            lineterm="",
        )
    )
    shown = diff[:SHOWN_DIFF_LINES]
    if len(diff) > SHOWN_DIFF_LINES:
        shown.append(f"... and {len(diff) - SHOWN_DIFF_LINES} more lines")
    typer.echo(
        f"{output} is stale: it differs from the models generated from {source.origin}; "
        "regenerate it with esr codegen (same arguments, without --check)",
        err=True,
    )
    typer.echo("\n".join(shown), err=True)
    return EXIT_BREAKING
