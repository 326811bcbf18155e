"""Strings (Validation 6.3, 7) and numbers (Validation 6.2) compared keyword by keyword."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from registry.formats.base import Incompatibility
from registry.formats.jsonschema.compat.engine import Engine
from registry.formats.jsonschema.compat.node import Node
from registry.formats.jsonschema.examples import number_bounds

_ANY_STRING = frozenset({"", ".*", "^.*$", "^.*", ".*$", "[\\s\\S]*", "^[\\s\\S]*$"})
INF = math.inf


def compare_string(engine: Engine, w: Node, r: Node) -> list[Incompatibility]:
    """minLength, maxLength, pattern and asserted formats."""
    found: list[Incompatibility] = []
    w_min, r_min = w.get("minLength", 0), r.get("minLength", 0)
    if r_min > w_min:
        message = (
            f"The reader needs {w.field} to have at least {r_min} characters; "
            f"the writer allows {w_min}."
        )
        found.append(engine.found("json.min-length-increased", message, w, r))
    w_max, r_max = w.get("maxLength", INF), r.get("maxLength", INF)
    if r_max < w_max:
        allowed = "any length" if w_max == INF else f"up to {w_max}"
        message = (
            f"The reader allows {w.field} at most {r_max} characters; the writer allows {allowed}."
        )
        found.append(engine.found("json.max-length-decreased", message, w, r))
    found += _pattern(engine, w, r)
    found += _format(engine, w, r)
    return found


def _pattern(engine: Engine, w: Node, r: Node) -> list[Incompatibility]:
    pattern = r.get("pattern")
    if pattern is None or pattern in _ANY_STRING or w.get("pattern") == pattern:
        return []
    if w.get("maxLength", INF) == 0 and engine.valid(r, ""):
        return []
    writer = w.get("pattern")
    if writer is None:
        message = f"The reader requires {w.field} to match '{pattern}'; the writer has no pattern."
    else:
        message = (
            f"The reader requires {w.field} to match '{pattern}' instead of '{writer}' "
            "(inclusion of patterns is not decided, so any change is reported)."
        )
    return [engine.found("json.pattern-changed", message, w, r)]


def _format(engine: Engine, w: Node, r: Node) -> list[Incompatibility]:
    fmt = r.get("format")
    if not isinstance(fmt, str) or fmt == w.get("format"):
        return []
    if fmt not in r.draft.validator_class.FORMAT_CHECKER.checkers:
        return []
    message = f"The reader requires {w.field} to be a valid '{fmt}'; the writer does not."
    return [engine.found("json.format-changed", message, w, r)]


def compare_number(engine: Engine, w: Node, r: Node, *, integer: bool) -> list[Incompatibility]:
    """Bounds (draft 4 boolean and draft 6+ numeric exclusives) and multipleOf."""
    found: list[Incompatibility] = []
    w_low, w_high = _interval(w, integer)
    r_low, r_high = _interval(r, integer)
    if _lower_above(r_low, w_low):
        message = (
            f"The reader's lower bound for {w.field} ({_show(r_low, '>')}) excludes numbers "
            f"the writer allows ({_show(w_low, '>')})."
        )
        found.append(engine.found("json.minimum-increased", message, w, r))
    if _upper_below(r_high, w_high):
        message = (
            f"The reader's upper bound for {w.field} ({_show(r_high, '<')}) excludes numbers "
            f"the writer allows ({_show(w_high, '<')})."
        )
        found.append(engine.found("json.maximum-decreased", message, w, r))
    found += _multiple_of(engine, w, r, integer)
    return found


Bound = tuple[Any, bool] | None


def _interval(node: Node, integer: bool) -> tuple[Bound, Bound]:
    schema = node.schema if isinstance(node.schema, dict) else {}
    low, low_ex, high, high_ex = number_bounds(schema, node.draft)
    lower: Bound = None if low is None else (low, low_ex)
    upper: Bound = None if high is None else (high, high_ex)
    if integer:
        lower = None if lower is None else (_int_low(*lower), False)
        upper = None if upper is None else (_int_high(*upper), False)
    return lower, upper


def _int_low(value: Any, exclusive: bool) -> int:
    ceiling: int = math.ceil(float(value))
    return ceiling + 1 if exclusive and ceiling == value else ceiling


def _int_high(value: Any, exclusive: bool) -> int:
    floor: int = math.floor(float(value))
    return floor - 1 if exclusive and floor == value else floor


def _lower_above(reader: Bound, writer: Bound) -> bool:
    if reader is None:
        return False
    if writer is None:
        return True
    if reader[0] != writer[0]:
        return bool(reader[0] > writer[0])
    return reader[1] and not writer[1]


def _upper_below(reader: Bound, writer: Bound) -> bool:
    if reader is None:
        return False
    if writer is None:
        return True
    if reader[0] != writer[0]:
        return bool(reader[0] < writer[0])
    return reader[1] and not writer[1]


def _show(bound: Bound, sign: str) -> str:
    if bound is None:
        return "none"
    return f"{sign if bound[1] else sign + '='} {bound[0]}"


def _multiple_of(engine: Engine, w: Node, r: Node, integer: bool) -> list[Incompatibility]:
    step = r.get("multipleOf")
    if step is None:
        return []
    reader = Fraction(str(step))
    writer_step = w.get("multipleOf")
    writer = Fraction(str(writer_step)) if writer_step is not None else None
    if writer is not None and (writer / reader).denominator == 1:
        return []
    if integer and (Fraction(1) / reader).denominator == 1:
        return []
    if integer and writer is not None and (writer.numerator / reader).denominator == 1:
        return []
    had = f"multiples of {writer_step}" if writer_step is not None else "any number"
    message = f"The reader needs {w.field} to be a multiple of {step}; the writer allows {had}."
    return [engine.found("json.multiple-of-changed", message, w, r)]
