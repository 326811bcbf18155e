"""Small pieces the gate, ``esr check`` and ``esr push`` share at the command-line surface."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from registry.cli.errors import exit_code_for
from registry.errors import InvalidInput, RegistryError


@contextmanager
def exit_on_registry_error() -> Iterator[None]:
    """Turn a ``RegistryError`` into ``error: message`` on stderr and its exit code.

    ``main()`` does the same for the installed ``esr``; doing it in the command as well keeps
    the exit codes right when the app is driven in-process (``CliRunner``, other tools).
    """
    try:
        yield
    except RegistryError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(exit_code_for(exc)) from None


def basic_auth(value: str | None) -> tuple[str, str] | None:
    """``USER:PASSWORD`` as a pair for the registry client; anything else is a usage error."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user:
        raise InvalidInput("--user: expected USER:PASSWORD")
    return user, password
