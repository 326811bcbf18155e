"""``/metrics`` after real traffic: requests by route template, registrations, rejections by
rule, caches, the hot path, the database's gauges and errors, and who may read it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from registry import __version__
from registry.api.app import create_app
from registry.config import Settings
from registry.domain import Role
from registry.observability.inventory import Inventory
from registry.observability.prometheus import BucketHistogram
from registry.stats import BUCKETS, Series
from registry.storage.engine import Database
from tests.observability.scrape import label_values, value
from tests.support.api import CT, Api, basic
from tests.support.schemas import avro_record
from tests.support.server import free_port

ORDER = avro_record("Order", {"name": "id", "type": "string"})
WITH_QTY = avro_record("Order", {"name": "id", "type": "string"}, {"name": "qty", "type": "int"})
REQUESTS = "registry_http_requests_total"


@pytest.fixture
def api(sqlite_url: str) -> Iterator[Api]:
    app = create_app(Settings(database_url=sqlite_url, warm_cache=False))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client)


def scrape(api: Api, **headers: str) -> str:
    answer = api.http.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


def test_requests_registrations_rejections_and_caches_are_counted(api: Api) -> None:
    schema_id = api.ok(api.register("orders-value", ORDER))["id"]
    api.ok(api.register("orders-value", ORDER))  # already there
    api.error(api.register("orders-value", WITH_QTY), 409, 409)
    for _ in range(5):
        assert api.http.get(f"/schemas/ids/{schema_id}").status_code == 200
    api.error(api.http.get("/subjects/orders-value/versions/7"), 404, 40402)
    assert api.http.get("/no/such/path").status_code == 404

    text = scrape(api)

    versions = "/subjects/{subject}/versions"
    assert value(text, REQUESTS, method="POST", route=versions, status="200") == 2
    assert value(text, REQUESTS, method="POST", route=versions, status="409") == 1
    by_id = {"method": "GET", "route": "/schemas/ids/{id}", "status": "200"}
    assert value(text, REQUESTS, **by_id) == 5
    assert value(text, "registry_http_request_duration_seconds_count", **by_id) == 5
    assert value(text, "registry_http_request_duration_seconds_sum", **by_id) > 0
    version = "/subjects/{subject}/versions/{version}"
    assert value(text, REQUESTS, method="GET", route=version, status="404") == 1
    assert value(text, REQUESTS, method="GET", route="<unmatched>", status="404") == 1
    # Route templates only: no subject name, id or unknown path becomes a label value.
    routes = label_values(text, REQUESTS, "route")
    assert not any("orders" in r or "no/such" in r or str(schema_id) in r for r in routes)
    # The first lookup missed the answer cache and loaded it; the four others were hits, and
    # all five were answered by the hot path.
    assert value(text, "registry_hot_path_answers_total", route="/schemas/ids/{id}", status="200")
    assert value(text, "registry_cache_hits_total", cache="answers") == 4
    assert value(text, "registry_cache_misses_total", cache="answers") == 1
    assert value(text, "registry_cache_entries", cache="answers") == 1
    assert value(text, "registry_cache_bytes", cache="answers") > 0
    assert value(text, "registry_registrations_total", outcome="created") == 1
    assert value(text, "registry_registrations_total", outcome="existing") == 1
    rule = "avro.field-added-without-default"
    assert value(text, "registry_compatibility_rejections_total", rule=rule) == 1
    assert value(text, "registry_schemas") == 1
    assert value(text, "registry_subjects") == 1
    assert value(text, "registry_build_info", version=__version__) == 1


def test_a_scrape_sees_requests_up_to_the_one_before_it(api: Api) -> None:
    first = scrape(api)
    second = scrape(api)

    metrics = {"method": "GET", "route": "/metrics", "status": "200"}
    assert value(second, REQUESTS, **metrics) == value(first, REQUESTS, **metrics) + 1


def test_the_hot_path_counts_its_refusals_and_304s(api: Api) -> None:
    schema_id = api.ok(api.register("s", ORDER))["id"]
    etag = api.http.get(f"/schemas/ids/{schema_id}").headers["etag"]
    assert (
        api.http.get(f"/schemas/ids/{schema_id}", headers={"If-None-Match": etag}).status_code
        == 304
    )
    assert api.http.get("/subjects", headers={"Accept": "text/html"}).status_code == 406

    text = scrape(api)

    hot = "registry_hot_path_answers_total"
    assert value(text, hot, route="/schemas/ids/{id}", status="304") == 1
    assert value(text, hot, route="<unmatched>", status="406") == 1
    assert value(text, REQUESTS, method="GET", route="<unmatched>", status="406") == 1


def test_scrapers_get_their_format_whatever_they_accept(api: Api) -> None:
    plain = api.http.get("/metrics", headers={"Accept": "text/plain"})
    assert plain.status_code == 200  # not 406: /metrics answers in its own media type
    openmetrics = api.http.get(
        "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert openmetrics.headers["content-type"].startswith("application/openmetrics-text")
    assert openmetrics.text.rstrip().endswith("# EOF")
    assert "x-request-id" in plain.headers


def test_metrics_are_not_in_the_openapi_document(api: Api) -> None:
    assert "/metrics" not in api.ok(api.http.get("/openapi.json"))["paths"]


def test_metrics_need_the_admin_role_once_users_exist(sqlite_url: str) -> None:
    app = create_app(Settings(database_url=sqlite_url, auth_refresh_seconds=0))
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/metrics").status_code == 200  # no users: open, like every route
        authenticator = app.state.authenticator
        authenticator.add_user("ops", "ops-password", Role.ADMIN)
        authenticator.add_user("reader", "reader-password", Role.READER)
        authenticator.refresh(force=True)

        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers=basic("reader", "reader-password")).status_code == 403
        answer = client.get("/metrics", headers=basic("ops", "ops-password"))
        assert answer.status_code == 200 and "registry_http_requests_total" in answer.text


def test_a_single_worker_serves_the_metrics_port_unauthenticated(sqlite_url: str) -> None:
    port = free_port()
    app = create_app(Settings(database_url=sqlite_url, metrics_port=port))
    with TestClient(app) as client:
        app.state.authenticator.add_user("ops", "ops-password", Role.ADMIN)
        assert client.get("/subjects").status_code == 401

        scraped = httpx.get(f"http://127.0.0.1:{port}/metrics")

        assert scraped.status_code == 200
        route = {"method": "GET", "route": "/subjects", "status": "401"}
        assert value(scraped.text, REQUESTS, **route) == 1
    with pytest.raises(httpx.TransportError):  # closed with the server
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)


def test_metrics_can_be_turned_off(sqlite_url: str) -> None:
    app = create_app(Settings(database_url=sqlite_url, metrics=False))
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/metrics").status_code == 404


def test_database_errors_are_counted(sqlite_url: str) -> None:
    app = create_app(Settings(database_url=sqlite_url))
    with TestClient(app, raise_server_exceptions=False) as client:
        api = Api(client)
        path = sqlite_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as conn:
            conn.execute("DROP TABLE configs")

        api.error(client.get("/config"), 500, 50001)

        text = scrape(api)
        assert value(text, "registry_database_errors_total", kind="read") == 1
        assert value(text, REQUESTS, method="GET", route="/config", status="500") == 1


def test_database_gauges_are_cached_for_their_ttl(sqlite_url: str) -> None:
    now = [0.0]
    app = create_app(Settings(database_url=sqlite_url))
    with TestClient(app) as client:
        Api(client).ok(Api(client).register("a", ORDER))
    db = Database(sqlite_url)
    inventory = Inventory(db, ttl=5.0, clock=lambda: now[0])

    def subjects() -> int:
        counts = inventory.read()
        assert counts is not None
        return counts.subjects

    assert subjects() == 1
    with TestClient(create_app(Settings(database_url=sqlite_url))) as client:
        Api(client).ok(Api(client).register("b", ORDER))

    now[0] = 4.9
    assert subjects() == 1
    now[0] = 5.0
    assert subjects() == 2
    db.dispose()


def test_bucketed_observations_render_as_observed_ones() -> None:
    """BucketHistogram.add reaches prometheus_client's own per-bucket values: pinned here."""
    observed_registry, added_registry = CollectorRegistry(), CollectorRegistry()
    observed = Histogram("t", "t", ["route"], buckets=BUCKETS, registry=observed_registry)
    added = BucketHistogram("t", "t", ["route"], buckets=BUCKETS, registry=added_registry)
    series = Series()
    for seconds in (0.0001, 0.0005, 0.0007, 0.003, 0.2, 7.0, 30.0):
        observed.labels("/x").observe(seconds)
        series.observe(seconds)

    added.labels("/x").add(series.buckets, series.seconds)

    assert generate_latest(added_registry) == generate_latest(observed_registry)


def test_request_ids_are_echoed_when_safe_and_made_otherwise(api: Api) -> None:
    given = api.http.get("/subjects", headers={"X-Request-ID": "req-42.a:b/c"})
    assert given.headers["x-request-id"] == "req-42.a:b/c"
    made = api.http.get("/subjects")
    other = api.http.get("/subjects")
    assert len(made.headers["x-request-id"]) == 32
    assert made.headers["x-request-id"] != other.headers["x-request-id"]
    for unsafe in ("x" * 129, "two words", 'quote"d', "é"):
        header = unsafe.encode("utf-8")
        answer = api.http.get("/subjects", headers=[(b"X-Request-ID", header)])
        assert answer.headers["x-request-id"] != unsafe
        assert len(answer.headers["x-request-id"]) == 32


def test_hot_path_answers_carry_no_request_id(api: Api) -> None:
    schema_id = api.ok(api.register("s", ORDER))["id"]
    api.http.get(f"/schemas/ids/{schema_id}")  # the miss is loaded by the hot path too

    answer = api.http.get(f"/schemas/ids/{schema_id}", headers={"X-Request-ID": "r-1"})

    assert answer.status_code == 200 and "x-request-id" not in answer.headers
    assert json.loads(answer.content)["schema"] == ORDER
    assert answer.headers["content-type"].startswith(CT)
