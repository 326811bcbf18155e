"""Exit codes are named: the CLI's sources never pass a literal number to an exit.

The codes are :mod:`registry.cli.errors`' ``EXIT_*`` constants, so 1 always means breaking and 2
always means usage; a literal would make that a coincidence. The sources are read with ``ast``,
so comments, docstrings and help texts that mention codes do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import registry.cli

CLI = Path(registry.cli.__file__).parent
EXITS = {"Exit", "exit", "SystemExit"}


def literal_exits(source: str) -> list[int]:
    """The lines of calls to an exit (``typer.Exit``, ``sys.exit``...) given a literal code."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in EXITS:
            continue
        arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
        if any(
            isinstance(inner, ast.Constant) and type(inner.value) is int
            for argument in arguments
            for inner in ast.walk(argument)
        ):
            lines.append(node.lineno)
    return sorted(lines)


def test_no_exit_in_the_cli_takes_a_literal_code() -> None:
    sources = sorted(CLI.rglob("*.py"))
    assert len(sources) > 10  # the walk found the package
    found = [
        f"{path.relative_to(CLI)}:{line}"
        for path in sources
        for line in literal_exits(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_guard_sees_every_shape_of_a_literal_code() -> None:
    source = (
        "raise typer.Exit(1 if failed else 0)\n"
        "sys.exit(code=2)\n"
        "raise SystemExit(3)\n"
        "ctx.exit(EXIT_OK)\n"
        "raise typer.Exit(EXIT_BREAKING if failed else EXIT_OK)\n"
        "raise typer.Exit()\n"
        "exit_code = 2\n"
    )
    assert literal_exits(source) == [1, 2, 3]
