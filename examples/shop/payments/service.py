"""Payments: PaymentCaptured (SNS), PaymentFailed (Azure Service Bus), PaymentRefunded (Event Hubs).

Refunds go to the ledger's event hub in Avro, framed as the Azure Schema Registry Avro encoder
frames them: the Avro body, with content type ``avro/binary+<schema id>``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from typing import Any

import boto3
import fastavro
from azure.eventhub import EventData, EventHubProducerClient
from azure.servicebus import ServiceBusClient, ServiceBusMessage

from examples.shop import config

sns = boto3.client("sns", region_name=config.REGION)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


def payment_captured(order_id: str, amount: str, currency: str, card: dict[str, str] | None) -> str:
    """Announce a captured payment to every subscriber of the payments topic."""
    payment: dict[str, Any] = {
        "paymentId": "pay_" + uuid.uuid4().hex[:16],
        "orderId": order_id,
        "amount": {"amount": amount, "currency": currency},
        "method": "card" if card else "paypal",
        "capturedAt": _now(),
    }
    if card:
        payment["card"] = card
    sns.publish(
        TopicArn=config.PAYMENTS_TOPIC_ARN,
        Message=json.dumps(payment),
        MessageAttributes={"eventType": {"DataType": "String", "StringValue": "PaymentCaptured"}},
    )
    return str(payment["paymentId"])


def payments_captured_batch(captures: list[dict[str, Any]]) -> int:
    """Announce several captures in one PublishBatch call (end-of-day settlement)."""
    entries = [
        {
            "Id": str(index),
            "Message": json.dumps(capture),
            "MessageAttributes": {
                "eventType": {"DataType": "String", "StringValue": "PaymentCaptured"}
            },
        }
        for index, capture in enumerate(captures)
    ]
    response = sns.publish_batch(
        TopicArn=config.PAYMENTS_TOPIC_ARN, PublishBatchRequestEntries=entries
    )
    return len(response["Successful"])


def payment_failed(order_id: str, code: str, attempt: int, message: str | None = None) -> None:
    """Queue a failed payment on Azure Service Bus for the retry and stock-release workers."""
    failure: dict[str, Any] = {
        "paymentId": "pay_" + uuid.uuid4().hex[:16],
        "orderId": order_id,
        "failedAt": _now(),
        "code": code,
        "retryable": code in ("insufficient_funds", "processing_error"),
        "attempt": attempt,
    }
    if message:
        failure["message"] = message
    message_out = ServiceBusMessage(
        json.dumps(failure),
        content_type="application/json",
        application_properties={"eventType": "PaymentFailed"},
    )
    client = ServiceBusClient.from_connection_string(config.AZURE_CONNECTION)
    with client, client.get_queue_sender(queue_name=config.FAILURES_QUEUE) as sender:
        sender.send_messages(message_out)


def refund(payment_id: str, order_id: str, amount: str, currency: str, reason: str) -> None:
    """Write a refund to the ledger's event hub, Avro-encoded."""
    record = {
        "refundId": "re_" + uuid.uuid4().hex[:16],
        "paymentId": payment_id,
        "orderId": order_id,
        "amount": {"amount": amount, "currency": currency},
        "partial": False,
        "reason": reason,
        "refundedAt": int(dt.datetime.now(dt.UTC).timestamp() * 1000),
        "initiatedBy": None,
    }
    body = io.BytesIO()
    fastavro.schemaless_writer(body, config.avro_schema("payments.PaymentRefunded"), record)
    event = EventData(body.getvalue())
    event.content_type = f"avro/binary+{config.PAYMENT_REFUNDED_AZURE_SCHEMA_ID}"
    producer = EventHubProducerClient.from_connection_string(
        config.AZURE_CONNECTION, eventhub_name=config.LEDGER_HUB
    )
    with producer:
        batch = producer.create_batch(partition_key=order_id)
        batch.add(event)
        producer.send_batch(batch)
