"""Read sets in pytest sessions, and ``--registry-publish``: what the plugin posts at the end.

The registry's verifications endpoint is stood in for by a small HTTP server that keeps what it
is sent, so these tests pin the plugin's side: the path, the credentials and the document.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from registry.client import RegistryClient
from registry.contract_testing.publication import verification_document, verifications_path
from registry.errors import InvalidInput
from tests.plugin.conftest import source
from tests.support.server import running_server

CONTRACT = """\
service: shop
produces:
  - subject: shop.OrderPlaced
    transport: sns
    topic: orders
consumes:
  - subject: shop.OrderPlaced
    transport: sqs
    via: sns
    reads: [/orderId, /giftWrap]
"""
CONSUMER = """
import json

def handler(event, context):
    for record in event["Records"]:
        order = json.loads(json.loads(record["body"])["Message"])
        assert order["orderId"]
        order.get("couponCode")
"""
TESTS = """
import pytest
from consumer import handler
from senders import sns_publish

def test_producer(captured_events):
    sns_publish({"orderId": "o-1", "total": 1})
    captured_events.assert_conform()

@pytest.mark.consumes("shop.OrderPlaced", n=3)
def test_consumer(contract_event):
    handler(contract_event, None)
"""


class _Registry(ThreadingHTTPServer):
    received: list[dict[str, Any]]


class _Handler(BaseHTTPRequestHandler):
    server: _Registry

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append(
            {
                "path": self.path,
                "authorization": self.headers.get("Authorization"),
                "body": json.loads(body),
            }
        )
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def registry() -> Iterator[_Registry]:
    """An HTTP server on localhost that keeps every POST it receives."""
    server = _Registry(("127.0.0.1", 0), _Handler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _url(server: _Registry) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


@pytest.fixture
def project(shop: pytest.Pytester) -> pytest.Pytester:
    (shop.path / "contracts" / "shop.yaml").write_text(CONTRACT)
    shop.makepyfile(consumer=CONSUMER)
    shop.makepyfile(test_shop=source(TESTS))
    return shop


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one-process", "xdist"])
def test_the_marker_records_reads_shown_beside_the_declared_ones(
    project: pytest.Pytester, workers: list[str]
) -> None:
    run = project.runpytest_subprocess if workers else project.runpytest
    result = run("-p", "no:randomly", *workers, "--registry-report", "out.json")

    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(
        [
            "*what consumers read*",
            "contracts/shop.yaml:7: shop consumes shop.OrderPlaced",
            "    recorded: /couponCode /orderId",
            "    declared: /orderId /giftWrap",
            "    warning: declared read /giftWrap is never touched by the handler",
        ]
    )
    report = json.loads((project.path / "out.json").read_text())
    (consumer,) = [e for e in report["contracts"] if e["role"] == "consumes"]
    assert consumer["reads"] == ["/couponCode", "/orderId"]
    assert consumer["declared_reads"] == ["/orderId", "/giftWrap"]


def test_publish_posts_results_and_reads(
    project: pytest.Pytester, registry: _Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESR_REGISTRY_TOKEN", "tok-3c1e")
    monkeypatch.setenv("REGISTRY_SERVICE_VERSION", "4f2c40f")
    project.makeini("[pytest]\nregistry_service_name = shop\n")

    result = project.runpytest(
        "-p", "no:randomly", "--registry-publish", _url(registry), "--registry-branch", "main"
    )

    result.assert_outcomes(passed=4)
    (post,) = registry.received
    assert post["path"] == "/api/services/shop/versions/4f2c40f/verifications"
    assert post["authorization"] == "Bearer tok-3c1e"
    document = post["body"]
    assert (document["service"], document["version"], document["branch"]) == (
        "shop",
        "4f2c40f",
        "main",
    )
    producer, consumer = document["contracts"]
    assert producer["role"] == "produces"
    assert producer["destination"] == "orders"
    assert producer["reads"] is None
    assert producer["verification"]["status"] == "passed"
    assert consumer["verification"] == {
        "status": "passed",
        "checked": 3,
        "failed": 0,
        "failures": [],
    }
    assert consumer["recorded_reads"] == ["/couponCode", "/orderId"]
    assert consumer["reads"] == ["/couponCode", "/giftWrap", "/orderId"]
    assert consumer["warnings"] == ["declared read /giftWrap is never touched by the handler"]
    result.stdout.fnmatch_lines(["registry: published 2 contracts to http://*/verifications"])


def test_publish_sends_failures_with_their_text(
    project: pytest.Pytester, registry: _Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESR_REGISTRY_USER", "ci")
    monkeypatch.setenv("ESR_REGISTRY_PASSWORD", "pw-91")
    project.makepyfile(consumer=CONSUMER.replace('order.get("couponCode")', 'order["couponCode"]'))

    result = project.runpytest(
        "-p",
        "no:randomly",
        "--registry-publish",
        _url(registry),
        "--service-name",
        "shop",
        "--service-version",
        "v2",
    )

    assert result.ret == 1
    (post,) = registry.received
    assert post["authorization"] == "Basic " + base64.b64encode(b"ci:pw-91").decode()
    consumer = post["body"]["contracts"][1]
    assert consumer["verification"]["status"] == "failed"
    assert "KeyError" in consumer["verification"]["failures"][0]["message"]


def test_publish_needs_a_service_name_and_version(project: pytest.Pytester) -> None:
    result = project.runpytest("--registry-publish", "http://127.0.0.1:9")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*--registry-publish needs --registry-service-name (ini registry_service_name) and "
            "--registry-service-version (ini registry_service_version, env "
            "REGISTRY_SERVICE_VERSION)*"
        ]
    )


def test_a_registry_that_cannot_be_reached_fails_the_run(project: pytest.Pytester) -> None:
    result = project.runpytest(
        "-p",
        "no:randomly",
        "--registry-publish",
        "http://127.0.0.1:9",
        "--service-name",
        "shop",
        "--service-version",
        "v1",
    )

    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["registry: nothing published: *unreachable*"])


def test_the_document_names_only_the_service_and_refuses_an_unknown_one() -> None:
    report = {
        "source": "local:schemas",
        "contracts": [
            {"service": "a", "role": "consumes", "subject": "s", "transport": "sns", "checked": 0},
            {"service": "b", "role": "produces", "subject": "s", "transport": "sns", "checked": 1},
        ],
    }
    document = verification_document(report, service="a", version="1")
    (contract,) = document["contracts"]
    assert contract["reads"] is None  # never run, nothing declared: unknown, not "nothing"
    assert contract["verification"]["status"] == "not-run"
    with pytest.raises(InvalidInput, match=r"no contract of service 'c'.*a, b"):
        verification_document(report, service="c", version="1")
    assert verifications_path("a b", "1/2") == "/api/services/a%20b/versions/1%2F2/verifications"


def test_publish_to_a_real_registry(project: pytest.Pytester, tmp_path: Path) -> None:
    with running_server(f"sqlite:///{tmp_path / 'registry.db'}") as server:
        result = project.runpytest(
            "-p",
            "no:randomly",
            "--registry-publish",
            server.url,
            "--service-name",
            "shop",
            "--service-version",
            "4f2c40f",
        )
        result.assert_outcomes(passed=4)
        with RegistryClient(server.url) as client:
            stored = client.request("GET", "/api/services/shop/versions/4f2c40f")

    verified = {(v["role"], v["subject"]): v for v in stored["verifications"]}
    consumer = verified[("consumes", "shop.OrderPlaced")]
    assert consumer["success"] is True
    assert consumer["reads"] == ["/couponCode", "/giftWrap", "/orderId"]
    assert verified[("produces", "shop.OrderPlaced")]["success"] is True
