"""Sharing the results of comparisons, so ``$ref`` fan-out costs polynomial, not exponential, time.

Forty ``$defs`` each an ``anyOf`` of two ``$ref`` to the next describe 2**40 paths, but only
forty distinct (writer, reader) pairs. The engine keeps the result of every finished pair and
answers a pair met again from here.

Recursion makes this delicate. The engine proves recursive schemas co-inductively: a pair met
again deeper in the instance is *assumed* to hold while it is being decided. A *proof* that
used such an assumption is only as good as the assumption, so it is kept *conditionally* (it
may be reused while the assumed pair is still being decided) and, when that pair is finally
decided, either kept for good (the pair held: the assumption was true) or dropped (it failed).
Failures are always kept: every rule of the engine stays sound whatever a sub-comparison
answers "incompatible", so reusing a failure can only make an answer more cautious.
Which assumptions a result used is tracked the way Tarjan's algorithm tracks low links: each
comparison in progress has a frame index (its nesting level) and ``low`` is the smallest index
of a frame whose pair an assumption named.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from registry.formats.base import Incompatibility

NO_LOW = 1 << 30


@dataclass(slots=True)
class Frame:
    """Book-keeping of one comparison in progress."""

    index: int
    saved_low: int
    log_start: int


@dataclass
class Memo:
    """Finished comparisons: unconditional ones, and conditional ones with their log."""

    entries: dict[Hashable, tuple[list[Incompatibility], bool, Any]] = field(default_factory=dict)
    log: list[Hashable] = field(default_factory=list)
    low: int = NO_LOW

    def get(self, key: Hashable) -> list[Incompatibility] | None:
        """The remembered result of a pair, if it is still known to hold."""
        entry = self.entries.get(key)
        return None if entry is None else entry[0]

    def assumed(self, index: int) -> None:
        """The running comparison relied on the pair of the frame at ``index``."""
        if index < self.low:
            self.low = index

    def enter(self, index: int) -> Frame:
        """Start the comparison at nesting level ``index``."""
        frame = Frame(index, self.low, len(self.log))
        self.low = NO_LOW
        return frame

    def leave(
        self, frame: Frame, key: Hashable, result: list[Incompatibility], keep_alive: Any
    ) -> None:
        """Finish a comparison: remember its result as far as it is known to hold.

        ``keep_alive`` is held with the entry so that the objects whose ids make up ``key``
        stay alive (and their ids unused) as long as the entry does.
        """
        low, index = self.low, frame.index
        self.low = min(frame.saved_low, low) if low < index else frame.saved_low
        if result:
            # A failure is kept for good: the engine is sound whatever a sub-comparison
            # answers "incompatible", so reusing one elsewhere can only be cautious. What was
            # proved assuming this pair held is dropped.
            self._settle(frame.log_start, held=False)
            self.entries[key] = (result, False, keep_alive)
        elif low >= index:
            # Only frames of this comparison's own subtree were assumed: proved for good.
            self._settle(frame.log_start, held=True)
            self.entries[key] = (result, False, keep_alive)
        else:
            self.entries[key] = (result, True, keep_alive)
            self.log.append(key)

    def _settle(self, start: int, *, held: bool) -> None:
        for key in self.log[start:]:
            entry = self.entries.get(key)
            if entry is None or not entry[1]:
                continue
            if held:
                self.entries[key] = (entry[0], False, entry[2])
            else:
                del self.entries[key]
        del self.log[start:]
