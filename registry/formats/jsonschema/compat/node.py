"""A subschema seen from the compatibility engine: the schema, how to resolve its ``$ref``,
where it sits in its document and which value of the instance it describes."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from referencing._core import Resolver

from registry.formats.jsonschema.drafts import Draft, pointer

ANNOTATIONS = frozenset(
    {
        "$comment",
        "$id",
        "id",
        "$schema",
        "$anchor",
        "$dynamicAnchor",
        "$recursiveAnchor",
        "$vocabulary",
        "$defs",
        "definitions",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "contentEncoding",
        "contentMediaType",
        "contentSchema",
    }
)
TYPES = ("array", "boolean", "integer", "null", "number", "object", "string")


@dataclass(frozen=True, slots=True)
class Node:
    """One subschema with its resolver, draft, document path and instance path."""

    schema: Any
    resolver: Resolver[Any]
    draft: Draft
    path: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    piece: bool = False

    def child(self, schema: Any, *tokens: str, field: str | None = None) -> Node:
        """The subschema found under ``tokens``; ``field`` extends the instance path."""
        where = (*self.where, field) if field is not None else self.where
        return Node(schema, self.resolver, self.draft, (*self.path, *tokens), where)

    def derived(self, schema: Any) -> Node:
        """The same place with a rewritten schema (a merge or a split)."""
        return Node(schema, self.resolver, self.draft, self.path, self.where, self.piece)

    @property
    def pointer(self) -> str:
        """The JSON pointer of the subschema in its document."""
        return pointer(self.path)

    @property
    def field(self) -> str:
        """The instance location in words: ``'order.lines[]'`` or ``the value``."""
        if not self.where:
            return "the value"
        text = ""
        for part in self.where:
            text += part if part.startswith("[") else ("." if text else "") + part
        return f"'{text}'"

    def get(self, key: str, default: Any = None) -> Any:
        """A keyword of the schema (``default`` for boolean schemas)."""
        try:
            return self.schema.get(key, default)
        except AttributeError:
            return default


def is_true(schema: Any) -> bool:
    """Whether a schema accepts everything on its face (``true``, ``{}``, annotations only)."""
    if schema is True:
        return True
    return isinstance(schema, dict) and all(key in ANNOTATIONS for key in schema)


def type_set(schema: Any) -> set[str]:
    """The JSON types a schema allows by its ``type`` keyword (all when absent)."""
    if not isinstance(schema, dict) or "type" not in schema:
        return set(TYPES)
    value = schema["type"]
    types = {value} if isinstance(value, str) else set(value)
    if "number" in types:
        types.add("integer")
    return types


def accepts_type(types: set[str], kind: str) -> bool:
    """Whether a ``type`` set accepts every value of JSON type ``kind``."""
    return kind in types


def resolver_key(resolver: Resolver[Any]) -> Hashable:
    """What a resolver resolves against (``lookup`` makes a new resolver object each time)."""
    return (id(resolver._registry), resolver._base_uri, resolver._previous)


def node_key(node: Node) -> tuple[Hashable, ...]:
    """A node's identity for sharing results: schema object, resolution scope and places.

    The schema is keyed by ``id``: callers keep the node alive as long as they keep the key.
    """
    return (id(node.schema), resolver_key(node.resolver), node.draft, node.path, node.where)


def json_key(value: Any) -> Hashable:
    """A hashable key equal for two JSON values exactly when JSON Schema calls them equal.

    ``1`` and ``1.0`` are equal, ``true`` and ``1`` are not, object key order does not count.
    """
    if value is True or value is False:
        return ("bool", value)
    if value is None:
        return ("null",)
    if isinstance(value, (int, float, str)):
        return value
    if isinstance(value, list):
        return ("array", tuple(json_key(v) for v in value))
    if isinstance(value, dict):
        return ("object", frozenset((k, json_key(v)) for k, v in value.items()))
    return ("other", repr(value))
