"""Metrics and telemetry of real ``esr serve`` processes.

* Several workers: every scrape adds up all workers (prometheus_client's multiprocess mode set
  up by ``esr serve``), on the API port (admins only, once users exist) and on the separate
  metrics port (open), and the multiprocess directory is removed at exit.
* Azure Monitor and OTLP at once, both pointed at a sink on 127.0.0.1: the sink gets request
  telemetry, log records and spans, the JSON log lines carry the request id and the caller's
  trace id, and a socket guard in the server process shows that nothing but 127.0.0.1 was
  contacted (no instance metadata, no statsbeat, no live metrics, no remote configuration).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.observability.scrape import label_values, value
from tests.observability.sink import Sink
from tests.support.schemas import avro_record
from tests.support.server import free_port, running_server

pytestmark = pytest.mark.slow

ORDER = avro_record("Order", {"name": "id", "type": "string"})
CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PASSWORD = "metrics-admin-password"
GUARD = '''
"""Loaded by the server process (PYTHONPATH): log every connection and name lookup, and
refuse any that is not loopback, so that a probe shows up instead of leaving the machine."""
import ipaddress
import os
import socket

_LOG = os.environ["ESR_TEST_SOCKET_LOG"]
_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def _loopback(host):
    if host in ("localhost", "") or host is None:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _note(kind, host, port):
    with open(_LOG, "a") as log:
        log.write(f"{kind} {host} {port}\\n")


def _check(sock, address):
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        host, port = address[0], address[1]
        _note("connect", host, port)
        if not _loopback(host):
            raise ConnectionRefusedError(f"socket guard: {host}:{port} is not loopback")


def connect(self, address):
    _check(self, address)
    return _connect(self, address)


def connect_ex(self, address):
    _check(self, address)
    return _connect_ex(self, address)


def getaddrinfo(host, port, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    _note("lookup", name, port)
    if not _loopback(name):
        raise socket.gaierror(f"socket guard: no lookups of {name}")
    return _getaddrinfo(host, port, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
socket.getaddrinfo = getaddrinfo
'''


def _eventually(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.2)


def test_several_workers_add_up_on_both_ports(sqlite_url: str, tmp_path: Path) -> None:
    password_file = tmp_path / "admin-password"
    password_file.write_text(PASSWORD)
    metrics_port = free_port()
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {
        "REGISTRY_WORKERS": "2",
        "REGISTRY_METRICS_PORT": str(metrics_port),
        "REGISTRY_BOOTSTRAP_ADMIN_PASSWORD_FILE": str(password_file),
        "TMPDIR": str(temp),  # where esr serve makes the multiprocess directory
    }
    admin = httpx.BasicAuth("admin", PASSWORD)
    with running_server(sqlite_url, **env) as server:
        (made,) = temp.glob("esr-metrics-*")
        registered = httpx.post(
            f"{server.url}/subjects/s/versions", json={"schema": ORDER}, headers=CT, auth=admin
        )
        assert registered.status_code == 200, registered.text
        for _ in range(40):  # a connection each, so that both workers take some
            answer = httpx.get(f"{server.url}/subjects", auth=admin)
            assert answer.status_code == 200

        def scraped(url: str, **kwargs: Any) -> str | None:
            text = httpx.get(url, **kwargs).text
            route = {"method": "GET", "route": "/subjects", "status": "200"}
            return text if value(text, "registry_http_requests_total", **route) == 40 else None

        main = _eventually(lambda: scraped(f"{server.url}/metrics", auth=admin))
        open_port = _eventually(lambda: scraped(f"http://127.0.0.1:{metrics_port}/metrics"))
        assert httpx.get(f"{server.url}/metrics").status_code == 401
        for text in (main, open_port):
            assert len(label_values(text, "registry_worker_start_time_seconds", "pid")) == 2
            assert value(text, "registry_registrations_total", outcome="created") == 1
            assert value(text, "registry_subjects") == 1
            count = "registry_http_request_duration_seconds_count"
            assert value(text, count, method="GET", route="/subjects", status="200") == 40
        assert list(made.glob("*.db"))
    assert not made.exists()


def test_azure_monitor_and_otlp_reach_a_local_sink_and_nothing_else(
    sqlite_url: str, tmp_path: Path
) -> None:
    (tmp_path / "guard").mkdir()
    (tmp_path / "guard" / "sitecustomize.py").write_text(GUARD)
    sockets = tmp_path / "sockets.log"
    with Sink() as sink:
        env = {
            "APPLICATIONINSIGHTS_CONNECTION_STRING": (
                "InstrumentationKey=00000000-0000-0000-0000-000000000000;"
                f"IngestionEndpoint={sink.url}/;LiveEndpoint={sink.url}/"
            ),
            "OTEL_EXPORTER_OTLP_ENDPOINT": sink.url,
            "OTEL_SERVICE_NAME": "esr-under-test",
            "OTEL_TRACES_SAMPLER": "always_on",
            "OTEL_BSP_SCHEDULE_DELAY": "200",
            "OTEL_BLRP_SCHEDULE_DELAY": "200",
            "OTEL_METRIC_EXPORT_INTERVAL": "1000",
            "REGISTRY_LOG_FORMAT": "json",
            "REGISTRY_LOG_LEVEL": "info",
            "ESR_TEST_SOCKET_LOG": str(sockets),
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(tmp_path / "guard"), os.environ.get("PYTHONPATH")])
            ),
        }
        with running_server(sqlite_url, **env) as server:
            registered = httpx.post(
                f"{server.url}/subjects/orders-value/versions",
                json={"schema": ORDER},
                headers={**CT, "X-Request-ID": "req-azure-1"},
            )
            schema_id = registered.json()["id"]
            parent = {"traceparent": f"00-{TRACE_ID}-b7ad6b7169203331-01"}
            for _ in range(2):  # a miss (the application) then a hit (the hot path)
                httpx.get(f"{server.url}/schemas/ids/{schema_id}", headers=parent)

            def requests() -> set[str]:
                return {
                    item["data"]["baseData"]["name"]
                    for received in sink.requests("/v2.1/track")
                    for item in received.azure_items()
                    if item["data"]["baseType"] == "RequestData"
                }

            sink.wait_for(
                lambda: {"POST /subjects/{subject}/versions", "GET /schemas/ids/{id}"} <= requests()
            )
            sink.wait_for(
                lambda: any(
                    item["data"]["baseType"] == "MessageData"
                    for received in sink.requests("/v2.1/track")
                    for item in received.azure_items()
                )
            )
            sink.wait_for(lambda: _otlp_span_names(sink) >= {"GET /schemas/ids/{id}"})
            sink.wait_for(lambda: bool(sink.requests("/v1/metrics")))
        log_lines = [
            json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")
        ]

    access = [line for line in log_lines if line["logger"] == "uvicorn.access"]
    assert any(line.get("request_id") == "req-azure-1" for line in access), access
    traced = [line for line in access if line.get("trace_id") == TRACE_ID]
    assert len(traced) == 2 and all(len(line["span_id"]) == 16 for line in traced), access
    contacted = sockets.read_text().splitlines()
    assert contacted, "the socket guard saw nothing: was it loaded?"
    assert any(str(sink.port) in line for line in contacted)
    strangers = [
        line for line in contacted if line.split()[1] not in ("127.0.0.1", "localhost", "::1")
    ]
    assert strangers == []


def _otlp_span_names(sink: Sink) -> set[str]:
    names: set[str] = set()
    for received in sink.requests("/v1/traces"):
        request = ExportTraceServiceRequest()
        request.ParseFromString(received.body)
        for resource in request.resource_spans:
            for scope in resource.scope_spans:
                names.update(span.name for span in scope.spans)
    return names


BLOCKER = '''
"""Loaded by the server process (PYTHONPATH): the telemetry extras are not installed."""
import sys


class _Missing:
    def find_spec(self, name, path=None, target=None):
        if name.startswith(("opentelemetry.sdk", "azure.monitor")):
            raise ImportError(f"{name} is not installed (test)")
        return None


sys.meta_path.insert(0, _Missing())
'''


def test_without_the_extras_configured_telemetry_is_off_with_a_warning(
    sqlite_url: str, tmp_path: Path
) -> None:
    (tmp_path / "blocker").mkdir()
    (tmp_path / "blocker" / "sitecustomize.py").write_text(BLOCKER)
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9",
        "APPLICATIONINSIGHTS_CONNECTION_STRING": "InstrumentationKey=x;IngestionEndpoint=http://127.0.0.1:9/",
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(tmp_path / "blocker"), os.environ.get("PYTHONPATH")])
        ),
    }
    with running_server(sqlite_url, **env) as server:
        assert (
            httpx.post(
                f"{server.url}/subjects/s/versions", json={"schema": ORDER}, headers=CT
            ).status_code
            == 200
        )
        assert "registry_registrations_total" in httpx.get(f"{server.url}/metrics").text
    log = server.log.read_text()
    assert "its SDK is not installed: pip install 'event-schema-registry[otel]'" in log
