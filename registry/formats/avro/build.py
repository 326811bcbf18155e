"""Avro schema documents to a graph of nodes (:mod:`.schema`), validated to the specification.

The builder checks everything the specification requires ("Schemas", "Names", "Aliases",
"Logical Types" sections of https://avro.apache.org/docs/1.11.1/specification/) and says where:
names and namespaces are well formed, no named type is defined twice, field names and enum
symbols are unique, fixed sizes are not negative, union branches are distinct and not unions,
defaults are valid for their type (a union default for the union's FIRST branch, an enum default
one of its symbols). A logical type that is not valid for its type is ignored, as the
specification says, not an error.

Besides the nodes it gives the same document in normalized form (full names, no redundant
namespaces, ``{"type": "int"}`` written ``"int"``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from registry.errors import InvalidSchema
from registry.formats.avro.defaults import default_problem
from registry.formats.avro.schema import Field, Node, local_ids, pointer
from registry.formats.avro.types import LOGICAL_TYPES, PRIMITIVES

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_ORDERS = frozenset({"ascending", "descending", "ignore"})


@dataclass(slots=True)
class Built:
    """The result of building a document: its root node, named types and normalized form."""

    root: Node
    types: dict[str, Node]
    normalized: Any
    ignored_logical: list[str]
    local: frozenset[int]


class Builder:
    """Turns one Avro schema document into nodes, with named types from references preloaded."""

    def __init__(self, known: dict[str, Node] | None = None) -> None:
        self.known: dict[str, Node] = dict(known or {})
        self.types: dict[str, Node] = dict(self.known)
        self._deferred: list[tuple[Node, Any, str, str]] = []
        self.ignored_logical: list[str] = []

    def build(self, document: Any) -> Built:
        """Build and validate the whole document."""
        root, normalized = self.node(document, "", "")
        for node, value, path, what in self._deferred:
            problem = default_problem(node, value)
            if problem is not None:
                raise InvalidSchema(f"Invalid default for {what} at '{path}': {problem}")
        foreign = {id(node) for node in self.known.values()}
        local = local_ids(root, foreign)
        return Built(root, self.types, normalized, self.ignored_logical, local)

    def node(self, doc: Any, path: str, namespace: str) -> tuple[Node, Any]:
        """Build the schema at ``path`` within the enclosing ``namespace``."""
        if isinstance(doc, str):
            return self._reference(doc, path, namespace)
        if isinstance(doc, list):
            return self._union(doc, path, namespace)
        if not isinstance(doc, dict):
            raise InvalidSchema(
                f"Invalid Avro schema at '{path or '/'}': expected a type name, an object or a "
                f"union array, found {_json_kind(doc)}"
            )
        kind = doc.get("type")
        if not isinstance(kind, str):
            raise InvalidSchema(
                f"Invalid Avro schema at '{path or '/'}': an object schema needs a 'type' "
                f"string, found {_json_kind(kind) if 'type' in doc else 'no type'}"
            )
        if kind in PRIMITIVES:
            node = Node(kind, path, props=_extra(doc, {"type"}))
            self._logical(node, doc, path)
            return node, _normal_primitive(doc)
        if kind in ("record", "error"):
            return self._record(doc, path, namespace)
        if kind == "enum":
            return self._enum(doc, path, namespace)
        if kind == "fixed":
            return self._fixed(doc, path, namespace)
        if kind in ("array", "map"):
            return self._container(doc, kind, path, namespace)
        ref, _ = self._reference(kind, pointer(path, "type"), namespace)
        return ref, self._full(kind, namespace)

    def _full(self, name: str, namespace: str) -> str:
        """A name as used: with a dot it is full, else it is in the enclosing namespace (spec)."""
        return f"{namespace}.{name}" if "." not in name and namespace else name

    def _reference(self, name: str, path: str, namespace: str) -> tuple[Node, Any]:
        if name in PRIMITIVES:
            return Node(name, path), name
        full = self._full(name, namespace)
        target = self.types.get(full)
        if target is None:
            meant = f" (in the enclosing namespace: '{full}')" if full != name else ""
            raise InvalidSchema(
                f"Invalid Avro schema at '{path or '/'}': unknown type '{name}'{meant}: not a "
                "primitive type, and no named type of that name is defined before it or in a "
                "reference"
            )
        return target, full

    def _union(self, doc: list[Any], path: str, namespace: str) -> tuple[Node, Any]:
        node = Node("union", path)
        normalized: list[Any] = []
        seen: dict[str, int] = {}
        for i, branch_doc in enumerate(doc):
            branch, norm = self.node(branch_doc, pointer(path, i), namespace)
            if branch.kind == "union":
                raise InvalidSchema(
                    f"Invalid Avro schema at '{pointer(path, i)}': a union may not immediately "
                    "contain another union"
                )
            key = branch.union_key()
            if key in seen:
                raise InvalidSchema(
                    f"Invalid Avro schema at '{path or '/'}': the union contains "
                    f"{branch.describe()} twice (branches {seen[key]} and {i})"
                )
            seen[key] = i
            node.branches.append(branch)
            normalized.append(norm)
        return node, normalized

    def _container(
        self, doc: dict[str, Any], kind: str, path: str, namespace: str
    ) -> tuple[Node, Any]:
        key = "items" if kind == "array" else "values"
        if key not in doc:
            raise InvalidSchema(f"Invalid Avro schema at '{path or '/'}': {kind} needs '{key}'")
        child, norm = self.node(doc[key], pointer(path, key), namespace)
        node = Node(kind, path, child=child, props=_extra(doc, {"type", key}))
        return node, {**doc, key: norm}

    def _named(self, doc: dict[str, Any], kind: str, path: str, namespace: str) -> tuple[Node, str]:
        name = doc.get("name")
        where = f"'{path or '/'}'"
        if not isinstance(name, str):
            raise InvalidSchema(f"Invalid Avro schema at {where}: a {kind} needs a 'name' string")
        if "." in name:
            namespace = name.rpartition(".")[0]
        elif "namespace" in doc and doc["namespace"] is not None:
            namespace = doc["namespace"]
            if not isinstance(namespace, str):
                raise InvalidSchema(
                    f"Invalid Avro schema at {where}: 'namespace' of {kind} '{name}' "
                    "must be a string"
                )
        if namespace and not all(_NAME.match(part) for part in namespace.split(".")):
            raise InvalidSchema(f"Invalid Avro schema at {where}: invalid namespace '{namespace}'")
        short = name.rpartition(".")[2]
        if not _NAME.match(short):
            raise InvalidSchema(
                f"Invalid Avro schema at {where}: invalid name '{name}' (names start with a "
                "letter or '_' and contain only letters, digits and '_')"
            )
        if short in PRIMITIVES:
            raise InvalidSchema(
                f"Invalid Avro schema at {where}: '{short}' is a primitive type and may not be "
                f"used as the name of a {kind}"
            )
        full = f"{namespace}.{short}" if namespace else short
        if full in self.types:
            other = self.types[full]
            origin = "a reference" if full in self.known else f"'{other.path or '/'}'"
            raise InvalidSchema(
                f"Invalid Avro schema at {where}: the name '{full}' is already defined at {origin}"
            )
        aliases = self._aliases(doc, path, namespace, f"{kind} '{full}'")
        node = Node(kind, path, name=full, aliases=frozenset(aliases))
        self.types[full] = node
        return node, namespace

    def _aliases(self, doc: dict[str, Any], path: str, namespace: str, what: str) -> list[str]:
        raw = doc.get("aliases", [])
        if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
            raise InvalidSchema(
                f"Invalid Avro schema at '{path or '/'}': 'aliases' of {what} must be an array "
                "of names"
            )
        out = []
        for alias in raw:
            if not all(_NAME.match(part) for part in alias.split(".")):
                raise InvalidSchema(
                    f"Invalid Avro schema at '{path or '/'}': invalid alias '{alias}' of {what}"
                )
            out.append(alias if "." in alias or not namespace else f"{namespace}.{alias}")
        return out

    def _record(self, doc: dict[str, Any], path: str, namespace: str) -> tuple[Node, Any]:
        node, inner = self._named(doc, "record", path, namespace)
        fields = doc.get("fields")
        if not isinstance(fields, list):
            raise InvalidSchema(
                f"Invalid Avro schema at '{path or '/'}': record '{node.name}' needs a "
                "'fields' array"
            )
        normalized_fields = [
            self._field(node, field_doc, pointer(path, "fields", i), inner)
            for i, field_doc in enumerate(fields)
        ]
        norm = _without(doc, "namespace") | {"name": node.name, "fields": normalized_fields}
        if node.aliases:
            norm["aliases"] = sorted(node.aliases)
        return node, norm

    def _field(self, record: Node, doc: Any, path: str, namespace: str) -> Any:
        where = f"Invalid Avro schema at '{path}'"
        if not isinstance(doc, dict):
            raise InvalidSchema(f"{where}: a field of record '{record.name}' must be an object")
        name = doc.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise InvalidSchema(
                f"{where}: record '{record.name}' has a field with invalid name {name!r}"
            )
        what = f"field '{name}' of record '{record.name}'"
        if name in record.field_index:
            raise InvalidSchema(f"{where}: record '{record.name}' has two fields named '{name}'")
        if "type" not in doc:
            raise InvalidSchema(f"{where}: {what} has no 'type'")
        type_node, type_norm = self.node(doc["type"], pointer(path, "type"), namespace)
        order = doc.get("order", "ascending")
        if order not in _ORDERS:
            raise InvalidSchema(
                f"{where}: {what} has order {order!r}; use ascending, descending or ignore"
            )
        aliases = doc.get("aliases", [])
        if not isinstance(aliases, list) or not all(
            isinstance(a, str) and _NAME.match(a) for a in aliases
        ):
            raise InvalidSchema(f"{where}: 'aliases' of {what} must be an array of simple names")
        fld = Field(
            name,
            type_node,
            path,
            len(record.fields),
            tuple(aliases),
            doc.get("default"),
            "default" in doc,
        )
        if fld.has_default:
            self._deferred.append((type_node, fld.default, pointer(path, "default"), what))
        record.fields.append(fld)
        record.field_index[name] = fld
        return {**doc, "type": type_norm}

    def _enum(self, doc: dict[str, Any], path: str, namespace: str) -> tuple[Node, Any]:
        node, _ = self._named(doc, "enum", path, namespace)
        where = f"Invalid Avro schema at '{path or '/'}': enum '{node.name}'"
        symbols = doc.get("symbols")
        if not isinstance(symbols, list):
            raise InvalidSchema(f"{where} needs a 'symbols' array")
        for symbol in symbols:
            if not isinstance(symbol, str) or not _NAME.match(symbol):
                raise InvalidSchema(f"{where} has an invalid symbol {symbol!r}")
        if len(set(symbols)) != len(symbols):
            twice = sorted({s for s in symbols if symbols.count(s) > 1})
            raise InvalidSchema(f"{where} lists symbol(s) {', '.join(twice)} more than once")
        node.symbols = tuple(symbols)
        if "default" in doc:
            if doc["default"] not in node.symbols:
                raise InvalidSchema(
                    f"{where} has default {doc['default']!r}, which is not one of its symbols"
                )
            node.default, node.has_default = doc["default"], True
        norm = _without(doc, "namespace") | {"name": node.name}
        if node.aliases:
            norm["aliases"] = sorted(node.aliases)
        return node, norm

    def _fixed(self, doc: dict[str, Any], path: str, namespace: str) -> tuple[Node, Any]:
        node, _ = self._named(doc, "fixed", path, namespace)
        size = doc.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise InvalidSchema(
                f"Invalid Avro schema at '{path or '/'}': fixed '{node.name}' needs a 'size' "
                f"that is a non-negative integer, found {size!r}"
            )
        node.size = size
        node.props = _extra(doc, {"type", "name", "namespace", "aliases", "size", "doc"})
        self._logical(node, doc, path)
        norm = _without(doc, "namespace") | {"name": node.name}
        if node.aliases:
            norm["aliases"] = sorted(node.aliases)
        return node, norm

    def _logical(self, node: Node, doc: dict[str, Any], path: str) -> None:
        logical = doc.get("logicalType")
        if logical is None:
            return
        if isinstance(logical, str) and _logical_ok(node, logical, doc):
            node.logical = logical
        else:
            self.ignored_logical.append(path)


def _logical_ok(node: Node, logical: str, doc: dict[str, Any]) -> bool:
    spec = LOGICAL_TYPES.get(logical)
    if spec is None or node.kind not in spec.bases:
        return False
    if logical == "duration" or (logical == "uuid" and node.kind == "fixed"):
        return node.size == (12 if logical == "duration" else 16)
    if logical != "decimal":
        return True
    precision, scale = doc.get("precision"), doc.get("scale", 0)
    if not isinstance(precision, int) or not isinstance(scale, int):
        return False
    if isinstance(precision, bool) or isinstance(scale, bool):
        return False
    if not precision > 0 or not 0 <= scale <= precision:
        return False
    if node.kind == "fixed":
        if node.size < 1:
            return False
        return bool(precision <= math.floor(math.log10(2 ** (8 * node.size - 1) - 1)))
    return True


def _extra(doc: dict[str, Any], known: set[str]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in known}


def _without(doc: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != key}


def _normal_primitive(doc: dict[str, Any]) -> Any:
    return doc["type"] if len(doc) == 1 else doc


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    return "an array" if isinstance(value, list) else "an object"
