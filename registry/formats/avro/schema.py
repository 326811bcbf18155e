"""The typed graph an Avro schema parses into: nodes, fields, and what a parsed schema keeps.

A :class:`Node` is one Avro schema (a primitive, a named type, an array, a map or a union); named
types are shared, so records may refer to themselves. Each node carries the JSON pointer where it
is defined, which is what findings and violations point at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from registry.formats.avro.types import NAMED_KINDS


@dataclass(eq=False, slots=True)
class Field:
    """One field of a record."""

    name: str
    type: Node
    path: str
    index: int
    aliases: tuple[str, ...] = ()
    default: Any = None
    has_default: bool = False

    @property
    def type_path(self) -> str:
        """JSON pointer of the field's ``type``."""
        return f"{self.path}/type"


@dataclass(eq=False, slots=True)
class Node:
    """One Avro schema: a primitive, a named type, an array, a map or a union.

    ``path`` is the JSON pointer of the definition in its own document (for named types that
    come from a referenced schema, that is the referenced document). ``child`` is the items of
    an array or the values of a map.
    """

    kind: str
    path: str
    name: str = ""
    aliases: frozenset[str] = frozenset()
    fields: list[Field] = field(default_factory=list)
    field_index: dict[str, Field] = field(default_factory=dict)
    symbols: tuple[str, ...] = ()
    default: Any = None
    has_default: bool = False
    size: int = 0
    child: Node | None = None
    branches: list[Node] = field(default_factory=list)
    logical: str | None = None
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def short_name(self) -> str:
        """The unqualified name of a named type."""
        return self.name.rpartition(".")[2]

    def describe(self) -> str:
        """A short human name of the type: ``int``, ``record 'a.B'``, ``array``, ``union``."""
        if self.kind in NAMED_KINDS:
            return f"{self.kind} '{self.name}'"
        if self.kind == "union":
            return "union [" + ", ".join(b.describe() for b in self.branches) + "]"
        return self.kind

    def union_key(self) -> str:
        """What must be unique among the branches of a union."""
        return self.name if self.kind in NAMED_KINDS else self.kind


def pointer(path: str, *tokens: str | int) -> str:
    """Extend a JSON pointer by tokens (escaped as RFC 6901 requires)."""
    for token in tokens:
        path += "/" + str(token).replace("~", "~0").replace("/", "~1")
    return path


def local_ids(root: Node, foreign: set[int]) -> frozenset[int]:
    """Ids of the nodes defined in this document: reachable from ``root`` not via ``foreign``."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen or id(node) in foreign:
            continue
        seen.add(id(node))
        stack.extend(f.type for f in node.fields)
        stack.extend(node.branches)
        if node.child is not None:
            stack.append(node.child)
    return frozenset(seen)


@dataclass(eq=False, slots=True)
class AvroCompiled:
    """What a parsed Avro schema keeps: the node graph and fastavro's parsed form.

    ``local`` holds the ids of nodes defined in this document (the others come from
    references); ``named`` is fastavro's table of named types, for schemas that refer to this one.
    """

    root: Node
    types: dict[str, Node]
    local: frozenset[int]
    fastavro: Any
    named: dict[str, Any]
