"""Inventory's consumers: OrderPlaced (EventBridge), reservations (DynamoDB Streams),
failed payments (an Azure Service Bus receiver callback)."""

from __future__ import annotations

import json
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

DEMAND: dict[str, int] = {}
EXPIRING: dict[str, int | None] = {}
RELEASED: list[str] = []

_deserializer = TypeDeserializer()


def on_order_placed(event: dict[str, Any], context: Any) -> None:
    """Count demand per SKU (the rule delivers the EventBridge event itself)."""
    for line in event["detail"]["lines"]:
        DEMAND[line["sku"]] = DEMAND.get(line["sku"], 0) + line["quantity"]


def on_stock_reserved(event: dict[str, Any], context: Any) -> None:
    """Schedule the expiry of new reservations (DynamoDB stream, INSERT records)."""
    for record in event["Records"]:
        if record["eventName"] != "INSERT":
            continue
        image = {k: _deserializer.deserialize(v) for k, v in record["dynamodb"]["NewImage"].items()}
        expires = image.get("expiresAt")  # optional: null means "until paid"
        EXPIRING[image["reservationId"]] = int(expires) if expires is not None else None


def on_payment_failed(message: Any, context: Any = None) -> None:
    """Release the stock of orders whose payment failed for good."""
    failure = json.loads(b"".join(message.body))
    if not failure.get("retryable", False):
        RELEASED.append(failure["orderId"])
