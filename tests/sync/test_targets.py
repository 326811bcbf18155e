"""Sync to each target over real HTTP with the real SDK clients (emulators, moto for Glue)."""

from __future__ import annotations

import json
import re

import pytest

from registry.domain import SchemaType
from registry.errors import TargetThrottled, TargetUnreachable
from registry.sync.base import DriftKind, Outcome, SyncState, canonical_json
from registry.sync.runner import RetryPolicy, run_check, run_sync, sync_subject
from tests.sync.conftest import NO_WAIT, Harness, MemorySource, catalogue_source

NAME_RULES = {
    "eventbridge": r"[A-Za-z0-9@._-]{1,256}",
    "azure": r"[A-Za-z0-9][^\\/$:]{0,49}",
    "glue": r"[a-zA-Z0-9_$#.-]{1,255}",
}


def _desired(harness: Harness, source: MemorySource, subject: str) -> list[str]:
    target = harness.build()
    return [canonical_json(target.convert(v).content) for v in source.versions(subject)]


def _stored(harness: Harness, name: str) -> list[str]:
    return [canonical_json(text) for text in harness.stored(name)]


def _writes(harness: Harness) -> int:
    return sum(harness.faults.is_write(r) for r in harness.faults.requests if r.method != "GET")


def test_catalogue_goes_in_version_order_and_a_second_run_changes_nothing(
    harness: Harness,
) -> None:
    source = catalogue_source()
    target = harness.build()

    first = run_sync(target, source, retry=NO_WAIT)

    assert first.ok, [r.as_dict() for r in first.results if r.outcome is not Outcome.CREATED]
    assert {r.outcome for r in first.results} == {Outcome.CREATED}
    assert len(first.results) == len(source.subjects()) >= 10
    for result in first.results:
        assert result.pushed == [1, 2]
        assert _stored(harness, result.remote_name) == _desired(harness, source, result.subject)
        assert result.last_synced_version == 2
    writes_before = _writes(harness)

    second = run_sync(harness.build(), source, retry=NO_WAIT)

    assert {r.outcome for r in second.results} == {Outcome.UNCHANGED}
    assert _writes(harness) == writes_before
    assert run_check(harness.build(), source).in_step


def test_check_finds_versions_added_on_the_target_changed_there_and_missing_there(
    harness: Harness,
) -> None:
    source = catalogue_source()
    run_sync(harness.build(), source, retry=NO_WAIT)
    subject = "orders.OrderShipped"
    name = harness.build().remote_name(subject)
    harness.tamper(name, json.dumps({"type": "object", "title": "added on the target"}))
    writes_before = _writes(harness)

    added = run_check(harness.build(), source)

    assert [(d.kind, d.subject, d.remote_label) for d in added.drifts] == [
        (DriftKind.UNKNOWN, subject, "3")
    ]
    source.add(subject, json.dumps({"type": "object", "title": "v3"}), SchemaType.JSON)
    source.add(subject, json.dumps({"type": "object", "title": "v4"}), SchemaType.JSON)

    report = run_check(harness.build(), source)

    found = [(d.kind, d.subject, d.version, d.remote_label) for d in report.drifts]
    assert found == [
        (DriftKind.DIFFERENT, subject, 3, "3"),
        (DriftKind.MISSING, subject, 4, None),
    ]
    assert not report.in_step
    assert _writes(harness) == writes_before
    assert report.as_dict()["drift"][0]["remote_name"] == name


def test_throttled_calls_are_retried_with_exponential_backoff(harness: Harness) -> None:
    source = catalogue_source()
    sleeps: list[float] = []
    policy = RetryPolicy(attempts=5, base_delay=0.25, sleep=sleeps.append)
    harness.faults.throttle(3)

    report = run_sync(harness.build(), source, prefix="orders.", retry=policy)

    assert report.ok
    assert sleeps == [0.25, 0.5, 1.0]
    assert {r.outcome for r in report.results} == {Outcome.CREATED}


def test_throttling_beyond_the_retry_budget_fails_the_subject_and_a_later_try_succeeds(
    harness: Harness,
) -> None:
    source = catalogue_source()
    target = harness.build()
    target.ensure_ready(create=True)
    subject = source.subjects()[0]
    two_tries = RetryPolicy(attempts=2, base_delay=0, sleep=lambda _: None)
    harness.faults.throttle(2)

    failed = sync_subject(target, source, subject, retry=two_tries)

    assert failed.outcome is Outcome.FAILED
    assert "throttled" in failed.reason
    assert failed.calls == 2
    assert sync_subject(target, source, subject, retry=two_tries).outcome is Outcome.CREATED
    harness.faults.throttle(2)
    with pytest.raises(TargetThrottled):
        run_sync(target, source, retry=two_tries)


def test_target_going_down_stops_the_run_and_the_next_run_catches_up(harness: Harness) -> None:
    source = catalogue_source()
    seen: list[str] = []

    def go_down_after_first(result: object) -> None:
        seen.append(str(result))
        if len(seen) == 1:
            harness.faults.stop()

    report = run_sync(harness.build(), source, retry=NO_WAIT, progress=go_down_after_first)

    assert not report.ok
    assert report.stopped is not None
    assert report.results[0].outcome is Outcome.CREATED
    assert report.results[1].unreachable
    assert {r.reason for r in report.results[2:]} == {"not attempted"}
    with pytest.raises(TargetUnreachable):
        run_sync(harness.build(), source, retry=NO_WAIT)

    harness.faults.start()
    again = run_sync(harness.build(), source, retry=NO_WAIT)

    assert again.ok
    assert again.results[0].outcome is Outcome.UNCHANGED
    assert {r.outcome for r in again.results[1:]} == {Outcome.CREATED}


WRITES_BEFORE_FIRST_SUBJECT_V2 = {"eventbridge": 2, "glue": 2, "azure": 1}


def test_an_outage_in_the_middle_of_a_subject_keeps_what_was_pushed(harness: Harness) -> None:
    source = catalogue_source()
    harness.faults.drop_writes_after(WRITES_BEFORE_FIRST_SUBJECT_V2[harness.kind])

    report = run_sync(harness.build(), source, retry=NO_WAIT)

    first = report.results[0]
    assert (first.outcome, first.unreachable, first.pushed) == (Outcome.FAILED, True, [1])
    assert first.last_synced_version == 1
    assert first.reason.startswith("version 2: ") and first.reason.endswith(
        "after pushing version 1"
    )
    assert report.stopped == first.reason
    harness.faults.drop_writes_after(None)
    assert run_sync(harness.build(), source, retry=NO_WAIT).ok


def test_partial_failure_halfway_keeps_what_was_pushed_and_a_rerun_completes(
    harness: Harness,
) -> None:
    source = catalogue_source()
    harness.faults.fail_writes_after(4)
    states = {s: SyncState(harness.kind, s) for s in source.subjects()}

    broken = run_sync(harness.build(), source, retry=NO_WAIT)
    for result in broken.results:
        states[result.subject].record(result)

    assert not broken.ok
    failed = [r for r in broken.results if r.outcome is Outcome.FAILED]
    assert failed and all("Injected failure" in r.reason for r in failed)
    assert any(r.outcome is Outcome.CREATED for r in broken.results)
    for result in broken.results:  # what is on the target is a prefix of the history
        stored = _stored(harness, result.remote_name)
        assert stored == _desired(harness, source, result.subject)[: len(stored)]
    assert all(states[r.subject].attempts == 1 for r in failed)

    harness.faults.fail_writes_after(None)
    healed = run_sync(harness.build(), source, retry=NO_WAIT)
    for result in healed.results:
        states[result.subject].record(result)

    assert healed.ok
    assert {r.subject for r in healed.results if r.outcome is not Outcome.UNCHANGED} == {
        r.subject for r in failed
    }
    assert all(s.attempts == 0 and s.last_error is None for s in states.values())
    assert {s.last_synced_version for s in states.values()} == {2}
    assert run_check(harness.build(), source).in_step


def test_dry_run_writes_nothing_and_says_what_it_would_push(harness: Harness) -> None:
    source = catalogue_source()

    report = run_sync(harness.build(), source, dry_run=True, retry=NO_WAIT)

    assert {r.outcome for r in report.results} == {Outcome.CREATED}
    assert {r.reason for r in report.results} == {"would push versions 1, 2"}
    assert _writes(harness) == 0


def test_subject_names_are_sanitized_to_the_target_rules_and_recorded(harness: Harness) -> None:
    source = MemorySource()
    subject = "team a/orders:Order Created$" + "x" * 300
    source.add(subject, json.dumps({"type": "object"}), SchemaType.JSON)

    report = run_sync(harness.build(), source, retry=NO_WAIT)

    result = report.results[0]
    assert result.outcome is Outcome.CREATED, result.reason
    assert re.fullmatch(NAME_RULES[harness.kind], result.remote_name)
    assert _stored(harness, result.remote_name)
    assert run_check(harness.build(), source).in_step
