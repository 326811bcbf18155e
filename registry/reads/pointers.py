"""Read pointers: the JSON pointers (RFC 6901) into an event that say what a consumer reads.

A read set is a list of pointers with ``*`` for any array item (``/items/*/sku``). Each pointer
stands for the value there and everything under it; ``""`` is the whole event. ``None`` or an
empty list means *unknown*, which is read as "reads everything", never "reads nothing". Two
pointers **meet** when one is a prefix of the other, token by token, ``*`` matching any token:
reading ``/items`` reads ``/items/*/sku``, and a change at ``/items`` touches a read of
``/items/*/sku``.

This module is the one definition of the syntax: the contract-testing recorder, the
publication, the registry and the gate all parse pointers here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from registry import errors

ITEM = "*"
ROOT = ""


def escape(token: str) -> str:
    """One reference token of a JSON pointer (``~`` and ``/`` escaped, RFC 6901 section 3)."""
    return token.replace("~", "~0").replace("/", "~1")


def join(tokens: Iterable[str]) -> str:
    """The pointer of a path of tokens."""
    return "".join(f"/{escape(t)}" for t in tokens)


def pointer_error(pointer: object) -> str | None:
    """Why ``pointer`` is not a JSON pointer (RFC 6901), or None when it is one."""
    if not isinstance(pointer, str):
        return f"a JSON pointer must be a string, not {pointer!r}"
    if pointer and not pointer.startswith("/"):
        return f"JSON pointer {pointer!r} must be empty or start with '/'"
    for token in pointer.split("/")[1:]:
        rest = token.replace("~0", "").replace("~1", "")
        if "~" in rest:
            return f"JSON pointer {pointer!r}: '~' must be followed by 0 or 1 (RFC 6901)"
    return None


def parse_pointer(pointer: object) -> tuple[str, ...]:
    """The tokens of a read pointer (``""`` is the whole event); malformed ones are refused."""
    problem = pointer_error(pointer)
    if problem is not None:
        raise errors.InvalidPublication(f"Read pointer: {problem}")
    assert isinstance(pointer, str)
    if pointer == ROOT:
        return ()
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/"))


def check_reads(reads: Sequence[str] | None) -> tuple[str, ...] | None:
    """A read set, validated and sorted; ``None`` and ``[]`` both mean unknown (everything)."""
    if reads is None or len(reads) == 0:
        return None
    for pointer in reads:
        parse_pointer(pointer)
    return tuple(sorted(set(reads)))


def within(pointer: str, ancestor: str) -> bool:
    """Whether ``pointer`` is ``ancestor`` or lies under it (exact tokens, no wildcard)."""
    return pointer == ancestor or pointer.startswith(ancestor + "/")


def _meets(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return all(x == y or ITEM in (x, y) for x, y in zip(a, b, strict=False))


def reads_any(reads: Sequence[str] | None, touched: Iterable[str]) -> bool:
    """Whether a consumer reading ``reads`` (None: everything) reads any ``touched`` pointer."""
    if not reads:
        return True
    wanted = [parse_pointer(r) for r in reads]
    return any(_meets(r, parse_pointer(t)) for t in touched for r in wanted)


def read_by(reads: Sequence[str] | None, touched: Iterable[str]) -> list[str]:
    """The ``touched`` pointers that a consumer reading ``reads`` reads (all when unknown)."""
    touched = list(touched)
    return [t for t in touched if reads_any(reads, [t])]
