"""Semantic compatibility of JSON Schemas: the entry point of the engine.

BACKWARD compatibility of a new schema means the new one (the *reader*) accepts every instance
the old one (the *writer*) accepts; FORWARD swaps the roles. :func:`check_compatibility` answers
that question for one pair and returns one :class:`Incompatibility` per reason, each with JSON
pointers into both documents, a one-sentence message naming the field, and, when one is found
within a small budget, a counterexample instance the writer accepts and the reader rejects.
"""

from __future__ import annotations

import sys
import threading

from registry.domain import CompatibilityPolicy
from registry.formats.base import Incompatibility, ParsedSchema
from registry.formats.jsonschema.budget import CHECK_STEPS, BudgetExceeded, spending
from registry.formats.jsonschema.compat.engine import Engine
from registry.formats.jsonschema.compat.node import Node
from registry.formats.jsonschema.parse import build_context

# Enough for MAX_NESTING comparisons in progress (plus validation inside them). Python 3.11
# runs Python-to-Python calls without C stack, so this is far from overflowing a thread's.
RECURSION_LIMIT = 4000


def check_compatibility(
    reader: ParsedSchema,
    writer: ParsedSchema,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    *,
    counterexamples: bool = True,
    steps: int = CHECK_STEPS,
) -> list[Incompatibility]:
    """Every reason ``reader`` may reject an instance ``writer`` accepts (empty: compatible).

    Sound under STRICT: an empty answer means every writer instance is valid under the reader.
    LENIENT additionally accepts Confluent's LENIENT changes (properties added to or removed
    from a content model, additional properties narrowed), assuming producers send only the
    properties they declare.

    The work is bounded: after ``steps`` budget steps (comparisons and keyword evaluations,
    counted, not timed) the answer is ``json.undecidable``, an incompatibility, so a verdict
    of compatible is never a guess.
    """
    engine = Engine(policy)
    w = _root(writer)
    r = _root(reader)
    with _deep_recursion, spending(steps):
        try:
            found = engine.compare(w, r)
        except BudgetExceeded:
            found = [_too_complex(steps)]
        except RecursionError:
            found = [
                Incompatibility(
                    "json.undecidable", "Cannot decide: the schemas nest too deeply to compare."
                )
            ]
    found = _unique(found)
    if counterexamples and found:
        from registry.formats.jsonschema.counterexamples import attach_examples

        found = attach_examples(found, reader, writer, engine.places)
    return found


def _too_complex(steps: int) -> Incompatibility:
    message = (
        "Cannot decide: the schemas are too large or complex to compare "
        f"(more than {steps} steps of work, for example $ref fan-out through anyOf/oneOf)."
    )
    return Incompatibility("json.undecidable", message)


class _RecursionLimit:
    """Raises the interpreter's recursion limit while any thread compares, then restores it.

    The limit is global to the interpreter, so the raise is counted: the last comparison to
    finish restores the limit found by the first (never lowering one raised meanwhile).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved = 0

    def __enter__(self) -> None:
        with self._lock:
            if self._users == 0:
                self._saved = sys.getrecursionlimit()
                if self._saved < RECURSION_LIMIT:
                    sys.setrecursionlimit(RECURSION_LIMIT)
            self._users += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0 and sys.getrecursionlimit() == max(self._saved, RECURSION_LIMIT):
                sys.setrecursionlimit(self._saved)


_deep_recursion = _RecursionLimit()


def _root(schema: ParsedSchema) -> Node:
    context = build_context(schema.document, schema.references)
    return Node(schema.document, context.resolver(), context.draft)


def _unique(found: list[Incompatibility]) -> list[Incompatibility]:
    seen: dict[tuple[str, str, str, str], Incompatibility] = {}
    for inc in found:
        seen.setdefault((inc.rule_id, inc.reader_path, inc.writer_path, inc.message), inc)
    return list(seen.values())
