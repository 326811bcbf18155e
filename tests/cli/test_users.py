"""``esr users``/``esr tokens`` and the refusal to serve an open registry beyond loopback."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner, Result

from registry.cli.errors import EXIT_OK, EXIT_USAGE
from registry.cli.main import app
from registry.cli.serve import _refuse_open_registry
from registry.cli.users import database_label
from registry.config import Settings
from registry.errors import InvalidInput
from registry.security import token_hash, token_id
from registry.storage import repository as repo
from registry.storage.engine import Database
from registry.storage.tables import TokenRow
from tests.support.server import running_server

ESR = str(Path(sys.executable).with_name("esr"))


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([ESR, *args], input=stdin, capture_output=True, text=True, timeout=60)


def esr(*args: str, stdin: str | None = None) -> Result:
    """``esr ARGS`` in-process (the commands exit with their codes themselves)."""
    return CliRunner().invoke(app, list(args), input=stdin, catch_exceptions=False)


def add_user(url: str, name: str, role: str, *extra: str) -> Result:
    return esr(
        "users", "add", name, "--role", role, "--password-stdin", "--database-url", url, *extra,
        stdin=f"{name}-password\n",
    )  # fmt: skip


def test_users_and_tokens_commands(sqlite_url: str) -> None:
    root = run(
        "users", "add", "root", "--role", "admin", "--password-stdin", "--database-url", sqlite_url,
        stdin="root-password\n",
    )  # fmt: skip
    assert root.returncode == 0, root.stderr
    assert root.stdout.startswith(f"user 'root' saved with role admin in {sqlite_url}\n")
    assert "authentication is now on" in root.stdout
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
    assert added.stdout == f"user 'alice' saved with role writer in {sqlite_url}\n"
    listed = run("users", "list", "--database-url", sqlite_url)
    assert "alice" in listed.stdout and "writer" in listed.stdout and "orders.*" in listed.stdout
    assert listed.stdout.startswith(f"users in {sqlite_url}\n")
    token = run("tokens", "create", "alice", "--days", "1", "--database-url", sqlite_url)
    assert token.returncode == 0 and token.stdout.startswith("esr_")
    assert f"for 'alice' saved in {sqlite_url}" in token.stderr
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
    removed = run("users", "remove", "alice", "--database-url", sqlite_url)
    assert removed.stdout == f"user 'alice' removed from {sqlite_url}\n"


def test_the_first_user_must_be_an_admin_unless_forced(sqlite_url: str) -> None:
    refused = add_user(sqlite_url, "ci", "writer")

    assert refused.exit_code == EXIT_USAGE
    assert "first user" in refused.stderr and "turns authentication on" in refused.stderr
    assert "--role admin" in refused.stderr and "--force" in refused.stderr
    assert sqlite_url in refused.stderr
    assert "no users in" in esr("users", "list", "--database-url", sqlite_url).stdout

    forced = add_user(sqlite_url, "ci", "writer", "--force")

    assert forced.exit_code == EXIT_OK, forced.stderr
    assert add_user(sqlite_url, "ops", "reader").exit_code == EXIT_OK  # no longer the first


def test_the_first_user_check_happens_before_the_password_is_asked(sqlite_url: str) -> None:
    result = esr("users", "add", "ci", "--role", "reader", "--database-url", sqlite_url)

    assert result.exit_code == EXIT_USAGE
    assert "Password" not in result.stdout


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql://ci:s3cret@db.internal:5432/registry",
            "postgresql://db.internal:5432/registry",
        ),
        ("postgresql+psycopg://ci@db/registry", "postgresql+psycopg://db/registry"),
        (
            "postgresql://db/registry?sslmode=require&password=s3cret&sslkey=/k",
            "postgresql://db/registry?sslmode=require",
        ),
        ("postgresql://db/registry?password=s3cret", "postgresql://db/registry"),
        ("sqlite:////var/lib/registry.db", "sqlite:////var/lib/registry.db"),
        ("sqlite://", "sqlite://"),
    ],
)
def test_database_label_removes_credentials(url: str, shown: str) -> None:
    assert database_label(url) == shown
    assert "s3cret" not in database_label(url)


def test_database_label_resolves_a_relative_sqlite_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    label = database_label("sqlite:///./registry.db")

    assert label == f"sqlite:///./registry.db ({tmp_path.resolve() / 'registry.db'})"


def _token_rows(url: str) -> list[TokenRow]:
    db = Database(url)
    try:
        with db.read() as session:
            return repo.tokens_of(session)
    finally:
        db.dispose()


def _audit(url: str) -> list[dict[str, object]]:
    db = Database(url)
    try:
        with db.read() as session:
            return repo.audit_entries(session)
    finally:
        db.dispose()


def test_tokens_are_listed_by_id_and_revoked_by_id_or_user(sqlite_url: str) -> None:
    add_user(sqlite_url, "root", "admin")
    add_user(sqlite_url, "ci", "writer")
    secrets = [
        esr("tokens", "create", "ci", "--description", "pipeline", "--database-url", sqlite_url),
        esr("tokens", "create", "ci", "--days", "30", "--database-url", sqlite_url),
        esr("tokens", "create", "root", "--database-url", sqlite_url),
    ]
    values = [result.stdout.strip() for result in secrets]
    hashes = sorted(row.token_hash for row in _token_rows(sqlite_url))

    table = esr("tokens", "list", "--database-url", sqlite_url)
    listed = esr("tokens", "list", "--user", "ci", "--format", "json", "--database-url", sqlite_url)

    assert table.exit_code == listed.exit_code == EXIT_OK
    assert table.stdout.startswith(f"tokens in {sqlite_url}\n") and "pipeline" in table.stdout
    tokens = json.loads(listed.stdout)
    assert [t["user"] for t in tokens] == ["ci", "ci"]
    assert set(tokens[0]) == {"id", "user", "description", "created", "expires", "expired"}
    assert tokens[0]["description"] == "pipeline" and tokens[0]["expires"] is None
    assert tokens[1]["expires"] is not None and tokens[1]["expired"] is False
    assert {t["id"] for t in tokens} <= {h[:12] for h in hashes}
    for output in (table.stdout, listed.stdout):
        assert not any(value in output for value in values)
        assert not any(full in output for full in hashes)

    revoked = esr("tokens", "revoke", tokens[0]["id"], "--database-url", sqlite_url)

    assert revoked.exit_code == EXIT_OK, revoked.stderr
    assert revoked.stdout == f"token {tokens[0]['id']} of 'ci' revoked in {sqlite_url}\n"
    assert len(_token_rows(sqlite_url)) == 2
    again = esr("tokens", "revoke", tokens[0]["id"], "--database-url", sqlite_url)
    assert again.exit_code == EXIT_USAGE and "not found" in again.stderr

    all_of_ci = esr("tokens", "revoke", "--user", "ci", "--database-url", sqlite_url)

    assert all_of_ci.exit_code == EXIT_OK
    assert f"1 token(s) of 'ci' revoked in {sqlite_url}: {tokens[1]['id']}" in all_of_ci.stdout
    assert [row.user for row in _token_rows(sqlite_url)] == ["root"]
    none_left = esr("tokens", "revoke", "--user", "ci", "--database-url", sqlite_url)
    assert none_left.exit_code == EXIT_OK and "has no tokens" in none_left.stdout
    revocations = [e for e in _audit(sqlite_url) if e["action"] == "revoke_token"]
    assert [e["detail"] for e in revocations] == [
        {"user": "ci", "token": tokens[1]["id"]},
        {"user": "ci", "token": tokens[0]["id"]},
    ]
    assert all(e["actor"] == "cli" for e in revocations)
    assert not any(value in json.dumps(_audit(sqlite_url)) for value in values)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["not-hex!"], "Invalid token id"),
        (["abc"], "Invalid token id"),
        (["0123456789ab"], "not found"),
        ([], "give a token id"),
        (["0123456789ab", "--user", "ci"], "give a token id"),
        (["--user", "nobody"], "User 'nobody' not found"),
    ],
)
def test_tokens_revoke_usage_errors_exit_2(sqlite_url: str, args: list[str], message: str) -> None:
    add_user(sqlite_url, "root", "admin")
    add_user(sqlite_url, "ci", "writer")

    result = esr("tokens", "revoke", *args, "--database-url", sqlite_url)

    assert result.exit_code == EXIT_USAGE
    assert message in result.stderr


def test_a_revoked_token_stops_working_on_a_running_server(sqlite_url: str) -> None:
    add_user(sqlite_url, "root", "admin")
    kept = esr("tokens", "create", "root", "--database-url", sqlite_url).stdout.strip()
    doomed = esr("tokens", "create", "root", "--database-url", sqlite_url).stdout.strip()
    doomed_id = token_id(token_hash(doomed))
    listed = esr("tokens", "list", "--format", "json", "--database-url", sqlite_url).stdout
    assert doomed_id in {t["id"] for t in json.loads(listed)}
    refresh = 1.0
    with running_server(sqlite_url, REGISTRY_AUTH_REFRESH_SECONDS=str(refresh)) as server:

        def status(token: str) -> int:
            headers = {"Authorization": f"Bearer {token}"}
            return httpx.get(f"{server.url}/subjects", headers=headers, timeout=5).status_code

        assert status(doomed) == status(kept) == 200
        assert status(doomed) == 200  # now answered from the server's memory
        assert esr("tokens", "revoke", doomed_id, "--database-url", sqlite_url).exit_code == 0
        revoked_at = time.monotonic()
        while status(doomed) != 401:
            assert time.monotonic() - revoked_at < refresh + 2, "revoked token still accepted"
            time.sleep(0.05)
        assert status(kept) == 200


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
