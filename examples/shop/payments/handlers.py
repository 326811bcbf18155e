"""Payments' consumers: OrderPlaced (SQS fed by an EventBridge rule), OrderCancelled (Kinesis)."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import fastavro

from examples.shop import config

PENDING: dict[str, dict[str, str]] = {}
CANCELLED: dict[str, str] = {}


def on_order_placed(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Open a payment intent for each new order."""
    for record in event["Records"]:
        order = json.loads(record["body"])["detail"]
        coupon = order.get("couponCode")  # optional
        PENDING[order["orderId"]] = {
            "customer": order["customerId"],
            "amount": order["total"]["amount"],
            "currency": order["total"]["currency"],
            "coupon": coupon or "",
        }
    return {"batchItemFailures": []}


def on_order_cancelled(event: dict[str, Any], context: Any) -> None:
    """Void the payment intent of cancelled orders (Avro records, Confluent wire format)."""
    for record in event["Records"]:
        data = base64.b64decode(record["kinesis"]["data"])
        if data[:1] != b"\x00":
            raise ValueError("not in the Confluent wire format")
        cancelled = fastavro.schemaless_reader(
            io.BytesIO(data[5:]), config.avro_schema("orders.OrderCancelled")
        )
        PENDING.pop(cancelled["orderId"], None)
        CANCELLED[cancelled["orderId"]] = cancelled["reason"]
