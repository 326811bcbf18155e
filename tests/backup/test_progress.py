"""Progress reports: a phase's start, then each item once the work on it is done."""

from __future__ import annotations

from registry.backup.progress import Phase, Progress, no_progress, tracked


def test_tracked_reports_the_start_then_each_item_after_its_work() -> None:
    log: list[object] = []

    for item in tracked(["a", "b"], Phase.IMPORTING, log.append, str.upper):
        log.append(f"work on {item}")

    assert log == [
        Progress(Phase.IMPORTING, 0, 2),
        "work on a",
        Progress(Phase.IMPORTING, 1, 2, "A"),
        "work on b",
        Progress(Phase.IMPORTING, 2, 2, "B"),
    ]


def test_nothing_to_do_is_still_reported_once() -> None:
    log: list[Progress] = []

    assert list(tracked([], Phase.EXPORTING, log.append, str)) == []
    assert log == [Progress(Phase.EXPORTING, 0, 0)]


def test_the_default_callback_takes_any_report() -> None:
    assert list(tracked([1], Phase.EXPORTING, no_progress, str)) == [1]
