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
    """``found`` with a verified counterexample attached where one is found in budget."""
    deadline = time.monotonic() + BUDGET_SECONDS
    result: list[Incompatibility] = []
    with spending(EXAMPLE_STEPS):
        try:
            bases = _bases(writer)
            for inc in found:
                example = _NONE
                place = places.get((inc.rule_id, inc.reader_path, inc.writer_path, inc.message))
                if place is not None and time.monotonic() < deadline:
                    example = _search(inc, place, reader, writer, bases, deadline)
                result.append(inc if example is _NONE else inc.with_example(example))
        except BudgetExceeded:
            pass
    return result + found[len(result) :]


_NONE = object()


def _bases(writer: ParsedSchema) -> list[Any]:
    bases = []
    for mode in ("max", "min"):
        try:
            bases.append(generate(writer, mode))
        except (Unsatisfiable, RecursionError):
            continue
    return bases or [{}]


def _search(
    inc: Incompatibility,
    place: tuple[Node, Node],
    reader: ParsedSchema,
    writer: ParsedSchema,
    bases: list[Any],
    deadline: float,
) -> Any:
    w, r = place
    for local in _candidates(inc, w, r):
        if time.monotonic() > deadline:
            return _NONE
        for base in bases:
            instance = _embed(base, w.where, local)
            if is_valid(writer, instance) and not is_valid(reader, instance):
                return instance
    return _NONE


def _candidates(inc: Incompatibility, w: Node, r: Node) -> Iterator[Any]:
    if inc.has_example:
        yield inc.example
    yield from _targeted(inc.rule_id, w, r)
    for seed, mode in enumerate(("max", "min", "random", "random", "random")):
        gen = Generator(w.draft, random.Random(seed), mode)  # type: ignore[arg-type]
        try:
            yield gen.value(w.schema, w.resolver)
        except (Unsatisfiable, RecursionError, referencing.exceptions.Unresolvable):
            continue


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
    yield from _sweep(r)


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
    if not where:
        return copy.deepcopy(local)
    instance = copy.deepcopy(base)
    holder: Any = instance
    for index, token in enumerate(where):
        last = index == len(where) - 1
        value = copy.deepcopy(local) if last else None
        holder = _step(holder, token, value, last, where[index + 1] if not last else "")
        if holder is None:
            return base
    return instance


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
        if not isinstance(holder[position], (dict, list)):
            holder[position] = fresh
        return holder[position]
    if not isinstance(holder, dict):
        return None
    key = "zz_extra" if token == "*" else _pattern_name(token) if token.startswith("<") else token
    if last:
        holder[key] = value
        return holder
    if not isinstance(holder.get(key), (dict, list)):
        holder[key] = fresh
    return holder[key]


def _pattern_name(token: str) -> str:
    return string_matching(token[1:-1], random.Random(0), minimal=True) or "x"
