"""Consumers: envelopes per transport, handlers that pass, and handlers that crash."""

from __future__ import annotations

import pytest

from tests.plugin.conftest import outcomes, source

# A handler that forgets couponCode is optional, reading an SQS event fed by SNS.
CRASHING = """
import json

def handler(event, context):
    for record in event["Records"]:
        order = json.loads(json.loads(record["body"])["Message"])
        assert order["couponCode"].isupper() or True
"""
CAREFUL = """
import json

def handler(event, context):
    for record in event["Records"]:
        order = json.loads(json.loads(record["body"])["Message"])
        assert context.get_remaining_time_in_millis() > 0
        assert order.get("couponCode", "none")
"""


def test_verify_consumer_passes_a_careful_handler(shop: pytest.Pytester) -> None:
    shop.makepyfile(consumer=CAREFUL)
    shop.makepyfile(
        source(
            """
            from consumer import handler

            def test_consumer(event_contracts):
                assert event_contracts.verify_consumer(handler, "shop.OrderPlaced", n=30) == 30
            """
        )
    )

    shop.inline_run("-p", "no:randomly").assertoutcome(passed=1)


def test_verify_consumer_names_the_smallest_payload_and_keeps_the_error(
    shop: pytest.Pytester,
) -> None:
    shop.makepyfile(consumer=CRASHING)
    shop.makepyfile(
        source(
            """
            from consumer import handler

            def test_consumer(event_contracts):
                event_contracts.verify_consumer(handler, "shop.OrderPlaced", n=30)
            """
        )
    )

    result = shop.runpytest("-p", "no:randomly")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*KeyError: 'couponCode'*",
            "*The above exception was the direct cause of the following exception*",
            "*ConsumerFailed: contracts/shop.yaml:*: shop.OrderPlaced@local*",
            "*handler raised on * of 30 events; smallest payload*",
            "*payload: {*",
            "*hint: the handler must accept every event the schema allows*",
        ]
    )
    smallest = next(line for line in result.outlines if "payload: {" in line)
    assert "couponCode" not in smallest


def test_consumes_marker_runs_once_per_example(shop: pytest.Pytester) -> None:
    shop.makepyfile(consumer=CRASHING)
    shop.makepyfile(
        source(
            """
            import pytest
            from consumer import handler

            @pytest.mark.consumes("shop.OrderPlaced", n=6)
            def test_consumer(contract_event):
                handler(contract_event, None)
            """
        )
    )

    result = shop.inline_run("-p", "no:randomly")

    found = outcomes(result)
    assert len(found) == 6
    assert found["test_consumer[shop.OrderPlaced-sqs-0]"] == "passed"  # the schema's example
    assert "failed" in found.values()


ENVELOPE_CHECKS = {
    "sqs": "json.loads(event['Records'][0]['body'])",
    "sns": "json.loads(event['Records'][0]['Sns']['Message'])",
    "eventbridge": "event['detail']",
    "kinesis": "json.loads(base64.b64decode(event['Records'][0]['kinesis']['data']))",
    "dynamodb": "{k: TypeDeserializer().deserialize(v) "
    "for k, v in event['Records'][0]['dynamodb']['NewImage'].items()}",
    "stepfunctions": "event",
    "apigateway": "json.loads(event['body'])",
    "eventhubs": "json.loads(event.body_as_str())",
    "servicebus": "json.loads(str(event))",
}


@pytest.mark.parametrize("transport", sorted(ENVELOPE_CHECKS))
def test_every_envelope_unwraps_to_the_payload(shop: pytest.Pytester, transport: str) -> None:
    shop.makepyfile(
        source(
            f"""
            import base64, decimal, json
            from boto3.dynamodb.types import TypeDeserializer

            def test_envelope(event_contracts):
                contract = event_contracts.contract("shop.OrderPlaced")
                payload = {{"orderId": "o-1", "total": 10.5}}
                event = contract.envelope(payload, "{transport}")
                unwrapped = {ENVELOPE_CHECKS[transport]}
                assert json.loads(json.dumps(unwrapped, default=float)) == payload
            """
        )
    )

    shop.inline_run("-p", "no:randomly").assertoutcome(passed=1)


def test_avro_envelopes_carry_the_wire_formats(shop: pytest.Pytester) -> None:
    shop.makepyfile(
        source(
            """
            import base64, io, json, fastavro

            def test_avro(event_contracts):
                contract = event_contracts.contract("shop.OrderCancelled")
                schema = fastavro.parse_schema(contract.resolved.schema.document)
                payload = {"orderId": "o-1", "reason": "STOCK", "note": None}
                record = contract.envelope(payload, "kinesis")["Records"][0]["kinesis"]
                data = base64.b64decode(record["data"])
                assert data[0] == 0
                assert fastavro.schemaless_reader(io.BytesIO(data[5:]), schema) == payload
                event = contract.envelope(payload, "eventhubs")
                assert event.content_type.startswith("avro/binary+")
                body = b"".join(event.body)
                assert fastavro.schemaless_reader(io.BytesIO(body), schema) == payload
            """
        )
    )

    shop.inline_run("-p", "no:randomly").assertoutcome(passed=1)
