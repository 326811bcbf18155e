"""The contract API itself, on the shop's subjects: validate, examples, envelopes, passthrough."""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest
from moto import mock_aws

from registry.contract_testing import ContractViolation


def test_validate_names_the_pointer_and_the_hint(event_contracts: Any) -> None:
    contract = event_contracts.contract("payments.PaymentCaptured")
    bad = {**contract.examples(1)[0], "method": "cash"}

    with pytest.raises(ContractViolation) as caught:
        contract.validate(bad)

    message = str(caught.value)
    assert "/method" in message and "payments.PaymentCaptured@local" in message
    assert "hint:" in message


def test_examples_start_with_the_schema_examples_and_are_deterministic(
    event_contracts: Any,
) -> None:
    contract = event_contracts.contract("orders.OrderPlaced")
    registered = contract.resolved.schema.document["examples"]

    first, again = contract.examples(8, seed=3), contract.examples(8, seed=3)

    assert first == again
    assert first[: len(registered)] == registered
    assert all(not contract.violations(example) for example in first)


def test_envelopes_are_what_lambda_receives(event_contracts: Any) -> None:
    contract = event_contracts.contract("orders.OrderCancelled")
    payload = contract.examples(1)[0]

    kinesis = contract.envelope(payload, "kinesis", encoding="json")
    sqs_via_sns = contract.envelope(payload, "sqs", via="sns")

    data = base64.b64decode(kinesis["Records"][0]["kinesis"]["data"])
    assert json.loads(data) == payload
    assert json.loads(json.loads(sqs_via_sns["Records"][0]["body"])["Message"]) == payload


def test_passthrough_delivers_to_moto_after_capture(event_contracts: Any) -> None:
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="shipment-delivered")["QueueUrl"]
        notice = event_contracts.contract("shipping.ShipmentDelivered").examples(1)[0]

        with event_contracts.capture(passthrough=True) as events:
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps(notice))
        received = sqs.receive_message(QueueUrl=url)["Messages"]

    events.assert_conform()
    assert json.loads(received[0]["Body"]) == notice
