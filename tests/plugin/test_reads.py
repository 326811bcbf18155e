"""What a consumer reads: the read sets recorded for the example shop's consumers, per transport.

Each test runs one handler of ``examples/shop`` (or a small one of its own) through
``verify_consumer`` over the repository's contracts and schemas, and compares the JSON pointers
recorded with what the handler's code reads.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter

from examples.shop.inventory import handlers as inventory
from examples.shop.orders import handlers as orders
from examples.shop.payments import handlers as payments
from examples.shop.shipping import handlers as shipping
from registry.contract_testing import (
    ContractSet,
    EventContracts,
    LocalTreeSource,
    Report,
    load_contracts,
    parse_contract,
)
from registry.contract_testing.model import Transport
from registry.contract_testing.pointers import untouched
from registry.contract_testing.reads import Recorder, observe, track
from registry.errors import InvalidInput
from registry.reads.pointers import pointer_error

ROOT = Path(__file__).resolve().parents[2]


class _Payment(BaseModel):
    orderId: str


def _reads(
    handler: Callable[[Any, Any], Any],
    subject: str,
    service: str,
    contracts: ContractSet | None = None,
) -> tuple[list[str], list[str]]:
    """The read set (pointers, and those read whole) recorded for one consumer binding."""
    contracts = contracts or load_contracts(ROOT / "contracts")
    report = Report(contracts, "local:schemas")
    engine = EventContracts(contracts, LocalTreeSource(ROOT / "schemas"), report=report)
    engine.verify_consumer(handler, subject, 20, service=service)
    (entry,) = [
        e
        for e in report.to_dict()["contracts"]
        if e["service"] == service and e["subject"] == subject and e["role"] == "consumes"
    ]
    return entry["reads"], entry["reads_whole"]


def _kinesis_contract(tmp_path: Path) -> ContractSet:
    text = (
        "service: audit\nconsumes:\n"
        "  - subject: orders.OrderShipped\n    transport: kinesis\n    stream: shipped\n"
        "    encoding: json\n"
    )
    return ContractSet((parse_contract(text, tmp_path / "audit.yaml"),))


def test_sqs_string_body() -> None:
    assert _reads(orders.on_shipment_delivered, "shipping.ShipmentDelivered", "orders") == (
        ["/orderId", "/signedBy"],
        [],
    )


def test_sns_notification_in_an_sqs_body() -> None:
    # An optional object (card) absent in some examples is refined by the others.
    assert _reads(orders.on_payment_captured, "payments.PaymentCaptured", "orders") == (
        [
            "/amount/amount",
            "/amount/currency",
            "/card/brand",
            "/card/last4",
            "/method",
            "/orderId",
            "/paymentId",
        ],
        [],
    )


def test_sns_message() -> None:
    assert _reads(shipping.on_order_shipped, "orders.OrderShipped", "shipping") == (
        ["/orderId", "/parcels/*/trackingNumber"],
        [],
    )


def test_eventbridge_detail() -> None:
    assert _reads(inventory.on_order_placed, "orders.OrderPlaced", "inventory") == (
        ["/lines/*/quantity", "/lines/*/sku"],
        [],
    )


def test_eventbridge_event_in_an_sqs_body() -> None:
    assert _reads(payments.on_order_placed, "orders.OrderPlaced", "payments") == (
        ["/couponCode", "/customerId", "/orderId", "/total/amount", "/total/currency"],
        [],
    )


def test_kinesis_json_data(tmp_path: Path) -> None:
    def handler(event: Any, context: Any) -> None:
        for record in event["Records"]:
            shipped = json.loads(base64.b64decode(record["kinesis"]["data"]))
            assert isinstance(shipped["orderId"], str)
            assert len(shipped["parcels"]) >= 0

    found = _reads(handler, "orders.OrderShipped", "audit", _kinesis_contract(tmp_path))
    assert found == (["/orderId", "/parcels"], ["/parcels"])


def test_service_bus_body() -> None:
    assert _reads(inventory.on_payment_failed, "payments.PaymentFailed", "inventory") == (
        ["/orderId", "/retryable"],
        [],
    )


def test_api_gateway_body() -> None:
    assert _reads(shipping.carrier_webhook, "shipping.ShipmentDelivered", "shipping") == (
        ["/location", "/shipmentId"],
        [],
    )


@pytest.mark.parametrize(
    ("handler", "subject", "service"),
    [
        (payments.on_order_cancelled, "orders.OrderCancelled", "payments"),  # Avro on Kinesis
        (inventory.on_stock_reserved, "inventory.StockReserved", "inventory"),  # DynamoDB JSON
    ],
    ids=["avro", "dynamodb"],
)
def test_a_payload_never_seen_through_a_proxy_reads_everything(
    handler: Callable[[Any, Any], Any], subject: str, service: str
) -> None:
    assert _reads(handler, subject, service) == ([""], [""])


@pytest.mark.parametrize(
    ("reads", "expected"),
    [
        (lambda o: dict(o["amount"]), ["/amount"]),
        (lambda o: {**o["amount"]}, ["/amount"]),
        (lambda o: copy.deepcopy(o["amount"]), ["/amount"]),
        (lambda o: copy.copy(o["amount"]), ["/amount"]),
        (lambda o: json.dumps(o["amount"]), ["/amount"]),
        (lambda o: repr(o["amount"]), ["/amount"]),
        (lambda o: list(o["amount"].items()), ["/amount"]),
        (lambda o: json.dumps(o), [""]),
        (lambda o: dict(o), [""]),
        (lambda o: o["amount"], ["/amount"]),  # reached, never looked inside: native code
        (lambda o: TypeAdapter(dict[str, Any]).validate_python(o["amount"]), ["/amount"]),
        (lambda o: _Payment.model_validate(o), [""]),
    ],
    ids=[
        "dict",
        "unpack",
        "deepcopy",
        "copy",
        "dumps",
        "repr",
        "items",
        "dumps-all",
        "dict-all",
        "unopened",
        "type-adapter",
        "model-validate",
    ],
)
def test_copying_or_serializing_reads_the_whole_subtree(
    reads: Callable[[Any], Any], expected: list[str]
) -> None:
    def handler(event: Any, context: Any) -> None:
        for record in event["Records"]:
            payment = json.loads(json.loads(record["body"])["Message"])
            payment.get("orderId")
            reads(payment)

    pointers, whole = _reads(handler, "payments.PaymentCaptured", "orders")
    assert whole == expected
    assert pointers == (expected if expected == [""] else sorted([*expected, "/orderId"]))


def test_lookups_membership_length_and_iteration_are_pointers() -> None:
    recorder = Recorder()
    recorder.reached = True
    event = track(
        {"a": {"b": 1, "c": 2}, "items": [{"sku": "x"}, {"sku": "y"}], "d~/e": 3},
        "",
        recorder,
    )
    assert event["a"]["b"] == 1
    assert "zz" not in event
    assert event.get("missing") is None
    assert [item["sku"] for item in event["items"]] == ["x", "y"]
    assert event["d~/e"] == 3
    assert event["items"][0]["sku"] == "x"
    found = recorder.reads()
    assert found.pointers == ["/a/b", "/d~0~1e", "/items/*/sku", "/missing", "/zz"]
    assert found.whole == []


def test_other_json_text_loads_as_usual() -> None:
    payload = {"orderId": "o-1"}
    body = '{"orderId":"o-1"}'  # the text the envelope carries
    with observe(payload, {"body": body}, Transport.SQS) as (recorder, event):
        assert type(json.loads('{"orderId": "o-2"}')) is dict
        assert type(json.loads('{"orderId": "o-1"}')) is dict  # not the delivered text
        assert type(json.loads(event["body"])) is not dict  # the payload itself: tracked
    assert type(json.loads(body)) is dict
    assert recorder.reads().pointers == [""]  # loaded, never looked inside: read whole


def test_declared_reads_are_parsed_and_checked(tmp_path: Path) -> None:
    text = (
        "service: audit\nconsumes:\n  - subject: orders.OrderShipped\n    transport: sns\n"
        "    reads: [/orderId, /parcels/*/trackingNumber]\n"
    )
    (binding,) = parse_contract(text, Path("contracts/audit.yaml")).consumes
    assert binding.reads == ("/orderId", "/parcels/*/trackingNumber")


@pytest.mark.parametrize(
    ("reads", "line", "message"),
    [
        ("[orderId]", 5, "must be empty or start with '/'"),
        ("\n      - /ok\n      - /bad~2", 7, "'~' must be followed by 0 or 1"),
        ("/orderId", 5, "must be a list"),
        ("[[/a]]", 5, "must be a single value"),
    ],
    ids=["relative", "tilde", "not-a-list", "nested"],
)
def test_a_malformed_read_pointer_is_a_load_error_with_its_line(
    reads: str, line: int, message: str
) -> None:
    text = (
        "service: audit\nconsumes:\n  - subject: orders.OrderShipped\n    transport: sns\n"
        f"    reads: {reads}\n"
    )
    with pytest.raises(InvalidInput) as raised:
        parse_contract(text, Path("contracts/audit.yaml"))
    assert raised.value.message.startswith(f"contracts/audit.yaml:{line}: ")
    assert message in raised.value.message


def test_producers_cannot_declare_reads() -> None:
    text = (
        "service: audit\nproduces:\n  - subject: orders.OrderShipped\n    transport: sns\n"
        "    topic: t\n    reads: [/orderId]\n"
    )
    with pytest.raises(InvalidInput, match=r"audit.yaml:6: unknown key 'reads'"):
        parse_contract(text, Path("contracts/audit.yaml"))


def test_pointer_rules() -> None:
    assert pointer_error("") is None
    assert pointer_error("/a~0b~1c/*/0") is None
    assert pointer_error(3) is not None
    assert untouched(["/orderId", "/parcels/*/weight", "/parcels/0/id"], ["/parcels"]) == [
        "/orderId"
    ]
    assert untouched(["/parcels/*/id"], ["/parcels/*/id/x"]) == []
    assert untouched(["/a"], [""]) == []


def test_loads_with_options_is_tracked_and_keeps_them() -> None:
    def handler(event: Any, context: Any) -> None:
        for record in event["Records"]:
            delivered = json.loads(record["body"], parse_float=Decimal)
            assert delivered["orderId"]

    assert _reads(handler, "shipping.ShipmentDelivered", "orders") == (["/orderId"], [])

    payload = {"amount": 1.5}
    with observe(payload, {"body": '{"amount":1.5}'}, Transport.SQS) as (recorder, event):
        loaded = json.loads(event["body"], parse_float=Decimal)
        assert loaded["amount"] == Decimal("1.5")
        assert isinstance(loaded["amount"], Decimal)
    assert recorder.reads().pointers == ["/amount"]


def test_mutating_reads_are_recorded_too() -> None:
    recorder = Recorder()
    recorder.reached = True
    event = track({"a": 1, "b": 2, "items": [3, 1, 2], "more": [1]}, "", recorder)
    assert event.pop("a") == 1
    assert event.setdefault("c", 5) == 5
    event["items"].sort()
    assert event["more"].pop() == 1
    assert recorder.reads().pointers == ["/a", "/c", "/items", "/more/*"]
