"""What inference reads from sample events: the values at a place, their kinds and formats.

A *place* is a path from the root of an event: property names, :data:`ITEMS` for the items of
an array and :data:`VALUES` for the values of an object read as a map. Every decision inference
makes about a place (a format, an enum, a name) is taken over all the sample values found there,
so "every sample matches" means every value at that place, in every event.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any, Final

from jsonschema import FormatChecker

from registry.formats.jsonschema.formats import format_checker


class _Step(str):
    """A step that is not a property name (items of an array, values of a map)."""

    __slots__ = ()


ITEMS: Final = _Step("*")
VALUES: Final = _Step("*")
Place = tuple[str, ...]

#: The formats inference proposes, in the order they are tried.
FORMATS = ("date-time", "date", "uuid", "email")

_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})\Z", re.ASCII
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII)
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\Z", re.ASCII)
# Conservative: dot-atom local part, dotted host names of letters, digits and inner hyphens,
# and a top-level label of letters. Quoted local parts and IP literals are valid but not proposed.
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\Z",
    re.ASCII,
)
AVRO_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z", re.ASCII)


def where(place: Place) -> str:
    """A place as people read it: a JSON pointer with ``*`` for items and map values."""
    if not place:
        return "/"
    return "".join("/" + step.replace("~", "~0").replace("/", "~1") for step in place)


def values_at(samples: Iterable[Any], place: Place) -> Iterator[Any]:
    """Every value found at ``place`` in the samples, in sample order."""
    if not place:
        yield from samples
        return
    step, rest = place[0], place[1:]
    if step is ITEMS:
        inner: Iterable[Any] = (v for s in samples if isinstance(s, list) for v in s)
    elif step is VALUES:
        inner = (v for s in samples if isinstance(s, dict) for v in s.values())
    else:
        inner = (s[step] for s in samples if isinstance(s, dict) and step in s)
    yield from values_at(inner, rest)


def kind_of(value: Any) -> str:
    """The JSON kind of a decoded value, in JSON Schema's words (``integer`` apart)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def common_format(strings: Sequence[str]) -> str | None:
    """The one format of :data:`FORMATS` that every string matches, or None (also for none).

    The checks are strict on purpose: ``date-time`` is RFC 3339 with a ``T`` and a time zone
    that :meth:`datetime.datetime.fromisoformat` reads, ``uuid`` the hyphenated form that
    :class:`uuid.UUID` reads, ``email`` a plain dot-atom address. Each value must also pass the
    check this registry asserts for the format, so a proposed format never rejects a sample.
    """
    if not strings:
        return None
    for name in FORMATS:
        if all(_matches(name, s) for s in strings):
            return name
    return None


def _matches(name: str, text: str) -> bool:
    if name == "date-time":
        ok = bool(_DATE_TIME.match(text)) and _parses(datetime.datetime.fromisoformat, text)
    elif name == "date":
        ok = bool(_DATE.match(text)) and _parses(datetime.date.fromisoformat, text)
    elif name == "uuid":
        ok = bool(_UUID.match(text)) and _parses(uuid.UUID, text)
    else:
        ok = len(text) <= 254 and bool(_EMAIL.match(text)) and len(text.split("@")[0]) <= 64
    return ok and _asserted().conforms(text, name)


def _parses(reader: Any, text: str) -> bool:
    try:
        reader(text)
    except ValueError:
        return False
    return True


@cache
def _asserted() -> FormatChecker:
    return format_checker(2020)


def enum_symbols(strings: Sequence[str], threshold: int | None) -> list[str] | None:
    """The sorted distinct strings when they make an enum, else None.

    An enum is proposed when there are at most ``threshold`` distinct values over at least
    ``2 * threshold`` values: few values seen many times are a closed set, not a coincidence.
    """
    if threshold is None or threshold < 1 or len(strings) < 2 * threshold:
        return None
    distinct = sorted(set(strings))
    return distinct if len(distinct) <= threshold else None


def pascal_case(text: str) -> str:
    """``unitPrice`` -> ``UnitPrice``, ``shipping_address`` -> ``ShippingAddress``."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", text) if p]
    joined = "".join(p[:1].upper() + p[1:] for p in parts)
    if not joined or joined[0].isdigit():
        joined = "N" + joined
    return joined


def name_candidates(place: Place) -> list[str]:
    """Avro names for the type at ``place``, from the last step to the whole path."""
    words: list[str] = []
    for step in place:
        if step is ITEMS:
            words.append("Item")
        elif step is VALUES:
            words.append("Value")
        else:
            words.append(pascal_case(step))
    candidates = []
    for start in range(len(words) - 1, -1, -1):
        if words[start] in ("Item", "Value") and start > 0:
            continue  # "LinesItem", not "Item"
        candidates.append("".join(words[start:]))
    return candidates or ["Root"]


class Names:
    """Avro names handed out so far; each new one is derived from its place and unique."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken)

    def new(self, place: Place) -> str:
        """A fresh name for the type at ``place``."""
        candidates = name_candidates(place)
        for candidate in candidates:
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        base, number = candidates[-1], 2
        while f"{base}{number}" in self.taken:
            number += 1
        self.taken.add(f"{base}{number}")
        return f"{base}{number}"
