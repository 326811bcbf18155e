"""Server-side sync configured as the README shows it: ``REGISTRY_SYNC__*`` then ``esr serve``.

The nested sections and the Azure token (a secret) must reach the server process intact: a
registration then arrives at all three targets.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import boto3
import httpx

from tests.support.server import running_server
from tests.sync.conftest import AZURE_TOKEN
from tests.sync.emulators.azure import AzureSchemaRegistryEmulator
from tests.sync.emulators.eventbridge import EventBridgeSchemasEmulator

SCHEMA = json.dumps(
    {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "properties": {"orderId": {"type": "string"}},
    }
)


def _eventually(check: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the registration never reached the target"
        time.sleep(0.1)


def test_readme_sync_environment_starts_a_syncing_server(
    sqlite_url: str,
    eventbridge: EventBridgeSchemasEmulator,
    azure: AzureSchemaRegistryEmulator,
    tls_pair: tuple[Path, Path],
    glue_endpoint: str,
) -> None:
    boto3.client("glue", endpoint_url=glue_endpoint, region_name="us-east-1").create_registry(
        RegistryName="shop"
    )
    env = {
        "REGISTRY_SYNC__EVENTBRIDGE__REGISTRY": "shop",
        "REGISTRY_SYNC__EVENTBRIDGE__REGION": "us-east-1",
        "REGISTRY_SYNC__EVENTBRIDGE__ENDPOINT_URL": eventbridge.endpoint_url,
        "REGISTRY_SYNC__AZURE__NAMESPACE": azure.namespace,
        "REGISTRY_SYNC__AZURE__GROUP": "events",
        "REGISTRY_SYNC__AZURE__TOKEN": AZURE_TOKEN,
        "REGISTRY_SYNC__AZURE__CA_CERT": str(tls_pair[0]),
        "REGISTRY_SYNC__GLUE__REGISTRY": "shop",
        "REGISTRY_SYNC__GLUE__REGION": "us-east-1",
        "REGISTRY_SYNC__GLUE__ENDPOINT_URL": glue_endpoint,
        "REGISTRY_SYNC__BASE_DELAY": "0.05",
    }
    with running_server(sqlite_url, **env) as server:
        state = httpx.get(f"{server.url}/api/sync").json()
        assert state["targets"] == ["azure", "eventbridge", "glue"]
        answer = httpx.post(
            f"{server.url}/subjects/orders.OrderPlaced/versions",
            json={"schema": SCHEMA, "schemaType": "JSON"},
        )
        assert answer.status_code == 200, answer.text

        def synced() -> bool:
            states = httpx.get(f"{server.url}/api/sync").json()["states"]
            done = {s["target"] for s in states if s.get("lastSyncedVersion") == 1}
            return done == {"azure", "eventbridge", "glue"}

        _eventually(synced)
    assert azure.contents("events", "orders.OrderPlaced")
