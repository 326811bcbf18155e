"""Producers on every transport, conforming and not, through the ``produces`` marker."""

from __future__ import annotations

import pytest

from tests.plugin.conftest import outcomes, source

GOOD = {"orderId": "o-1", "total": 10.5}
BAD = {"orderId": "o-1", "total": -1}
CANCELLED = {"orderId": "o-1", "reason": "CUSTOMER", "note": None}

# transport: (call with a conforming payload, call with a non-conforming one, expected pointer)
CASES = {
    "eventbridge": (f"eventbridge({GOOD})", f"eventbridge({BAD})", "/total"),
    "sns": (f"sns_publish({GOOD})", f"sns_publish({BAD})", "/total"),
    "sqs": (f"sqs({GOOD})", f"sqs({BAD})", "/total"),
    "kinesis": (f"kinesis({GOOD})", f"kinesis({BAD})", "/total"),
    "kinesis_avro": (
        f"kinesis_avro({CANCELLED})",
        f"kinesis_avro({CANCELLED}, framed=False)",
        "Confluent wire format",
    ),
    "dynamodb": (f"dynamodb({GOOD})", f"dynamodb({BAD})", "/total"),
    "stepfunctions": (f"stepfunctions({GOOD})", f"stepfunctions({BAD})", "/total"),
    "eventhubs": (f"eventhubs({GOOD})", f"eventhubs({BAD})", "/total"),
    "eventhubs_avro": (f"eventhubs_avro({CANCELLED})", "eventhubs({'orderId': ''})", "/orderId"),
    "servicebus": (f"servicebus({GOOD})", f"servicebus({BAD})", "/total"),
}


@pytest.mark.parametrize("transport", sorted(CASES))
def test_conforming_passes_and_non_conforming_fails(shop: pytest.Pytester, transport: str) -> None:
    good, bad, pointer = CASES[transport]
    subject = "shop.OrderCancelled" if transport.endswith("_avro") else "shop.OrderPlaced"
    bad_subject = "shop.OrderPlaced" if transport == "eventhubs_avro" else subject
    shop.makepyfile(
        source(
            f"""
            import pytest
            from senders import *

            @pytest.mark.produces("{subject}")
            def test_good():
                {good}

            @pytest.mark.produces("{bad_subject}")
            def test_bad():
                {bad}
            """
        )
    )

    result = shop.inline_run("-p", "no:randomly")

    assert outcomes(result) == {"test_good": "passed", "test_bad": "failed"}
    (failure,) = result.getfailures()
    text = str(failure.longrepr)
    assert pointer in text
    assert "contracts/shop.yaml:" in text and "hint:" in text


def test_captured_events_lists_matches_and_answers_are_well_formed(shop: pytest.Pytester) -> None:
    shop.makepyfile(
        source(
            """
            import boto3, json
            from senders import sns_publish, stepfunctions

            def test_capture(captured_events):
                sns_publish({"orderId": "o-1", "total": 1})
                stepfunctions({"orderId": "o-2", "total": 2})
                sqs = boto3.client("sqs", region_name="us-east-1")
                answer = sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/1/orders-queue",
                                          MessageBody=json.dumps({"orderId": "o-3", "total": 3}))
                assert len(answer["MD5OfMessageBody"]) == 32
                assert [e.subject for e in captured_events] == ["shop.OrderPlaced"] * 3
                transports = [e.transport.value for e in captured_events]
                assert transports == ["sns", "stepfunctions", "sqs"]
                assert [e.payload["orderId"] for e in captured_events] == ["o-1", "o-2", "o-3"]
                captured_events.assert_conform()
            """
        )
    )

    shop.inline_run("-p", "no:randomly").assertoutcome(passed=1)


def test_a_violation_lists_pointer_expected_actual_and_payload(shop: pytest.Pytester) -> None:
    shop.makepyfile(
        source(
            """
            from senders import eventbridge

            def test_send(captured_events):
                eventbridge({"orderId": "", "total": "ten"})
                captured_events.assert_conform()
            """
        )
    )

    result = shop.runpytest("-p", "no:randomly")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*1 of 1 captured message(s) break their contracts:*",
            "*contracts/shop.yaml:3: shop.OrderPlaced@local (shop produces shop.OrderPlaced on "
            "eventbridge (source shop.orders, detail-type OrderPlaced))*",
            "*at /orderId:*",
            "*at /total:*",
            '*payload: {"orderId":"","total":"ten"}*',
            "*hint: the producer sends what the schema does not allow*",
        ]
    )
