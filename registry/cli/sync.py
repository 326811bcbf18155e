"""``esr sync eventbridge|azure|glue``: push the registry to a cloud schema registry, or check it.

The registry at ``--registry`` (formerly ``--registry-url``, still accepted) is the source of
truth. Every subject (with ``--subjects PREFIX``) is pushed to the target, oldest version first; a
second run changes nothing.
``--dry-run`` says what would be pushed, offline: it needs no target credentials and never
contacts the target, so it cannot tell created from unchanged. ``--check`` compares without
writing and lists drift (versions missing on the target, content that differs, versions and
schemas the registry does not know). Exit codes: 0 in step, 1 something failed or drifted, 2
bad arguments or target configuration, 3 the registry or the target is unreachable.
"""

from __future__ import annotations

import enum
import importlib
import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from registry.cli.errors import (
    EXIT_BREAKING,
    EXIT_OK,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    exit_on_registry_error,
)
from registry.cli.options import AliasedCommand, Registry, Token, User, basic_auth
from registry.client import RegistryClient
from registry.sync import (
    TARGETS,
    DriftReport,
    Outcome,
    RegistrySource,
    SyncReport,
    SyncTarget,
    build_target,
    run_check,
    run_sync,
)
from registry.sync.base import OfflineClient
from registry.sync.runner import dry_run

_STYLE = {
    Outcome.CREATED: "cyan",
    Outcome.UPDATED: "green",
    Outcome.UNCHANGED: "dim",
    Outcome.SKIPPED: "yellow",
    Outcome.FAILED: "bold red",
    Outcome.WOULD_PUSH: "cyan",
}


class OutputFormat(enum.StrEnum):
    """How the result is printed."""

    TEXT = "text"
    JSON = "json"


class AzureLevel(enum.StrEnum):
    """A schema group's compatibility, as configured in Azure (the data plane cannot read it)."""

    NONE = "None"
    BACKWARD = "Backward"
    FORWARD = "Forward"


Subjects = Annotated[
    str | None, typer.Option("--subjects", help="Only subjects starting with this prefix.")
]
DryRun = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Show what would be pushed, offline: no target credentials, no call to the target.",
    ),
]
Check = Annotated[
    bool, typer.Option("--check", help="Report drift from the registry; write nothing.")
]
Format = Annotated[OutputFormat, typer.Option("--format", help="text (a table) or json.")]
EndpointUrl = Annotated[
    str | None,
    typer.Option("--endpoint-url", help="AWS endpoint override (a private or local endpoint)."),
]
Region = Annotated[str | None, typer.Option("--region", envvar="AWS_REGION", help="AWS region.")]


@dataclass(frozen=True, slots=True)
class _Common:
    registry: str
    subjects: str | None
    dry_run: bool
    check: bool
    output: OutputFormat
    user: str | None
    token: str | None


def register(app: typer.Typer) -> None:
    """Add ``esr sync`` and its three targets to the CLI."""
    sync_app = typer.Typer(
        name="sync",
        help="Push the registry's schemas to a cloud schema registry, or report drift.",
        no_args_is_help=True,
    )
    sync_app.command(name="eventbridge", cls=AliasedCommand)(eventbridge)
    sync_app.command(name="azure", cls=AliasedCommand)(azure)
    sync_app.command(name="glue", cls=AliasedCommand)(glue)
    app.add_typer(sync_app)


def eventbridge(
    registry: Registry,
    eb_registry: Annotated[
        str, typer.Option("--eb-registry", help="EventBridge registry (created when missing).")
    ],
    endpoint_url: EndpointUrl = None,
    region: Region = None,
    avro_as_jsonschema: Annotated[
        bool,
        typer.Option(
            "--avro-as-jsonschema",
            help="Convert Avro subjects to JSON Schema draft-04 instead of skipping them.",
        ),
    ] = False,
    subjects: Subjects = None,
    dry_run: DryRun = False,
    check: Check = False,
    output: Format = OutputFormat.TEXT,
    user: User = None,
    token: Token = None,
) -> None:
    """Sync to an EventBridge schema registry (JSON Schema as draft-04; Avro skipped/converted)."""
    options = {
        "registry": eb_registry,
        "region": region,
        "endpoint_url": endpoint_url,
        "avro_as_jsonschema": avro_as_jsonschema,
    }
    common = _Common(registry, subjects, dry_run, check, output, user, token)
    _run("eventbridge", options, common)


def azure(
    registry: Registry,
    namespace: Annotated[
        str,
        typer.Option(
            "--namespace", help="HOST[:PORT] of the namespace, e.g. ns.servicebus.windows.net."
        ),
    ],
    group: Annotated[str, typer.Option("--group", help="Schema group (must exist already).")],
    ca_cert: Annotated[
        Path | None,
        typer.Option(
            "--ca-cert", exists=True, dir_okay=False, help="CA bundle for a private endpoint."
        ),
    ] = None,
    group_compatibility: Annotated[
        AzureLevel | None,
        typer.Option(
            "--group-compatibility",
            help="The group's compatibility as configured in Azure, to compare with the registry.",
        ),
    ] = None,
    managed_identity: Annotated[
        bool,
        typer.Option("--managed-identity", help="Let DefaultAzureCredential use managed identity."),
    ] = False,
    subjects: Subjects = None,
    dry_run: DryRun = False,
    check: Check = False,
    output: Format = OutputFormat.TEXT,
    user: User = None,
    token: Token = None,
) -> None:
    """Sync to an Azure Schema Registry group (Avro as Avro, JSON Schema as Json).

    Credentials: the bearer token in REGISTRY_SYNC__AZURE__TOKEN if set, else
    DefaultAzureCredential (environment, workload identity, Azure CLI...).
    """
    options: dict[str, Any] = {
        "namespace": namespace,
        "group": group,
        "ca_cert": str(ca_cert) if ca_cert else None,
        "group_compatibility": group_compatibility.value if group_compatibility else None,
        "use_managed_identity": managed_identity,
    }
    common = _Common(registry, subjects, dry_run, check, output, user, token)
    _run("azure", options, common)


def glue(
    registry: Registry,
    glue_registry: Annotated[
        str, typer.Option("--glue-registry", help="Glue registry (created when missing).")
    ],
    endpoint_url: EndpointUrl = None,
    region: Region = None,
    subjects: Subjects = None,
    dry_run: DryRun = False,
    check: Check = False,
    output: Format = OutputFormat.TEXT,
    user: User = None,
    token: Token = None,
) -> None:
    """Sync to an AWS Glue schema registry (Avro as AVRO, JSON Schema as JSON)."""
    options = {"registry": glue_registry, "region": region, "endpoint_url": endpoint_url}
    common = _Common(registry, subjects, dry_run, check, output, user, token)
    _run("glue", options, common)


# --- running and printing -------------------------------------------------------------------------


def _run(kind: str, options: dict[str, Any], common: _Common) -> None:
    if common.check and common.dry_run:
        typer.echo("error: --check writes nothing already; drop --dry-run", err=True)
        raise typer.Exit(EXIT_USAGE)
    with exit_on_registry_error():
        target = _offline_target(kind, options) if common.dry_run else build_target(kind, **options)
        auth = basic_auth(common.user)
        with RegistryClient(common.registry, auth=auth, token=common.token) as client:
            source = RegistrySource(client)
            with _progress(source, common) as tick:
                if common.check:
                    drift = run_check(target, source, prefix=common.subjects, progress=tick)
                elif common.dry_run:
                    report = dry_run(target, source, prefix=common.subjects, progress=tick)
                else:
                    report = run_sync(target, source, prefix=common.subjects, progress=tick)
    if common.check:
        _print_check(drift, common.output)
        raise typer.Exit(EXIT_OK if drift.in_step else EXIT_BREAKING)
    _print_sync(report, common.output)
    raise typer.Exit(_exit_code(report))


def _offline_target(kind: str, options: dict[str, Any]) -> SyncTarget:
    """The target for a dry run: its options checked, with no SDK client and no credentials."""
    module_name, options_class, target_class = TARGETS[kind]
    module = importlib.import_module(module_name)
    settings = getattr(module, options_class)(**options)
    target: SyncTarget = getattr(module, target_class)(
        settings, client=OfflineClient(options.get("region"))
    )
    return target


def _exit_code(report: SyncReport) -> int:
    if report.stopped is not None:
        return EXIT_UNREACHABLE
    return EXIT_OK if report.ok else EXIT_BREAKING


@contextmanager
def _progress(source: RegistrySource, common: _Common) -> Iterator[Callable[[object], None]]:
    """A progress bar on stderr when it is a terminal; yields the per-subject callback."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda _: None
        return
    label = "checking" if common.check else "dry run" if common.dry_run else "syncing"
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(label, total=len(source.subjects(common.subjects)))
        yield lambda _: progress.advance(task)


def _render(table: Table, footer: str) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=140, no_color=True, highlight=False)
    if table.row_count:
        console.print(table)
    console.print(footer)
    return buffer.getvalue()


def _print_sync(report: SyncReport, output: OutputFormat) -> None:
    if output is OutputFormat.JSON:
        typer.echo(json.dumps(report.as_dict(), indent=2))
        return
    title = f"{'Dry run: ' if report.dry_run else ''}sync to {report.label}"
    table = Table(title=title, title_justify="left")
    for column in ("subject", "target name", "outcome", "versions", "reason"):
        table.add_column(column, overflow="fold")
    for result in report.results:
        name = "" if result.remote_name == result.subject else result.remote_name
        versions = ", ".join(map(str, result.pushed)) if result.pushed else ""
        reason = result.reason or "; ".join(result.notes)
        style = _STYLE[result.outcome]
        table.add_row(result.subject, name, f"[{style}]{result.outcome.value}[/]", versions, reason)
    counts = {o: sum(r.outcome is o for r in report.results) for o in Outcome}
    footer = f"{len(report.results)} subjects: " + ", ".join(
        f"{n} {o.value}" for o, n in counts.items() if n
    )
    if report.stopped:
        footer += f"\nstopped: {report.stopped}"
    footer += "".join(f"\nnote: {note}" for note in report.notes)
    typer.echo(_render(table, footer), nl=False)


def _print_check(report: DriftReport, output: OutputFormat) -> None:
    if output is OutputFormat.JSON:
        typer.echo(json.dumps(report.as_dict(), indent=2))
        return
    table = Table(title=f"drift between the registry and {report.label}", title_justify="left")
    for column in ("kind", "subject", "version", "target name", "target version", "detail"):
        table.add_column(column, overflow="fold")
    for drift in report.drifts:
        table.add_row(
            drift.kind.value,
            drift.subject or "",
            "" if drift.version is None else str(drift.version),
            drift.remote_name,
            drift.remote_label or "",
            drift.detail,
        )
    for skipped in report.skipped:
        table.add_row(
            skipped.outcome.value, skipped.subject, "", skipped.remote_name, "", skipped.reason
        )
    lines = ["in step" if report.in_step else f"{len(report.drifts)} differences"]
    lines.extend(f"note: {n}" for n in report.notes)
    typer.echo(_render(table, "\n".join(lines)), nl=False)
