"""Several ``esr serve`` processes on one PostgreSQL never hand out a duplicate or lose one."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import httpx
import pytest

from tests.support.server import ServerProcess

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SUBJECTS = 10
PER_SUBJECT = 30  # 300 registrations in all


def _schema(subject: int, n: int) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": f"Event{subject}",
            "namespace": "load",
            "fields": [{"name": f"f{n}", "type": "int", "default": n}],
        }
    )


def test_three_nodes_300_concurrent_registrations(postgres_url: str) -> None:
    with ExitStack() as stack:
        nodes: list[ServerProcess] = []
        for _ in range(3):
            node = ServerProcess(postgres_url).start()
            stack.callback(node.stop)
            nodes.append(node)
        clients = [httpx.Client(base_url=n.url, timeout=60) for n in nodes]
        for c in clients:
            stack.callback(c.close)
        assert clients[0].put("/config", json={"compatibility": "NONE"}).status_code == 200

        jobs = [(s, n) for s in range(SUBJECTS) for n in range(PER_SUBJECT)]
        # some schemas are registered twice, concurrently: both get the same id and version
        jobs += [(s, n) for s in range(SUBJECTS) for n in range(0, PER_SUBJECT, 10)]
        random.Random(7).shuffle(jobs)

        def register(job: tuple[int, int], k: int) -> tuple[str, str, int, int]:
            subject_index, n = job
            subject = f"load-{subject_index}-value"
            schema = _schema(subject_index, n)
            response = clients[k % 3].post(f"/subjects/{subject}/versions", json={"schema": schema})
            assert response.status_code == 200, response.text
            body = response.json()
            return subject, schema, body["id"], body["version"]

        with ThreadPoolExecutor(max_workers=24) as pool:
            acked = list(pool.map(register, jobs, range(len(jobs))))

        assert len(acked) == len(jobs)
        id_of_schema: dict[str, int] = {}
        versions: dict[str, dict[int, str]] = defaultdict(dict)
        for subject, schema, sid, version in acked:
            assert id_of_schema.setdefault(schema, sid) == sid, "one schema, one id"
            assert versions[subject].setdefault(version, schema) == schema, (
                "one version, one schema"
            )
        ids = sorted(set(id_of_schema.values()))
        assert ids == list(range(1, SUBJECTS * PER_SUBJECT + 1)), "ids unique and without gaps"
        for subject, by_version in versions.items():
            assert sorted(by_version) == list(range(1, PER_SUBJECT + 1)), subject
        # every acknowledged registration is visible from every node
        for k, client in enumerate(clients):
            for subject in versions:
                listed = client.get(f"/subjects/{subject}/versions").json()
                assert listed == list(range(1, PER_SUBJECT + 1)), (k, subject)
            for subject, schema, sid, version in acked[k::7]:
                got = client.get(f"/subjects/{subject}/versions/{version}").json()
                assert got["id"] == sid and got["schema"] == schema
