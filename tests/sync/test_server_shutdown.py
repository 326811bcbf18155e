"""SIGTERM: in-flight requests finish, the sync worker stops cleanly, nothing is lost.

A real ``esr serve`` syncing to an EventBridge target that is down takes registrations, then
gets SIGTERM while a request is still being received: the request is answered, the process
exits after its shutdown ran, and the log names the database (without its password). Started
again with the target up, the server pushes the subjects registered while the target was down
without waiting for a new registration.
"""

from __future__ import annotations

import json
import signal
import socket
import time
from collections.abc import Callable

import httpx

from tests.support.server import ServerProcess, free_port
from tests.sync.emulators.eventbridge import EventBridgeSchemasEmulator

SUBJECTS = ("orders.OrderPlaced", "payments.PaymentCaptured", "shipping.ShipmentDispatched")


def _schema(field: str) -> str:
    return json.dumps(
        {
            "$schema": "http://json-schema.org/draft-04/schema#",
            "type": "object",
            "properties": {field: {"type": "string"}},
        }
    )


def _eventually(check: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.1)


def _sync_env(endpoint: str) -> dict[str, str]:
    return {
        "REGISTRY_SYNC__EVENTBRIDGE__REGISTRY": "shop",
        "REGISTRY_SYNC__EVENTBRIDGE__REGION": "us-east-1",
        "REGISTRY_SYNC__EVENTBRIDGE__ENDPOINT_URL": endpoint,
        "REGISTRY_SYNC__BASE_DELAY": "0.05",
        "REGISTRY_SYNC__MAX_DELAY": "0.2",
        "REGISTRY_LOG_LEVEL": "info",
    }


def test_sigterm_drains_requests_and_sync_catches_up_after_restart(
    sqlite_url: str, eventbridge: EventBridgeSchemasEmulator
) -> None:
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    server = ServerProcess(sqlite_url, **_sync_env(down)).start()
    try:
        for subject in SUBJECTS:
            answer = httpx.post(
                f"{server.url}/subjects/{subject}/versions",
                json={"schema": _schema("id"), "schemaType": "JSON"},
            )
            assert answer.status_code == 200, answer.text
        body = json.dumps({"schema": _schema("late"), "schemaType": "JSON"}).encode()
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as conn:
            conn.sendall(
                b"POST /subjects/late.Event/versions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nConnection: close\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body[:20]
            )
            time.sleep(0.3)  # the request is in flight, its body half received
            assert server.process is not None
            server.process.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            conn.sendall(body[20:])
            answer_bytes = b""
            while chunk := conn.recv(65536):
                answer_bytes += chunk
        assert answer_bytes.startswith(b"HTTP/1.1 200"), answer_bytes[:200]
        # uvicorn re-raises the signal once it has shut down gracefully: the exit status says
        # "terminated by SIGTERM", and the log says the lifespan ran to its end.
        assert server.process.wait(20) in (0, -signal.SIGTERM)
    finally:
        server.stop()
    log = server.log.read_text()
    assert "registry database: sqlite:///" in log and "registry stopped" in log

    again = ServerProcess(sqlite_url, **_sync_env(eventbridge.endpoint_url)).start()
    try:

        def all_synced() -> bool:
            states = httpx.get(f"{again.url}/api/sync").json()["states"]
            synced = {s["subject"] for s in states if s.get("lastSyncedVersion") == 1}
            return synced >= {*SUBJECTS, "late.Event"}

        _eventually(all_synced)
    finally:
        again.stop()


def test_the_database_password_never_reaches_the_log(postgres_url: str) -> None:
    url = postgres_url.replace("postgresql://postgres@", "postgresql://postgres:s3cr3t-pw@", 1)
    server = ServerProcess(url, REGISTRY_LOG_LEVEL="info").start()
    server.stop()
    log = server.log.read_text()
    assert "s3cr3t-pw" not in log and "registry database: postgresql" in log
