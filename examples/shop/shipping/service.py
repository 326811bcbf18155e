"""Shipping: starts the dispatch workflow (Step Functions), reports deliveries (SQS)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import boto3

from examples.shop import config

sfn = boto3.client("stepfunctions", region_name=config.REGION)
sqs = boto3.client("sqs", region_name=config.REGION)


def dispatch(
    shipment_id: str, order_id: str, destination: dict[str, Any], items: list[dict[str, Any]]
) -> str:
    """Start the dispatch workflow for a parcel; returns the execution ARN."""
    parcel = {
        "shipmentId": shipment_id,
        "orderId": order_id,
        "carrier": "DHL",
        "trackingNumber": "JD0146" + shipment_id[-8:].upper(),
        "dispatchedAt": int(dt.datetime.now(dt.UTC).timestamp() * 1000),
        "warehouse": "AMS-1",
        "weightGrams": 250 * sum(item["quantity"] for item in items),
        "destination": {"line2": None, **destination},
        "items": items,
    }
    response = sfn.start_execution(
        stateMachineArn=config.DISPATCH_STATE_MACHINE_ARN,
        name=f"dispatch-{shipment_id}",
        input=json.dumps(parcel),
    )
    return str(response["executionArn"])


def delivered(shipment_id: str, order_id: str, carrier: str, signed_by: str | None) -> None:
    """Queue the delivery notice for the orders service."""
    notice: dict[str, Any] = {
        "shipmentId": shipment_id,
        "orderId": order_id,
        "deliveredAt": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
        "carrier": carrier,
    }
    if signed_by:
        notice["signedBy"] = signed_by
    sqs.send_message(QueueUrl=config.DELIVERED_QUEUE_URL, MessageBody=json.dumps(notice))
