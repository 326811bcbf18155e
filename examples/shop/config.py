"""Settings shared by the example services, read from the environment as a Lambda would."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

REGION = os.environ.get("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
ACCOUNT = os.environ.get("SHOP_ACCOUNT_ID", "123456789012")
EVENT_BUS = os.environ.get("SHOP_EVENT_BUS", "default")
ORDERS_TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:orders-events"
PAYMENTS_TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:payments-events"
CANCELLATIONS_STREAM = "order-cancellations"
DELIVERED_QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/shipment-delivered"
DISPATCH_STATE_MACHINE_ARN = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:dispatch-shipment"
RESERVATIONS_TABLE = "stock-reservations"

# Azure: a connection string of the right shape; nothing connects while contract tests capture.
AZURE_CONNECTION = os.environ.get(
    "SHOP_AZURE_CONNECTION",
    "Endpoint=sb://shop-example.servicebus.windows.net/;"
    "SharedAccessKeyName=send;SharedAccessKey=bm90LWEtcmVhbC1rZXk=",
)
LEDGER_HUB = "payments-ledger"
LEVELS_HUB = "inventory-levels"
FAILURES_QUEUE = "payment-failures"

# Ids the schemas were registered under (Confluent-compatible registry, Azure Schema Registry).
ORDER_CANCELLED_SCHEMA_ID = int(os.environ.get("SHOP_ORDER_CANCELLED_SCHEMA_ID", "7"))
PAYMENT_REFUNDED_AZURE_SCHEMA_ID = os.environ.get(
    "SHOP_PAYMENT_REFUNDED_SCHEMA_ID", "8e3b2c4f1d5a4b6c9e7f0a1b2c3d4e5f"
)

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


@cache
def avro_schema(subject: str) -> Any:
    """The parsed (fastavro) schema of an Avro subject of the catalogue."""
    import fastavro

    path = SCHEMAS.joinpath(*subject.split(".")).with_suffix(".avsc")
    return fastavro.parse_schema(json.loads(path.read_text(encoding="utf-8")))
