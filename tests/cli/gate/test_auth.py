"""``esr gate --against URL`` with a registry that requires credentials (``--user``, env)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from registry.cli.main import app
from registry.security import hash_password
from tests.cli.conftest import ORDER_V1, gate_tree, write_tree
from tests.support.server import running_server


def test_gate_sends_credentials_to_a_registry_that_requires_them(
    tmp_path: Path, workdir: Path
) -> None:
    users = tmp_path / "users.yaml"
    users.write_text(
        "users:\n"
        "  - name: ci\n"
        "    role: reader\n"
        f"    password_hash: '{hash_password('gate-password')}'\n"
    )
    write_tree(workdir, {"r7/Order.avsc": ORDER_V1})
    database = f"sqlite:///{tmp_path / 'auth.db'}"
    with running_server(database, REGISTRY_AUTH_USERS_FILE=str(users)) as server:
        anonymous = CliRunner().invoke(app, ["gate", "schemas", "--against", server.url])
        assert anonymous.exit_code == 2
        assert "Unauthorized" in anonymous.stderr
        code, report = gate_tree(workdir, server.url, "--user", "ci:gate-password")
        assert code == 0
        assert report["subjects"][0]["status"] == "new"
        env = {"ESR_REGISTRY_USER": "ci:wrong"}
        wrong = CliRunner().invoke(app, ["gate", "schemas", "--against", server.url], env=env)
        assert wrong.exit_code == 2
