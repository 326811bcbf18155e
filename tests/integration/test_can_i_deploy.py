"""Contract publication, deployments and can-i-deploy end to end over a real ``esr serve``.

Two service repositories, each its own directory with its own contracts: ``orders`` produces
``shop.OrderPlaced`` and owns its schema (``schemas/``), ``billing`` consumes it, reads ``/id``
and ``/total`` (declared ``reads:``) and resolves the schema from the registry. Both publish
with ``esr contracts publish``, post verification results, and are recorded as deployed to
``prod``; then ``esr can-i-deploy`` judges new versions of ``orders``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from registry.cli.main import app
from tests.support.server import ServerProcess, running_server

ORDER: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "total": {"type": "number"},
        "note": {"type": "string"},
    },
    "required": ["id", "total", "note"],
}
_numbers = itertools.count(1)


def esr(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    database = tmp_path_factory.mktemp("deploys") / "registry.db"
    with running_server(f"sqlite:///{database}") as found:
        yield found


@dataclass
class World:
    """Two repositories, their names in this test, and the registry."""

    url: str
    root: Path
    orders: str
    billing: str
    subject: str
    env: str

    def write_order_schema(self, document: dict[str, Any]) -> None:
        path = self.root / "orders" / "schemas" / self.subject.split(".")[0] / "OrderPlaced.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2))

    def publish(self, repo: str, service: str, version: str) -> tuple[int, str]:
        return esr(
            "contracts", "publish", str(self.root / repo), "--service", service,
            "--version", version, "--branch", "main", "--registry", self.url,
        )  # fmt: skip

    def verified(self, service: str, version: str, role: str, success: bool = True) -> None:
        body = {"results": [{"role": role, "subject": self.subject, "success": success}]}
        url = f"{self.url}/api/services/{service}/versions/{version}/verifications"
        assert httpx.post(url, json=body).status_code == 200

    def can_i_deploy(self, version: str, *extra: str) -> tuple[int, str]:
        return esr(
            "can-i-deploy", "--service", self.orders, "--version", version, "--to", self.env,
            "--registry", self.url, *extra,
        )  # fmt: skip

    def release(self, document: dict[str, Any], version: str) -> None:
        self.write_order_schema(document)
        code, out = self.publish("orders", self.orders, version)
        assert code == 0, out
        self.verified(self.orders, version, "produces")


@pytest.fixture
def world(server: ServerProcess, tmp_path: Path) -> World:
    n = next(_numbers)
    found = World(server.url, tmp_path, f"orders{n}", f"billing{n}", f"shop{n}.OrderPlaced", "prod")
    found.env = f"prod{n}"
    (tmp_path / "orders" / "contracts").mkdir(parents=True)
    (tmp_path / "orders" / "contracts" / "orders.yaml").write_text(
        f"service: {found.orders}\nproduces:\n  - subject: {found.subject}\n"
        "    transport: sns\n    topic: orders\n"
    )
    (tmp_path / "billing" / "contracts").mkdir(parents=True)
    (tmp_path / "billing" / "contracts" / "billing.yaml").write_text(
        f"service: {found.billing}\nconsumes:\n  - subject: {found.subject}\n"
        "    transport: sqs\n    queue: billing\n    via: sns\n"
        '    reads: ["/id", "/total"]\n'
    )
    found.write_order_schema(ORDER)
    registered = httpx.post(
        f"{server.url}/subjects/{found.subject}/versions",
        json={"schema": json.dumps(ORDER), "schemaType": "JSON"},
    )
    assert registered.status_code == 200, registered.text
    assert httpx.put(f"{server.url}/api/environments/{found.env}").status_code == 200
    for repo, service, role in (
        ("orders", found.orders, "produces"),
        ("billing", found.billing, "consumes"),
    ):
        code, out = found.publish(repo, service, "1")
        assert code == 0, out
        found.verified(service, "1", role)
        code, out = esr(
            "deployments", "record", "--service", service, "--version", "1", "--env", found.env,
            "--registry", server.url,
        )  # fmt: skip
        assert code == 0, out
    return found


def test_publish_resolves_schemas_from_the_tree_or_the_registry(world: World) -> None:
    code, out = world.publish("billing", world.billing, "1")
    assert code == 0, out
    assert "schemas from" in out and "schema id" in out and "reads /id, /total" in out
    code, out = esr("deployments", "list", "--env", world.env, "--registry", world.url)
    assert code == 0, out
    assert world.orders in out and world.billing in out


def test_a_compatible_producer_change_is_yes(world: World) -> None:
    changed = json.loads(json.dumps(ORDER))
    changed["properties"]["tag"] = {"type": "string"}
    world.release(changed, "2")
    code, out = world.can_i_deploy("2")
    assert code == 0, out
    assert f"{world.billing}" in out and out.rstrip().endswith(": yes")


def test_a_change_to_a_field_the_consumer_reads_is_no(world: World) -> None:
    changed = json.loads(json.dumps(ORDER))
    changed["properties"]["total"] = {"type": "string"}
    world.release(changed, "2")
    code, out = world.can_i_deploy("2")
    assert code == 1, out
    assert f"{world.billing} 1 <- {world.orders} 2" in out
    assert "at /total" in out and "counterexample event" in out and '"total": "' in out
    code, out = world.can_i_deploy("2", "--format", "json")
    verdict = json.loads(out)
    assert verdict["answer"] == "no"
    assert verdict["matrix"][0]["findings"][0]["pointers"] == ["/total"]
    code, out = world.can_i_deploy("2", "--format", "markdown")
    assert code == 1 and "| CONSUMER |" in out and "**Blocking**" in out


def test_a_breaking_change_no_deployed_consumer_reads_is_yes_with_a_warning(world: World) -> None:
    changed = json.loads(json.dumps(ORDER))
    del changed["properties"]["note"]
    changed["required"] = ["id", "total"]
    world.release(changed, "2")
    code, out = world.can_i_deploy("2")
    assert code == 0, out
    assert "Warnings:" in out and "/note" in out and f"{world.billing} 1" in out


def test_an_unpublished_version_is_unknown(world: World) -> None:
    code, out = world.can_i_deploy("3")
    assert code == 2, out
    assert "never been published" in out and out.rstrip().endswith(": unknown")


def test_a_failed_verification_is_no(world: World) -> None:
    world.write_order_schema(ORDER)
    assert world.publish("orders", world.orders, "2")[0] == 0
    world.verified(world.orders, "2", "produces", success=False)
    code, out = world.can_i_deploy("2")
    assert code == 1, out


def test_recording_a_new_version_undeploys_the_previous_one(world: World) -> None:
    world.release(ORDER, "2")
    code, _ = esr(
        "deployments", "record", "--service", world.orders, "--version", "2", "--env", world.env,
        "--registry", world.url,
    )  # fmt: skip
    assert code == 0
    code, out = esr("deployments", "list", "--env", world.env, "--format", "json",
                    "-r", world.url)  # fmt: skip
    current = {(d["service"], d["version"]) for d in json.loads(out)}
    assert current == {(world.orders, "2"), (world.billing, "1")}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["deployments", "record", "--service", "{orders}", "--version", "1", "--env", "nowhere"],
         "Environment 'nowhere' not found"),
        (["deployments", "record", "--service", "{orders}", "--version", "9", "--env", "{env}"],
         "has no version '9'"),
        (["deployments", "record", "--service", "nobody", "--version", "1", "--env", "{env}"],
         "Service 'nobody' not found"),
        (["deployments", "list", "--env", "nowhere"], "Environment 'nowhere' not found"),
        (["can-i-deploy", "--service", "{orders}", "--version", "1", "--to", "nowhere"],
         "Environment 'nowhere' not found"),
        (["can-i-deploy", "--service", "{orders}", "--version", "1", "--to", "{env}",
          "--format", "yaml"], "yaml"),
        (["contracts", "publish", "{root}/orders", "--service", "nobody", "--version", "1"],
         "No contract of service 'nobody'"),
        (["contracts", "publish", "{root}/orders", "--service", "{orders}", "--version", "a b"],
         "Invalid version"),
        (["can-i-deploy", "--service", "{orders}", "--version", "1", "--to", "{env}",
          "--user", "nocolon"], "USER:PASSWORD"),
    ],
)  # fmt: skip
def test_bad_input_exits_2(world: World, args: list[str], message: str) -> None:
    filled = [a.format(orders=world.orders, env=world.env, root=world.root) for a in args]
    code, out = esr(*filled, "--registry", world.url)
    assert code == 2, out
    assert message in out


def test_a_malformed_read_pointer_in_a_contract_exits_2(world: World) -> None:
    contract = world.root / "billing" / "contracts" / "billing.yaml"
    contract.write_text(contract.read_text().replace('"/total"', '"total"'))
    code, out = world.publish("billing", world.billing, "2")
    assert code == 2, out
    assert "billing.yaml" in out


def test_an_unreachable_registry_exits_3(world: World) -> None:
    code, out = esr("can-i-deploy", "--service", "s", "--version", "1", "--to", "prod",
                    "-r", "http://127.0.0.1:9")  # fmt: skip
    assert code == 3, out


def test_roles(tmp_path: Path) -> None:
    secret = tmp_path / "admin-password"
    secret.write_text("admin-password")
    database = f"sqlite:///{tmp_path / 'secured.db'}"
    env = {"REGISTRY_BOOTSTRAP_ADMIN_PASSWORD_FILE": str(secret),
           "REGISTRY_AUTH_REFRESH_SECONDS": "0"}  # fmt: skip
    with running_server(database, **env) as server:
        admin = ("admin", "admin-password")
        for name in ("reader", "writer"):
            created = CliRunner().invoke(
                app,
                ["users", "add", name, "--role", name, "--password-stdin",
                 "--database-url", database],
                input=f"{name}-password\n",
            )  # fmt: skip
            assert created.exit_code == 0, created.output
        assert httpx.put(f"{server.url}/api/environments/prod", auth=admin).status_code == 200
        repo = tmp_path / "repo"
        (repo / "contracts").mkdir(parents=True)
        (repo / "contracts" / "s.yaml").write_text(
            "service: s\nproduces:\n  - subject: s.E\n    transport: sns\n    topic: t\n"
        )
        (repo / "schemas" / "s").mkdir(parents=True)
        (repo / "schemas" / "s" / "E.json").write_text(json.dumps(ORDER))
        publish = ["contracts", "publish", str(repo), "--service", "s", "--version", "1",
                   "-r", server.url]  # fmt: skip
        record = ["deployments", "record", "--service", "s", "--version", "1", "--env", "prod",
                  "-r", server.url]  # fmt: skip
        judge = ["can-i-deploy", "--service", "s", "--version", "1", "--to", "prod",
                 "-r", server.url]  # fmt: skip
        code, out = esr(*publish)
        assert code == 2 and "40101" not in out and "redentials" in out, out
        code, out = esr(*publish, "--user", "reader:reader-password")
        assert code == 2 and "may not write" in out, out
        assert esr(*publish, "--user", "writer:writer-password")[0] == 0
        code, out = esr(*record, "--user", "reader:reader-password")
        assert code == 2, out
        assert esr(*record, "--user", "writer:writer-password")[0] == 0
        code, out = esr(*judge, "--user", "reader:reader-password")
        assert code == 2 and "no verification results" in out, out
