"""Server-side sync: registrations are pushed in the background and survive a target outage."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from fastapi.testclient import TestClient

from registry.api.app import create_app
from registry.config import EventBridgeSyncSettings, Settings, SyncSettings
from tests.sync.emulators.eventbridge import EventBridgeSchemasEmulator

SUBJECT = "orders.OrderPlaced"


def _schema(*fields: str) -> str:
    return json.dumps(
        {
            "$schema": "http://json-schema.org/draft-04/schema#",
            "type": "object",
            "properties": {f: {"type": "string"} for f in fields},
        }
    )


def _eventually(check: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_server_sync_survives_an_outage_and_catches_up(
    sqlite_url: str, eventbridge: EventBridgeSchemasEmulator
) -> None:
    settings = Settings(
        database_url=sqlite_url,
        default_compatibility="NONE",
        sync=SyncSettings(
            eventbridge=EventBridgeSyncSettings(
                registry="shop", endpoint_url=eventbridge.endpoint_url, region="us-east-1"
            ),
            base_delay=0.05,
            max_delay=0.2,
        ),
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        worker = app.state.sync_worker
        name = worker.targets["eventbridge"].remote_name(SUBJECT)

        def pushed() -> int:
            try:
                return len(eventbridge.contents("shop", name))
            except KeyError:
                return 0

        body = {"schema": _schema("orderId"), "schemaType": "JSON"}
        assert client.post(f"/subjects/{SUBJECT}/versions", json=body).status_code == 200
        _eventually(lambda: pushed() == 1)

        eventbridge.stop()  # outage
        started = time.monotonic()
        body = {"schema": _schema("orderId", "note"), "schemaType": "JSON"}
        response = client.post(f"/subjects/{SUBJECT}/versions", json=body)
        assert response.status_code == 200 and response.json()["version"] == 2
        assert time.monotonic() - started < 2.0, "a target outage must not slow registration"

        def failing() -> bool:
            states = client.get("/api/sync").json()["states"]
            return any(s["lastError"] and s["attempts"] >= 1 for s in states)

        _eventually(failing)
        assert pushed() == 1

        eventbridge.start()  # the target returns on the same port
        _eventually(lambda: pushed() == 2)
        _eventually(lambda: client.get("/api/sync").json()["states"][0]["lastError"] is None)
        state = client.get("/api/sync").json()["states"][0]
        assert state == state | {
            "target": "eventbridge",
            "subject": SUBJECT,
            "lastSyncedVersion": 2,
            "attempts": 0,
        }

        report = client.post("/api/sync/eventbridge").json()
        assert [r["outcome"] for r in report["results"]] == ["unchanged"]
        assert client.post("/api/sync/glue").status_code == 404
