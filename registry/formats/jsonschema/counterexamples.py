"""Counterexamples: concrete instances the writer accepts and the reader rejects.

For each incompatibility the engine remembers the writer and reader subschemas and the
instance path (property names, item positions) where it found it. We first build *targeted*
local values there (the removed enum value, a string one longer than the new ``maxLength``, a
value of the removed type, a number just past the new bound...), then values generated from
the writer's subschema, and embed each into a whole writer instance. Only instances that the
real validators confirm (valid for the writer, invalid for the reader) are attached. The
whole search stops after :data:`BUDGET_SECONDS` or :data:`~.budget.EXAMPLE_STEPS` steps of
work, whichever comes first (validating one instance against a hostile schema can take
exponential time, so the clock alone would not stop it).
"""

from __future__ import annotations

import copy
import itertools
import random
import time
from collections.abc import Iterator
from typing import Any

import referencing.exceptions

from registry.formats.base import Incompatibility, ParsedSchema
from registry.formats.jsonschema.budget import EXAMPLE_STEPS, BudgetExceeded, spending
from registry.formats.jsonschema.compat.node import Node, type_set
from registry.formats.jsonschema.examples import Generator, Unsatisfiable, generate
from registry.formats.jsonschema.regex_gen import string_matching
from registry.formats.jsonschema.validate import is_valid

BUDGET_SECONDS = 0.5
_MAX_CANDIDATES = 64
_SAMPLES: dict[str, Any] = {
    "string": "x",
    "integer": 7,
    "number": 0.5,
    "boolean": True,
    "null": None,
    "object": {},
    "array": [],
}
Places = dict[tuple[str, str, str, str], tuple[Node, Node]]


def attach_examples(
    found: list[Incompatibility], reader: ParsedSchema, writer: ParsedSchema, places: Places
) -> list[Incompatibility]:
    """``found`` with a verified counterexample attached where one is found in budget.

    An example the engine attached (a value of one writer piece that the reader rejects) is
    the search's first candidate; it stays only once verified against the whole writer and
    reader, because the piece may accept more than the writer does.
    """
    deadline = time.monotonic() + BUDGET_SECONDS
    result: list[Incompatibility] = []
    with spending(EXAMPLE_STEPS):
        try:
            bases = _Bases(writer)
            for inc in found:
                place = places.get((inc.rule_id, inc.reader_path, inc.writer_path, inc.message))
                example = _NONE
                if place is not None and time.monotonic() < deadline:
                    example = _search(inc, place, reader, writer, bases, deadline)
                result.append(_settled(inc, example))
        except BudgetExceeded:
            pass
    result += [_settled(inc, _NONE) for inc in found[len(result) :]]
    return result


def _settled(inc: Incompatibility, example: Any) -> Incompatibility:
    if example is not _NONE:
        return inc.with_example(example)
    if inc.has_example:
        return Incompatibility(inc.rule_id, inc.message, inc.reader_path, inc.writer_path)
    return inc


_NONE = object()


class _Bases:
    """Whole writer instances to embed local values in, generated when first needed."""

    def __init__(self, writer: ParsedSchema) -> None:
        self._writer = writer
        self._made: dict[tuple[str, tuple[str, ...]], Any] = {}

    def get(self, mode: str, toward: tuple[str, ...] = ()) -> Any:
        """The ``mode`` base reaching ``toward`` (``_NONE`` when none could be made)."""
        key = (mode, toward)
        if key not in self._made:
            try:
                self._made[key] = generate(self._writer, mode, toward=toward)  # type: ignore[arg-type]
            except (Unsatisfiable, RecursionError, referencing.exceptions.Unresolvable):
                self._made[key] = _NONE
        return self._made[key]


def _search(
    inc: Incompatibility,
    place: tuple[Node, Node],
    reader: ParsedSchema,
    writer: ParsedSchema,
    bases: _Bases,
    deadline: float,
) -> Any:
    """A verified counterexample: each candidate in the smallest base reaching the place
    first (required properties and the path only: quick to validate), then in fuller ones."""
    w, r = place
    candidates = list(itertools.islice(_candidates(inc, w, r), _MAX_CANDIDATES))
    tried = 0
    for mode, toward in (("min", w.where), ("max", ()), (None, ())):
        base = bases.get(mode, toward) if mode is not None else {} if not tried else _NONE
        if base is _NONE:
            continue
        tried += 1
        for local in candidates:
            if time.monotonic() > deadline:
                return _NONE
            instance = _embed(base, w.where, local)
            if not is_valid(reader, instance) and is_valid(writer, instance):
                return instance
    return _NONE


def _candidates(inc: Incompatibility, w: Node, r: Node) -> Iterator[Any]:
    """Local values to try, the likeliest first; those the writer's own subschema rejects are
    left out (they would make the whole instance invalid for the writer)."""
    for local in _all_candidates(inc, w, r):
        if _locally_valid(w, local):
            yield local


def _all_candidates(inc: Incompatibility, w: Node, r: Node) -> Iterator[Any]:
    if inc.has_example:
        yield inc.example
    yield from _targeted(inc.rule_id, w, r)
    yield from _generated(w, ("min", "max"))
    yield from _sweep(r)
    yield from _generated(w, ("random", "random", "random"))


def _generated(w: Node, modes: tuple[str, ...]) -> Iterator[Any]:
    for seed, mode in enumerate(modes):
        gen = Generator(w.draft, random.Random(seed), mode)  # type: ignore[arg-type]
        try:
            yield gen.value(w.schema, w.resolver)
        except (Unsatisfiable, RecursionError, referencing.exceptions.Unresolvable):
            continue


def _locally_valid(w: Node, value: Any) -> bool:
    cls = w.draft.validator_class
    try:
        validator = cls(w.schema, _resolver=w.resolver, format_checker=cls.FORMAT_CHECKER)
        return bool(validator.is_valid(value))
    except (referencing.exceptions.Unresolvable, RecursionError):
        return True


def _targeted(rule: str, w: Node, r: Node) -> Iterator[Any]:
    if rule in ("json.type-narrowed", "json.type-changed"):
        for kind in sorted(type_set(w.schema) - type_set(r.schema)):
            yield _SAMPLES[kind]
    elif rule == "json.max-length-decreased":
        yield "a" * (int(r.get("maxLength", 0)) + 1)
    elif rule == "json.min-length-increased":
        yield "a" * int(w.get("minLength", 0))
    elif rule == "json.maximum-decreased":
        yield from _around(r.get("maximum", r.get("exclusiveMaximum")), +1)
    elif rule == "json.minimum-increased":
        yield from _around(r.get("minimum", r.get("exclusiveMinimum")), -1)
    elif rule == "json.multiple-of-changed":
        step = w.get("multipleOf", 1)
        yield from (step * k for k in range(1, 6))
    elif rule == "json.pattern-changed" and isinstance(w.get("pattern"), str):
        text = string_matching(w.get("pattern"), random.Random(0))
        if text is not None:
            yield text
    elif rule in ("json.min-items-increased", "json.contains-added"):
        yield []
    elif rule == "json.unique-items-added":
        yield from ([v, v] for v in _SAMPLES.values())
    elif rule in ("json.min-properties-increased", "json.required-added"):
        yield {}
    elif rule == "json.max-items-decreased":
        yield from ([v] * (int(r.get("maxItems", 0)) + 1) for v in _SAMPLES.values())
    elif rule == "json.max-properties-decreased":
        yield {f"p{i}": "x" for i in range(int(r.get("maxProperties", 0)) + 1)}


def _sweep(r: Node) -> Iterator[Any]:
    """Plain values of every type, and objects naming the reader's dependency keys."""
    yield from _SAMPLES.values()
    names = ["a_rather_long_property_name"]
    for keyword in ("dependencies", "dependentRequired", "dependentSchemas"):
        value = r.get(keyword)
        if isinstance(value, dict):
            names += list(value)
    for index, token in enumerate(r.path[:-1]):
        if token in ("dependencies", "dependentRequired", "dependentSchemas"):
            names.append(r.path[index + 1])
    required = r.get("required")
    if isinstance(required, list):
        names += [n for n in required if isinstance(n, str)]
    for name in names:
        for sample in _SAMPLES.values():
            yield {name: sample}


def _around(bound: Any, direction: int) -> Iterator[Any]:
    if isinstance(bound, (int, float)) and not isinstance(bound, bool):
        yield bound
        yield bound + direction
        yield bound + direction * 0.5


def _embed(base: Any, where: tuple[str, ...], local: Any) -> Any:
    """``base`` with ``local`` put at ``where``; only the containers on the way are copied."""
    if not where:
        return copy.deepcopy(local)
    instance = _copy(base)
    holder: Any = instance
    for index, token in enumerate(where):
        last = index == len(where) - 1
        value = copy.deepcopy(local) if last else None
        holder = _step(holder, token, value, last, where[index + 1] if not last else "")
        if holder is None:
            return base
    return instance


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return dict(value)
    return list(value) if isinstance(value, list) else value


def _step(holder: Any, token: str, value: Any, last: bool, following: str) -> Any:
    fresh: Any = [] if following.startswith("[") else {}
    if token.startswith("["):
        if not isinstance(holder, list):
            return None
        position = len(holder) if token == "[]" and not holder else 0
        if token not in ("[]",):
            position = int(token[1:-1])
        while len(holder) <= position:
            holder.append(copy.deepcopy(fresh))
        if last:
            holder[position] = value
            return holder
        child = holder[position]
        holder[position] = _copy(child) if isinstance(child, (dict, list)) else fresh
        return holder[position]
    if not isinstance(holder, dict):
        return None
    key = "zz_extra" if token == "*" else _pattern_name(token) if token.startswith("<") else token
    if last:
        holder[key] = value
        return holder
    child = holder.get(key)
    holder[key] = _copy(child) if isinstance(child, (dict, list)) else fresh
    return holder[key]


def _pattern_name(token: str) -> str:
    return string_matching(token[1:-1], random.Random(0), minimal=True) or "x"
