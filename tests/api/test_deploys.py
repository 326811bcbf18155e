"""/api/: publishing contracts and verification results, environments, deployments, the matrix
and can-i-deploy, through the app on SQLite and PostgreSQL; bad input and roles."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from registry.api.app import create_app
from registry.config import Settings
from registry.domain import Role
from registry.security import Authenticator

ORDER: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "total": {"type": "number"},
        "note": {"type": "string"},
        "items": {
            "type": "array",
            "items": {"type": "object", "properties": {"sku": {"type": "string"}}},
        },
    },
    "required": ["id", "total", "note"],
}


def schema(**changes: Any) -> str:
    """The order schema with some properties replaced (None removes one)."""
    document = json.loads(json.dumps(ORDER))
    for name, value in changes.items():
        if value is None:
            document["properties"].pop(name)
            document["required"] = [r for r in document["required"] if r != name]
        else:
            document["properties"][name] = value
    return json.dumps(document)


def contract(role: str, text: str, reads: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "role": role,
        "subject": "orders-value",
        "transport": "sns",
        "destination": "orders",
        "schemaType": "JSON",
        "schema": text,
    }
    if reads is not None:
        body["reads"] = reads
    return body


def passed(role: str) -> dict[str, Any]:
    return {"results": [{"role": role, "subject": "orders-value", "success": True}]}


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url))
    with TestClient(app, raise_server_exceptions=False) as found:
        yield found


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def error(response: Any, status: int, code: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_code"] == code, body
    return str(body["message"])


def publish(client: TestClient, service: str, version: str, *contracts: Any) -> Any:
    url = f"/api/services/{service}/versions/{version}/contracts"
    return client.put(url, json={"branch": "main", "contracts": list(contracts)})


def deploy(client: TestClient, service: str, version: str, env: str = "prod") -> Any:
    body = {"service": service, "version": version, "environment": env}
    return ok(client.post("/api/deployments", json=body))


def verdict(client: TestClient, service: str, version: str, env: str = "prod") -> Any:
    query = {"service": service, "version": version, "environment": env}
    return ok(client.get("/api/can-i-deploy", params=query))


@pytest.fixture
def prod(client: TestClient) -> TestClient:
    """orders 1 produces, billing 1 consumes reading /id and /total; both deployed to prod."""
    ok(client.put("/api/environments/prod"))
    ok(publish(client, "orders", "1", contract("produces", schema())))
    ok(client.post("/api/services/orders/versions/1/verifications", json=passed("produces")))
    ok(publish(client, "billing", "1", contract("consumes", schema(), ["/id", "/total"])))
    ok(client.post("/api/services/billing/versions/1/verifications", json=passed("consumes")))
    deploy(client, "orders", "1")
    deploy(client, "billing", "1")
    return client


def test_publish_and_read_back(prod: TestClient) -> None:
    assert ok(prod.get("/api/services")) == ["billing", "orders"]
    service = ok(prod.get("/api/services/billing"))
    assert [v["version"] for v in service["versions"]] == ["1"]
    version = ok(prod.get("/api/services/billing/versions/1"))
    assert version["branch"] == "main"
    assert version["contracts"][0]["reads"] == ["/id", "/total"]
    assert version["contracts"][0]["schemaId"] is None  # not registered: kept by content
    assert version["verifications"][0]["success"] is True
    assert [d["environment"] for d in version["deployments"]] == ["prod"]


def test_the_schema_resolves_to_its_global_id_when_registered(client: TestClient) -> None:
    registered = client.post(
        "/subjects/orders-value/versions", json={"schema": schema(), "schemaType": "JSON"}
    )
    schema_id = ok(registered)["id"]
    found = ok(publish(client, "orders", "1", contract("produces", schema())))
    assert found["contracts"][0]["schemaId"] == schema_id
    assert ok(client.get("/subjects/orders-value/versions")) == [1]


def test_a_compatible_change_is_yes(prod: TestClient) -> None:
    ok(publish(prod, "orders", "2", contract("produces", schema(tag={"type": "string"}))))
    ok(prod.post("/api/services/orders/versions/2/verifications", json=passed("produces")))
    answer = verdict(prod, "orders", "2")
    assert answer["answer"] == "yes", answer
    assert answer["warnings"] == []
    assert [(r["consumer"], r["answer"]) for r in answer["matrix"]] == [("billing", "yes")]


def test_a_change_to_a_field_the_consumer_reads_is_no(prod: TestClient) -> None:
    ok(publish(prod, "orders", "2", contract("produces", schema(total={"type": "string"}))))
    ok(prod.post("/api/services/orders/versions/2/verifications", json=passed("produces")))
    answer = verdict(prod, "orders", "2")
    assert answer["answer"] == "no"
    (row,) = answer["matrix"]
    assert (row["consumer"], row["consumerVersion"], row["subject"]) == (
        "billing",
        "1",
        "orders-value",
    )
    (finding,) = row["findings"]
    assert finding["pointers"] == ["/total"]
    assert isinstance(finding["example"]["total"], str)


def test_a_breaking_change_nobody_reads_is_yes_with_a_warning(prod: TestClient) -> None:
    ok(publish(prod, "orders", "2", contract("produces", schema(note=None))))
    ok(prod.post("/api/services/orders/versions/2/verifications", json=passed("produces")))
    answer = verdict(prod, "orders", "2")
    assert answer["answer"] == "yes", answer
    (warning,) = answer["warnings"]
    assert "/note" in warning and "billing 1" in warning
    assert answer["matrix"][0]["ignored"][0]["pointers"] == ["/note"]


def test_unknown_reads_mean_everything(prod: TestClient) -> None:
    ok(publish(prod, "billing", "2", contract("consumes", schema())))
    ok(prod.post("/api/services/billing/versions/2/verifications", json=passed("consumes")))
    deploy(prod, "billing", "2")
    ok(publish(prod, "orders", "2", contract("produces", schema(note=None))))
    ok(prod.post("/api/services/orders/versions/2/verifications", json=passed("produces")))
    assert verdict(prod, "orders", "2")["answer"] == "no"


def test_a_consumer_against_deployed_producers(prod: TestClient) -> None:
    reading = contract("consumes", schema(total={"type": "integer"}), ["/total"])
    ok(publish(prod, "billing", "2", reading))
    ok(prod.post("/api/services/billing/versions/2/verifications", json=passed("consumes")))
    answer = verdict(prod, "billing", "2")
    assert answer["answer"] == "no"
    assert answer["matrix"][0]["producer"] == "orders"


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("unpublished", "never been published"),
        ("unverified", "no verification results"),
        ("silent", "has published no contract"),
    ],
)
def test_missing_information_is_unknown(prod: TestClient, setup: str, reason: str) -> None:
    if setup != "unpublished":
        ok(publish(prod, "orders", "2", contract("produces", schema())))
    if setup == "silent":
        ok(prod.post("/api/services/orders/versions/2/verifications", json=passed("produces")))
        body = {"results": [{"role": "consumes", "subject": "x", "success": True}]}
        ok(prod.post("/api/services/audit/versions/9/verifications", json=body))
        deploy(prod, "audit", "9")
    answer = verdict(prod, "orders", "2")
    assert answer["answer"] == "unknown"
    assert any(reason in r for r in answer["reasons"]), answer["reasons"]


def test_a_failed_verification_is_no(prod: TestClient) -> None:
    ok(publish(prod, "orders", "2", contract("produces", schema())))
    failed = {
        "results": [
            {
                "role": "produces",
                "subject": "orders-value",
                "success": False,
                "failure": "payload misses 'id'",
            }
        ]
    }
    ok(prod.post("/api/services/orders/versions/2/verifications", json=failed))
    answer = verdict(prod, "orders", "2")
    assert answer["answer"] == "no"
    assert "payload misses 'id'" in answer["reasons"][0]


def test_a_new_deployment_undeploys_the_previous_version(prod: TestClient) -> None:
    ok(publish(prod, "orders", "2", contract("produces", schema())))
    deploy(prod, "orders", "2")
    current = ok(prod.get("/api/deployments", params={"environment": "prod"}))
    assert sorted((d["service"], d["version"]) for d in current) == [
        ("billing", "1"),
        ("orders", "2"),
    ]
    history = ok(prod.get("/api/deployments", params={"history": "true"}))
    undeployed = [d for d in history if d["undeployedAt"] is not None]
    assert [(d["service"], d["version"]) for d in undeployed] == [("orders", "1")]


def test_the_matrix_route(prod: TestClient) -> None:
    ok(publish(prod, "orders", "2", contract("produces", schema())))
    found = ok(prod.get("/api/services/orders/versions/2/matrix", params={"environment": "prod"}))
    assert found["matrix"][0]["consumer"] == "billing"


def test_a_publication_is_all_or_nothing(prod: TestClient) -> None:
    bad = contract("consumes", schema(), ["total"])
    error(publish(prod, "orders", "1", contract("produces", schema(total=None)), bad), 422, 42290)
    version = ok(prod.get("/api/services/orders/versions/1"))
    assert json.loads(version["contracts"][0]["schema"]) == ORDER


@pytest.mark.parametrize(
    ("method", "url", "body", "status", "code"),
    [
        ("get", "/api/services/nobody", None, 404, 40480),
        ("get", "/api/services/orders/versions/9", None, 404, 40481),
        ("delete", "/api/services/nobody", None, 404, 40480),
        ("delete", "/api/environments/nowhere", None, 404, 40482),
        ("get", "/api/deployments?environment=nowhere", None, 404, 40482),
        ("get", "/api/can-i-deploy?service=orders&version=1&environment=nowhere", None, 404, 40482),
        ("get", "/api/can-i-deploy?service=orders&version=1", None, 422, 422),
        ("put", "/api/environments/bad%20name", None, 422, 42290),
        (
            "post",
            "/api/deployments",
            {"service": "orders", "version": "9", "environment": "prod"},
            404,
            40481,
        ),
        (
            "post",
            "/api/deployments",
            {"service": "nobody", "version": "1", "environment": "prod"},
            404,
            40480,
        ),
        (
            "post",
            "/api/deployments",
            {"service": "orders", "version": "1", "environment": "nowhere"},
            404,
            40482,
        ),
        ("post", "/api/deployments", {"service": "orders"}, 422, 422),
        ("put", "/api/services/orders/versions/3/contracts", {"contracts": []}, 422, 422),
        (
            "put",
            "/api/services/orders/versions/3/contracts",
            {"contracts": [contract("consumes", schema(), ["/a~2b"])]},
            422,
            42290,
        ),
        (
            "put",
            "/api/services/orders/versions/3/contracts",
            {"contracts": [contract("produces", schema(), ["/id"])]},
            422,
            42290,
        ),
        (
            "put",
            "/api/services/orders/versions/3/contracts",
            {"contracts": [contract("produces", "{not json")]},
            422,
            42290,
        ),
        (
            "put",
            "/api/services/orders/versions/3/contracts",
            {"contracts": [contract("lurks", schema())]},
            422,
            422,
        ),
        (
            "put",
            "/api/services/or%20ders/versions/3/contracts",
            {"contracts": [contract("produces", schema())]},
            422,
            42290,
        ),
        (
            "post",
            "/api/services/orders/versions/3/verifications",
            {"results": [{"role": "consumes", "subject": "s", "success": True, "reads": ["x"]}]},
            422,
            42290,
        ),
        (
            "post",
            "/api/services/orders/versions/3/verifications",
            {"results": [{"role": "consumes", "subject": "s", "success": "yes"}]},
            422,
            422,
        ),
    ],
)
def test_bad_input(
    prod: TestClient, method: str, url: str, body: Any, status: int, code: int
) -> None:
    kwargs = {} if body is None else {"json": body}
    message = error(prod.request(method.upper(), url, **kwargs), status, code)
    assert message


def test_deletes(prod: TestClient) -> None:
    ok(prod.delete("/api/services/orders/versions/1"), 204)
    error(prod.get("/api/services/orders/versions/1"), 404, 40481)
    assert [d["service"] for d in ok(prod.get("/api/deployments"))] == ["billing"]
    ok(prod.delete("/api/services/billing"), 204)
    error(prod.get("/api/services/billing"), 404, 40480)
    ok(prod.delete("/api/environments/prod"), 204)
    assert ok(prod.get("/api/environments")) == []


def test_the_consumers_deployed_in_an_environment(prod: TestClient) -> None:
    """Each consumer with the schema it reads with and its reads; recorded reads stand in for
    undeclared ones; producers are not listed."""
    found = ok(prod.get("/api/environments/prod/consumers"))
    assert found == [
        {
            "service": "billing",
            "version": "1",
            "subject": "orders-value",
            "schemaType": "JSON",
            "schema": schema(),
            "reads": ["/id", "/total"],
        }
    ]
    ok(publish(prod, "ledger", "7", contract("consumes", schema())))
    recorded = {"role": "consumes", "subject": "orders-value", "success": True, "reads": ["/note"]}
    ok(prod.post("/api/services/ledger/versions/7/verifications", json={"results": [recorded]}))
    deploy(prod, "ledger", "7")
    found = ok(prod.get("/api/environments/prod/consumers", params={"subject": "orders-value"}))
    assert [(c["service"], c["reads"]) for c in found] == [
        ("billing", ["/id", "/total"]),
        ("ledger", ["/note"]),
    ]
    assert ok(prod.get("/api/environments/prod/consumers", params={"subject": "other"})) == []
    error(prod.get("/api/environments/staging/consumers"), 404, 40482)


def test_compatibility_weighed_by_deployed_consumers(prod: TestClient) -> None:
    """?consumers=ENV adds advice; is_compatible stays the level's verdict (BACKWARD)."""
    ok(
        prod.post(
            "/subjects/orders-value/versions", json={"schema": schema(), "schemaType": "JSON"}
        )
    )
    url = "/compatibility/subjects/orders-value/versions/latest"
    # Removing 'note' passes BACKWARD, and nobody deployed reads it: compatible both ways.
    body = {"schema": schema(note=None), "schemaType": "JSON"}
    answer = ok(prod.post(url, json=body, params={"consumers": "prod"}))
    assert answer["is_compatible"] is True
    assert answer["consumers"]["is_compatible"] is True
    assert answer["consumers"]["considered"] == ["billing 1"]
    unread = answer["consumers"]["consumerFindings"]
    assert unread and not any(f["blocking"] for f in unread)
    assert {tuple(f["pointers"]) for f in unread} == {("/note",)}
    # Removing 'total' also passes BACKWARD, but billing reads it: the advice says no.
    body = {"schema": schema(total=None), "schemaType": "JSON"}
    answer = ok(prod.post(url, json=body, params={"consumers": "prod"}))
    assert answer["is_compatible"] is True
    advice = answer["consumers"]
    assert advice["is_compatible"] is False
    blocking = [f for f in advice["consumerFindings"] if f["blocking"]]
    assert {(f["consumer"], f["consumerVersion"], tuple(f["pointers"])) for f in blocking} == {
        ("billing", "1", ("/total",))
    }
    assert "billing 1 (deployed in prod) reads /total" in blocking[0]["summary"]
    assert any("example" in f for f in blocking)
    # A new required field fails BACKWARD; no deployed consumer reads it: downgraded.
    body = {"schema": schema(code={"type": "string"}), "schemaType": "JSON"}
    required = json.loads(body["schema"])
    required["required"].append("code")
    body["schema"] = json.dumps(required)
    answer = ok(prod.post(url, json=body, params={"consumers": "prod", "verbose": "true"}))
    assert answer["is_compatible"] is False and answer["messages"]
    weighed = answer["consumers"]["findings"]
    assert weighed and all(f["consumers"]["downgraded"] for f in weighed)
    assert {p for f in weighed for p in f["consumers"]["pointers"]} == {"/code"}
    assert answer["consumers"]["is_compatible"] is True
    # Without the parameter the answer is Confluent's, unchanged.
    assert "consumers" not in ok(prod.post(url, json=body))
    error(prod.post(url, json=body, params={"consumers": "nowhere"}), 404, 40482)


def test_the_operations_are_documented(client: TestClient) -> None:
    document = ok(client.get("/openapi.json"))
    operations = {
        op["operationId"]: op
        for path, item in document["paths"].items()
        if path.startswith("/api/")
        for op in item.values()
    }
    assert set(operations) >= {
        "list_services",
        "get_service",
        "delete_service",
        "get_service_version",
        "delete_service_version",
        "publish_contracts",
        "record_verifications",
        "get_matrix",
        "can_i_deploy",
        "list_environments",
        "create_environment",
        "delete_environment",
        "record_deployment",
        "list_deployments",
        "list_consumers",
    }
    assert {"401", "403", "404", "422"} <= set(operations["publish_contracts"]["responses"])


def basic(name: str) -> dict[str, str]:
    token = base64.b64encode(f"{name}:{name}-password".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def secured(sqlite_url: str) -> Iterator[tuple[TestClient, Authenticator]]:
    app = create_app(Settings(database_url=sqlite_url, auth_refresh_seconds=0))
    with TestClient(app, raise_server_exceptions=False) as found:
        yield found, app.state.authenticator


def test_readers_read_writers_publish_and_deploy_admins_delete(
    secured: tuple[TestClient, Authenticator],
) -> None:
    client, auth = secured
    for role in Role:
        auth.add_user(role.value.lower(), f"{role.value.lower()}-password", role)
    r, w, a = basic("reader"), basic("writer"), basic("admin")
    error(client.get("/api/services"), 401, 40101)
    error(client.put("/api/environments/prod", headers=w), 403, 40301)
    ok(client.put("/api/environments/prod", headers=a))
    url = "/api/services/orders/versions/1"
    body = {"contracts": [contract("produces", schema())]}
    error(client.put(f"{url}/contracts", json=body, headers=r), 403, 40301)
    ok(client.put(f"{url}/contracts", json=body, headers=w))
    error(client.post(f"{url}/verifications", json=passed("produces"), headers=r), 403, 40301)
    ok(client.post(f"{url}/verifications", json=passed("produces"), headers=w))
    deployment = {"service": "orders", "version": "1", "environment": "prod"}
    error(client.post("/api/deployments", json=deployment, headers=r), 403, 40301)
    ok(client.post("/api/deployments", json=deployment, headers=w))
    for path in (
        "/api/services",
        url,
        "/api/deployments",
        "/api/environments",
        "/api/environments/prod/consumers",
    ):
        ok(client.get(path, headers=r))
    query = {"service": "orders", "version": "1", "environment": "prod"}
    assert ok(client.get("/api/can-i-deploy", params=query, headers=r))["answer"] == "yes"
    error(client.delete(url, headers=w), 403, 40301)
    error(client.delete("/api/environments/prod", headers=w), 403, 40301)
    ok(client.delete(url, headers=a), 204)
    ok(client.delete("/api/services/orders", headers=a), 204)
    ok(client.delete("/api/environments/prod", headers=a), 204)


def test_the_plugins_document_records_results_and_reads(prod: TestClient) -> None:
    document: dict[str, Any] = {
        "format": 1,
        "service": "billing",
        "version": "2",
        "branch": "main",
        "source": "local:schemas",
        "contracts": [
            {
                "subject": "orders-value",
                "role": "consumes",
                "transport": "sns",
                "destination": None,
                "schema_version": None,
                "reads": ["/id"],
                "verification": {
                    "status": "failed",
                    "checked": 2,
                    "failed": 1,
                    "failures": [{"message": "no 'id'", "payload": {}}],
                },
            },
            {
                "subject": "other",
                "role": "consumes",
                "transport": "sqs",
                "reads": None,
                "verification": {"status": "not-run", "checked": 0, "failed": 0, "failures": []},
            },
        ],
    }
    found = ok(prod.post("/api/services/billing/versions/2/verifications", json=document))
    assert found["branch"] == "main"
    (result,) = found["verifications"]
    assert (result["success"], result["failure"], result["reads"]) == (False, "no 'id'", ["/id"])
    error(prod.post("/api/services/orders/versions/2/verifications", json=document), 422, 42290)
    document["contracts"] = document["contracts"][1:]
    error(prod.post("/api/services/billing/versions/2/verifications", json=document), 422, 42290)


def test_recorded_reads_restrict_a_consumer_without_declared_reads(prod: TestClient) -> None:
    ok(publish(prod, "billing", "2", contract("consumes", schema())))
    recorded = {
        "results": [
            {"role": "consumes", "subject": "orders-value", "success": True, "reads": ["/id"]}
        ]
    }
    ok(prod.post("/api/services/billing/versions/2/verifications", json=recorded))
    deploy(prod, "billing", "2")
    ok(publish(prod, "orders", "2", contract("produces", schema(total={"type": "string"}))))
    ok(prod.post("/api/services/orders/versions/2/verifications", json=passed("produces")))
    answer = verdict(prod, "orders", "2")
    assert answer["answer"] == "yes", answer
    assert "billing 2" in answer["warnings"][0]
