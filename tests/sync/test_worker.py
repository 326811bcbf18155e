"""Background sync: registrations queue work, outages are retried with backoff and caught up."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from registry.domain import SchemaType
from registry.sync.base import Outcome, SubjectResult, SyncState
from registry.sync.eventbridge import EventBridgeOptions, EventBridgeTarget
from registry.sync.runner import backoff_delay
from registry.sync.worker import MemoryStateStore, SyncWorker
from tests.support.polling import wait_for
from tests.sync.conftest import NO_WAIT, MemorySource
from tests.sync.emulators.eventbridge import EventBridgeSchemasEmulator


def schema(title: str) -> str:
    """A small JSON Schema."""
    return json.dumps({"type": "object", "title": title})


@pytest.fixture
def worker(
    eventbridge: EventBridgeSchemasEmulator,
) -> Iterator[tuple[SyncWorker, MemorySource]]:
    """A started worker syncing a memory source to the EventBridge emulator."""
    source = MemorySource()
    target = EventBridgeTarget(EventBridgeOptions("shop", "us-east-1", eventbridge.endpoint_url))
    sync = SyncWorker(
        {"eventbridge": target}, source, base_delay=0.05, max_delay=0.2, retry=NO_WAIT
    )
    sync.start()
    yield sync, source
    sync.stop()


def test_a_registration_is_pushed_in_the_background(
    worker: tuple[SyncWorker, MemorySource], eventbridge: EventBridgeSchemasEmulator
) -> None:
    sync, source = worker
    source.add("orders.A", schema("a1"), SchemaType.JSON)
    source.add("orders.A", schema("a2"), SchemaType.JSON)

    sync.notify("orders.A")

    assert sync.wait_idle(10)
    assert [json.loads(c)["title"] for c in eventbridge.contents("shop", "orders.A")] == [
        "a1",
        "a2",
    ]
    assert sync.states() == [SyncState("eventbridge", "orders.A", 2, None, 0)]


def test_an_outage_is_retried_with_backoff_and_caught_up_when_the_target_returns(
    worker: tuple[SyncWorker, MemorySource], eventbridge: EventBridgeSchemasEmulator
) -> None:
    sync, source = worker
    source.add("orders.A", schema("a1"), SchemaType.JSON)
    sync.notify("orders.A")
    assert sync.wait_idle(10)
    eventbridge.stop()

    source.add("orders.A", schema("a2"), SchemaType.JSON)
    source.add("orders.B", schema("b1"), SchemaType.JSON)
    sync.notify("orders.A")
    sync.notify("orders.B")
    wait_for(lambda: [s.attempts >= 2 for s in sync.states()] == [True, True])

    during = {s.subject: s for s in sync.states()}
    assert during["orders.A"].last_synced_version == 1
    assert "Could not connect" in (during["orders.A"].last_error or "")
    assert during["orders.B"].last_synced_version is None
    assert set(sync.pending()) == {("eventbridge", "orders.A"), ("eventbridge", "orders.B")}

    eventbridge.start()
    wait_for(lambda: not sync.pending() and all(s.attempts == 0 for s in sync.states()))

    assert {s.subject: (s.last_synced_version, s.last_error) for s in sync.states()} == {
        "orders.A": (2, None),
        "orders.B": (1, None),
    }
    assert len(eventbridge.contents("shop", "orders.A")) == 2


def test_run_all_pushes_everything_and_records_each_subject(
    worker: tuple[SyncWorker, MemorySource],
) -> None:
    sync, source = worker
    for name in ("a", "b", "c"):
        source.add(f"s.{name}", schema(name), SchemaType.JSON)
    source.add("s.avro", '{"type": "string"}', SchemaType.AVRO)

    report = sync.run_all("eventbridge")

    assert report.ok
    states = {s.subject: s for s in sync.states()}
    assert {k: v.last_synced_version for k, v in states.items()} == {
        "s.a": 1, "s.b": 1, "s.c": 1, "s.avro": None,
    }  # fmt: skip
    assert "Avro is not supported" in (states["s.avro"].last_error or "")


def test_sync_state_counts_consecutive_failures_and_clears_on_success() -> None:
    state = SyncState("glue", "s")

    state.record(SubjectResult("s", "s", Outcome.FAILED, "boom"))
    state.record(SubjectResult("s", "s", Outcome.FAILED, "boom again"))

    assert (state.attempts, state.last_error, state.last_synced_version) == (2, "boom again", None)
    state.record(SubjectResult("s", "s", Outcome.CREATED, last_synced_version=3))
    assert (state.attempts, state.last_error, state.last_synced_version) == (0, None, 3)


@pytest.mark.parametrize(
    ("attempt", "expected"), [(1, 0.5), (2, 1.0), (3, 2.0), (10, 256.0), (11, 300.0)]
)
def test_backoff_doubles_from_the_base_up_to_the_cap(attempt: int, expected: float) -> None:
    assert backoff_delay(attempt, base=0.5, cap=300.0) == expected


def test_memory_store_hands_out_copies() -> None:
    store = MemoryStateStore()
    state = store.load("t", "s")
    state.attempts = 5

    assert store.load("t", "s").attempts == 0
    store.save(state)
    assert store.load("t", "s").attempts == 5
