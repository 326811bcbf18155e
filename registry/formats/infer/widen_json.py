"""The smallest widening of a JSON Schema for samples it rejects: loosen what failed, keep the rest.

Each violation names the keyword that failed (``schema_path``, through ``$ref``) and the value
that failed it; the keyword is loosened just enough for that value, in the document where it is
written, and the sample is validated again, until the registry's validator accepts it. A
failure the table cannot loosen (a keyword outside it, a ``$ref`` into another document or to
an anchor, ``$dynamicRef``, a ``false`` schema other than a property's) ends in the one coarse
step: the root becomes ``anyOf: [the schema as it was, a schema inferred from the sample]``,
with ``$schema``, ``$id`` and ``$defs`` kept at the root so that references still resolve.

Every step only widens (the loosened schema accepts a superset), so a sample accepted once stays
accepted, and the proposal is compatible with the existing schema at BACKWARD whenever the
engine can tell.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from registry.domain import SchemaType
from registry.errors import InvalidInput
from registry.formats import get_format
from registry.formats.base import ParsedSchema, Violation
from registry.formats.infer.json_schema import infer_json_schema
from registry.formats.infer.values import kind_of

MAX_ROUNDS = 32
_DROPPED = {
    "pattern",
    "format",
    "multipleOf",
    "not",
    "uniqueItems",
    "dependentRequired",
    "dependencies",
    "propertyNames",
}
_KEPT_AT_ROOT = ("$schema", "$id", "id", "$defs", "definitions", "title", "description")
_ROOT_FALLBACK = "$comment"
_FALLBACK_NOTE = "widened by esr infer: the schema as it was, or what the samples showed"

Located = tuple[Any, str]  # a schema node and the JSON pointer where it is written


def widen_json(
    existing: ParsedSchema, samples: Sequence[Any], rejected: Sequence[int]
) -> tuple[Any, list[str]]:
    """The widened document and what changed, given the indexes of the rejected samples."""
    document = copy.deepcopy(existing.document)
    changes: list[str] = []
    current = existing
    for index in rejected:
        document, current = _accept(document, current, samples[index], index, changes)
    return document, changes


def _accept(
    document: Any, current: ParsedSchema, sample: Any, index: int, changes: list[str]
) -> tuple[Any, ParsedSchema]:
    fmt = get_format(SchemaType.JSON)
    seen: set[tuple[str, str, str]] = set()
    for _ in range(MAX_ROUNDS):
        violations = fmt.validate(current, sample)
        if not violations:
            break
        signature = {(v.path, v.schema_path, v.message) for v in violations}
        candidate, made = copy.deepcopy(document), len(changes)
        fixed = [_loosen(candidate, v, sample, index, changes) for v in _fixable(violations)]
        progressed = any(fixed) and not signature <= seen
        seen |= signature
        if not progressed:
            del changes[made:]
            candidate = _fallback(document, sample, index, changes)
        try:
            current = fmt.parse(json.dumps(candidate), current.references)
        except InvalidInput:
            del changes[made:]
            break  # an edit the format refuses: the sample stays unresolved
        document = candidate
        if not progressed:
            break
    return document, current


def _fixable(violations: Sequence[Violation]) -> list[Violation]:
    # One violation per keyword and value: the validator may repeat one (through anyOf...).
    unique: dict[tuple[str, str], Violation] = {}
    for violation in violations:
        unique.setdefault((violation.schema_path, violation.path), violation)
    return list(unique.values())


def _segments(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]


def _locate(document: Any, segments: Sequence[str]) -> Located | None:
    """The node at ``segments`` of a ``schema_path``, following ``$ref`` where the path does."""
    node, where = document, ""
    for segment in segments:
        if segment == "$ref" and isinstance(node, dict):
            found = _resolve(document, node.get("$ref"))
            if found is None:
                return None
            node, where = found
            continue
        if isinstance(node, dict) and segment not in node and "$ref" in node:
            found = _resolve(document, node["$ref"])
            if found is None:
                return None
            node, where = found
        if isinstance(node, dict) and segment in node:
            node, where = node[segment], f"{where}/{segment}"
        elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
            node, where = node[int(segment)], f"{where}/{segment}"
        else:
            return None
    return node, where


def _resolve(document: Any, ref: Any) -> Located | None:
    if not isinstance(ref, str) or not isinstance(document, dict):
        return None
    base = document.get("$id") or document.get("id")
    if isinstance(base, str) and ref.startswith(base.split("#")[0] + "#"):
        ref = ref[len(base.split("#")[0]) :]
    if not ref.startswith("#") or (len(ref) > 1 and not ref.startswith("#/")):
        return None  # another document, or an anchor
    return _locate(document, _segments(ref[1:]))


def _instance(sample: Any, pointer: str) -> Any:
    value = sample
    for segment in _segments(pointer):
        if isinstance(value, dict):
            value = value.get(segment)
        elif isinstance(value, list) and segment.isdigit() and int(segment) < len(value):
            value = value[int(segment)]
        else:
            return None
    return value


def _inferred(values: Sequence[Any]) -> dict[str, Any]:
    schema = infer_json_schema(values)
    schema.pop("$schema", None)
    return schema


def _loosen(
    document: Any, violation: Violation, sample: Any, index: int, changes: list[str]
) -> bool:
    """Loosen the keyword ``violation`` names; False when it cannot be loosened here."""
    segments = _segments(violation.schema_path)
    if not segments:
        return False
    located = _locate(document, segments[:-1])
    if located is None or not isinstance(located[0], dict):
        return False
    node, where = located
    keyword, value = segments[-1], violation.actual
    while keyword not in node and isinstance(node.get("$ref"), str):
        located = _resolve(document, node["$ref"])  # the path left out the $ref it went through
        if located is None or not isinstance(located[0], dict):
            return False
        node, where = located
    if violation.message.startswith("False schema"):
        value = _instance(sample, violation.path)
        return _false_properties(node, keyword, value, where, index, changes)
    fix = _FIXES.get(keyword)
    if fix is None or keyword not in node:
        return False
    done = fix(node, keyword, value)
    if done:
        changes.append(f"{where or '/'}: {done} (sample {index})")
    return bool(done)


def _false_properties(
    node: dict[str, Any], keyword: str, value: Any, where: str, index: int, changes: list[str]
) -> bool:
    # jsonschema reports a false property schema at "properties" with the object's path.
    if keyword != "properties" or not isinstance(value, dict):
        return False
    names = [n for n, s in node.get("properties", {}).items() if s is False and n in value]
    for name in names:
        node["properties"][name] = _inferred([value[name]])
        changes.append(f"{where}/properties/{name}: allowed, was false (sample {index})")
    return bool(names)


def _type(node: dict[str, Any], keyword: str, value: Any) -> str:
    kind = kind_of(value)
    types = node["type"] if isinstance(node["type"], list) else [node["type"]]
    if kind in types or (kind == "integer" and "number" in types):
        return ""  # another value at this keyword added it already
    node["type"] = [*types, kind]
    if kind in ("object", "array") and not {"properties", "items", "prefixItems"} & node.keys():
        extra = _inferred([value])
        for key in ("properties", "required", "items"):
            if key in extra:
                node[key] = extra[key]
    return f"type also allows {kind}"


def _required(node: dict[str, Any], keyword: str, value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    missing = [name for name in node["required"] if name not in value]
    node["required"] = [name for name in node["required"] if name in value]
    if not node["required"]:
        del node["required"]
    return f"no longer requires {', '.join(missing)}" if missing else ""


def _closed(node: dict[str, Any], keyword: str, value: Any) -> str:
    if node[keyword] is not False or not isinstance(value, dict):
        return ""
    declared = node.get("properties", {})
    patterns = list(node.get("patternProperties", {}))
    extra = [k for k in value if k not in declared and not any(re.search(p, k) for p in patterns)]
    for name in extra:
        node.setdefault("properties", {})[name] = _inferred([value[name]])
    return f"declares {', '.join(extra)} ({keyword} is false)" if extra else ""


def _enum(node: dict[str, Any], keyword: str, value: Any) -> str:
    if keyword == "const":
        node["enum"] = [node.pop("const"), value]
    elif value not in node["enum"]:
        node["enum"] = [*node["enum"], value]
    return f"{keyword} also allows {json.dumps(value)}"


def _drop(node: dict[str, Any], keyword: str, value: Any) -> str:
    was = node.pop(keyword)
    if keyword == "contains":
        node.pop("minContains", None)
        node.pop("maxContains", None)
    shown = json.dumps(was) if isinstance(was, str | int | float | bool) else "its schema"
    return f"dropped {keyword} {shown}"


def _bound(node: dict[str, Any], keyword: str, value: Any) -> str:
    measure = value if keyword in ("minimum", "maximum") else len(value)
    lower = keyword.startswith("min") or keyword == "exclusiveMinimum"
    plain = "minimum" if lower else "maximum"
    target = keyword if keyword.endswith(("Length", "Items", "Properties")) else plain
    if keyword.startswith("exclusive") or isinstance(node.get(f"exclusive{plain.title()}"), bool):
        node.pop(f"exclusive{plain.title()}", None)  # draft 4 booleans, or a numeric exclusive
    current = node.get(target)
    if isinstance(current, int | float):
        measure = min(current, measure) if lower else max(current, measure)
    node[target] = measure
    return f"{target} is now {measure}"


def _branch(node: dict[str, Any], keyword: str, value: Any) -> str:
    branches = node.pop(keyword)
    node["anyOf"] = [*branches, _inferred([value])]
    was = "" if keyword == "anyOf" else " (was oneOf)"
    return f"anyOf has a branch for {kind_of(value)} values{was}"


def _extra_items(node: dict[str, Any], keyword: str, value: Any) -> str:
    if node[keyword] is not False or not isinstance(value, list):
        return ""
    prefix = node.get("items") if keyword == "additionalItems" else node.get("prefixItems")
    extra = value[len(prefix) if isinstance(prefix, list) else 0 :]
    if not extra:
        return ""
    node[keyword] = _inferred(extra)
    return f"{keyword} allows more items"


def _fallback(document: Any, sample: Any, index: int, changes: list[str]) -> Any:
    inferred = _inferred([sample])
    if not isinstance(document, dict):
        changes.append(f"/: replaced by a schema inferred from the sample (sample {index})")
        return inferred
    kept = {k: document[k] for k in _KEPT_AT_ROOT if k in document}
    rest = {k: v for k, v in document.items() if k not in kept and k != _ROOT_FALLBACK}
    if document.get(_ROOT_FALLBACK) == _FALLBACK_NOTE and set(rest) == {"anyOf"}:
        branches = [*rest["anyOf"], inferred]
    else:
        branches = [rest, inferred]
    changes.append(
        f"/: anyOf the schema as it was and a schema inferred from sample {index} "
        "(no keyword to loosen was found)"
    )
    return {**kept, _ROOT_FALLBACK: _FALLBACK_NOTE, "anyOf": branches}


_Fix = Callable[[dict[str, Any], str, Any], str]
_FIXES: dict[str, _Fix] = {
    "type": _type,
    "required": _required,
    "additionalProperties": _closed,
    "unevaluatedProperties": _closed,
    "enum": _enum,
    "const": _enum,
    "contains": _drop,
    **dict.fromkeys(_DROPPED, _drop),
    **dict.fromkeys(
        (
            "minLength",
            "maxLength",
            "minItems",
            "maxItems",
            "minProperties",
            "maxProperties",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
        ),
        _bound,
    ),
    "anyOf": _branch,
    "oneOf": _branch,
    "items": _extra_items,
    "additionalItems": _extra_items,
    "unevaluatedItems": _extra_items,
}
