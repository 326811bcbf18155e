"""``esr users``/``esr tokens`` and the refusal to serve an open registry beyond loopback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from registry.cli.serve import _refuse_open_registry
from registry.config import Settings
from registry.errors import InvalidInput

ESR = str(Path(sys.executable).with_name("esr"))


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([ESR, *args], input=stdin, capture_output=True, text=True, timeout=60)


def test_users_and_tokens_commands(sqlite_url: str) -> None:
    added = run(
        "users",
        "add",
        "alice",
        "--role",
        "writer",
        "--subjects",
        "orders.*",
        "--password-stdin",
        "--database-url",
        sqlite_url,
        stdin="s3cret-password\n",
    )
    assert added.returncode == 0, added.stderr
    listed = run("users", "list", "--database-url", sqlite_url)
    assert "alice" in listed.stdout and "writer" in listed.stdout and "orders.*" in listed.stdout
    token = run("tokens", "create", "alice", "--days", "1", "--database-url", sqlite_url)
    assert token.returncode == 0 and token.stdout.startswith("esr_")
    bad = run(
        "users",
        "add",
        "bob",
        "--role",
        "king",
        "--password-stdin",
        "--database-url",
        sqlite_url,
        stdin="whatever-password\n",
    )
    assert bad.returncode == 2 and "Invalid role" in bad.stderr
    short = run(
        "users",
        "add",
        "bob",
        "--role",
        "reader",
        "--password-stdin",
        "--database-url",
        sqlite_url,
        stdin="short\n",
    )
    assert short.returncode == 2 and "too short" in short.stderr
    assert "Traceback" not in bad.stderr + short.stderr


def test_serve_refuses_an_open_registry_beyond_loopback(sqlite_url: str) -> None:
    refused = run("serve", "--host", "0.0.0.0", "--port", "1", "--database-url", sqlite_url)
    assert refused.returncode == 2
    assert "--allow-anonymous" in refused.stderr and "Traceback" not in refused.stderr
    _refuse_open_registry(Settings(database_url=sqlite_url, host="127.0.0.1"))
    _refuse_open_registry(Settings(database_url=sqlite_url, host="0.0.0.0", allow_anonymous=True))
    with pytest.raises(InvalidInput):
        _refuse_open_registry(Settings(database_url=sqlite_url, host="10.1.2.3"))
    run(
        "users",
        "add",
        "root",
        "--role",
        "admin",
        "--password-stdin",
        "--database-url",
        sqlite_url,
        stdin="root-password\n",
    )
    _refuse_open_registry(Settings(database_url=sqlite_url, host="0.0.0.0"))
