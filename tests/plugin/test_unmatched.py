"""Messages no contract binds, and ``produces`` tests that emit nothing."""

from __future__ import annotations

import pytest

from tests.plugin.conftest import source

UNBOUND = """
import json, boto3

def test_unbound(captured_events):
    boto3.client("sns", region_name="us-east-1").publish(
        TopicArn="arn:aws:sns:us-east-1:123456789012:audit", Message=json.dumps({"x": 1}))
    assert captured_events[0].subject is None
    captured_events.assert_conform()
"""


def test_unmatched_message_fails_when_strict(shop: pytest.Pytester) -> None:
    shop.makepyfile(UNBOUND)

    result = shop.runpytest("-p", "no:randomly")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*sns message to topic arn:aws:sns:us-east-1:123456789012:audit (Publish) matches "
            "no contract",
            "*    sent: no message attributes",
            '*    payload: {"x":1}',
            "*hint: add a 'produces' entry*",
        ]
    )


def test_unmatched_message_passes_when_not_strict(shop: pytest.Pytester) -> None:
    shop.makeini("[pytest]\nregistry_strict = false\n")
    shop.makepyfile(UNBOUND)

    shop.inline_run("-p", "no:randomly").assertoutcome(passed=1)


def test_produces_fails_when_nothing_was_sent(shop: pytest.Pytester) -> None:
    shop.makepyfile(
        source(
            """
            import pytest
            from senders import sns_publish

            @pytest.mark.produces("shop.OrderCancelled")
            def test_silent():
                sns_publish({"orderId": "o-1", "total": 1})
            """
        )
    )

    result = shop.runpytest("-p", "no:randomly")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*expected at least one shop.OrderCancelled message, captured none; bound by "
            "contracts/shop.yaml:16, contracts/shop.yaml:29*",
            "*captured: sns:arn:aws:sns:us-east-1:123456789012:orders*",
        ]
    )


def test_a_misspelt_produces_subject_suggests_the_contracts_one(shop: pytest.Pytester) -> None:
    shop.makepyfile(
        source(
            """
            import pytest
            from senders import eventbridge

            @pytest.mark.produces("shop.OrderPlacd")
            def test_typo():
                eventbridge({"orderId": "o-1", "total": 1})
            """
        )
    )

    result = shop.runpytest("-p", "no:randomly")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "expected at least one shop.OrderPlacd message, captured none; no contract produces "
            "it; did you mean 'shop.OrderPlaced'?",
            "    captured: eventbridge:default (source 'shop.orders', detail-type 'OrderPlaced')",
        ]
    )


def test_tests_without_fixtures_or_markers_are_not_captured(shop: pytest.Pytester) -> None:
    shop.makepyfile(
        source(
            """
            import boto3, botocore.exceptions, pytest

            def test_plain():
                client = boto3.client("sqs", region_name="us-east-1",
                                      endpoint_url="http://127.0.0.1:9")
                with pytest.raises(botocore.exceptions.EndpointConnectionError):
                    client.list_queues()
            """
        )
    )

    shop.inline_run("-p", "no:randomly").assertoutcome(passed=1)


AUDIT_CONTRACT = """\
service: audit
produces:
  - subject: shop.OrderPlaced
    transport: sns
    topic: audit
    attributes: {eventType: Audit}
  - subject: shop.OrderPlaced
    transport: eventbridge
    source: shop.audit
    detail-type: Audited
    event-bus: audit-bus
"""

EVENTS = "boto3.client('events', region_name='us-east-1').put_events(Entries=[{{{}}}])"
SNS = (
    "boto3.client('sns', region_name='us-east-1').publish(TopicArn="
    "'arn:aws:sns:us-east-1:123456789012:{}', Message='{{}}'{})"
)
QUEUES = "https://sqs.us-east-1.amazonaws.com/123456789012"

# case: (the call, the lines that follow "failed" in the failure message)
UNBOUND_CASES = {
    "eventbridge, another detail-type": (
        EVENTS.format("'Source': 'shop.orders', 'DetailType': 'OrderCreated', 'Detail': '{}'"),
        [
            "*eventbridge message to event bus 'default' (PutEvents) matches no contract",
            "*    sent: source 'shop.orders', detail-type 'OrderCreated'",
            "*    nearest contract: contracts/shop.yaml:3: shop produces shop.OrderPlaced on "
            "eventbridge (source shop.orders, detail-type OrderPlaced)",
            "*      detail-type: sent 'OrderCreated'; the contract expects 'OrderPlaced'",
            "*    payload: {}",
        ],
    ),
    "eventbridge, another bus": (
        EVENTS.format(
            "'Source': 'shop.audit', 'DetailType': 'Audited', 'Detail': '{}', "
            "'EventBusName': 'arn:aws:events:us-east-1:123456789012:event-bus/default'"
        ),
        [
            "*eventbridge message to event bus 'arn:aws:events:us-east-1:123456789012:"
            "event-bus/default' (PutEvents) matches no contract",
            "*    sent: source 'shop.audit', detail-type 'Audited'",
            "*    nearest contract: contracts/audit.yaml:7: *",
            "*      event bus: sent 'default'; the contract expects 'audit-bus'",
        ],
    ),
    "eventbridge, nothing close": (
        EVENTS.format("'Source': 'billing', 'DetailType': 'Invoiced', 'Detail': '{}'"),
        [
            "*eventbridge message to event bus 'default' (PutEvents) matches no contract",
            "*    sent: source 'billing', detail-type 'Invoiced'",
            "*    payload: {}",
        ],
    ),
    "sns, another attribute": (
        SNS.format(
            "audit",
            ", MessageAttributes={'eventType': {'DataType': 'String', 'StringValue': 'Audited'}}",
        ),
        [
            "*sns message to topic arn:aws:sns:us-east-1:123456789012:audit (Publish) matches "
            "no contract",
            "*    sent: message attributes eventType='Audited'",
            "*    nearest contract: contracts/audit.yaml:3: audit produces shop.OrderPlaced on "
            "sns to audit",
            "*      message attribute eventType: sent 'Audited'; the contract expects 'Audit'",
        ],
    ),
    "sns, no attribute": (
        SNS.format("audit", ""),
        [
            "*sns message to topic arn:aws:sns:us-east-1:123456789012:audit (Publish) matches "
            "no contract",
            "*    sent: no message attributes",
            "*    nearest contract: contracts/audit.yaml:3: *",
            "*      message attribute eventType: not sent; the contract expects 'Audit'",
        ],
    ),
    "sqs, a misspelt queue": (
        "boto3.client('sqs', region_name='us-east-1').send_message("
        f"QueueUrl='{QUEUES}/orders-queu', MessageBody='{{}}')",
        [
            f"*sqs message to queue {QUEUES}/orders-queu (SendMessage) matches no contract",
            "*    sent: no message attributes",
            "*    nearest contract: contracts/shop.yaml:10: shop produces shop.OrderPlaced on "
            "sqs to orders-queue",
            "*      queue: sent 'orders-queu'; the contract expects 'orders-queue'",
        ],
    ),
    "kinesis": (
        "boto3.client('kinesis', region_name='us-east-1').put_record("
        "StreamName='audit-stream', Data=b'{}', PartitionKey='k')",
        [
            "*kinesis message to stream audit-stream (PutRecord) matches no contract",
            "*    payload: {}",
        ],
    ),
    "eventhubs": (
        "send_event_hub('audit-hub')",
        [
            "*eventhubs message to event hub audit-hub (send_event) matches no contract",
            "*    sent: properties kind='audit'",
            "*    payload: {}",
        ],
    ),
    "servicebus": (
        "send_service_bus('audit-bus')",
        [
            "*servicebus message to queue or topic audit-bus (send_messages) matches no contract",
            "*    sent: no application properties",
        ],
    ),
}

AZURE_SENDERS = """
from azure.eventhub import EventData, EventHubProducerClient
from azure.servicebus import ServiceBusClient, ServiceBusMessage
from senders import CONN

def send_event_hub(name):
    event = EventData("{}")
    event.properties = {"kind": "audit"}
    with EventHubProducerClient.from_connection_string(CONN, eventhub_name=name) as producer:
        producer.send_event(event)

def send_service_bus(name):
    client = ServiceBusClient.from_connection_string(CONN)
    with client, client.get_queue_sender(queue_name=name) as sender:
        sender.send_messages(ServiceBusMessage("{}"))
"""


@pytest.mark.parametrize("case", sorted(UNBOUND_CASES))
def test_an_unbound_message_shows_what_was_sent_and_the_nearest_contract(
    shop: pytest.Pytester, case: str
) -> None:
    call, expected = UNBOUND_CASES[case]
    (shop.path / "contracts" / "audit.yaml").write_text(AUDIT_CONTRACT)
    shop.makepyfile(azure_senders=AZURE_SENDERS)
    shop.makepyfile(
        "import boto3\n"
        "from azure_senders import *\n\n"
        "def test_unbound(captured_events):\n"
        f"    {call}\n"
        "    captured_events.assert_conform()\n"
    )

    result = shop.runpytest("-p", "no:randomly")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(expected, consecutive=True)
    if "nearest contract" not in "".join(expected):
        result.stdout.no_fnmatch_line("*nearest contract*")
