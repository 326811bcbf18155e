"""Strings matching a regular expression, built from Python's own regex parse tree.

JSON Schema ``pattern`` is matched with ``re.search`` by the validator we use, so a string that
fully matches the pattern is always a valid value. Unsupported constructs (look-arounds,
back-references) make :func:`string_matching` return ``None``; callers validate every result
anyway.
"""

from __future__ import annotations

import random
import re
from typing import Any

try:  # Python 3.11+ keeps the parser here; ``sre_parse`` warns on import.
    from re import _parser as _sre  # type: ignore[attr-defined,unused-ignore]
except ImportError:  # pragma: no cover
    import sre_parse as _sre  # type: ignore[no-redef,unused-ignore]

_MAX_REPEAT_EXTRA = 3
_PRINTABLE = [chr(c) for c in range(0x21, 0x7F)]
_CATEGORIES: dict[str, list[str]] = {
    "CATEGORY_DIGIT": list("0123456789"),
    "CATEGORY_NOT_DIGIT": list("abcXYZ_-"),
    "CATEGORY_SPACE": [" "],
    "CATEGORY_NOT_SPACE": list("abcXYZ019"),
    "CATEGORY_WORD": list("abcxyzABC019_"),
    "CATEGORY_NOT_WORD": list("-. !"),
}


class _Unsupported(Exception):
    pass


def string_matching(pattern: str, rng: random.Random, *, minimal: bool = False) -> str | None:
    """A string that matches ``pattern`` (shortest choices when ``minimal``), or ``None``."""
    try:
        tree = _sre.parse(pattern)
        text = _emit(tree, rng, minimal)
    except (re.error, _Unsupported, RecursionError, ValueError, IndexError):
        return None
    return text if re.search(pattern, text) else None


def _emit(tree: Any, rng: random.Random, minimal: bool) -> str:
    return "".join(_emit_one(op, arg, rng, minimal) for op, arg in tree)


def _emit_one(op: Any, arg: Any, rng: random.Random, minimal: bool) -> str:
    name = str(op)
    if name == "LITERAL":
        return chr(arg)
    if name == "NOT_LITERAL":
        return "a" if chr(arg) != "a" else "b"
    if name == "ANY":
        return rng.choice("abcxyz") if not minimal else "a"
    if name == "AT":
        return ""
    if name == "IN":
        return _emit_in(arg, rng, minimal)
    if name == "BRANCH":
        branches = arg[1]
        return _emit(branches[0] if minimal else rng.choice(branches), rng, minimal)
    if name == "SUBPATTERN":
        return _emit(arg[-1], rng, minimal)
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, high, sub = arg
        top = low if minimal else min(high, low + _MAX_REPEAT_EXTRA)
        count = rng.randint(low, max(low, top))
        return "".join(_emit(sub, rng, minimal) for _ in range(count))
    if name == "ATOMIC_GROUP":
        return _emit(arg, rng, minimal)
    raise _Unsupported(name)


def _emit_in(items: Any, rng: random.Random, minimal: bool) -> str:
    if items and str(items[0][0]) == "NEGATE":
        excluded = _class_chars(items[1:])
        allowed = [c for c in _PRINTABLE if c not in excluded]
        if not allowed:
            raise _Unsupported("empty class")
        return allowed[0] if minimal else rng.choice(allowed)
    chars = sorted(_class_chars(items))
    if not chars:
        raise _Unsupported("empty class")
    return chars[0] if minimal else rng.choice(chars)


def _class_chars(items: Any) -> set[str]:
    chars: set[str] = set()
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            chars.add(chr(arg))
        elif name == "RANGE":
            low, high = arg
            chars.update(chr(c) for c in range(low, min(high, low + 60) + 1))
        elif name == "CATEGORY":
            chars.update(_CATEGORIES.get(str(arg), []))
        else:
            raise _Unsupported(name)
    return chars
