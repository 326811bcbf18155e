"""What a consumer reads, and which compatibility findings touch it.

A consumer's read set is a list of JSON pointers (RFC 6901) into the *event*, with ``*`` for
any array item (``/items/*/sku``); ``None`` or an empty list means unknown, which is read as
"reads everything", never "reads nothing". A finding of the formats points into the *schema
documents* (``/properties/total``, ``/fields/1/type``); :func:`touched_pointers` turns those
paths into event pointers, and :func:`is_read` decides whether a read set reaches any of them.
Two pointers meet when one is a prefix of the other (token by token, ``*`` matching any token):
reading ``/items`` reads ``/items/*/sku``, and a change at ``/items`` touches a read of
``/items/*/sku``. Where a path cannot be mapped the finding touches the whole event.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from registry import errors
from registry.formats.base import Incompatibility

ANY = "*"
_COMBINATORS = {"allOf", "anyOf", "oneOf"}
_SUBSCHEMA = {"not", "if", "then", "else", "contains"}


def parse_pointer(pointer: str) -> tuple[str, ...]:
    """The tokens of a JSON pointer (``""`` is the whole event); malformed ones are refused."""
    if not isinstance(pointer, str):
        raise errors.InvalidPublication(f"Read pointer {pointer!r} is not a string")
    if pointer == "":
        return ()
    if not pointer.startswith("/"):
        raise errors.InvalidPublication(
            f"Read pointer '{pointer}' is not a JSON pointer: it must be empty or start with '/'"
        )
    tokens = pointer[1:].split("/")
    for token in tokens:
        rest = token.replace("~0", "").replace("~1", "")
        if "~" in rest:
            raise errors.InvalidPublication(
                f"Read pointer '{pointer}' has '~' not followed by 0 or 1 (RFC 6901)"
            )
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in tokens)


def check_reads(reads: Sequence[str] | None) -> tuple[str, ...] | None:
    """A read set, validated; ``None`` and ``[]`` both mean unknown (everything)."""
    if reads is None or len(reads) == 0:
        return None
    for pointer in reads:
        parse_pointer(pointer)
    return tuple(sorted(set(reads)))


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _join(tokens: Iterable[str]) -> str:
    return "".join(f"/{_escape(t)}" for t in tokens)


def _meets(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return all(x == y or ANY in (x, y) for x, y in zip(a, b, strict=False))


def is_read(reads: Sequence[str] | None, touched: Iterable[str]) -> bool:
    """Whether a consumer reading ``reads`` reads any of the ``touched`` event pointers."""
    if not reads:
        return True
    wanted = [parse_pointer(r) for r in reads]
    return any(_meets(r, parse_pointer(t)) for t in touched for r in wanted)


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
            out.append(ANY)
            i += 2 if i + 1 < len(tokens) and tokens[i + 1].isdigit() else 1
        elif token in ("additionalProperties", "unevaluatedProperties"):
            out.append(ANY)
            i += 1
        elif token == "patternProperties":
            out.append(ANY)
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
            out.append(str(field.get("name", ANY)))
            node, i = field, i + 2
        elif isinstance(node, dict) and token in ("type", "items", "values"):
            if token != "type":
                out.append(ANY)
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
            touched.append(_join(_avro_path(document, tokens)))
            continue
        event, used = _json_schema_path(tokens)
        if used < len(tokens) and tokens[used] == "required":
            names = _required_names(reader_doc, writer_doc, tokens[:used])
            touched += [_join([*event, n]) for n in names] or [_join(event)]
        else:
            touched.append(_join(event))
    # A path at the root only says where the other side's part is missing: the mapped one names
    # the part itself.
    named = list(dict.fromkeys(t for t in touched if t))
    return named or [""]
