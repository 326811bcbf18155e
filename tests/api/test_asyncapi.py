"""GET /api/asyncapi: the catalogue of published contracts as AsyncAPI 3.0.0, with the latest
registered schema of each subject; ``?service=`` for one service, 404 (40480) for an unknown
one. In-process on SQLite and PostgreSQL, and once through a real ``esr serve``."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from registry.api.app import create_app
from registry.cli.deploys import contract_documents
from registry.config import Settings
from registry.contract_testing.schemas import LocalTreeSource
from tests.asyncapi.specs import problems
from tests.support.server import ESR, running_server

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("inventory", "orders", "payments", "shipping")


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url))
    with TestClient(app, raise_server_exceptions=False) as found:
        yield found


def publish(client: TestClient, service: str, version: str) -> None:
    documents = contract_documents(ROOT, service, LocalTreeSource(ROOT / "schemas"))
    response = client.put(
        f"/api/services/{service}/versions/{version}/contracts", json={"contracts": documents}
    )
    assert response.status_code == 200, response.text


def register(client: TestClient, subject: str, schema: Any, schema_type: str = "JSON") -> int:
    body = {"schema": json.dumps(schema), "schemaType": schema_type}
    response = client.post(f"/subjects/{subject}/versions", json=body)
    assert response.status_code == 200, response.text
    found: int = response.json()["id"]
    return found


def asyncapi(client: TestClient, service: str | None = None) -> dict[str, Any]:
    response = client.get("/api/asyncapi", params={"service": service} if service else None)
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    assert problems(document) == []
    return document


def test_an_empty_registry_serves_an_empty_valid_document(client: TestClient) -> None:
    document = asyncapi(client)

    assert document["operations"] == {} and document["channels"] == {}


def test_the_published_shop_is_served_with_the_latest_schemas(client: TestClient) -> None:
    for service in SERVICES:
        publish(client, service, "1")
    placed = json.loads((ROOT / "schemas" / "orders" / "OrderPlaced.json").read_text())
    register(client, "orders.OrderPlaced", placed)
    placed["properties"]["coupon"] = {"type": "string"}
    newest = register(client, "orders.OrderPlaced", placed)

    document = asyncapi(client)

    assert sorted(document["x-esr-services"]) == list(SERVICES)
    assert document["x-esr-services"]["orders"] == {"version": "1"}
    assert len(document["operations"]) == 19
    message = document["components"]["messages"]["orders.OrderPlaced"]
    assert "coupon" in message["payload"]["schema"]["properties"]
    assert (message["x-esr-schema-version"], message["x-esr-schema-id"]) == (2, newest)
    # Not registered: the schema the contract was published with.
    shipped = document["components"]["messages"]["orders.OrderShipped"]
    assert "x-esr-schema-version" not in shipped
    assert shipped["payload"]["schemaFormat"] == "application/schema+json;version=draft-07"
    bus = document["channels"]["eventbridge.default.OrderPlaced"]
    assert bus["x-esr-detail-type"] == "OrderPlaced"


def test_one_service_from_its_newest_published_version(client: TestClient) -> None:
    for service in SERVICES:
        publish(client, service, "1")
    publish(client, "orders", "2")

    document = asyncapi(client, "orders")

    assert document["info"]["title"] == "orders"
    assert document["info"]["version"] == "2"
    assert {op["x-esr-service"] for op in document["operations"].values()} == {"orders"}


def test_an_unknown_service_is_404_40480(client: TestClient) -> None:
    publish(client, "orders", "1")

    response = client.get("/api/asyncapi", params={"service": "billing"})

    assert response.status_code == 404
    assert response.json() == {"error_code": 40480, "message": "Service 'billing' not found"}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGISTRY_", "ESR_"))}
    return {k: v for k, v in env.items() if not k.startswith("PYTEST_")}


def test_through_a_real_server_after_esr_contracts_publish_and_esr_push(tmp_path: Path) -> None:
    with running_server(f"sqlite:///{tmp_path / 'registry.db'}") as server:
        commands = [["push", "schemas"]] + [
            ["contracts", "publish", ".", "--service", s, "--version", "1"] for s in SERVICES
        ]
        for command in commands:
            done = subprocess.run(
                [str(ESR), *command, "--registry", server.url],
                cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120, check=False,
            )  # fmt: skip
            assert done.returncode == 0, done.stdout + done.stderr

        whole = httpx.get(f"{server.url}/api/asyncapi", timeout=30)
        one = httpx.get(f"{server.url}/api/asyncapi", params={"service": "payments"}, timeout=30)
        missing = httpx.get(f"{server.url}/api/asyncapi", params={"service": "x"}, timeout=30)

    assert whole.status_code == 200, whole.text
    assert problems(whole.json()) == []
    messages = whole.json()["components"]["messages"]
    assert {m["x-esr-schema-version"] for m in messages.values()} == {1}
    assert one.status_code == 200 and problems(one.json()) == []
    assert missing.status_code == 404 and missing.json()["error_code"] == 40480


def test_an_empty_service_is_no_filter(client: TestClient) -> None:
    for service in SERVICES:
        publish(client, service, "1")

    response = client.get("/api/asyncapi", params={"service": ""})

    assert response.status_code == 200, response.text
    assert response.json() == asyncapi(client)
