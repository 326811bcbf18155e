"""``$ref`` in AsyncAPI documents: JSON pointers, and JSON Schemas moved in and out of a document.

AsyncAPI resolves every ``$ref`` against the document (``#/components/schemas/Money``), so a
JSON Schema put into a document has its local references (``#/$defs/Money``) rewritten to the
place the schema now lives (``#/components/messages/m/payload/schema/$defs/Money``), and taken
back out by :func:`localize`, which also copies what a schema references elsewhere in the
document into its own ``$defs`` (or ``definitions`` before draft 2019-09). Values of ``const``,
``enum``, ``default`` and ``examples`` are data, not schemas: their ``$ref`` keys are left alone.
Only JSON pointers (``#`` and ``#/...``) are moved: an anchor (``#money``, a ``$anchor``) names
a place inside its schema wherever the schema is, and is left as written, as are references to
other documents.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from registry.errors import InvalidInput

DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples"})
MAX_HOPS = 32


def escape(token: str) -> str:
    """One JSON pointer token (RFC 6901): ``~`` as ``~0``, ``/`` as ``~1``."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """The inverse of :func:`escape`."""
    return token.replace("~1", "/").replace("~0", "~")


def pointer(*tokens: str) -> str:
    """``#/a/b`` from tokens."""
    return "#" + "".join(f"/{escape(t)}" for t in tokens)


def is_pointer(ref: str) -> bool:
    """Whether a ``$ref`` is a JSON pointer into its document (``#`` or ``#/...``), not an
    anchor (``#money``) or a reference to another document."""
    return ref == "#" or ref.startswith("#/")


def resolve(document: Any, ref: str) -> Any:
    """The node a local reference (``#/...``) points at; KeyError when there is none."""
    if ref == "#":
        return document
    if not ref.startswith("#/"):
        raise KeyError(ref)
    node = document
    for token in ref[2:].split("/"):
        key = unescape(token)
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            raise KeyError(ref)
    return node


def walk_refs(node: Any, visit: Callable[[dict[str, Any]], None]) -> None:
    """Call ``visit`` on every mapping holding a string ``$ref``, outside data keywords."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            visit(node)
        for key, value in node.items():
            if key not in DATA_KEYWORDS:
                walk_refs(value, visit)
    elif isinstance(node, list):
        for item in node:
            walk_refs(item, visit)


def check_refs(document: Any, origin: str) -> None:
    """Every ``$ref`` pointer of the document resolves; the first that does not is an error."""

    def visit(node: dict[str, Any]) -> None:
        ref = node["$ref"]
        if is_pointer(ref):
            try:
                resolve(document, ref)
            except KeyError:
                raise InvalidInput(f"{origin}: dangling $ref '{ref}'") from None

    walk_refs(document, visit)


def relocate(schema: Any, at: str) -> Any:
    """A copy of a JSON Schema whose pointers (``#/...``) point into the document at ``at``."""
    moved = copy.deepcopy(schema)

    def visit(node: dict[str, Any]) -> None:
        ref = node["$ref"]
        if is_pointer(ref):
            node["$ref"] = at + ref[1:]

    walk_refs(moved, visit)
    return moved


def localize(document: Any, schema: Any, at: str, defs: str, origin: str) -> Any:
    """A copy of the JSON Schema found at ``at`` in ``document``, standing on its own.

    References into the schema become local again; references elsewhere in the document are
    copied into the schema's ``defs`` keyword (``$defs`` or ``definitions``) under the last
    token of their pointer, and point there. Anchors and references to other documents are
    left as they are.
    """
    result = copy.deepcopy(schema)
    existing = result.get(defs) if isinstance(result, dict) else None
    taken = set(existing) if isinstance(existing, dict) else set()
    bundle: dict[str, Any] = {}
    places: list[tuple[str, str]] = [(at, "#")]
    pending: list[Any] = [result]

    def visit(found: dict[str, Any]) -> None:
        ref = found["$ref"]
        if not is_pointer(ref):
            return
        for prefix, local in places:
            if ref == prefix or ref.startswith(prefix + "/"):
                found["$ref"] = local + ref[len(prefix) :]
                return
        try:
            target = resolve(document, ref)
        except KeyError:
            raise InvalidInput(f"{origin}: dangling $ref '{ref}'") from None
        if not isinstance(result, dict):
            raise InvalidInput(f"{origin}: a schema that is not an object cannot hold $ref")
        name = unescape(ref.rsplit("/", 1)[-1]) or "definition"
        unique, number = name, 1
        while unique in taken:
            number += 1
            unique = f"{name}_{number}"
        taken.add(unique)
        bundle[unique] = copied = copy.deepcopy(target)
        local = pointer(defs, unique)
        places.append((ref, local))
        found["$ref"] = local
        pending.append(copied)

    while pending:
        walk_refs(pending.pop(), visit)
    if bundle and isinstance(result, dict):
        result[defs] = {**(existing if isinstance(existing, dict) else {}), **bundle}
    return result


def deref(document: Any, node: Any, where: str, origin: str) -> tuple[Any, str]:
    """Follow ``$ref`` from ``node`` (found at pointer ``where``) to a node that is not one.

    Returns the node and its pointer. References to other files and dangling or circular ones
    are ``InvalidInput``.
    """
    for _ in range(MAX_HOPS):
        if not (isinstance(node, dict) and "$ref" in node):
            return node, where
        ref = node["$ref"]
        if not isinstance(ref, str):
            raise InvalidInput(f"{origin}: $ref at {where} must be a string")
        if not ref.startswith("#"):
            raise InvalidInput(
                f"{origin}: $ref '{ref}' at {where} points into another file; esr reads "
                "single-file documents (bundle it first, e.g. asyncapi bundle)"
            )
        try:
            node = resolve(document, ref)
        except KeyError:
            raise InvalidInput(f"{origin}: dangling $ref '{ref}' at {where}") from None
        where = ref
    raise InvalidInput(f"{origin}: $ref at {where} loops")
