"""Drafts from unbound messages (:mod:`registry.contract_testing.discovery`), without pytest."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from registry.contract_testing import CapturedEvent, Transport, load_contracts
from registry.contract_testing.discovery import Discovery, Route
from registry.errors import InvalidInput


def _event(transport: Transport, target: str, payload: object, **meta: str) -> CapturedEvent:
    attributes = {k: v for k, v in meta.items() if k == "eventType"}
    others = {k.replace("_", "-"): v for k, v in meta.items() if k != "eventType"}
    return CapturedEvent(transport, target, "Send", payload, attributes, meta=others)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Order Refunded", "OrderRefunded"),
        ("order.refunded", "OrderRefunded"),
        ("orders-events", "OrdersEvents"),
        ("OrderRefunded", "OrderRefunded"),
        ("2024-report", "Event2024Report"),
        ("---", "Event"),
    ],
)
def test_names_come_from_the_detail_type_attribute_or_target(text: str, name: str) -> None:
    assert Route("sqs", text).name == name
    assert Route("eventbridge", "default", "s", text).name == name


def test_routes_group_by_what_a_binding_would_say() -> None:
    discovery = Discovery("svc")
    arn = "arn:aws:sns:us-east-1:123456789012:events"
    discovery.add(_event(Transport.SNS, arn, {"a": 1}, eventType="A"))
    discovery.add(_event(Transport.SNS, "events", {"a": 2}, eventType="A"))
    discovery.add(_event(Transport.SNS, arn, {"b": 1}))
    bus = {"source": "s", "detail_type": "A", "event_bus": "arn:aws:events:x:1:event-bus/b"}
    discovery.add(_event(Transport.EVENTBRIDGE, "b", {"c": 1}, **bus))

    assert {route: len(samples) for route, samples in discovery.samples.items()} == {
        Route("sns", "events", attribute="eventType", value="A"): 2,
        Route("sns", "events"): 1,
        Route("eventbridge", "b", "s", "A"): 1,
    }
    drafts = {d.subject: d for d in discovery.drafts()}
    # Two routes named A: the second gets a suffix, so the schema files do not collide.
    assert sorted(drafts) == ["svc.A", "svc.A_2", "svc.Events"]
    assert drafts["svc.A"].route.binding("svc.A") == {
        "subject": "svc.A",
        "transport": "eventbridge",
        "source": "s",
        "detail-type": "A",
        "event-bus": "b",
    }


def test_bound_messages_are_ignored_and_dynamodb_numbers_become_json_numbers() -> None:
    discovery = Discovery("svc")
    bound = _event(Transport.SQS, "q", {"x": 1})
    bound.binding = load_contracts(Path(__file__).resolve().parents[3] / "contracts").bindings()[0]
    discovery.add(bound)
    item = {"id": "k", "n": Decimal("3"), "price": Decimal("2.5"), "tags": ["a"]}
    discovery.add(_event(Transport.DYNAMODB, "orders", item))

    [draft] = discovery.drafts()
    assert draft.samples == ({"id": "k", "n": 3, "price": 2.5, "tags": ["a"]},)
    assert draft.schema["properties"]["n"] == {"type": "integer"}
    assert draft.schema["properties"]["price"] == {"type": "number"}


def test_what_a_worker_holds_merges_into_the_controller() -> None:
    worker = Discovery("svc")
    worker.add(_event(Transport.SQS, "q", {"a": 1}))
    worker.add(_event(Transport.KINESIS, "blobs", b"\x00binary"))
    controller = Discovery("svc")
    controller.add(_event(Transport.SQS, "q", {"a": 2, "b": True}))

    controller.merge(json.loads(json.dumps(worker.to_dict())))

    assert len(controller) == 2
    assert controller.skipped == {"stream blobs: the payload is not a JSON object": 1}
    [draft] = controller.drafts()
    assert draft.schema["required"] == ["a"]


def test_write_puts_contract_schema_and_samples_and_leaves_other_files(tmp_path: Path) -> None:
    discovery = Discovery("svc")
    for n in range(3):
        discovery.add(_event(Transport.SQS, "q", {"n": n, "kind": "same"}))
    (tmp_path / "notes.txt").write_text("mine")

    written = discovery.write(tmp_path)

    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        "contracts/svc.yaml",
        "schemas/svc/Q.json",
        "samples/svc/Q.jsonl",
    ]
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert not list(tmp_path.rglob("*.tmp"))
    contract = (tmp_path / "contracts" / "svc.yaml").read_text()
    assert contract.startswith("# Drafted by `pytest --esr-record` from 3 captured message(s)")
    assert yaml.safe_load(contract)["produces"] == [
        {"subject": "svc.Q", "transport": "sqs", "queue": "q"}
    ]
    [contract_file] = load_contracts(tmp_path / "contracts").contracts
    assert contract_file.service == "svc"


def test_nothing_to_draft_writes_nothing_and_a_file_in_the_way_is_an_error(
    tmp_path: Path,
) -> None:
    assert Discovery("svc").write(tmp_path / "none") == []
    assert not (tmp_path / "none").exists()
    discovery = Discovery("svc")
    discovery.add(_event(Transport.SQS, "q", {"n": 1}))
    (tmp_path / "file").write_text("x")
    with pytest.raises(InvalidInput, match="not a directory"):
        discovery.write(tmp_path / "file")
