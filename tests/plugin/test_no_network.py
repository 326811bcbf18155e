"""With capture on, no producer opens a network connection; without it, calls do go out."""

from __future__ import annotations

import socket
from typing import Any

import boto3
import botocore.exceptions
import pytest

from tests.plugin.conftest import source

EVERY_TRANSPORT = """
import pytest
from senders import *

GOOD = {"orderId": "o-1", "total": 1}
CANCELLED = {"orderId": "o-1", "reason": "STOCK", "note": "late"}

@pytest.mark.produces("shop.OrderPlaced", "shop.OrderCancelled")
def test_everything(captured_events):
    for send in (eventbridge, sns_publish, sqs, kinesis, dynamodb, stepfunctions, eventhubs,
                 servicebus):
        send(GOOD)
    kinesis_avro(CANCELLED)
    eventhubs_avro(CANCELLED)
    assert len(captured_events) == 10
"""


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every address a socket tries to connect to (refused, so nothing leaves the machine)."""
    attempts: list[Any] = []

    def connect(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise ConnectionRefusedError(f"test forbids connecting to {address}")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect)
    return attempts


def test_capture_opens_no_connection(shop: pytest.Pytester, connections: list[Any]) -> None:
    shop.makepyfile(source(EVERY_TRANSPORT))

    shop.inline_run("-p", "no:randomly").assertoutcome(passed=1)

    assert connections == []


def test_the_guard_sees_a_call_that_is_not_captured(connections: list[Any]) -> None:
    client = boto3.client(
        "sqs",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        config=botocore.config.Config(retries={"max_attempts": 1}),
    )

    with pytest.raises(botocore.exceptions.EndpointConnectionError):
        client.list_queues()

    assert connections and connections[0][:2] == ("127.0.0.1", 9)
