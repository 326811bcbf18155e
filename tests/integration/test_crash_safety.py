"""SIGKILL in the middle of a registration storm loses nothing that was acknowledged.

A server takes registrations from several threads; once enough were acknowledged it is killed
with SIGKILL (no shutdown, no flush), restarted on the same database, and checked: every 200
answer is there with its id and version, no version is half-written, the versions of each
subject are 1..n and the ids 1..n, and new registrations continue from there. SQLite and
PostgreSQL.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
from sqlalchemy import create_engine, text

from tests.support.server import ServerProcess

THREADS = 8
PER_THREAD = 150
SUBJECTS = 4
KILL_AFTER = 200  # acknowledged registrations before the kill
DEADLINE_S = 30.0


def _schema(thread: int, n: int) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": "Storm",
            "namespace": f"crash.t{thread}",
            "fields": [{"name": f"f{n}", "type": "long", "default": n}],
        }
    )


@dataclass
class Storm:
    """What the clients saw: acknowledged registrations and requests left without an answer."""

    acked: list[tuple[str, str, int, int]] = field(default_factory=list)
    unanswered: list[tuple[str, str]] = field(default_factory=list)
    sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, url: str, thread: int, stop: threading.Event) -> None:
        """Register distinct schemas until the server dies or the thread's share is done."""
        with httpx.Client(base_url=url, timeout=10) as client:
            for n in range(PER_THREAD):
                if stop.is_set():
                    return
                subject = f"storm-{(thread + n) % SUBJECTS}-value"
                schema = _schema(thread, n)
                with self.lock:
                    self.sent += 1
                try:
                    response = client.post(f"/subjects/{subject}/versions", json={"schema": schema})
                except httpx.TransportError:
                    with self.lock:
                        self.unanswered.append((subject, schema))
                    return
                assert response.status_code == 200, response.text
                body = response.json()
                with self.lock:
                    self.acked.append((subject, schema, body["id"], body["version"]))


def _storm_and_kill(server: ServerProcess) -> tuple[Storm, int]:
    storm, stop = Storm(), threading.Event()
    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(storm.run, server.url, t, stop) for t in range(THREADS)]
        deadline = time.monotonic() + DEADLINE_S
        while len(storm.acked) < KILL_AFTER and time.monotonic() < deadline:
            time.sleep(0.005)
        acked_at_kill = len(storm.acked)
        server.kill()
        stop.set()
        for future in futures:
            future.result()
    return storm, acked_at_kill


def _database_rows(database_url: str) -> tuple[list[int], list[tuple[str, int, int]], list[int]]:
    """Schema ids, (subject, version, schema id) rows, and version rows without a schema."""
    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            ids = [r[0] for r in conn.execute(text("SELECT id FROM schemas ORDER BY id"))]
            versions = [
                (r[0], r[1], r[2])
                for r in conn.execute(
                    text("SELECT subject, version, schema_id FROM subject_versions")
                )
            ]
            dangling = [
                r[0]
                for r in conn.execute(
                    text(
                        "SELECT v.schema_id FROM subject_versions v "
                        "LEFT JOIN schemas s ON s.id = v.schema_id WHERE s.id IS NULL"
                    )
                )
            ]
    finally:
        engine.dispose()
    return ids, versions, dangling


def _survivors(client: httpx.Client, storm: Storm) -> int:
    """How many acknowledged registrations are served with their id, version and schema.

    All of them are checked in the full listing; every tenth also by its own endpoints.
    """
    listing = client.get("/schemas", params={"deleted": "true"}).json()
    served = {(i["subject"], i["version"]): (i["id"], i["schema"]) for i in listing}
    found = 0
    for n, (subject, schema, schema_id, version) in enumerate(storm.acked):
        ok = served.get((subject, version)) == (schema_id, schema)
        if ok and n % 10 == 0:
            got = client.get(f"/subjects/{subject}/versions/{version}").json()
            by_id = client.get(f"/schemas/ids/{schema_id}").json()
            ok = (got.get("id"), got.get("schema"), by_id.get("schema")) == (
                schema_id,
                schema,
                schema,
            )
        found += ok
    return found


def _check_after_restart(client: httpx.Client, storm: Storm, database_url: str) -> int:
    """Nothing is half-written, versions and ids are 1..n; returns the top id."""
    ids, rows, dangling = _database_rows(database_url)
    assert dangling == [], "a version points at a schema that was never written"
    assert ids == list(range(1, len(ids) + 1)), "ids 1..n without gaps"
    assert {r[2] for r in rows} == set(ids), "every schema row belongs to a version"
    by_subject: dict[str, list[int]] = defaultdict(list)
    for subject, version, _ in rows:
        by_subject[subject].append(version)
    for subject, versions in by_subject.items():
        assert sorted(versions) == list(range(1, len(versions) + 1)), subject
        assert client.get(f"/subjects/{subject}/versions").json() == sorted(versions)
    listing = client.get("/schemas", params={"deleted": "true"}).json()
    readable = {(i["subject"], i["version"], i["id"]) for i in listing if i["schema"]}
    assert readable == set(rows), "every version row is served with its schema"
    assert len(rows) >= len(storm.acked)
    return len(ids)


def _check_continues(client: httpx.Client, top_id: int) -> None:
    """New registrations take the next id and the next version of their subject."""
    for k in range(SUBJECTS):
        subject = f"storm-{k}-value"
        latest = client.get(f"/subjects/{subject}/versions/latest").json()["version"]
        answer = client.post(
            f"/subjects/{subject}/versions", json={"schema": _schema(THREADS + 1, k)}
        ).json()
        assert (answer["id"], answer["version"]) == (top_id + k + 1, latest + 1), subject


def test_sigkill_during_a_registration_storm_loses_no_acknowledged_write(
    database_url: str,
) -> None:
    server = ServerProcess(database_url).start()
    try:
        with httpx.Client(base_url=server.url) as client:
            assert client.put("/config", json={"compatibility": "NONE"}).status_code == 200
        started = time.monotonic()
        storm, acked_at_kill = _storm_and_kill(server)
        storm_s = time.monotonic() - started
        assert acked_at_kill >= KILL_AFTER, "the storm was too slow to reach the kill point"
        assert len(storm.acked) < THREADS * PER_THREAD, "the kill came after the storm ended"
        server = ServerProcess(database_url).start()
        with httpx.Client(base_url=server.url, timeout=10) as client:
            survived = _survivors(client, storm)
            assert survived == len(storm.acked), "an acknowledged registration was lost"
            top_id = _check_after_restart(client, storm, database_url)
            _check_continues(client, top_id)
    finally:
        server.stop()
    backend = database_url.split(":", 1)[0]
    print(
        f"\ncrash safety [{backend}]: {storm.sent} registrations sent by {THREADS} threads in "
        f"{storm_s:.2f}s, SIGKILL after {acked_at_kill} acks; {len(storm.acked)} acknowledged, "
        f"{survived} survived; {len(storm.unanswered)} cut off without an answer, "
        f"{top_id - len(storm.acked)} of them committed"
    )
