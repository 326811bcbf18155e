"""``esr``: the command line of event-schema-registry.

Each command lives in its own module exposing ``register(app)``; this module only assembles them
and turns a :class:`RegistryError` escaping a command into a clear message and exit code.
"""

from __future__ import annotations

import importlib
import sys

import typer
from rich.console import Console

from registry import __version__
from registry.cli.errors import exit_code_for
from registry.errors import RegistryError

COMMAND_MODULES: tuple[str, ...] = (
    "serve",
    "users",
    "check",
    "rules",
    "gate",
    "push",
    "sync",
    "backup",
)

app = typer.Typer(
    name="esr",
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


for _name in COMMAND_MODULES:
    importlib.import_module(f"registry.cli.{_name}").register(app)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except RegistryError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc.message}", highlight=False)
        sys.exit(exit_code_for(exc))
