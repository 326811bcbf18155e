"""Orders' Lambda consumers: payment captured (SQS fed by SNS), shipment delivered (SQS)."""

from __future__ import annotations

import json
from typing import Any

# What the handlers did, for the example's own tests (a database in real life).
PAID: dict[str, dict[str, Any]] = {}
DELIVERED: dict[str, str] = {}


def on_payment_captured(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Mark orders paid. The queue is subscribed to the payments topic (not raw delivery)."""
    for record in event["Records"]:
        notification = json.loads(record["body"])
        payment = json.loads(notification["Message"])
        card = payment.get("card")  # optional: only card payments carry it
        PAID[payment["orderId"]] = {
            "paymentId": payment["paymentId"],
            "amount": payment["amount"]["amount"],
            "currency": payment["amount"]["currency"],
            "method": payment["method"],
            "card": f"{card['brand']} ****{card['last4']}" if card else None,
        }
    return {"batchItemFailures": []}


def on_shipment_delivered(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Close orders whose parcel arrived."""
    for record in event["Records"]:
        delivered = json.loads(record["body"])
        DELIVERED[delivered["orderId"]] = delivered.get("signedBy") or "(no signature)"
    return {"batchItemFailures": []}
