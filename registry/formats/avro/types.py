"""Avro's types as facts: the one table of primitive types, the logical types, the named kinds.

Every part of the format (defaults when parsing, schema resolution, validation, example
generation) and the conversions of :mod:`registry.formats.convert` read these tables instead of
spelling a type's facts again. Sources, in the Avro specification
(https://avro.apache.org/docs/1.11.1/specification/): "Primitive Types", "Schema Resolution"
(promotions), "Complex Types" (field defaults in Avro's JSON encoding) and "Logical Types".
"""

from __future__ import annotations

import datetime
import decimal
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from registry.formats.avro.schema import Node

INT_RANGE = (-(2**31), 2**31 - 1)
LONG_RANGE = (-(2**63), 2**63 - 1)

NAMED_KINDS = frozenset({"record", "enum", "fixed"})
# The ``type`` words that define a named type; ``error`` is a record ("Protocol Declaration").
NAMED_TYPE_WORDS = NAMED_KINDS | {"error"}


def is_byte_text(value: Any) -> bool:
    """Whether ``value`` is bytes in Avro's JSON encoding: a string of code points below 256."""
    return isinstance(value, str) and all(ord(c) < 256 for c in value)


def _same(value: Any) -> Any:
    return value


def _integer(bounds: tuple[int, int]) -> Callable[[Any], bool]:
    low, high = bounds
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def bytes_from_text(value: str) -> bytes:
    """The bytes that text in Avro's JSON encoding of bytes stands for (one per code point)."""
    return bytes(value.encode("latin-1"))


@dataclass(frozen=True, slots=True)
class Primitive:
    """One primitive type and what the format knows about it.

    ``json_schema`` is the JSON Schema of the type's plain JSON form (bytes as ISO-8859-1 text);
    ``is_datum`` tells a Python value fastavro writes as the type; ``is_default`` tells a JSON
    value that is a valid default (Avro's JSON encoding) and ``from_default`` turns it into the
    Python instance; ``promotes_to`` are the reader types that can read the type when a writer
    wrote it, besides itself; ``bounds`` are the least and greatest int or long.
    """

    name: str
    json_schema: Mapping[str, Any]
    is_datum: Callable[[Any], bool]
    is_default: Callable[[Any], bool]
    from_default: Callable[[Any], Any] = _same
    promotes_to: frozenset[str] = frozenset()
    numeric: bool = False
    bounds: tuple[int, int] | None = None


def _null(v: Any) -> bool:
    return v is None


def _boolean(v: Any) -> bool:
    return isinstance(v, bool)


def _string(v: Any) -> bool:
    return isinstance(v, str)


def _bytes(v: Any) -> bool:
    return isinstance(v, bytes | bytearray)


_INT, _LONG = _integer(INT_RANGE), _integer(LONG_RANGE)

PRIMITIVES: Mapping[str, Primitive] = {
    t.name: t
    for t in (
        Primitive("null", {"type": "null"}, _null, _null),
        Primitive("boolean", {"type": "boolean"}, _boolean, _boolean),
        Primitive(
            "int",
            {"type": "integer", "minimum": INT_RANGE[0], "maximum": INT_RANGE[1]},
            _INT,
            _INT,
            promotes_to=frozenset({"long", "float", "double"}),
            numeric=True,
            bounds=INT_RANGE,
        ),
        Primitive(
            "long",
            {"type": "integer", "minimum": LONG_RANGE[0], "maximum": LONG_RANGE[1]},
            _LONG,
            _LONG,
            promotes_to=frozenset({"float", "double"}),
            numeric=True,
            bounds=LONG_RANGE,
        ),
        Primitive(
            "float",
            {"type": "number"},
            _number,
            _number,
            float,
            promotes_to=frozenset({"double"}),
            numeric=True,
        ),
        Primitive("double", {"type": "number"}, _number, _number, float, numeric=True),
        Primitive(
            "bytes",
            {"type": "string"},
            _bytes,
            is_byte_text,
            bytes_from_text,
            promotes_to=frozenset({"string"}),
        ),
        Primitive("string", {"type": "string"}, _string, _string, promotes_to=frozenset({"bytes"})),
    )
}


@dataclass(frozen=True, slots=True)
class LogicalType:
    """One logical type: the types it may annotate (on others it is ignored, as the specification
    says), the Python objects fastavro converts it to, and how to make an example value of it in
    its base type's form (None: an example of the base type will do)."""

    name: str
    bases: frozenset[str]
    python_types: tuple[type, ...] = ()
    example: Callable[[random.Random, Node], Any] | None = None


def _uuid(rng: random.Random, node: Node) -> Any:
    return str(uuid.UUID(int=rng.getrandbits(128))) if node.kind == "string" else rng.randbytes(16)


def _decimal(rng: random.Random, node: Node) -> bytes:
    size = node.size if node.kind == "fixed" else 2
    return rng.randint(-100, 100).to_bytes(size, "big", signed=True) if size else b""


def _between(low: int, high: int) -> Callable[[random.Random, Node], int]:
    return lambda rng, node: rng.randint(low, high)


_DATE, _TIME, _INSTANT = (datetime.date,), (datetime.time,), (datetime.datetime,)
_DECIMAL = (decimal.Decimal,)
_INT_BASE, _LONG_BASE = frozenset({"int"}), frozenset({"long"})
_MILLIS, _MICROS = _between(0, 2_000_000_000_000), _between(0, 2_000_000_000_000_000)

LOGICAL_TYPES: Mapping[str, LogicalType] = {
    t.name: t
    for t in (
        LogicalType("uuid", frozenset({"string", "fixed"}), (uuid.UUID,), _uuid),
        LogicalType("date", _INT_BASE, _DATE, _between(0, 30_000)),
        LogicalType("time-millis", _INT_BASE, _TIME, _between(0, 86_399_999)),
        LogicalType("time-micros", _LONG_BASE, _TIME, _between(0, 86_399_999_999)),
        LogicalType("timestamp-millis", _LONG_BASE, _INSTANT, _MILLIS),
        LogicalType("timestamp-micros", _LONG_BASE, _INSTANT, _MICROS),
        LogicalType("timestamp-nanos", _LONG_BASE, _INSTANT),
        LogicalType("local-timestamp-millis", _LONG_BASE, _INSTANT, _MILLIS),
        LogicalType("local-timestamp-micros", _LONG_BASE, _INSTANT, _MICROS),
        LogicalType("local-timestamp-nanos", _LONG_BASE, _INSTANT),
        LogicalType("duration", frozenset({"fixed"}), (), lambda rng, node: rng.randbytes(12)),
        LogicalType("decimal", frozenset({"bytes", "fixed"}), _DECIMAL, _decimal),
        LogicalType("big-decimal", frozenset({"bytes"}), _DECIMAL),
    )
}
