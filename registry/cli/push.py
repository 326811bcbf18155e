"""``esr push DIR --registry URL``: register every schema file of a tree, or show what would happen.

Subjects come from paths (``orders/OrderPlaced.json`` is ``orders.OrderPlaced``; see
:mod:`registry.formats.tree`). Each file is first parsed locally with the same engine the server
uses, so a broken file is rejected with the parser's message before any request. Then:

* a schema the subject already has (``POST /subjects/{s}``) is *unchanged*;
* a subject with no versions gets its first one (*new subject*);
* otherwise registration adds a *new version*, or the registry *rejects* it (incompatible, wrong
  mode...), with the registry's reasons.

``--dry-run`` asks ``POST /compatibility/subjects/{s}/versions?verbose=true`` instead of
registering and changes nothing. Exit codes: 0 all registered (or would be), 1 something was
(or would be) rejected, 2 bad input, 3 registry unreachable.
"""

from __future__ import annotations

import enum
import io
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from rich.text import Text

from registry.cli.errors import EXIT_BREAKING, EXIT_OK, exit_on_registry_error
from registry.cli.options import AliasedCommand, Registry, Timeout, Token, User, basic_auth
from registry.client import RegistryClient
from registry.domain import SchemaInput
from registry.errors import (
    Conflict,
    InvalidInput,
    OperationNotPermitted,
    SubjectNotFound,
)
from registry.formats import get_format
from registry.formats.tree import SchemaFile, load_tree


class Outcome(enum.StrEnum):
    """What registering one file did, or would do."""

    NEW_SUBJECT = "new subject"
    NEW_VERSION = "new version"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


_STYLE = {
    Outcome.NEW_SUBJECT: "cyan",
    Outcome.NEW_VERSION: "green",
    Outcome.UNCHANGED: "dim",
    Outcome.REJECTED: "bold red",
}


@dataclass(frozen=True, slots=True)
class PushResult:
    """The outcome for one file."""

    subject: str
    file: str
    outcome: Outcome
    detail: str = ""


def register(app: typer.Typer) -> None:
    """Add ``esr push`` to the CLI."""
    app.command(name="push", cls=AliasedCommand)(push)


def push(
    directory: Annotated[Path, typer.Argument(help="The schemas tree to register.")],
    registry: Registry,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; change nothing.")
    ] = False,
    normalize: Annotated[
        bool, typer.Option("--normalize", help="Ask the registry to normalize.")
    ] = False,
    timeout: Timeout = 10.0,
    user: User = None,
    token: Token = None,
) -> None:
    """Register every schema of DIR with the registry (or, with --dry-run, show what would)."""
    with exit_on_registry_error():
        files = load_tree(directory)
        client = RegistryClient(registry, timeout=timeout, auth=basic_auth(user), token=token)
        with client:
            results = push_tree(files, client, directory, dry_run=dry_run, normalize=normalize)
        typer.echo(summary_table(results, dry_run=dry_run), nl=False)
    rejected = any(r.outcome is Outcome.REJECTED for r in results)
    raise typer.Exit(EXIT_BREAKING if rejected else EXIT_OK)


def push_tree(
    files: list[SchemaFile],
    client: RegistryClient,
    root: Path,
    *,
    dry_run: bool,
    normalize: bool = False,
) -> list[PushResult]:
    """Register (or try) every file, with a progress bar on a terminal."""
    console = Console(stderr=True)
    results: list[PushResult] = []
    with Progress(console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("dry run" if dry_run else "registering", total=len(files))
        for item in files:
            progress.update(task, description=item.subject)
            results.append(_one(client, item, root, dry_run=dry_run, normalize=normalize))
            progress.advance(task)
    return results


def _one(
    client: RegistryClient, item: SchemaFile, root: Path, *, dry_run: bool, normalize: bool
) -> PushResult:
    file = item.path.relative_to(root).as_posix()
    text = item.read_text()

    def result(outcome: Outcome, detail: str = "") -> PushResult:
        return PushResult(item.subject, file, outcome, detail)

    try:
        get_format(item.schema_type).parse(text)
    except InvalidInput as exc:
        return result(Outcome.REJECTED, f"invalid {item.schema_type.value} schema: {exc.message}")
    schema = SchemaInput(text, item.schema_type)
    try:
        found = client.lookup(item.subject, schema)
        if found is not None:
            return result(
                Outcome.UNCHANGED, f"version {found.get('version')}, id {found.get('id')}"
            )
        try:
            exists = bool(client.versions(item.subject))
        except SubjectNotFound:
            exists = False
        outcome = Outcome.NEW_VERSION if exists else Outcome.NEW_SUBJECT
        if dry_run:
            if exists:
                verdict = client.test_compatibility(item.subject, schema)
                if not verdict.get("is_compatible", False):
                    messages = verdict.get("messages") or ["incompatible"]
                    return result(Outcome.REJECTED, "; ".join(str(m) for m in messages))
            return result(outcome, "would be registered")
        schema_id = client.register(item.subject, schema, normalize=normalize)
        return result(outcome, f"id {schema_id}")
    except (Conflict, InvalidInput, OperationNotPermitted) as exc:
        return result(Outcome.REJECTED, f"{type(exc).__name__}: {exc.message}")


def summary_table(results: list[PushResult], *, dry_run: bool) -> str:
    """The per-file table and the counts, as text (coloured when stdout is a terminal)."""
    buffer = io.StringIO()
    color = sys.stdout.isatty()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=160)
    title = "esr push --dry-run (nothing changed)" if dry_run else "esr push"
    table = Table(title=title, title_justify="left")
    for column in ("Subject", "File", "Outcome", "Detail"):
        table.add_column(column, overflow="fold")
    for item in results:
        table.add_row(
            item.subject,
            item.file,
            Text(item.outcome.value, style=_STYLE[item.outcome]),
            item.detail,
        )
    console.print(table)
    counts = {o: sum(r.outcome is o for r in results) for o in Outcome}
    console.print(", ".join(f"{n} {o.value}" for o, n in counts.items()), highlight=False)
    return buffer.getvalue()
