"""Shipping's consumers: OrderShipped (SNS), the carrier's delivery webhook (API Gateway)."""

from __future__ import annotations

import json
from typing import Any

TRACKING: dict[str, list[str]] = {}


def on_order_shipped(event: dict[str, Any], context: Any) -> None:
    """Start tracking every parcel of a shipped order."""
    for record in event["Records"]:
        shipped = json.loads(record["Sns"]["Message"])
        numbers = [parcel["trackingNumber"] for parcel in shipped["parcels"]]
        TRACKING.setdefault(shipped["orderId"], []).extend(numbers)


def carrier_webhook(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Accept a carrier's delivery callback (API Gateway REST proxy integration)."""
    notice = json.loads(event["body"] or "{}")
    location = notice.get("location", "unknown")  # optional
    body = {"shipmentId": notice["shipmentId"], "accepted": True, "location": location}
    return {
        "statusCode": 202,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }
