"""``esr asyncapi export`` and ``esr asyncapi import``: contracts as AsyncAPI 3.0.0, and back.

``export [CONTRACTS_DIR]`` reads the contracts (``contracts`` by default) and the schemas of
their subjects (``--schemas``, by default the ``schemas`` directory next to the contracts
directory) and writes the AsyncAPI 3.0.0 document to ``--output`` or stdout: YAML, or JSON with
``--format json`` or an ``--output`` ending in ``.json``; the file is replaced whole (a temporary
file in the same folder renamed over it). ``--service`` keeps one service's
operations. ``import FILE`` reads an AsyncAPI 2.x (up to 2.6.0) or 3.0.0 document and writes
``contracts/<service>.yaml`` and ``schemas/...`` under ``--output`` (default: the current
directory); an invalid document writes nothing. Exit codes: 0 ok, 2 bad input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from registry.asyncapi import (
    build_document,
    files_of,
    import_document,
    load_catalogue,
    read_document,
    render,
    write_files,
)
from registry.cli.errors import exit_on_registry_error
from registry.cli.files import write_output
from registry.errors import InvalidInput

asyncapi_app = typer.Typer(
    help="Export contracts as AsyncAPI 3.0, or import an AsyncAPI file.", no_args_is_help=True
)
FORMATS = ("yaml", "json")


def register(app: typer.Typer) -> None:
    """Add ``esr asyncapi export|import`` to the CLI."""
    app.add_typer(asyncapi_app, name="asyncapi")


@asyncapi_app.command("export")
def export(
    contracts: Annotated[
        Path, typer.Argument(help="The contracts directory (contracts/*.yaml).")
    ] = Path("contracts"),
    service: Annotated[
        str | None, typer.Option("--service", help="Only this service's operations.")
    ] = None,
    schemas: Annotated[
        Path | None,
        typer.Option("--schemas", help="The schemas tree (default: schemas/ next to CONTRACTS)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to FILE (default: stdout).")
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="yaml or json (default: by --output's extension)."),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option("--title", help="info.title (default: the service, or 'Event contracts')."),
    ] = None,
    info_version: Annotated[
        str, typer.Option("--info-version", help="info.version of the document.")
    ] = "1.0.0",
) -> None:
    """Write the AsyncAPI 3.0.0 document of CONTRACTS (and their schemas)."""
    with exit_on_registry_error():
        chosen = _format(fmt, output)
        tree = schemas if schemas is not None else contracts.resolve().parent / "schemas"
        catalogue = load_catalogue(contracts, tree)
        document = build_document(catalogue, service=service, title=title, version=info_version)
        text = render(document, chosen)
        if output is None or str(output) == "-":
            typer.echo(text, nl=False)
            return
        write_output(output, text)
        typer.echo(
            f"wrote {output}: {len(document['channels'])} channels, "
            f"{len(document['operations'])} operations, "
            f"{len(document['components']['messages'])} messages",
            err=True,
        )


@asyncapi_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="An AsyncAPI 2.x or 3.0.0 document (YAML or JSON).")],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Write contracts/ and schemas/ under DIR."),
    ] = Path(),
) -> None:
    """Write contracts and schemas from an AsyncAPI 2.x or 3.0.0 document."""
    with exit_on_registry_error():
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"{file}: cannot read ({exc.strerror or exc})") from None
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{file}: cannot read (not valid UTF-8: {exc.reason})") from None
        origin = str(file)
        imported = import_document(read_document(text, origin), origin)
        written = write_files(files_of(imported, origin), output)
        for path in written:
            typer.echo(f"wrote {path}")
        typer.echo(
            f"{len(imported.services)} services, {len(imported.entries)} contract entries, "
            f"{len(imported.schemas)} schemas",
            err=True,
        )


def _format(option: str | None, output: Path | None) -> str:
    if option is not None:
        if option.lower() not in FORMATS:
            raise InvalidInput(f"--format: use yaml or json, not '{option}'")
        return option.lower()
    if output is not None and output.suffix.lower() == ".json":
        return "json"
    return "yaml"
