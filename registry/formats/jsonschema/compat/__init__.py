"""Semantic compatibility of JSON Schemas: the entry point of the engine.

BACKWARD compatibility of a new schema means the new one (the *reader*) accepts every instance
the old one (the *writer*) accepts; FORWARD swaps the roles. :func:`check_compatibility` answers
that question for one pair and returns one :class:`Incompatibility` per reason, each with JSON
pointers into both documents, a one-sentence message naming the field, and, when one is found
within a small budget, a counterexample instance the writer accepts and the reader rejects.
"""

from __future__ import annotations

import sys

from registry.domain import CompatibilityPolicy
from registry.formats.base import Incompatibility, ParsedSchema
from registry.formats.jsonschema.compat.engine import Engine
from registry.formats.jsonschema.compat.node import Node
from registry.formats.jsonschema.parse import build_context

_RECURSION_LIMIT = 8000


def check_compatibility(
    reader: ParsedSchema,
    writer: ParsedSchema,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    *,
    counterexamples: bool = True,
) -> list[Incompatibility]:
    """Every reason ``reader`` may reject an instance ``writer`` accepts (empty: compatible).

    Sound under STRICT: an empty answer means every writer instance is valid under the reader.
    LENIENT additionally accepts Confluent's LENIENT changes (properties added to or removed
    from a content model, additional properties narrowed), assuming producers send only the
    properties they declare.
    """
    engine = Engine(policy)
    w = _root(writer)
    r = _root(reader)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, _RECURSION_LIMIT))
    try:
        found = engine.compare(w, r)
    except RecursionError:
        found = [
            Incompatibility(
                "json.undecidable", "Cannot decide: the schemas nest too deeply to compare."
            )
        ]
    finally:
        sys.setrecursionlimit(limit)
    found = _unique(found)
    if counterexamples and found:
        from registry.formats.jsonschema.counterexamples import attach_examples

        found = attach_examples(found, reader, writer, engine.places)
    return found


def _root(schema: ParsedSchema) -> Node:
    context = build_context(schema.document, schema.references)
    return Node(schema.document, context.resolver(), context.draft)


def _unique(found: list[Incompatibility]) -> list[Incompatibility]:
    seen: dict[tuple[str, str, str, str], Incompatibility] = {}
    for inc in found:
        seen.setdefault((inc.rule_id, inc.reader_path, inc.writer_path, inc.message), inc)
    return list(seen.values())
