"""``esr`` starts fast: light commands never import the server's stack, and every command the
static table lists (with its one-line help) is the one its module registers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.core import TyperCommand
from typer.testing import CliRunner

from registry.cli.main import COMMANDS, app, load_module_commands

ESR = str(Path(sys.executable).with_name("esr"))

#: What ``esr --version``, ``esr --help`` and ``esr check`` must not import (nor any submodule).
SERVER_STACK = (
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "fastapi",
    "starlette",
    "uvicorn",
    "boto3",
    "botocore",
    "azure",
    "registry.storage",
    "registry.security",
    "registry.api",
    "registry.sync",
)


def imported_modules(*args: str, cwd: Path) -> set[str]:
    """Every module the installed ``esr ARGS`` imports, from ``python -X importtime``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", ESR, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return {
        line.rpartition("|")[2].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }


@pytest.mark.parametrize(
    "args",
    [["--version"], ["--help"], ["check", "v1.avsc", "v2.avsc"]],
    ids=["version", "help", "check"],
)
def test_light_commands_do_not_import_the_server_stack(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "v1.avsc").write_text(
        '{"type": "record", "name": "A", "fields": [{"name": "id", "type": "string"}]}'
    )
    (tmp_path / "v2.avsc").write_text(
        '{"type": "record", "name": "A", "fields": [{"name": "id", "type": "string"},'
        ' {"name": "n", "type": "int", "default": 0}]}'
    )

    modules = imported_modules(*args, cwd=tmp_path)

    assert "registry.cli.main" in modules  # the measurement works
    heavy = sorted(
        name
        for name in modules
        for root in SERVER_STACK
        if name == root or name.startswith(f"{root}.")
    )
    assert heavy == []


def test_the_command_table_matches_what_each_module_registers() -> None:
    for module in sorted({entry.module for entry in COMMANDS.values()}):
        registered = load_module_commands(module)
        listed = {name for name, entry in COMMANDS.items() if entry.module == module}
        assert set(registered) == listed, module
        for name, command in registered.items():
            described = TyperCommand(name, help=COMMANDS[name].help)
            assert described.get_short_help_str(1000) == command.get_short_help_str(1000), name


def test_help_lists_every_command_and_each_one_runs() -> None:
    runner = CliRunner()
    listing = runner.invoke(app, ["--help"])

    assert listing.exit_code == 0
    for name in COMMANDS:
        assert f"\n  {name} " in listing.stdout
        assert runner.invoke(app, [name, "--help"]).exit_code == 0, name


def test_an_unknown_command_suggests_the_closest_one() -> None:
    result = CliRunner().invoke(app, ["chek"])

    assert result.exit_code == 2
    assert "No such command 'chek'. Did you mean 'check'?" in result.stderr
