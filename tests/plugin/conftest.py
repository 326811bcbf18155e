"""A small project for pytester sessions of the plugin: two schemas, one contract, senders.

``pytester`` itself must be enabled in the top-level ``tests/conftest.py``
(``pytest_plugins = [..., "pytester"]``): pytest refuses ``pytest_plugins`` in a nested conftest
when the whole suite runs. Run these tests alone with ``-p pytester`` until then.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

# Imported once here so inner sessions (which restore sys.modules after each run) reuse them.
import azure.eventhub
import azure.servicebus
import boto3
import fastavro
import pytest

import registry.contract_testing
from registry.domain import SchemaType
from registry.formats import get_format

ORDER_PLACED: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["orderId", "total"],
    "additionalProperties": False,
    "properties": {
        "orderId": {"type": "string", "minLength": 1},
        "total": {"type": "number", "minimum": 0},
        "couponCode": {"type": "string", "minLength": 3},
    },
    "examples": [{"orderId": "o-1", "total": 10.5, "couponCode": "WELCOME"}],
}
ORDER_CANCELLED: dict[str, Any] = {
    "type": "record",
    "name": "OrderCancelled",
    "namespace": "shop",
    "fields": [
        {"name": "orderId", "type": "string"},
        {
            "name": "reason",
            "type": {"type": "enum", "name": "Reason", "symbols": ["CUSTOMER", "STOCK"]},
        },
        {"name": "note", "type": ["null", "string"], "default": None},
    ],
}

CONTRACT = """\
service: shop
produces:
  - subject: shop.OrderPlaced
    transport: eventbridge
    source: shop.orders
    detail-type: OrderPlaced
  - subject: shop.OrderPlaced
    transport: sns
    topic: orders
  - subject: shop.OrderPlaced
    transport: sqs
    queue: orders-queue
  - subject: shop.OrderPlaced
    transport: kinesis
    stream: orders-json
  - subject: shop.OrderCancelled
    transport: kinesis
    stream: cancellations
    encoding: avro
  - subject: shop.OrderPlaced
    transport: dynamodb
    table: orders
  - subject: shop.OrderPlaced
    transport: stepfunctions
    state-machine: fulfil
  - subject: shop.OrderPlaced
    transport: eventhubs
    event-hub: orders-hub
  - subject: shop.OrderCancelled
    transport: eventhubs
    event-hub: cancellations-hub
    encoding: avro
  - subject: shop.OrderPlaced
    transport: servicebus
    queue: orders-bus
consumes:
  - subject: shop.OrderPlaced
    transport: sqs
    via: sns
"""

# Producer code of the inner sessions: one function per transport, as service code calls SDKs.
SENDERS = """
import io, json
from pathlib import Path
import boto3, fastavro
from azure.eventhub import EventData, EventHubProducerClient
from azure.servicebus import ServiceBusClient, ServiceBusMessage

CONN = ("Endpoint=sb://shop.servicebus.windows.net/;SharedAccessKeyName=k;"
        "SharedAccessKey=bm90LWEta2V5")
CANCELLED = fastavro.parse_schema(json.loads(Path("schemas/shop/OrderCancelled.avsc").read_text()))
sns = boto3.client("sns", region_name="us-east-1")   # created before any capture starts

def avro(record):
    out = io.BytesIO(); fastavro.schemaless_writer(out, CANCELLED, record); return out.getvalue()

def eventbridge(p):
    boto3.client("events", region_name="us-east-1").put_events(Entries=[{
        "Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": json.dumps(p)}])

def sns_publish(p):
    sns.publish(TopicArn="arn:aws:sns:us-east-1:123456789012:orders", Message=json.dumps(p))

def sqs(p):
    boto3.client("sqs", region_name="us-east-1").send_message_batch(
        QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/orders-queue",
        Entries=[{"Id": "1", "MessageBody": json.dumps(p)}])

def kinesis(p):
    boto3.client("kinesis", region_name="us-east-1").put_records(
        StreamName="orders-json", Records=[{"Data": json.dumps(p).encode(), "PartitionKey": "k"}])

def kinesis_avro(record, framed=True):
    data = b"\\x00\\x00\\x00\\x00\\x07" + avro(record) if framed else json.dumps(record).encode()
    boto3.client("kinesis", region_name="us-east-1").put_record(
        StreamName="cancellations", Data=data, PartitionKey="k")

def dynamodb(p):
    boto3.resource("dynamodb", region_name="us-east-1").Table("orders").put_item(
        Item=json.loads(json.dumps(p), parse_float=__import__("decimal").Decimal))

def stepfunctions(p):
    boto3.client("stepfunctions", region_name="us-east-1").start_execution(
        stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:fulfil",
        input=json.dumps(p))

def eventhubs(p):
    producer = EventHubProducerClient.from_connection_string(CONN, eventhub_name="orders-hub")
    with producer:
        batch = producer.create_batch()
        batch.add(EventData(json.dumps(p)))
        producer.send_batch(batch)

def eventhubs_avro(record):
    event = EventData(avro(record))
    event.content_type = "avro/binary+0123456789abcdef0123456789abcdef"
    producer = EventHubProducerClient.from_connection_string(
        CONN, eventhub_name="cancellations-hub")
    with producer:
        producer.send_event(event)

def servicebus(p):
    client = ServiceBusClient.from_connection_string(CONN)
    with client, client.get_queue_sender(queue_name="orders-bus") as sender:
        sender.send_messages(ServiceBusMessage(json.dumps(p)))
"""

INNER_CONFTEST = """
import os
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
"""


for _type in (SchemaType.AVRO, SchemaType.JSON):
    get_format(_type)
_PRELOADED = (azure.eventhub, azure.servicebus, boto3, fastavro, registry.contract_testing)


REGISTRY_VARIABLES = ("URL", "USER", "PASSWORD", "TOKEN")


@pytest.fixture
def shop(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A project with ``schemas/``, ``contracts/shop.yaml``, ``senders.py`` and a conftest.

    ``ESR_REGISTRY_*`` variables of the outer environment are cleared for the inner runs.
    """
    for name in REGISTRY_VARIABLES:
        monkeypatch.delenv(f"ESR_REGISTRY_{name}", raising=False)
    schemas = pytester.path / "schemas" / "shop"
    schemas.mkdir(parents=True)
    (schemas / "OrderPlaced.json").write_text(json.dumps(ORDER_PLACED))
    (schemas / "OrderCancelled.avsc").write_text(json.dumps(ORDER_CANCELLED))
    (pytester.path / "contracts").mkdir()
    (pytester.path / "contracts" / "shop.yaml").write_text(CONTRACT)
    (pytester.path / "senders.py").write_text(SENDERS)
    pytester.makeconftest(INNER_CONFTEST)
    pytester.makeini("[pytest]\n")
    pytester.syspathinsert()
    return pytester


def outcomes(result: Any) -> dict[str, str]:
    """Test name (without module) to outcome, from an inline run's reports."""
    found: dict[str, str] = {}
    for report in result.getreports("pytest_runtest_logreport"):
        name = report.nodeid.split("::", 1)[1]
        if report.when == "call" or report.outcome != "passed":
            found[name] = report.outcome
    return found


def source(code: str) -> str:
    """Dedented test source."""
    return textwrap.dedent(code)
