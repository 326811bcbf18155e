"""The hot read path: immutable answers from memory, with the same bytes, auth, errors and
content negotiation as the application behind it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from registry.api.app import create_app
from registry.api.hotpath import MEDIA_TYPE, AnswerCache, negotiate
from registry.config import Settings
from registry.domain import Role
from registry.security import Authenticator
from tests.support.api import CT, Api, basic
from tests.support.polling import wait_for
from tests.support.schemas import avro_record

SCHEMA = avro_record("Order", {"name": "id", "type": "string"}, {"name": "note", "type": "string"})


@pytest.fixture
def served(sqlite_url: str) -> Iterator[tuple[Api, Authenticator, AnswerCache]]:
    settings = Settings(database_url=sqlite_url, auth_refresh_seconds=0.5)
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client), app.state.authenticator, app.state.answers


def test_immutable_answers_are_marked_and_revalidated(
    served: tuple[Api, Authenticator, AnswerCache],
) -> None:
    api, _, answers = served
    sid = api.ok(api.register("s", SCHEMA))["id"]
    for path in (f"/schemas/ids/{sid}", f"/schemas/ids/{sid}/schema"):
        first, second = api.http.get(path), api.http.get(path)
        assert first.content == second.content and first.status_code == 200
        assert first.headers["etag"] == second.headers["etag"]
        assert first.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert second.headers["content-type"].startswith(CT)
        not_modified = api.http.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert not_modified.headers["etag"] == first.headers["etag"]
        other = api.http.get(path, headers={"If-None-Match": '"something-else"'})
        assert other.status_code == 200 and other.content == first.content
    assert answers.hits >= 2 and len(answers) == 2


def test_hot_and_cold_answers_are_the_same_bytes(
    served: tuple[Api, Authenticator, AnswerCache], sqlite_url: str
) -> None:
    api, _, _ = served
    sid = api.ok(api.register("s", SCHEMA))["id"]
    hot = api.http.get(f"/schemas/ids/{sid}")
    cold_app = create_app(Settings(database_url=sqlite_url, answer_cache_bytes=0))
    with TestClient(cold_app) as cold:
        assert cold.get(f"/schemas/ids/{sid}").content == hot.content
        assert cold.get(f"/schemas/ids/{sid}/schema").content == SCHEMA.encode()
    assert hot.json() == {"schema": SCHEMA, "guid": hot.json()["guid"]}


def test_errors_and_unknown_queries_go_to_the_application(
    served: tuple[Api, Authenticator, AnswerCache],
) -> None:
    api, _, _ = served
    sid = api.ok(api.register("s", SCHEMA))["id"]
    api.http.get(f"/schemas/ids/{sid}")  # cached now
    api.error(api.http.get("/schemas/ids/999"), 404, 40403)
    api.error(api.http.get("/schemas/ids/0"), 404, 40403)
    api.error(api.http.get("/schemas/ids/99999999999999999999"), 404, 40403)
    with_max = api.ok(api.http.get(f"/schemas/ids/{sid}?fetchMaxId=true"))
    assert with_max == {"schema": SCHEMA, "guid": with_max["guid"], "maxId": sid}
    neutral = api.http.get(f"/schemas/ids/{sid}?subject=other&format=resolved")
    assert neutral.status_code == 200 and "etag" in neutral.headers


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, MEDIA_TYPE),
        (b"*/*", MEDIA_TYPE),
        (b"application/vnd.schemaregistry.v1+json, application/json", MEDIA_TYPE),
        (b"application/json", b"application/json"),
        (b"application/json;q=0.9, application/vnd.schemaregistry+json;q=0.2", b"application/json"),
        (b"application/vnd.schemaregistry+json", b"application/vnd.schemaregistry+json"),
        (b"text/html,application/xhtml+xml,*/*;q=0.8", MEDIA_TYPE),
        (b"application/*", MEDIA_TYPE),
        (b"text/html", None),
        (b"application/json;q=0", None),
        (b"application/json;q=bogus", None),
    ],
)
def test_negotiate(accept: bytes | None, media_type: bytes | None) -> None:
    assert negotiate(accept) == media_type


def test_content_negotiation_on_every_path(
    served: tuple[Api, Authenticator, AnswerCache],
) -> None:
    api, _, _ = served
    sid = api.ok(api.register("s", SCHEMA))["id"]
    json_only = {"Accept": "application/json"}
    for path in (f"/schemas/ids/{sid}", f"/schemas/ids/{sid}", "/subjects", "/config"):
        answer = api.http.get(path, headers=json_only)
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/json"
    refused = api.http.get(f"/schemas/ids/{sid}", headers={"Accept": "text/html"})
    api.error(refused, 406, 406)
    api.error(api.http.get("/subjects", headers={"Accept": "image/png"}), 406, 406)


def test_the_hot_path_keeps_auth(served: tuple[Api, Authenticator, AnswerCache]) -> None:
    api, auth, _ = served
    sid = api.ok(api.register("s", SCHEMA))["id"]
    auth.add_user("reader", "reader-password", Role.READER)
    auth.add_user("admin", "admin-password", Role.ADMIN)
    good = basic("reader", "reader-password")
    for _ in range(3):  # the first authenticates in the application, the rest from memory
        answer = api.http.get(f"/schemas/ids/{sid}", headers=good)
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "private, max-age=31536000, immutable"
    api.error(api.http.get(f"/schemas/ids/{sid}"), 401, 40101)
    api.error(
        api.http.get(f"/schemas/ids/{sid}", headers=basic("reader", "wrong-password")), 401, 40101
    )
    auth.remove_user("reader", actor="test")
    api.error(api.http.get(f"/schemas/ids/{sid}", headers=good), 401, 40101)


def test_a_user_removed_elsewhere_stops_within_the_refresh(
    served: tuple[Api, Authenticator, AnswerCache], sqlite_url: str
) -> None:
    api, auth, _ = served
    sid = api.ok(api.register("s", SCHEMA))["id"]
    auth.add_user("admin", "admin-password", Role.ADMIN)  # auth stays on without the reader
    auth.add_user("reader", "reader-password", Role.READER)
    good = basic("reader", "reader-password")
    assert api.http.get(f"/schemas/ids/{sid}", headers=good).status_code == 200
    # Another process (the CLI) removes the user: this server learns it on its next refresh.
    from registry.storage.engine import Database

    other = Authenticator(Database(sqlite_url), Settings(database_url=sqlite_url))
    other.remove_user("reader", actor="cli")
    time.sleep(1.2)  # auth_refresh_seconds is 0.5 here
    api.error(api.http.get(f"/schemas/ids/{sid}", headers=good), 401, 40101)


def test_tokens_work_on_the_hot_path(served: tuple[Api, Authenticator, AnswerCache]) -> None:
    api, auth, _ = served
    sid = api.ok(api.register("s", SCHEMA))["id"]
    auth.add_user("svc", "svc-password", Role.READER)
    token = auth.create_token("svc")
    for _ in range(3):
        answer = api.http.get(f"/schemas/ids/{sid}", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200
    api.error(
        api.http.get(f"/schemas/ids/{sid}", headers={"Authorization": "Bearer esr_nope"}),
        401,
        40101,
    )


def test_answer_cache_is_bounded_by_bytes() -> None:
    cache = AnswerCache(max_bytes=250)
    for n in range(10):
        cache.put(("id", n), b"x" * 100)
    assert len(cache) == 2 and cache.size_bytes == 200
    assert cache.get(("id", 9)) is not None and cache.get(("id", 0)) is None
    cache.put(("id", 99), b"y" * 1000)  # larger than the whole cache: answered, not kept
    assert cache.get(("id", 99)) is None
    assert AnswerCache(0).put(("id", 1), b"z").body == b"z"


def test_a_starting_server_warms_its_answers_newest_first(sqlite_url: str) -> None:
    first = create_app(Settings(database_url=sqlite_url))
    with TestClient(first) as client:
        api = Api(client)
        ids = [
            api.ok(api.register(f"s{n}", avro_record(f"R{n}", {"name": "f", "type": "long"})))["id"]
            for n in range(5)
        ]
        size = len(client.get(f"/schemas/ids/{ids[-1]}").content)
    warm = create_app(Settings(database_url=sqlite_url))
    with TestClient(warm):
        answers: AnswerCache = warm.state.answers
        wait_for(lambda: len(answers) == 5)
        assert answers.hits == 0
    small = create_app(Settings(database_url=sqlite_url, answer_cache_bytes=2 * size + 5))
    with TestClient(small) as client:
        answers = small.state.answers
        wait_for(lambda: len(answers) == 2)
        time.sleep(0.2)
        assert len(answers) == 2  # full: stopped, nothing evicted
        assert client.get(f"/schemas/ids/{ids[-1]}").status_code == 200
        assert answers.hits == 1  # the newest were kept
    cold = create_app(Settings(database_url=sqlite_url, warm_cache=False))
    with TestClient(cold):
        time.sleep(0.2)
        assert len(cold.state.answers) == 0
