"""Spans of an application request and of a hot-path answer, in an in-memory exporter.

The providers are handed to ``create_app`` (no global provider is set in the test process);
the environment-driven set-up is tested over a real ``esr serve`` in ``test_serve.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from registry.api.app import create_app
from registry.config import Settings
from registry.observability.otel import Telemetry
from tests.support.api import Api
from tests.support.schemas import avro_record

ORDER = avro_record("Order", {"name": "id", "type": "string"})
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.fixture
def traced(sqlite_url: str) -> Iterator[tuple[Api, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(
        Settings(database_url=sqlite_url, warm_cache=False),
        telemetry=Telemetry(tracer_provider=provider),
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client), exporter
    provider.shutdown()


def servers(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.kind is SpanKind.SERVER]


def test_an_application_request_is_one_server_span_with_its_sql(
    traced: tuple[Api, InMemorySpanExporter],
) -> None:
    api, exporter = traced
    exporter.clear()

    api.ok(api.register("orders-value", ORDER))

    (server,) = servers(exporter)
    assert server.name == "POST /subjects/{subject}/versions"
    assert server.attributes is not None
    assert server.attributes["http.route"] == "/subjects/{subject}/versions"
    assert server.attributes["http.response.status_code"] == 200
    trace_id = server.context.trace_id
    inside = [s for s in exporter.get_finished_spans() if s.context.trace_id == trace_id]
    assert any(s.kind is SpanKind.CLIENT for s in inside), [s.name for s in inside]  # SQL
    assert any(s.name == "fastapi.endpoint" for s in inside), [s.name for s in inside]


def test_a_hot_path_answer_is_a_server_span_continuing_the_callers_trace(
    traced: tuple[Api, InMemorySpanExporter],
) -> None:
    api, exporter = traced
    schema_id = api.ok(api.register("orders-value", ORDER))["id"]
    api.http.get(f"/schemas/ids/{schema_id}")  # a miss: the application answers and caches it
    exporter.clear()

    answer = api.http.get(f"/schemas/ids/{schema_id}", headers={"traceparent": PARENT})

    assert answer.status_code == 200
    (span,) = servers(exporter)
    assert span.name == "GET /schemas/ids/{id}"
    assert span.attributes is not None
    assert span.attributes["registry.hot_path"] is True
    assert span.attributes["http.route"] == "/schemas/ids/{id}"
    assert span.attributes["http.response.status_code"] == 200
    assert span.attributes["url.path"] == f"/schemas/ids/{schema_id}"
    assert format(span.context.trace_id, "032x") == TRACE_ID
    assert span.parent is not None and format(span.parent.span_id, "016x") == "00f067aa0ba902b7"


def test_a_miss_is_left_to_the_application_while_tracing(
    traced: tuple[Api, InMemorySpanExporter],
) -> None:
    api, exporter = traced
    schema_id = api.ok(api.register("orders-value", ORDER))["id"]
    exporter.clear()

    api.http.get(f"/schemas/ids/{schema_id}/schema")

    (span,) = servers(exporter)
    assert span.name == "GET /schemas/ids/{id}/schema"
    assert span.attributes is not None and "registry.hot_path" not in span.attributes


def test_probes_and_scrapes_are_not_traced(traced: tuple[Api, InMemorySpanExporter]) -> None:
    api, exporter = traced
    exporter.clear()

    for path in ("/health", "/ready", "/metrics"):
        assert api.http.get(path).status_code == 200

    assert servers(exporter) == []
