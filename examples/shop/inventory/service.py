"""Inventory: reservations in DynamoDB (a stream feeds expiry), stock levels on Azure Event Hubs."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import boto3
from azure.eventhub import EventData, EventHubProducerClient

from examples.shop import config

dynamodb = boto3.resource("dynamodb", region_name=config.REGION)
reservations = dynamodb.Table(config.RESERVATIONS_TABLE)


def reserve(order_id: str, lines: list[dict[str, Any]], hold_minutes: int = 30) -> str:
    """Hold stock for an order (the item is the StockReserved event)."""
    now = dt.datetime.now(dt.UTC)
    reservation_id = "res_" + uuid.uuid4().hex[:12]
    reservations.put_item(
        Item={
            "reservationId": reservation_id,
            "orderId": order_id,
            "warehouse": "AMS-1",
            "lines": [{"sku": line["sku"], "quantity": line["quantity"]} for line in lines],
            "reservedAt": int(now.timestamp() * 1000),
            "expiresAt": int((now + dt.timedelta(minutes=hold_minutes)).timestamp() * 1000),
        }
    )
    return reservation_id


def publish_levels(changes: list[dict[str, Any]]) -> None:
    """Publish stock level changes to the levels hub, one batch, JSON bodies."""
    producer = EventHubProducerClient.from_connection_string(
        config.AZURE_CONNECTION, eventhub_name=config.LEVELS_HUB
    )
    with producer:
        batch = producer.create_batch()
        for change in changes:
            event = EventData(json.dumps(change))
            event.content_type = "application/json"
            event.properties = {"sku": change["sku"]}
            batch.add(event)
        producer.send_batch(batch)
