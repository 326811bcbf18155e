"""Deterministic generation of instances that a JSON Schema accepts.

Our own generator (hypothesis-jsonschema does not work with the installed hypothesis). It walks
the schema, resolving ``$ref`` and merging ``allOf``, and builds a value in one of three modes:

* ``min``: only required properties, the fewest items, the shortest strings ("optional field
  absent");
* ``max``: every declared property, items for every position ("optional field present");
* ``random``: choices drawn from a seeded :class:`random.Random`.

Candidates are the schema's own ``examples`` and ``default`` first, then the two variants, then
random values; every output is checked with the real validator, so parts the generator cannot
satisfy (``not``, clashing patterns) are filtered out rather than returned.
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import re
from dataclasses import dataclass
from typing import Any, Literal

import referencing.exceptions
from referencing._core import Resolver as _Resolver

from registry.formats.base import ParsedSchema
from registry.formats.jsonschema.budget import EXAMPLE_STEPS, BudgetExceeded, spending, tick
from registry.formats.jsonschema.drafts import Draft
from registry.formats.jsonschema.merge import merge, type_set
from registry.formats.jsonschema.parse import build_context
from registry.formats.jsonschema.regex_gen import string_matching
from registry.formats.jsonschema.validate import is_valid

Mode = Literal["min", "max", "random"]
Resolver = _Resolver[Any]
_TYPE_ORDER = ("object", "string", "integer", "number", "boolean", "array", "null")
_FORMATS: dict[str, str] = {
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "time": "03:04:05Z",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
    "uri": "https://example.com/a",
    "uri-reference": "/a",
    "iri": "https://example.com/a",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "duration": "P1D",
    "json-pointer": "/a",
    "relative-json-pointer": "0/a",
    "iri-reference": "/a",
    "uri-template": "https://example.com/{id}",
    "regex": "^a$",
}
_MAX_DEPTH = 12


class Unsatisfiable(Exception):
    """The generator could not build a value for a part of the schema."""


@dataclass
class Generator:
    """Builds one value per call for subschemas of one document.

    ``toward`` is an instance path (property names, ``[i]`` or ``[]`` for items) that the
    value should reach even in ``min`` mode: the properties and items on it are generated.
    """

    draft: Draft
    rng: random.Random
    mode: Mode = "random"
    toward: tuple[str, ...] = ()

    def value(self, schema: Any, resolver: Resolver, depth: int = 0) -> Any:
        """A value for ``schema`` (raises :class:`Unsatisfiable` when it gives up)."""
        if depth > _MAX_DEPTH:
            raise Unsatisfiable("too deep")
        tick()
        schema, resolver = self.flatten(schema, resolver)
        if schema is True:
            return self._any(depth)
        if not isinstance(schema, dict):
            raise Unsatisfiable("false schema")
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list):
            return self._pick(schema["enum"])
        for keyword in ("anyOf", "oneOf"):
            if isinstance(schema.get(keyword), list) and schema[keyword]:
                return self._branch(schema, keyword, resolver, depth)
        if "if" in schema:
            return self._conditional(schema, resolver, depth)
        kind = self._choose_type(schema)
        maker = getattr(self, f"_{kind}")
        return maker(schema, resolver, depth)

    def flatten(self, schema: Any, resolver: Resolver) -> tuple[Any, Resolver]:
        """Resolve ``$ref`` and merge ``allOf`` into one (over-approximating) schema."""
        for _ in range(64):
            if not isinstance(schema, dict) or "$ref" not in schema:
                break
            tick(10)
            resolved = resolver.lookup(schema["$ref"])
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            resolver = resolved.resolver
            if self.draft <= Draft.DRAFT7:
                schema = resolved.contents
            else:
                schema = merge(resolved.contents, rest)
        if isinstance(schema, dict) and isinstance(schema.get("allOf"), list):
            base: Any = {k: v for k, v in schema.items() if k != "allOf"}
            for branch in schema["allOf"]:
                flat, _ = self.flatten(branch, resolver)
                base = merge(base, flat, draft4=self.draft is Draft.DRAFT4)
            return self.flatten(base, resolver)
        if schema == {}:
            return True, resolver
        return schema, resolver

    def _pick(self, options: list[Any]) -> Any:
        if not options:
            raise Unsatisfiable("empty enum")
        return options[0] if self.mode == "min" else self.rng.choice(options)

    def _branch(self, schema: dict[str, Any], keyword: str, resolver: Resolver, depth: int) -> Any:
        base = {k: v for k, v in schema.items() if k != keyword}
        branches = list(schema[keyword])
        if self.mode == "random":
            self.rng.shuffle(branches)
        for branch in branches:
            flat, _ = self.flatten(branch, resolver)
            try:
                return self.value(merge(base, flat), resolver, depth)
            except Unsatisfiable:
                continue
        raise Unsatisfiable(f"no {keyword} branch")

    def _conditional(self, schema: dict[str, Any], resolver: Resolver, depth: int) -> Any:
        base = {k: v for k, v in schema.items() if k not in ("if", "then", "else")}
        options = [merge(schema["if"], schema.get("then", True)), schema.get("else", True)]
        if self.mode == "random" and self.rng.random() < 0.5:
            options.reverse()
        for option in options:
            try:
                return self.value(merge(base, option), resolver, depth)
            except Unsatisfiable:
                continue
        raise Unsatisfiable("no if/then/else branch")

    def _choose_type(self, schema: dict[str, Any]) -> str:
        types = type_set(schema)
        if types is None:
            types = _implied_types(schema)
        options = [t for t in _TYPE_ORDER if t in types]
        if not options:
            raise Unsatisfiable("no type")
        return options[0] if self.mode != "random" else self.rng.choice(options)

    def _any(self, depth: int) -> Any:
        if self.mode == "min":
            return "x"
        return self.rng.choice(["x", 1, 2.5, True, None, {"k": "v"}, [1]])

    def _null(self, schema: dict[str, Any], resolver: Resolver, depth: int) -> Any:
        return None

    def _boolean(self, schema: dict[str, Any], resolver: Resolver, depth: int) -> Any:
        return True if self.mode != "random" else self.rng.random() < 0.5

    def _string(self, schema: dict[str, Any], resolver: Resolver, depth: int) -> Any:
        low = int(schema.get("minLength", 0))
        high = int(schema.get("maxLength", low + 12))
        if high < low:
            raise Unsatisfiable("maxLength < minLength")
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt in _FORMATS:
            return _FORMATS[fmt]
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            text = string_matching(pattern, self.rng, minimal=self.mode == "min")
            if text is None:
                raise Unsatisfiable(f"pattern {pattern!r}")
            return text
        size = low if self.mode == "min" else self.rng.randint(low, min(high, low + 8))
        if self.mode == "max":
            size = min(high, low + 8)
        return "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(size))

    def _integer(self, schema: dict[str, Any], resolver: Resolver, depth: int) -> Any:
        return self._number(schema, resolver, depth, integer=True)

    def _number(
        self, schema: dict[str, Any], resolver: Resolver, depth: int, *, integer: bool = False
    ) -> Any:
        low, high = _bounds(schema, self.draft)
        step = schema.get("multipleOf")
        if integer:
            step = _lcm_step(step)
        unit = step if step else (1 if integer else 0.5)
        start = math.ceil(low / unit) if low is not None else (0 if high is None else None)
        if start is None and high is not None:
            start = math.floor(high / unit) - (0 if self.mode == "min" else self.rng.randint(0, 5))
        assert start is not None
        if self.mode == "random":
            start += self.rng.randint(0, 20)
        for k in range(start, start + 3):
            candidate = k * unit
            if integer or (step and float(candidate).is_integer()):
                candidate = round(candidate)
            if _within(candidate, schema, self.draft):
                return candidate
        for k in range(start, start - 3, -1):
            candidate = k * unit
            if _within(candidate, schema, self.draft):
                return int(candidate) if integer else candidate
        raise Unsatisfiable("number bounds")

    def _object(self, schema: dict[str, Any], resolver: Resolver, depth: int) -> Any:
        props = schema.get("properties", {})
        required = [r for r in schema.get("required", []) if isinstance(r, str)]
        if self.mode == "min" or depth >= _MAX_DEPTH // 2:
            optional: list[str] = []
        elif self.mode == "max":
            optional = [p for p in props if p not in required]
        else:
            optional = [p for p in props if p not in required and self.rng.random() < 0.5]
        names = list(dict.fromkeys([*required, *optional]))
        if depth < len(self.toward) and not self.toward[depth].startswith("["):
            names = list(dict.fromkeys([*names, self.toward[depth]]))
        names += _dependents(schema, names)
        result: dict[str, Any] = {}
        for name in names:
            if name in result:
                continue
            sub = props.get(name, self._unnamed_schema(schema, name))
            result[name] = self.value(sub, resolver, depth + 1)
        extra = int(schema.get("minProperties", 0)) - len(result)
        for index in range(max(0, extra)):
            name = self._extra_name(schema, result, index)
            result[name] = self.value(self._unnamed_schema(schema, name), resolver, depth + 1)
        return result

    def _extra_name(self, schema: dict[str, Any], taken: dict[str, Any], index: int) -> str:
        if schema.get("additionalProperties", True) is not False:
            return f"extra{index}"
        for pattern in schema.get("patternProperties", {}):
            for _ in range(8):
                name = string_matching(pattern, self.rng)
                if name is not None and name in taken and re.search(pattern, f"{name}{index}"):
                    name = f"{name}{index}"
                if name is not None and name not in taken:
                    return name
        return f"extra{index}"

    def _unnamed_schema(self, schema: dict[str, Any], name: str) -> Any:
        for pattern, sub in schema.get("patternProperties", {}).items():
            try:
                if re.search(pattern, name):
                    return sub
            except re.error:
                continue
        additional = schema.get("additionalProperties", schema.get("unevaluatedProperties", True))
        return additional

    def _array(self, schema: dict[str, Any], resolver: Resolver, depth: int) -> Any:
        prefix, rest = array_layout(schema, self.draft)
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", max(low, len(prefix)) + 3))
        if self.mode == "min" or depth >= _MAX_DEPTH // 2:
            size = low
            if depth < len(self.toward) and self.toward[depth].startswith("["):
                position = self.toward[depth][1:-1]
                size = max(low, int(position) + 1 if position.isdigit() else 1)
        elif self.mode == "max":
            size = min(high, max(low, len(prefix) + 1))
        else:
            size = self.rng.randint(low, max(low, min(high, low + 3)))
        if rest is False:
            size = min(size, len(prefix))
        items: list[Any] = []
        for index in range(size):
            sub = prefix[index] if index < len(prefix) else rest
            item = self.value(sub, resolver, depth + 1)
            if schema.get("uniqueItems") and _key(item) in {_key(i) for i in items}:
                item = self.value(sub, resolver, depth + 1)
            items.append(item)
        if "contains" in schema:
            need = int(schema.get("minContains", 1))
            for _ in range(need):
                items.append(self.value(schema["contains"], resolver, depth + 1))
        return items


def array_layout(schema: dict[str, Any], draft: Draft) -> tuple[list[Any], Any]:
    """Positional item schemas and the schema of every further item, for any draft."""
    items = schema.get("items", True)
    if draft >= Draft.DRAFT2020_12:
        prefix = list(schema.get("prefixItems", []))
        return prefix, schema.get("items", schema.get("unevaluatedItems", True))
    if isinstance(items, list):
        return list(items), schema.get("additionalItems", schema.get("unevaluatedItems", True))
    return [], items


def number_bounds(schema: dict[str, Any], draft: Draft) -> tuple[Any, bool, Any, bool]:
    """(lower, lower exclusive, upper, upper exclusive) for draft-4 and draft-6+ spellings."""
    low, low_ex = schema.get("minimum"), False
    high, high_ex = schema.get("maximum"), False
    ex_min, ex_max = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if isinstance(ex_min, bool):
        low_ex = ex_min and low is not None
    elif ex_min is not None and (low is None or ex_min >= low):
        low, low_ex = ex_min, True
    if isinstance(ex_max, bool):
        high_ex = ex_max and high is not None
    elif ex_max is not None and (high is None or ex_max <= high):
        high, high_ex = ex_max, True
    return low, low_ex, high, high_ex


def _bounds(schema: dict[str, Any], draft: Draft) -> tuple[Any, Any]:
    low, low_ex, high, high_ex = number_bounds(schema, draft)
    if low is not None and low_ex:
        low = low + (1 if isinstance(low, int) else 0.5)
    if high is not None and high_ex:
        high = high - (1 if isinstance(high, int) else 0.5)
    return low, high


def _within(value: Any, schema: dict[str, Any], draft: Draft) -> bool:
    low, low_ex, high, high_ex = number_bounds(schema, draft)
    if low is not None and (value < low or (low_ex and value == low)):
        return False
    return not (high is not None and (value > high or (high_ex and value == high)))


def _lcm_step(step: Any) -> Any:
    if not step:
        return 1
    if float(step).is_integer():
        return int(step)
    for factor in range(1, 1001):
        if float(step * factor).is_integer():
            return round(step * factor)
    raise Unsatisfiable("multipleOf")


def _implied_types(schema: dict[str, Any]) -> set[str]:
    object_words = {"properties", "required", "additionalProperties", "patternProperties"}
    array_words = {"items", "prefixItems", "minItems", "maxItems", "contains", "uniqueItems"}
    string_words = {"minLength", "maxLength", "pattern", "format"}
    number_words = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
    keys = set(schema)
    for words, kinds in (
        (object_words, {"object"}),
        (array_words, {"array"}),
        (string_words, {"string"}),
        (number_words, {"number"}),
    ):
        if keys & words:
            return kinds
    return set(_TYPE_ORDER)


def _dependents(schema: dict[str, Any], names: list[str]) -> list[str]:
    extra: list[str] = []
    for keyword in ("dependentRequired", "dependencies"):
        for name, needed in schema.get(keyword, {}).items():
            if name in names and isinstance(needed, list):
                extra += [n for n in needed if n not in names]
    return extra


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def generate(schema: ParsedSchema, mode: Mode, seed: int = 0, toward: tuple[str, ...] = ()) -> Any:
    """One value for the whole schema in ``mode`` (may be invalid; callers validate).

    ``toward``: an instance path the value reaches (see :class:`Generator`).
    """
    context = build_context(schema.document, schema.references)
    gen = Generator(context.draft, random.Random(seed), mode, toward)
    return gen.value(schema.document, context.resolver())


def generate_examples(schema: ParsedSchema, n: int, *, seed: int = 0) -> list[Any]:
    """Up to ``n`` distinct valid instances: ``examples``, ``default``, min, max, then random.

    Generation and validation share a budget of :data:`~.budget.EXAMPLE_STEPS` steps; when a
    schema is too complex for it, the instances found so far are returned (perhaps none).
    """
    if n <= 0:
        return []
    found: dict[str, Any] = {}
    with spending(EXAMPLE_STEPS), contextlib.suppress(BudgetExceeded):
        _generate_into(schema, n, seed, found)
    return list(found.values())


def _generate_into(schema: ParsedSchema, n: int, seed: int, found: dict[str, Any]) -> None:
    document = schema.document
    candidates: list[Any] = []
    if isinstance(document, dict):
        if isinstance(document.get("examples"), list):
            candidates += document["examples"]
        if "default" in document:
            candidates.append(document["default"])
    context = build_context(document, schema.references)
    rng = random.Random(seed)
    _offer(schema, candidates, found, n)
    for attempt in range(n * 6 + 8):
        if len(found) >= n:
            break
        mode: Mode = "min" if attempt == 0 else "max" if attempt == 1 else "random"
        gen = Generator(context.draft, random.Random(rng.randrange(2**32)), mode)
        try:
            value = gen.value(document, context.resolver())
        except (Unsatisfiable, referencing.exceptions.Unresolvable, RecursionError):
            continue
        _offer(schema, [value], found, n)


def _offer(schema: ParsedSchema, values: list[Any], found: dict[str, Any], n: int) -> None:
    for value in values:
        if len(found) >= n:
            return
        try:
            key = _key(value)
        except (TypeError, ValueError):
            continue
        if key not in found and is_valid(schema, value):
            found[key] = value
