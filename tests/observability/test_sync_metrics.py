"""Sync metrics per target: pushes ok and failed, the queue, the last success, the lag.

Two real targets on 127.0.0.1: the EventBridge Schemas emulator (takes every push) and Glue at
a port where nothing listens (every push fails and is queued again for later).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from registry.api.app import create_app
from registry.config import EventBridgeSyncSettings, GlueSyncSettings, Settings, SyncSettings
from tests.observability.scrape import value
from tests.support.api import Api
from tests.support.server import free_port
from tests.sync.emulators.eventbridge import EventBridgeSchemasEmulator

SCHEMA = json.dumps(
    {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "properties": {"orderId": {"type": "string"}},
    }
)


@pytest.fixture
def eventbridge() -> Iterator[EventBridgeSchemasEmulator]:
    emulator = EventBridgeSchemasEmulator()
    emulator.start()
    yield emulator
    emulator.stop()


def test_pushes_failures_queue_and_lag_per_target(
    sqlite_url: str, eventbridge: EventBridgeSchemasEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # the dead target fails at once
    sync = SyncSettings(
        eventbridge=EventBridgeSyncSettings(
            registry="shop", region="us-east-1", endpoint_url=eventbridge.endpoint_url
        ),
        glue=GlueSyncSettings(
            registry="shop", region="us-east-1", endpoint_url=f"http://127.0.0.1:{free_port()}"
        ),
        base_delay=60.0,  # a failed subject waits in the queue for the rest of the test
    )
    started = time.time()
    app = create_app(Settings(database_url=sqlite_url, sync=sync))
    with TestClient(app) as client:
        api = Api(client)
        api.ok(api.register("orders.OrderPlaced", SCHEMA, "JSON"))
        api.ok(api.register("orders.OrderPaid", SCHEMA, "JSON"))

        deadline = time.monotonic() + 30
        while True:
            text = client.get("/metrics").text
            ok = value(text, "registry_sync_pushes_total", target="eventbridge", result="ok")
            failed = value(text, "registry_sync_pushes_total", target="glue", result="failed")
            if ok >= 2 and failed >= 2:
                break
            assert time.monotonic() < deadline, text
            time.sleep(0.1)

        assert value(text, "registry_sync_pushes_total", target="glue", result="ok") == 0
        assert value(text, "registry_sync_pushes_total", target="eventbridge", result="failed") == 0
        assert value(text, "registry_sync_pending", target="glue") == 2
        assert value(text, "registry_sync_pending", target="eventbridge") == 0
        last = value(text, "registry_sync_last_success_timestamp_seconds", target="eventbridge")
        assert started <= last <= time.time()
        assert value(text, "registry_sync_last_success_timestamp_seconds", target="glue") == 0
        # The database's view: both subjects are a version behind on Glue, none on EventBridge
        # (read at most every few seconds, so a later scrape may be needed to see it).
        deadline = time.monotonic() + 15
        while (
            value(text, "registry_sync_versions_behind", target="glue"),
            value(text, "registry_sync_versions_behind", target="eventbridge"),
        ) != (2, 0):
            assert time.monotonic() < deadline, text
            time.sleep(0.5)
            text = client.get("/metrics").text
