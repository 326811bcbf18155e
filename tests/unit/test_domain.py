"""Domain rules with one home: the versions a compatibility level judges against."""

from __future__ import annotations

import pytest

from registry.domain import CompatibilityLevel

L = CompatibilityLevel


@pytest.mark.parametrize("level", list(L))
def test_transitive_levels_pick_every_version_the_others_the_latest(level: L) -> None:
    expected = [1, 2, 3] if level.transitive else [3]
    assert level.pick_versions([1, 2, 3]) == expected
    assert level.pick_versions([]) == []


def test_only_transitive_levels_load_the_whole_history() -> None:
    def every() -> list[int]:
        raise AssertionError("a single level must not read every version")

    assert L.BACKWARD.versions_to_check(every, lambda: 7) == [7]
    assert L.FULL.versions_to_check(every, lambda: None) == []
    assert L.FORWARD_TRANSITIVE.versions_to_check(lambda: [1, 2], lambda: 0) == [1, 2]
