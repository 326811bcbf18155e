"""Orders: publishes OrderPlaced (EventBridge), OrderShipped (SNS), OrderCancelled (Kinesis)."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from decimal import Decimal
from typing import Any

import boto3
import fastavro

from examples.shop import config

# Created once per container, at import time, as Lambda functions do.
events = boto3.client("events", region_name=config.REGION)
sns = boto3.client("sns", region_name=config.REGION)
kinesis = boto3.client("kinesis", region_name=config.REGION)


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": f"{amount:.2f}", "currency": currency}


def place_order(customer_id: str, lines: list[dict[str, Any]], address: dict[str, str]) -> str:
    """Check out a basket: the order is announced on the shop's event bus."""
    order_id = str(uuid.uuid4())
    currency = lines[0]["currency"]
    total = sum((Decimal(line["price"]) * line["quantity"] for line in lines), Decimal(0))
    detail = {
        "orderId": order_id,
        "customerId": customer_id,
        "placedAt": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
        "channel": "web",
        "lines": [
            {
                "sku": line["sku"],
                "quantity": line["quantity"],
                "unitPrice": _money(Decimal(line["price"]), currency),
            }
            for line in lines
        ],
        "total": _money(total, currency),
        "shippingAddress": address,
    }
    response = events.put_events(
        Entries=[
            {
                "Source": "shop.orders",
                "DetailType": "OrderPlaced",
                "Detail": json.dumps(detail),
                "EventBusName": config.EVENT_BUS,
            }
        ]
    )
    if response["FailedEntryCount"]:
        raise RuntimeError(f"EventBridge refused the event: {response['Entries']}")
    return order_id


def mark_shipped(order_id: str, parcels: list[dict[str, str]]) -> str:
    """Tell subscribers an order left the warehouse; returns the SNS message id."""
    message = {
        "orderId": order_id,
        "shippedAt": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
        "parcels": parcels,
    }
    response = sns.publish(
        TopicArn=config.ORDERS_TOPIC_ARN,
        Message=json.dumps(message),
        MessageAttributes={"eventType": {"DataType": "String", "StringValue": "OrderShipped"}},
    )
    return str(response["MessageId"])


def cancel_order(order_id: str, reason: str, cancelled_by: str, note: str | None = None) -> str:
    """Record a cancellation on the Kinesis stream, Avro in the Confluent wire format."""
    record = {
        "orderId": order_id,
        "cancelledAt": int(dt.datetime.now(dt.UTC).timestamp() * 1000),
        "reason": reason,
        "cancelledBy": cancelled_by,
        "note": note,
        "refund": None,
    }
    body = io.BytesIO()
    fastavro.schemaless_writer(body, config.avro_schema("orders.OrderCancelled"), record)
    header = b"\x00" + config.ORDER_CANCELLED_SCHEMA_ID.to_bytes(4, "big")
    response = kinesis.put_record(
        StreamName=config.CANCELLATIONS_STREAM, Data=header + body.getvalue(), PartitionKey=order_id
    )
    return str(response["SequenceNumber"])
