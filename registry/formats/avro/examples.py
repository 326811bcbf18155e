"""Avro example instances: a seeded, bounded generator that can be steered towards a place.

Instances are Python values as fastavro writes them (see :mod:`.validate`); logical types get
values in their base type's form, as :data:`~registry.formats.avro.types.LOGICAL_TYPES` makes them.
"""

from __future__ import annotations

import random
from typing import Any

from registry.formats.avro.defaults import from_default
from registry.formats.avro.schema import AvroCompiled, Node
from registry.formats.avro.types import LOGICAL_TYPES, PRIMITIVES

_SOFT_DEPTH = 8
_HARD_DEPTH = 100
_BUDGET = 20_000
# Past the soft budget the generator only finishes what it started; a value that still needs
# this many more steps (records nested 2**n ways, say) is given up.
_HARD_BUDGET = 4 * _BUDGET
_TERMINAL = frozenset({*PRIMITIVES, "enum", "fixed"})


class NoExample(Exception):
    """The generator could not build a finite value (for example, endless required recursion)."""


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
        logical = LOGICAL_TYPES.get(node.logical or "")
        if logical is not None and logical.example is not None:
            return logical.example(self.rng, node)
        rng = self.rng
        kind = node.kind
        if kind == "null":
            return None
        if kind == "boolean":
            return rng.random() < 0.5
        bounds = PRIMITIVES[kind].bounds if kind in PRIMITIVES else None
        if bounds is not None:
            low, high = bounds
            return rng.choice([0, 1, -1, low, high, rng.randint(-1000, 1000)])
        if kind in ("float", "double"):
            return rng.choice([0.0, 1.5, -2.25, float(rng.randint(-1000, 1000))])
        if kind == "string":
            return self._text(0, 8)
        if kind == "bytes":
            return self._text(0, 8).encode()
        return rng.randbytes(node.size)


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
