"""How a backup reports its progress: plain values to a callback, so no terminal is needed.

The terminal's progress bar (``esr export`` and ``esr import``), a log line or an admin
endpoint's status are all one :data:`ProgressCallback` away; the algorithms never know which.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


class Phase(enum.StrEnum):
    """The step of a backup that reports progress."""

    EXPORTING = "exporting"
    IMPORTING = "importing"


@dataclass(frozen=True, slots=True)
class Progress:
    """``done`` of ``total`` items of ``phase`` are finished; ``item`` names the last one.

    Each phase reports once with ``done == 0`` (and an empty ``item``) before its first item,
    then once after every item, so a display can size itself before any work is done.
    """

    phase: Phase
    done: int
    total: int
    item: str = ""


ProgressCallback = Callable[[Progress], None]


def no_progress(_: Progress) -> None:
    """The callback that ignores every report (the default)."""


def tracked(
    items: Sequence[T], phase: Phase, progress: ProgressCallback, name: Callable[[T], str]
) -> Iterator[T]:
    """Yield each item, reporting the phase's start and then each item once it is done."""
    total = len(items)
    progress(Progress(phase, 0, total))
    for done, item in enumerate(items, start=1):
        yield item
        progress(Progress(phase, done, total, name(item)))
