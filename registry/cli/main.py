"""``esr``: the command line of event-schema-registry.

Each command lives in its own module exposing ``register(app)``. This module only lists them and
turns a :class:`RegistryError` escaping a command into a clear message and exit code.

Commands are loaded lazily: :data:`COMMANDS` names each command's module and its one-line help,
so ``esr --version``, ``esr --help`` and ``esr check`` never import the server's stack
(SQLAlchemy, FastAPI, uvicorn, the cloud SDKs). A command's module is imported only when that
command runs (or its own ``--help`` is asked for). A test checks the table against the modules.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, NamedTuple

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from registry import __version__
from registry.cli.errors import exit_code_for
from registry.errors import RegistryError

if TYPE_CHECKING:  # typer vendors click; only its types are needed here
    from typer._click import Command, Context, HelpFormatter


class Entry(NamedTuple):
    """Where a command lives (a module of ``registry.cli``) and its line in ``esr --help``."""

    module: str
    help: str


#: Every command, in the order ``esr --help`` lists them.
COMMANDS: dict[str, Entry] = {
    "serve": Entry("serve", "Start the registry's REST API (Confluent-compatible) on HOST:PORT."),
    "check": Entry(
        "check",
        "Check READER against WRITER (and --previous versions) at --mode; exit 0, 1 or 2.",
    ),
    "rules": Entry(
        "rules",
        "List every compatibility rule with an example pair and the engine's message for it.",
    ),
    "infer": Entry(
        "infer", "Infer a schema from sample events, or widen --existing; exit 0, 1 or 2."
    ),
    "codegen": Entry(
        "codegen", "Write Python models (pydantic v2 or dataclasses) for a schema; --check for CI."
    ),
    "asyncapi": Entry("asyncapi", "Export contracts as AsyncAPI 3.0, or import an AsyncAPI file."),
    "gate": Entry(
        "gate.command",
        "Check schema changes against a git ref or a registry and fail on breaking ones.",
    ),
    "push": Entry(
        "push",
        "Register every schema of DIR with the registry (or, with --dry-run, show what would).",
    ),
    "export": Entry(
        "backup", "Write every subject, version, schema id, config and mode of a registry to FILE."
    ),
    "import": Entry(
        "backup",
        "Load a backup FILE (or a live registry, --from URL) into a registry, keeping every id.",
    ),
    "db": Entry("serve", "Database maintenance."),
    "users": Entry("users", "Manage users (stored hashed in the database)."),
    "tokens": Entry("users", "Manage bearer tokens."),
    "sync": Entry(
        "sync", "Push the registry's schemas to a cloud schema registry, or report drift."
    ),
    "contracts": Entry("deploys", "Publish a service version's contracts to the registry."),
    "deployments": Entry("deploys", "Record and list which service versions run where."),
    "can-i-deploy": Entry(
        "deploys", "Can VERSION of SERVICE be deployed to TO? Exit 0 yes, 1 no, 2 unknown."
    ),
}


def load_module_commands(module: str) -> dict[str, Command]:
    """The commands ``registry.cli.<module>`` registers, as click commands by name."""
    holder = typer.Typer(rich_markup_mode=None)  # plain help, as the root's
    importlib.import_module(f"registry.cli.{module}").register(holder)
    return dict(typer.main.get_group(holder).commands)


class LazyGroup(TyperGroup):
    """A command group that imports a command's module only when the command is used."""

    def list_commands(self, ctx: Context) -> list[str]:
        """Every command of :data:`COMMANDS`, then any registered directly."""
        return [*COMMANDS, *(name for name in self.commands if name not in COMMANDS)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        """The command, importing its module the first time."""
        entry = COMMANDS.get(cmd_name)
        if cmd_name not in self.commands and entry is not None:
            for name, command in load_module_commands(entry.module).items():
                self.commands.setdefault(name, command)
        return self.commands.get(cmd_name)

    def resolve_command(
        self, ctx: Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        """As click does, but suggesting close names among all commands, loaded or not."""
        name = args[0] if args else ""
        known = self.list_commands(ctx)
        if name and not name.startswith("-") and name not in known:
            import difflib

            close = difflib.get_close_matches(name, known)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        """List the commands with their one-line help from :data:`COMMANDS` (importing none)."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            command = self.commands.get(name) or TyperCommand(name, help=COMMANDS[name].help)
            if not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="esr",
    cls=LazyGroup,
    help="event-schema-registry: schema registry, compatibility checks, contract tests, CI gate.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"esr {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Schema registry, compatibility checks, contract tests and CI gate for event systems."""


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except RegistryError as exc:
        from rich.console import Console
        from rich.markup import escape

        # soft_wrap: a path or URL in the message stays on one line, to be copied whole.
        Console(stderr=True).print(
            f"[red]error:[/red] {escape(exc.message)}", highlight=False, soft_wrap=True
        )
        sys.exit(exit_code_for(exc))
