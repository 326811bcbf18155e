"""Three ``esr serve`` processes on one PostgreSQL under concurrent mixed load.

Workers register, read, soft- and hard-delete, change configs and modes, each write on one node
followed at once by reads on the two others (read-your-writes across nodes). Each worker owns
its subjects, so it knows the exact answer every read must give; all workers also register the
same schemas into one shared subject from different nodes, which must never yield two ids (or
two versions) for one schema.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.support.server import ServerProcess

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WORKERS = 6
OWN_SUBJECTS = 2
SHARED_SCHEMAS = 12
BUDGET_S = 10.0
MAX_OPS_PER_WORKER = 120
LEVELS = ("BACKWARD", "FORWARD", "FULL", "NONE", "BACKWARD_TRANSITIVE")
OPS = {
    "register": 30,
    "read": 25,
    "soft_delete": 12,
    "hard_delete": 8,
    "config": 10,
    "mode": 5,
    "shared": 10,
}


def _schema(namespace: str, n: int) -> str:
    """Every level accepts the next one: the only field changes and always has a default."""
    return json.dumps(
        {
            "type": "record",
            "name": "Mixed",
            "namespace": namespace,
            "fields": [{"name": f"f{n}", "type": "int", "default": n}],
        }
    )


@dataclass
class Version:
    """What a worker knows about one version of its own subject."""

    id: int
    schema: str
    deleted: bool = False


@dataclass
class Worker:
    """One thread of load with its own subjects and its exact model of them."""

    index: int
    urls: list[str]
    rng: random.Random
    model: dict[str, dict[int, Version]] = field(default_factory=dict)
    ops: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    registered: list[tuple[str, int, int, str]] = field(default_factory=list)
    counter: int = 0

    def __post_init__(self) -> None:
        self.clients = [httpx.Client(base_url=u, timeout=30) for u in self.urls]
        self.model = {f"mixed-{self.index}-{k}-value": {} for k in range(OWN_SUBJECTS)}

    def close(self) -> None:
        """Close the connections."""
        for client in self.clients:
            client.close()

    # --- plumbing --------------------------------------------------------------------------

    def call(self, node: int, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request to one node."""
        self.requests += 1
        return self.clients[node].request(method, path, **kwargs)

    def nodes(self) -> tuple[int, list[int]]:
        """A node to write on and the two others to read from."""
        writer = self.rng.randrange(3)
        return writer, [n for n in range(3) if n != writer]

    def expect_error(self, response: httpx.Response, *codes: int) -> None:
        """A Confluent error answer with one of these codes."""
        assert response.status_code >= 400, response.text
        assert response.json()["error_code"] in codes, response.text

    def live(self, subject: str) -> list[int]:
        """Live versions of one of the worker's subjects."""
        return sorted(v for v, item in self.model[subject].items() if not item.deleted)

    # --- the operations --------------------------------------------------------------------

    def register(self) -> None:
        """Register on one node; the two others serve it as latest at once."""
        subject = self.rng.choice(list(self.model))
        self.counter += 1
        schema = _schema(f"w{self.index}", self.counter)
        writer, readers = self.nodes()
        answer = self.call(writer, "POST", f"/subjects/{subject}/versions", json={"schema": schema})
        assert answer.status_code == 200, answer.text
        got = answer.json()
        assert got["version"] == max(self.model[subject], default=0) + 1, (subject, got)
        self.model[subject][got["version"]] = Version(got["id"], schema)
        self.registered.append((subject, got["version"], got["id"], schema))
        for node in readers:
            latest = self.call(node, "GET", f"/subjects/{subject}/versions/latest").json()
            assert (latest["id"], latest["version"], latest["schema"]) == (
                got["id"],
                got["version"],
                schema,
            ), ("read-your-writes", node, subject)
            by_id = self.call(node, "GET", f"/schemas/ids/{got['id']}").json()
            assert by_id["schema"] == schema

    def read(self) -> None:
        """Any version the worker knows, from any node, answers exactly as the model says."""
        subject = self.rng.choice(list(self.model))
        if not self.model[subject]:
            return
        version = self.rng.choice(list(self.model[subject]))
        self.check_version(self.rng.randrange(3), subject, version)

    def check_version(self, node: int, subject: str, version: int) -> None:
        """The answers for one version, live, soft-deleted or gone."""
        item = self.model[subject].get(version)
        path = f"/subjects/{subject}/versions/{version}"
        plain = self.call(node, "GET", path)
        if item is not None and not item.deleted:
            assert (plain.json()["id"], plain.json()["schema"]) == (item.id, item.schema)
            return
        self.expect_error(plain, 40402 if self.live(subject) else 40401)
        with_deleted = self.call(node, "GET", path, params={"deleted": "true"})
        if item is not None:
            assert with_deleted.json()["id"] == item.id, with_deleted.text
        else:
            self.expect_error(with_deleted, 40402 if self.model[subject] else 40401)

    def check_listing(self, node: int, subject: str) -> None:
        """Live and all versions as listed by a node."""
        live = self.call(node, "GET", f"/subjects/{subject}/versions")
        if self.live(subject):
            assert live.json() == self.live(subject)
        else:
            self.expect_error(live, 40401)
        every = self.call(node, "GET", f"/subjects/{subject}/versions", params={"deleted": "true"})
        if self.model[subject]:
            assert every.json() == sorted(self.model[subject])

    def soft_delete(self) -> None:
        """Soft-delete on one node; the others answer 40402/40401 for it at once."""
        subject = self.rng.choice(list(self.model))
        if not self.live(subject):
            return
        version = self.rng.choice(self.live(subject))
        writer, readers = self.nodes()
        answer = self.call(writer, "DELETE", f"/subjects/{subject}/versions/{version}")
        assert answer.status_code == 200 and answer.json() == version, answer.text
        self.model[subject][version].deleted = True
        for node in readers:
            self.check_version(node, subject, version)
            self.check_listing(node, subject)

    def hard_delete(self) -> None:
        """Remove a soft-deleted version for good; the others no longer know it at all."""
        subject = self.rng.choice(list(self.model))
        gone = [v for v, item in self.model[subject].items() if item.deleted]
        if not gone:
            return
        version = self.rng.choice(gone)
        writer, readers = self.nodes()
        path = f"/subjects/{subject}/versions/{version}"
        answer = self.call(writer, "DELETE", path, params={"permanent": "true"})
        assert answer.status_code == 200, answer.text
        del self.model[subject][version]
        for node in readers:
            self.check_version(node, subject, version)
            self.check_listing(node, subject)

    def config(self) -> None:
        """Change or remove a subject's config on one node; the others answer the new one."""
        subject = self.rng.choice(list(self.model))
        writer, readers = self.nodes()
        if self.rng.random() < 0.25:
            self.call(writer, "DELETE", f"/config/{subject}")
            for node in readers:
                self.expect_error(self.call(node, "GET", f"/config/{subject}"), 40408)
            return
        level = self.rng.choice(LEVELS)
        put = self.call(writer, "PUT", f"/config/{subject}", json={"compatibility": level})
        assert put.status_code == 200, put.text
        for node in readers:
            got = self.call(node, "GET", f"/config/{subject}").json()
            assert got["compatibilityLevel"] == level, (node, subject, got)

    def mode(self) -> None:
        """READONLY on one node refuses writes on the others at once; READWRITE lifts it."""
        subject = self.rng.choice(list(self.model))
        a, (b, c) = self.nodes()
        put = self.call(a, "PUT", f"/mode/{subject}", json={"mode": "READONLY"})
        assert put.status_code == 200, put.text
        refused = self.call(
            b, "POST", f"/subjects/{subject}/versions", json={"schema": _schema("ro", 0)}
        )
        self.expect_error(refused, 42205)
        assert self.call(c, "GET", f"/mode/{subject}").json() == {"mode": "READONLY"}
        assert self.call(b, "DELETE", f"/mode/{subject}").status_code == 200
        self.expect_error(self.call(c, "GET", f"/mode/{subject}"), 40409)

    def shared(self) -> None:
        """Register one of a few schemas into the shared subject, from any node."""
        n = self.rng.randrange(SHARED_SCHEMAS)
        schema = _schema("shared", n)
        writer, readers = self.nodes()
        answer = self.call(
            writer, "POST", "/subjects/shared-value/versions", json={"schema": schema}
        )
        assert answer.status_code == 200, answer.text
        got = answer.json()
        self.registered.append(("shared-value", got["version"], got["id"], schema))
        seen = self.call(readers[0], "GET", f"/subjects/shared-value/versions/{got['version']}")
        assert (seen.json()["id"], seen.json()["schema"]) == (got["id"], schema)

    def run(self, deadline: float, start: threading.Barrier) -> None:
        """Operations drawn by weight until the budget or the op limit is reached."""
        names, weights = list(OPS), list(OPS.values())
        start.wait()
        for _ in range(MAX_OPS_PER_WORKER):
            if time.monotonic() > deadline:
                return
            op = self.rng.choices(names, weights)[0]
            getattr(self, op)()
            self.ops[op] += 1


def _start_nodes(stack: ExitStack, database_url: str) -> list[ServerProcess]:
    first = ServerProcess(database_url).start()  # runs the migrations alone
    stack.callback(first.stop)
    with ThreadPoolExecutor(2) as pool:
        others = list(pool.map(lambda _: ServerProcess(database_url).start(), range(2)))
    for node in others:
        stack.callback(node.stop)
    return [first, *others]


def _check_no_duplicates(workers: list[Worker], url: str) -> int:
    """One id per schema and one schema per id, across every node's answers; returns ids."""
    id_of: dict[str, int] = {}
    schema_of: dict[int, str] = {}
    version_of: dict[tuple[str, str], int] = {}
    for worker in workers:
        for subject, version, schema_id, schema in worker.registered:
            assert id_of.setdefault(schema, schema_id) == schema_id, "one schema, one id"
            assert schema_of.setdefault(schema_id, schema) == schema, "one id, one schema"
            assert version_of.setdefault((subject, schema), version) == version
    with httpx.Client(base_url=url, timeout=30) as client:
        listing = client.get("/schemas", params={"deleted": "true"}).json()
    for item in listing:
        assert schema_of.get(item["id"], item["schema"]) == item["schema"], item
    return len(schema_of)


def test_three_nodes_mixed_load_read_your_writes(postgres_url: str) -> None:
    with ExitStack() as stack:
        nodes = _start_nodes(stack, postgres_url)
        urls = [n.url for n in nodes]
        assert httpx.put(f"{urls[0]}/config", json={"compatibility": "NONE"}).status_code == 200
        workers = [Worker(k, urls, random.Random(1000 + k)) for k in range(WORKERS)]
        for worker in workers:
            stack.callback(worker.close)
        barrier = threading.Barrier(WORKERS)
        started = time.monotonic()
        with ThreadPoolExecutor(WORKERS) as pool:
            futures = [pool.submit(w.run, started + BUDGET_S, barrier) for w in workers]
            for future in futures:
                future.result()
        elapsed = time.monotonic() - started
        ids = _check_no_duplicates(workers, urls[1])
    ops = sum((w.ops for w in workers), Counter())
    requests = sum(w.requests for w in workers)
    assert sum(ops.values()) >= 100, f"too little load to mean anything: {dict(ops)}"
    assert all(ops[name] > 0 for name in OPS), dict(ops)
    print(
        f"\nmixed load: 3 nodes, {WORKERS} workers, {sum(ops.values())} operations "
        f"({requests} requests) in {elapsed:.1f}s = {requests / elapsed:.0f} req/s, "
        f"{ids} distinct schema ids; {dict(sorted(ops.items()))}"
    )
