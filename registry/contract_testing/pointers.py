"""Read sets as JSON pointers: their syntax, their meaning, and how two of them combine.

A consumer's read set is a set of JSON pointers (RFC 6901) into the event payload, with ``*``
for any array item (``/lines/*/sku``). Each pointer stands for the value there and everything
under it; ancestors are implied; ``""`` is the whole event. :class:`ReadSet` also remembers
which pointers were read as whole subtrees, so that read sets of several examples refine each
other without losing a subtree that was copied or serialized. The syntax itself is
:mod:`registry.reads.pointers`, shared with the registry and the gate.
"""

from __future__ import annotations

from collections.abc import Iterable

from registry.reads.pointers import ITEM, ROOT, within


class ReadSet:
    """JSON pointers read (ancestors implied), and which of them were read as whole subtrees.

    A pointer to an absent or scalar value is read as it is; another example where the value
    is an object may refine it (``/card`` absent here, ``/card/brand`` read there). A subtree
    read whole is never refined. :attr:`pointers` is the minimal set: nothing under a subtree
    read whole, no ancestor of another pointer.
    """

    __slots__ = ("pointers", "whole")

    def __init__(self, pointers: list[str], whole: list[str]) -> None:
        self.pointers = pointers
        self.whole = whole

    @classmethod
    def everything(cls) -> ReadSet:
        """The whole event: what is read when nothing could be observed."""
        return cls([ROOT], [ROOT])

    @classmethod
    def of(cls, pointers: Iterable[str], whole: Iterable[str]) -> ReadSet:
        """The minimal read set of ``pointers``, of which ``whole`` were read whole."""
        whole_set = set(whole)
        everything = set(pointers) | whole_set
        kept = [
            p
            for p in everything
            if not any(w != p and within(p, w) for w in whole_set)
            and (p in whole_set or not any(q != p and within(q, p) for q in everything))
        ]
        pointers_kept = sorted(kept)
        return cls(pointers_kept, [p for p in pointers_kept if p in whole_set])

    def __or__(self, other: ReadSet) -> ReadSet:
        return ReadSet.of([*self.pointers, *other.pointers], [*self.whole, *other.whole])


def _tokens(pointer: str) -> list[str]:
    return pointer.split("/")[1:] if pointer else []


def _covers(outer: str, inner: str) -> bool:
    """Whether ``inner`` is ``outer`` or under it, ``*`` matching any array index."""
    a, b = _tokens(outer), _tokens(inner)
    if len(a) > len(b):
        return False
    return all(x == y or _any_item(x, y) for x, y in zip(a, b, strict=False))


def _any_item(x: str, y: str) -> bool:
    return (x == ITEM and y.isdigit()) or (y == ITEM and x.isdigit())


def untouched(declared: Iterable[str], recorded: Iterable[str]) -> list[str]:
    """The declared reads the handler never touched: neither read nor under a subtree it read."""
    seen = list(recorded)
    return [
        pointer
        for pointer in declared
        if not any(_covers(pointer, r) or _covers(r, pointer) for r in seen)
    ]


def effective(recorded: ReadSet | None, declared: Iterable[str] | None) -> ReadSet | None:
    """What a consumer reads: recorded and declared (each read whole) together; None: unknown."""
    if recorded is None and declared is None:
        return None
    declared = list(declared or [])
    found = ReadSet.of(declared, declared)
    return found if recorded is None else recorded | found
