"""Avro data: validating instances, generating examples, and proving incompatibilities.

Instances are plain Python values as fastavro reads and writes them: ``dict`` for records and
maps, ``list`` for arrays, ``str`` for strings and enum symbols, ``bytes`` for bytes and fixed,
``int``/``float``/``bool``/``None``. Logical types also accept the Python objects fastavro
converts them to (``datetime``, ``date``, ``time``, ``Decimal``, ``UUID``).
"""

from __future__ import annotations

import datetime
import decimal
import io
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

import fastavro

from registry.formats.avro_schema import (
    INT_RANGE,
    LONG_RANGE,
    AvroCompiled,
    Node,
    pointer,
)
from registry.formats.base import Violation

_SOFT_DEPTH = 8
_HARD_DEPTH = 100
_BUDGET = 20_000
# Past the soft budget the generator only finishes what it started; a value that still needs
# this many more steps (records nested 2**n ways, say) is given up.
_HARD_BUDGET = 4 * _BUDGET
_TERMINAL = frozenset(
    {"null", "boolean", "int", "long", "float", "double", "bytes", "string", "enum", "fixed"}
)
_LOGICAL_OBJECTS: dict[str, tuple[type, ...]] = {
    "date": (datetime.date,),
    "time-millis": (datetime.time,),
    "time-micros": (datetime.time,),
    "timestamp-millis": (datetime.datetime,),
    "timestamp-micros": (datetime.datetime,),
    "timestamp-nanos": (datetime.datetime,),
    "local-timestamp-millis": (datetime.datetime,),
    "local-timestamp-micros": (datetime.datetime,),
    "local-timestamp-nanos": (datetime.datetime,),
    "decimal": (decimal.Decimal,),
    "big-decimal": (decimal.Decimal,),
    "uuid": (uuid.UUID,),
}


class NoExample(Exception):
    """The generator could not build a finite value (for example, endless required recursion)."""


# --- validation -----------------------------------------------------------------------------


def _is_int(value: Any, bounds: tuple[int, int]) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and (bounds[0] <= value <= bounds[1])
    )


_PRIMITIVE_CHECKS: dict[str, Callable[[Node, Any], bool]] = {
    "null": lambda n, v: v is None,
    "boolean": lambda n, v: isinstance(v, bool),
    "int": lambda n, v: _is_int(v, INT_RANGE),
    "long": lambda n, v: _is_int(v, LONG_RANGE),
    "float": lambda n, v: isinstance(v, int | float) and not isinstance(v, bool),
    "double": lambda n, v: isinstance(v, int | float) and not isinstance(v, bool),
    "string": lambda n, v: isinstance(v, str),
    "bytes": lambda n, v: isinstance(v, bytes | bytearray),
    "fixed": lambda n, v: isinstance(v, bytes | bytearray) and len(v) == n.size,
    "enum": lambda n, v: isinstance(v, str) and v in n.symbols,
}


def violations(node: Node, value: Any, path: str = "") -> list[Violation]:
    """Every way ``value`` fails to conform to ``node``, with JSON pointers to the datum."""
    check = _PRIMITIVE_CHECKS.get(node.kind)
    if check is not None:
        if check(node, value) or _logical_object(node, value):
            return []
        return [_violation(node, value, path)]
    if node.kind == "union":
        return _union_violations(node, value, path)
    if node.kind == "array":
        if not isinstance(value, list | tuple):
            return [_violation(node, value, path)]
        assert node.child is not None
        return [
            v for i, item in enumerate(value) for v in violations(node.child, item, f"{path}/{i}")
        ]
    if node.kind == "map":
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            return [_violation(node, value, path)]
        assert node.child is not None
        return [
            v for k, item in value.items() for v in violations(node.child, item, pointer(path, k))
        ]
    return _record_violations(node, value, path)


def _logical_object(node: Node, value: Any) -> bool:
    kinds = _LOGICAL_OBJECTS.get(node.logical or "")
    return kinds is not None and isinstance(value, kinds)


def _violation(node: Node, value: Any, path: str, message: str | None = None) -> Violation:
    if message is None:
        expected = node.describe()
        if node.kind == "fixed":
            expected += f" ({node.size} bytes)"
        elif node.kind == "enum":
            expected += " (one of " + ", ".join(node.symbols) + ")"
        message = f"expected {expected}, found {_short(value)}"
    return Violation(path, message, node.path, node.describe(), value)


def _union_violations(node: Node, value: Any, path: str) -> list[Violation]:
    per_branch = [violations(branch, value, path) for branch in node.branches]
    if any(not found for found in per_branch):
        return []
    plausible = [
        found for b, found in zip(node.branches, per_branch, strict=True) if _plausible(b, value)
    ]
    if len(plausible) == 1:
        return plausible[0]
    return [
        _violation(node, value, path, f"{_short(value)} matches no branch of {node.describe()}")
    ]


def _plausible(node: Node, value: Any) -> bool:
    """Whether ``value`` has the Python type the branch uses, so its own errors say more."""
    if node.kind in ("record", "map"):
        return isinstance(value, dict)
    if node.kind == "array":
        return isinstance(value, list | tuple)
    return False


def _record_violations(node: Node, value: Any, path: str) -> list[Violation]:
    if not isinstance(value, dict):
        return [_violation(node, value, path)]
    found: list[Violation] = []
    for fld in node.fields:
        if fld.name in value:
            found += violations(fld.type, value[fld.name], pointer(path, fld.name))
        elif not fld.has_default:
            found.append(
                _violation(
                    node,
                    value,
                    pointer(path, fld.name),
                    f"field '{fld.name}' of record '{node.name}' is missing and has no default",
                )
            )
    return found


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- generation -----------------------------------------------------------------------------


def from_default(node: Node, value: Any) -> Any:
    """A field default (Avro's JSON encoding, already validated) as a Python instance."""
    if node.kind == "union":
        return from_default(node.branches[0], value)
    if node.kind in ("bytes", "fixed"):
        return bytes(value.encode("latin-1"))
    if node.kind in ("float", "double"):
        return float(value)
    if node.kind == "array" and node.child is not None:
        return [from_default(node.child, item) for item in value]
    if node.kind == "map" and node.child is not None:
        return {k: from_default(node.child, v) for k, v in value.items()}
    if node.kind == "record":
        out = {}
        for fld in node.fields:
            if fld.name in value:
                out[fld.name] = from_default(fld.type, value[fld.name])
            else:
                out[fld.name] = from_default(fld.type, fld.default)
        return out
    return value


class Generator:
    """Builds instances of a schema from a seeded RNG, optionally steered towards a place.

    ``steer`` maps ``id(union node)`` to the branch index to take and ``id(enum node)`` to the
    symbol to use; when steering, arrays and maps are not empty (until the walk is deep) so the
    place is reached. Work is bounded: past a soft budget of steps only the smallest choices are
    made, and past a hard one the value is given up (:class:`NoExample`).
    """

    def __init__(self, rng: random.Random, steer: dict[int, Any] | None = None) -> None:
        self.rng = rng
        self.steer = steer or {}
        self.nonempty = steer is not None
        self.budget = _BUDGET

    def value(self, node: Node, depth: int = 0) -> Any:
        """One instance of ``node``."""
        self.budget -= 1
        if depth > _HARD_DEPTH:
            raise NoExample("the schema recurses without an end")
        if self.budget < -_HARD_BUDGET:
            raise NoExample("every value of the schema is too large to generate")
        terminal = depth > _SOFT_DEPTH or self.budget <= 0
        kind = node.kind
        if kind == "union":
            return self.value(self.branch(node, terminal), depth + 1)
        if kind == "record":
            return {f.name: self._field(f, depth) for f in node.fields}
        if kind in ("array", "map"):
            assert node.child is not None
            count = 0 if terminal else self.rng.randint(1 if self.nonempty else 0, 2)
            items = [self.value(node.child, depth + 1) for _ in range(count)]
            if kind == "array":
                return items
            return {self._text(1, 6) + str(i): item for i, item in enumerate(items)}
        if kind == "enum":
            chosen = self.steer.get(id(node))
            return chosen if chosen is not None else self.rng.choice(node.symbols)
        return self._scalar(node)

    def branch(self, node: Node, terminal: bool) -> Node:
        """The union branch to generate: steered, or random (terminal when deep)."""
        chosen = self.steer.get(id(node))
        if chosen is not None:
            return node.branches[int(chosen)]
        if not node.branches:
            raise NoExample("an empty union has no values")
        if terminal:
            ends = [b for b in node.branches if b.kind in _TERMINAL or b.kind in ("array", "map")]
            if ends:
                return ends[0]
        return self.rng.choice(node.branches)

    def _field(self, fld: Any, depth: int) -> Any:
        if fld.has_default and not self.nonempty and self.rng.random() < 0.25:
            return from_default(fld.type, fld.default)
        return self.value(fld.type, depth + 1)

    def _text(self, low: int, high: int) -> str:
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-é"
        return "".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(low, high)))

    def _scalar(self, node: Node) -> Any:
        logical = _LOGICAL_VALUES.get(node.logical or "")
        if logical is not None:
            return logical(self, node)
        rng = self.rng
        kind = node.kind
        if kind == "null":
            return None
        if kind == "boolean":
            return rng.random() < 0.5
        if kind in ("int", "long"):
            low, high = INT_RANGE if kind == "int" else LONG_RANGE
            return rng.choice([0, 1, -1, low, high, rng.randint(-1000, 1000)])
        if kind in ("float", "double"):
            return rng.choice([0.0, 1.5, -2.25, float(rng.randint(-1000, 1000))])
        if kind == "string":
            return self._text(0, 8)
        if kind == "bytes":
            return self._text(0, 8).encode()
        return rng.randbytes(node.size)


def _decimal_bytes(gen: Generator, node: Node) -> bytes:
    size = node.size if node.kind == "fixed" else 2
    return gen.rng.randint(-100, 100).to_bytes(size, "big", signed=True) if size else b""


_LOGICAL_VALUES: dict[str, Callable[[Generator, Node], Any]] = {
    "uuid": lambda g, n: (
        str(uuid.UUID(int=g.rng.getrandbits(128))) if n.kind == "string" else g.rng.randbytes(16)
    ),
    "date": lambda g, n: g.rng.randint(0, 30_000),
    "time-millis": lambda g, n: g.rng.randint(0, 86_399_999),
    "time-micros": lambda g, n: g.rng.randint(0, 86_399_999_999),
    "timestamp-millis": lambda g, n: g.rng.randint(0, 2_000_000_000_000),
    "timestamp-micros": lambda g, n: g.rng.randint(0, 2_000_000_000_000_000),
    "local-timestamp-millis": lambda g, n: g.rng.randint(0, 2_000_000_000_000),
    "local-timestamp-micros": lambda g, n: g.rng.randint(0, 2_000_000_000_000_000),
    "decimal": _decimal_bytes,
    "duration": lambda g, n: g.rng.randbytes(12),
}


def generate(compiled: AvroCompiled, n: int, seed: int) -> list[Any]:
    """Up to ``n`` instances of the schema, the same ones for the same seed."""
    rng = random.Random(seed)
    out: list[Any] = []
    for _ in range(n):
        try:
            out.append(Generator(rng).value(compiled.root))
        except (NoExample, RecursionError):
            break
    return out


# --- counterexamples ------------------------------------------------------------------------


def roundtrip(writer: AvroCompiled, reader: AvroCompiled, record: Any) -> Any:
    """Write ``record`` with the writer schema and read it back with the reader schema.

    Strings are decoded replacing invalid UTF-8, as Java's decoder does. (fastavro still decodes
    bytes promoted to a string strictly, which is why generated bytes are UTF-8 text: the
    specification allows that promotion, so non-UTF-8 bytes are no counterexample.)
    """
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, writer.fastavro, record)
    buffer.seek(0)
    return _read(buffer, writer, reader)


def _read(buffer: io.BytesIO, writer: AvroCompiled, reader: AvroCompiled) -> Any:
    return fastavro.schemaless_reader(
        buffer, writer.fastavro, reader.fastavro, handle_unicode_errors="replace"
    )


def counterexample(
    reader: AvroCompiled,
    writer: AvroCompiled,
    steer: dict[int, Any],
    deadline: float,
    tries: int = 3,
) -> tuple[bool, Any]:
    """A writer-valid instance that fails to read with the reader, if one is found in time."""
    for seed in range(tries):
        if time.monotonic() > deadline:
            break
        try:
            record = Generator(random.Random(seed), steer).value(writer.root)
            buffer = io.BytesIO()
            fastavro.schemaless_writer(buffer, writer.fastavro, record)
        except Exception:  # the generator's value is not writable: try another
            continue
        buffer.seek(0)
        try:
            _read(buffer, writer, reader)
        except Exception:  # any read failure proves the incompatibility
            return True, record
    return False, None
