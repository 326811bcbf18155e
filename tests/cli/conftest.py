"""Throwaway git repositories with a schemas tree, and the CLI driven in-process on them."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from registry.cli.main import app
from tests.support.server import ServerProcess, running_server

DATA = Path(__file__).parent / "data"


def avro_record(name: str, *fields: str) -> str:
    """An Avro record schema with one field per line (so findings have distinct lines)."""
    body = ",\n".join(f"    {field}" for field in fields)
    return (
        "{\n"
        '  "type": "record",\n'
        f'  "name": "{name}",\n'
        '  "namespace": "com.shop",\n'
        '  "fields": [\n'
        f"{body}\n"
        "  ]\n"
        "}\n"
    )


ORDER_V1 = avro_record(
    "Order", '{"name": "id", "type": "string"}', '{"name": "amount", "type": "double"}'
)
ORDER_WITH_DEFAULT = avro_record(
    "Order",
    '{"name": "id", "type": "string"}',
    '{"name": "amount", "type": "double"}',
    '{"name": "coupon", "type": "string", "default": ""}',
)
ORDER_BREAKING = avro_record(
    "Order",
    '{"name": "id", "type": "string"}',
    '{"name": "amount", "type": "double"}',
    '{"name": "coupon", "type": "string"}',
)
ORDER_BREAKING_LINE = 8  # the line of "coupon" in ORDER_BREAKING

CUSTOMER_V1 = json.dumps(
    {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"id": {"type": "string"}},
        "required": ["id"],
    },
    indent=2,
)
CUSTOMER_OPEN_ADDITION = json.dumps(
    {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"id": {"type": "string"}, "nickname": {"type": "string"}},
        "required": ["id"],
    },
    indent=2,
)


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first occurrence of ``needle``."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


@dataclass
class Project:
    """A git repository under ``tmp_path`` with ``schemas/`` committed."""

    root: Path
    runner: CliRunner

    def git(self, *args: str) -> str:
        """Run git in the repository."""
        done = subprocess.run(
            ["git", *args], cwd=self.root, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    def write(self, path: str, text: str) -> Path:
        """Write a file (relative to the repository root)."""
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def move(self, source: str, target: str) -> None:
        """``git mv`` a file, creating the target's directory."""
        (self.root / target).parent.mkdir(parents=True, exist_ok=True)
        self.git("mv", source, target)

    def commit(self, message: str = "change") -> str:
        """Stage everything and commit; return the commit id."""
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def esr(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """Run ``esr ARGS`` in-process from the repository root."""
        return self.runner.invoke(app, list(args), env=env, catch_exceptions=False)

    def gate(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """Run ``esr gate ARGS``."""
        return self.esr("gate", *args, env=env)

    def gate_json(self, *args: str) -> tuple[int, dict[str, Any]]:
        """Run the gate with ``--format json`` and decode the report."""
        result = self.gate(*args, "--format", "json")
        return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A repository with ``schemas/orders/Order.avsc`` and ``schemas/crm/Customer.json``."""
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    proj = Project(root, CliRunner())
    proj.git("init", "-q", "-b", "main")
    proj.git("config", "user.email", "dev@example.com")
    proj.git("config", "user.name", "Dev")
    proj.git("config", "commit.gpgsign", "false")
    proj.write("schemas/orders/Order.avsc", ORDER_V1)
    proj.write("schemas/crm/Customer.json", CUSTOMER_V1)
    proj.commit("schemas")
    return proj


def gate_tree(root: Path, url: str, *args: str) -> tuple[int, dict[str, Any]]:
    """Run ``esr gate ROOT/schemas --against URL --format json`` and decode the report."""
    result = CliRunner().invoke(
        app,
        ["gate", str(root / "schemas"), "--against", url, "--format", "json", *args],
        catch_exceptions=False,
    )
    return result.exit_code, json.loads(result.stdout) if result.stdout else {}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write schema files under ``ROOT/schemas``."""
    for name, text in files.items():
        path = root / "schemas" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory outside any git repository: the registry mode needs none."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def live_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A real ``esr serve`` on SQLite, for the module."""
    database = tmp_path_factory.mktemp("registry") / "registry.db"
    with running_server(f"sqlite:///{database}") as server:
        yield server
