"""``esr export FILE`` and ``esr import [FILE | --from URL]``: move a registry, schema ids included.

The document and both algorithms live in :mod:`registry.backup` (the format is described in
``docs/backup-format.md``); this module reads the options, draws the progress bar on a terminal
and prints the summary.

Exit codes: 0 done, 1 some items were refused (listed), 2 unreadable or invalid backup file or
usage error, 3 a registry is unreachable.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress as ProgressBar
from rich.progress import TaskID
from rich.table import Table

from registry import errors
from registry.backup import (
    Document,
    ImportReport,
    Phase,
    Progress,
    ProgressCallback,
    dumps_document,
    export_registry,
    import_document,
    load_document,
)
from registry.cli.errors import EXIT_BREAKING, EXIT_OK, exit_on_registry_error
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


def register(app: typer.Typer) -> None:
    """Add ``esr export`` and ``esr import`` to the CLI."""
    app.command(name="export", cls=AliasedCommand)(export_command)
    app.command(name="import", cls=AliasedCommand)(import_command)


def export_command(
    file: Annotated[str, typer.Argument(help="Where to write the backup ('-' for stdout).")],
    registry: Registry = DEFAULT_REGISTRY,
    probe_orphans: Annotated[
        bool,
        typer.Option("--probe-orphans/--no-probe-orphans", help="Look for ids no version uses."),
    ] = True,
    timeout: Timeout = 30.0,
    user: User = None,
    token: Token = None,
) -> None:
    """Write every subject, version, schema id, config and mode of a registry to FILE."""
    err = Console(stderr=True)
    with exit_on_registry_error():
        client = RegistryClient(registry, timeout=timeout, auth=basic_auth(user), token=token)
        with client, progress_bar(err) as progress:
            document = export_registry(client, probe_orphans=probe_orphans, progress=progress)
        _write(document, file)
    versions = sum(len(s["versions"]) for s in document["subjects"])
    err.print(
        f"exported {len(document['subjects'])} subjects, {versions} versions, "
        f"{len(document['schemas'])} schema ids ({len(document['orphans'])} orphaned) "
        f"to {file}",
        highlight=False,
    )


def import_command(
    file: Annotated[Path | None, typer.Argument(help="A backup written by 'esr export'.")] = None,
    source: Annotated[
        str | None,
        typer.Option("--from", help="Import straight from this Confluent-compatible registry URL."),
    ] = None,
    registry: Registry = DEFAULT_REGISTRY,
    source_global_mode: Annotated[
        bool,
        typer.Option(
            "--source-global-mode",
            help="End with the backup's global mode instead of the target's previous one.",
        ),
    ] = False,
    timeout: Timeout = 30.0,
    user: User = None,
    token: Token = None,
    from_user: Annotated[
        str | None, typer.Option("--from-user", help="USER:PASSWORD for --from.")
    ] = None,
    from_token: Annotated[
        str | None, typer.Option("--from-token", help="Bearer token for --from.")
    ] = None,
) -> None:
    """Load a backup FILE (or a live registry, --from URL) into a registry, keeping every id."""
    err = Console(stderr=True)
    with exit_on_registry_error():
        if (file is None) == (source is None):
            raise errors.InvalidInput("give either a backup FILE or --from URL, not both")
        if file is not None:
            document = load_document(file)
        else:
            assert source is not None
            auth = basic_auth(from_user)
            with (
                RegistryClient(source, timeout=timeout, auth=auth, token=from_token) as origin,
                progress_bar(err) as progress,
            ):
                document = export_registry(origin, progress=progress)
        client = RegistryClient(registry, timeout=timeout, auth=basic_auth(user), token=token)
        with client, progress_bar(err) as progress:
            report = import_document(
                client, document, source_global_mode=source_global_mode, progress=progress
            )
    Console().print(summary_table(report))
    for failure in report.failures:
        err.print(f"[red]refused:[/red] {failure}", highlight=False)
    raise typer.Exit(EXIT_BREAKING if report.failures else EXIT_OK)


def _write(document: Document, file: str) -> None:
    text = dumps_document(document)
    if file == "-":
        sys.stdout.write(text)
        return
    try:
        Path(file).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise errors.InvalidInput(f"{file}: cannot write the backup: {exc}") from exc


@contextmanager
def progress_bar(console: Console) -> Iterator[ProgressCallback]:
    """A transient progress bar on ``console`` when it is a terminal; yields its callback.

    Each phase gets its own bar, labelled with the phase until its first item is done and then
    with the item.
    """
    with ProgressBar(console=console, transient=True, disable=not console.is_terminal) as bar:
        tasks: dict[Phase, TaskID] = {}

        def show(progress: Progress) -> None:
            if progress.phase not in tasks:
                tasks[progress.phase] = bar.add_task(progress.phase.value, total=progress.total)
            bar.update(
                tasks[progress.phase],
                completed=progress.done,
                description=progress.item or progress.phase.value,
            )

        yield show


def summary_table(report: ImportReport) -> Table:
    """What an import did, as a table; the ``refused`` row is red when anything was."""
    table = Table(title="esr import", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, count in report.rows():
        table.add_row(label, str(count), style="red" if label == "refused" and count else "")
    return table
