"""The CLI's one table from the error tree to exit codes.

0 ok; 1 incompatible or contract broken; 2 usage, input or configuration error; 3 a registry or
cloud endpoint is unreachable.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from registry import errors

EXIT_OK = 0
EXIT_BREAKING = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3

_TABLE: tuple[tuple[type[errors.RegistryError], int], ...] = (
    (errors.IncompatibleSchema, EXIT_BREAKING),
    (errors.RegistryUnreachable, EXIT_UNREACHABLE),
    (errors.UpstreamError, EXIT_UNREACHABLE),
    (errors.InvalidInput, EXIT_USAGE),
    (errors.NotFound, EXIT_USAGE),
    (errors.OperationNotPermitted, EXIT_USAGE),
    (errors.AuthenticationRequired, EXIT_USAGE),
    (errors.AccessDenied, EXIT_USAGE),
    (errors.Conflict, EXIT_BREAKING),
    (errors.StoreError, EXIT_USAGE),
)


def exit_code_for(exc: errors.RegistryError) -> int:
    """The exit code for an error, found by walking its MRO against the table."""
    for cls in type(exc).__mro__:
        for known, code in _TABLE:
            if cls is known:
                return code
    return EXIT_USAGE


@contextmanager
def exit_on_registry_error() -> Iterator[None]:
    """Turn a ``RegistryError`` into ``error: message`` on stderr and its exit code.

    ``main()`` does the same for the installed ``esr``; doing it in the command as well keeps
    the exit codes right when the app is driven in-process (``CliRunner``, other tools).
    """
    try:
        yield
    except errors.RegistryError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(exit_code_for(exc)) from None
