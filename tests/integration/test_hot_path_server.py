"""The hot read path in a real ``esr serve`` (uvicorn with uvloop and httptools), with and
without users, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import time

import httpx

from tests.support.server import ESR, running_server

SCHEMA = json.dumps({"type": "record", "name": "Ping", "fields": [{"name": "at", "type": "long"}]})


def test_ids_served_with_caching_headers_and_auth(database_url: str) -> None:
    with running_server(database_url, REGISTRY_AUTH_REFRESH_SECONDS="0.5") as server:
        registered = httpx.post(f"{server.url}/subjects/ping/versions", json={"schema": SCHEMA})
        sid = registered.json()["id"]
        url = f"{server.url}/schemas/ids/{sid}"
        answers = [httpx.get(url) for _ in range(3)]
        assert {a.content for a in answers} == {answers[0].content}
        assert answers[-1].headers["cache-control"] == "public, max-age=31536000, immutable"
        etag = answers[-1].headers["etag"]
        assert httpx.get(url, headers={"If-None-Match": etag}).status_code == 304
        as_json = httpx.get(url, headers={"Accept": "application/json"})
        assert as_json.headers["content-type"] == "application/json"
        assert httpx.get(url, headers={"Accept": "text/html"}).status_code == 406

        env = {**os.environ, "REGISTRY_DATABASE_URL": database_url}
        subprocess.run(
            [str(ESR), "users", "add", "ops", "--role", "admin", "--password-stdin"],
            input="ops-password\n",
            text=True,
            env=env,
            check=True,
            capture_output=True,
        )
        deadline = time.monotonic() + 10
        while httpx.get(url).status_code != 401:  # the server sees the user within seconds
            assert time.monotonic() < deadline, "the new user never turned auth on"
            time.sleep(0.1)
        auth = ("ops", "ops-password")
        for _ in range(3):
            answer = httpx.get(url, auth=auth)
            assert answer.status_code == 200 and answer.content == answers[0].content
        assert answer.headers["cache-control"] == "private, max-age=31536000, immutable"
        assert httpx.get(url, auth=("ops", "not-the-password")).status_code == 401
        assert httpx.get(url).json()["error_code"] == 40101
