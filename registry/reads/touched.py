"""Which event pointers a compatibility finding touches.

A finding of the formats points into the *schema documents* (``/properties/total``,
``/fields/1/type``); :func:`touched_pointers` turns those paths into pointers into the *event*
(``/total``), which :mod:`registry.reads.pointers` compares with what a consumer reads. Where a
path cannot be mapped the finding touches the whole event: unknown is never "nothing".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from registry.formats.base import Incompatibility
from registry.reads.pointers import ITEM, join, parse_pointer

_COMBINATORS = {"allOf", "anyOf", "oneOf"}
_SUBSCHEMA = {"not", "if", "then", "else", "contains"}


def _resolve(document: Any, tokens: Sequence[str]) -> Any:
    node = document
    for token in tokens:
        if isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            return None
    return node


def _json_schema_path(tokens: Sequence[str]) -> tuple[list[str], int]:
    """Event tokens of a JSON Schema path, and how many schema tokens they cover."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "properties" and i + 1 < len(tokens):
            out.append(tokens[i + 1])
            i += 2
        elif token in ("items", "prefixItems", "additionalItems"):
            out.append(ITEM)
            i += 2 if i + 1 < len(tokens) and tokens[i + 1].isdigit() else 1
        elif token in ("additionalProperties", "unevaluatedProperties"):
            out.append(ITEM)
            i += 1
        elif token == "patternProperties":
            out.append(ITEM)
            i += 2
        elif token in _COMBINATORS:
            i += 2
        elif token in _SUBSCHEMA:
            i += 1
        else:
            break
    return out, i


def _avro_path(document: Any, tokens: Sequence[str]) -> list[str]:
    out: list[str] = []
    node = document
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if isinstance(node, dict) and token == "fields" and i + 1 < len(tokens):
            field = _resolve(node, ["fields", tokens[i + 1]])
            if not isinstance(field, dict):
                break
            out.append(str(field.get("name", ITEM)))
            node, i = field, i + 2
        elif isinstance(node, dict) and token in ("type", "items", "values"):
            if token != "type":
                out.append(ITEM)
            node, i = node.get(token), i + 1
        elif isinstance(node, list) and token.isdigit():
            node, i = _resolve(node, [token]), i + 1
        else:
            break
    return out


def _required_names(reader: Any, writer: Any, obj: Sequence[str]) -> list[str]:
    wanted = _resolve(reader, [*obj, "required"])
    had = _resolve(writer, [*obj, "required"])
    names = [n for n in wanted if isinstance(n, str)] if isinstance(wanted, list) else []
    old = set(had) if isinstance(had, list) else set()
    return [n for n in names if n not in old] or names


def touched_pointers(
    incompatibility: Incompatibility, schema_type: str, reader: str, writer: str
) -> list[str]:
    """The event pointers a finding touches, from its reader and writer schema paths.

    ``reader`` and ``writer`` are the schema texts. A JSON Schema ``required`` finding touches
    the properties the reader newly requires; an unmapped path touches the whole event.
    """
    reader_doc, writer_doc = json.loads(reader), json.loads(writer)
    touched: list[str] = []
    for path, document in (
        (incompatibility.reader_path, reader_doc),
        (incompatibility.writer_path, writer_doc),
    ):
        if not path:
            continue
        tokens = parse_pointer(path)
        if schema_type == "AVRO":
            touched.append(join(_avro_path(document, tokens)))
            continue
        event, used = _json_schema_path(tokens)
        if used < len(tokens) and tokens[used] == "required":
            names = _required_names(reader_doc, writer_doc, tokens[:used])
            touched += [join([*event, n]) for n in names] or [join(event)]
        else:
            touched.append(join(event))
    # A path at the root only says where the other side's part is missing: the mapped one names
    # the part itself.
    named = list(dict.fromkeys(t for t in touched if t))
    return named or [""]
