"""Authentication and roles: off with no users, on as soon as one exists."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from registry.api.app import create_app
from registry.config import Settings
from registry.domain import Role
from registry.errors import AuthenticationRequired
from registry.security import Authenticator, hash_password
from tests.support.api import Api, basic
from tests.support.schemas import avro_record

SCHEMA = avro_record("Order", {"name": "id", "type": "string"})


@pytest.fixture
def secured(sqlite_url: str) -> Iterator[tuple[Api, Authenticator]]:
    settings = Settings(database_url=sqlite_url, auth_refresh_seconds=0)
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        auth: Authenticator = app.state.authenticator
        yield Api(client), auth


def test_open_until_a_user_exists(secured: tuple[Api, Authenticator]) -> None:
    api, auth = secured
    api.ok(api.register("s", SCHEMA))
    auth.add_user("root", "correct horse", Role.ADMIN)
    api.error(api.http.get("/subjects"), 401, 40101)
    assert api.http.get("/subjects").headers["www-authenticate"].startswith("Basic")
    assert api.ok(api.http.get("/subjects", headers=basic("root", "correct horse"))) == ["s"]
    api.error(api.http.get("/subjects", headers=basic("root", "wrong password")), 401, 40101)
    api.error(api.http.get("/subjects", headers=basic("nobody", "x")), 401, 40101)
    api.error(api.http.get("/subjects", headers={"Authorization": "Basic !!!"}), 401, 40101)
    api.error(api.http.get("/subjects", headers={"Authorization": "Digest x"}), 401, 40101)
    assert api.ok(api.http.get("/health")) == {"status": "ok"}  # liveness stays open


def test_roles(secured: tuple[Api, Authenticator]) -> None:
    api, auth = secured
    auth.add_user("admin", "admin-password", Role.ADMIN)
    auth.add_user("reader", "reader-password", Role.READER)
    auth.add_user("writer", "writer-password", Role.WRITER, ("orders.*",))
    r, w, a = (
        basic("reader", "reader-password"),
        basic("writer", "writer-password"),
        basic("admin", "admin-password"),
    )
    body = {"schema": SCHEMA}
    api.error(api.http.post("/subjects/orders.placed/versions", json=body, headers=r), 403, 40301)
    assert (
        api.ok(api.http.post("/subjects/orders.placed/versions", json=body, headers=w))["id"] == 1
    )
    api.error(api.http.post("/subjects/payments.x/versions", json=body, headers=w), 403, 40301)
    assert (
        api.ok(
            api.http.post("/compatibility/subjects/orders.placed/versions", json=body, headers=w)
        )["is_compatible"]
        is True
    )
    assert api.ok(api.http.get("/subjects/orders.placed/versions", headers=r)) == [1]
    api.error(api.http.put("/config", json={"compatibility": "NONE"}, headers=w), 403, 40301)
    api.error(api.http.delete("/subjects/orders.placed", headers=w), 403, 40301)
    api.error(api.http.put("/mode", json={"mode": "READONLY"}, headers=r), 403, 40301)
    assert api.ok(api.http.put("/config", json={"compatibility": "NONE"}, headers=a))
    assert api.ok(api.http.delete("/subjects/orders.placed", headers=a)) == [1]
    api.error(api.http.get("/api/audit", headers=w), 403, 40301)
    audit = api.ok(api.http.get("/api/audit", headers=a))
    assert audit[0]["action"] == "delete_subject" and audit[0]["actor"] == "admin"
    assert audit[0]["remote"]


def test_bearer_tokens(secured: tuple[Api, Authenticator]) -> None:
    api, auth = secured
    auth.add_user("admin", "admin-password", Role.ADMIN)  # keeps authentication on
    auth.add_user("ci", "ci-password-1", Role.WRITER)
    token = auth.create_token("ci", description="pipeline")
    bearer = {"Authorization": f"Bearer {token}"}
    assert (
        api.ok(
            api.register("s", SCHEMA, headers=None)
            if False
            else api.http.post("/subjects/s/versions", json={"schema": SCHEMA}, headers=bearer)
        )["version"]
        == 1
    )
    api.error(api.http.get("/subjects", headers={"Authorization": "Bearer esr_nope"}), 401, 40101)
    auth.remove_user("ci")
    api.error(api.http.get("/subjects", headers=bearer), 401, 40101)


def test_users_file(tmp_path: Path, sqlite_url: str) -> None:
    users = tmp_path / "users.yaml"
    users.write_text(
        "users:\n"
        f"  - name: ops\n    role: admin\n    password_hash: '{hash_password('ops-password')}'\n"
    )
    settings = Settings(database_url=sqlite_url, auth_users_file=users)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        api = Api(client)
        api.error(api.http.get("/subjects"), 401, 40101)
        assert api.ok(api.http.get("/subjects", headers=basic("ops", "ops-password"))) == []


def test_new_users_seen_by_a_running_server_within_seconds(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url, auth_refresh_seconds=0.5)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        api = Api(client)
        assert api.ok(api.http.get("/subjects")) == []
        other = Authenticator(client.app.state.service.db, settings)  # type: ignore[attr-defined]
        other.add_user("late", "late-password", Role.READER)
        deadline = time.monotonic() + 5
        while api.http.get("/subjects").status_code != 401:
            assert time.monotonic() < deadline, "new user not seen within 5 s"
            time.sleep(0.1)


def test_concurrent_first_requests_verify_a_password_once(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import registry.security as security

    calls: list[str] = []
    real = security.verify_password

    def counting(password: str, stored: str) -> bool:
        calls.append(password)
        return real(password, stored)

    monkeypatch.setattr(security, "verify_password", counting)
    settings = Settings(database_url=sqlite_url)
    from registry.storage.engine import Database
    from registry.storage.migrate import upgrade

    db = Database(sqlite_url)
    upgrade(db)
    auth = Authenticator(db, settings)
    auth.add_user("svc", "svc-password", Role.READER)
    header = basic("svc", "svc-password")["Authorization"]
    start = threading.Barrier(16)
    seen: list[str] = []

    def first_request() -> None:
        start.wait()
        seen.append(auth.authenticate(header).name)

    threads = [threading.Thread(target=first_request) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == ["svc"] * 16 and calls == ["svc-password"]
    with pytest.raises(AuthenticationRequired):
        auth.authenticate(basic("svc", "wrong-password")["Authorization"])
    assert calls == ["svc-password", "wrong-password"]
