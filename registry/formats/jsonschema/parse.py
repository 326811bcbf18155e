"""Parsing JSON Schema text into a :class:`ParsedSchema`, refusing anything doubtful.

A schema is accepted when it is strict JSON without duplicate keys, nests at most
:data:`MAX_DEPTH` deep, names a supported draft in ``$schema`` (draft-07 when absent), passes
that draft's meta-schema, and every ``$ref`` resolves locally or to one of the given references.
Nothing is ever fetched: the ``referencing`` registry's retrieve function refuses every URI.

Identity (``canonical``) is compact JSON with sorted keys. With ``normalize=True`` the form also
sorts and de-duplicates the order-free arrays ``required``, ``type`` and ``enum`` and spells
``$schema`` canonically; annotations (``title``, ``description``, ``examples``...) are kept,
because people read them and Confluent keeps them too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import referencing.exceptions
from jsonschema.exceptions import SchemaError
from jsonschema_specifications import REGISTRY as SPECIFICATIONS  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing._core import Resolver

from registry.domain import SchemaType
from registry.errors import InvalidSchema
from registry.formats.base import ParsedSchema, ResolvedReference
from registry.formats.jsonschema.drafts import (
    LISTS,
    MAPS,
    SINGLE,
    Draft,
    draft_of,
    pointer,
    subschemas,
)

MAX_DEPTH = 256


def decode(text: str) -> Any:
    """Strict JSON decoding: duplicate keys, NaN and over-deep nesting raise ``InvalidSchema``."""
    depth = _nesting_depth(text)
    if depth > MAX_DEPTH:
        raise InvalidSchema(f"Schema nests {depth} levels deep; the limit is {MAX_DEPTH}")
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InvalidSchema(
            f"Invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise InvalidSchema("Schema nests too deeply") from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise InvalidSchema(f"Duplicate key '{key}' in schema JSON")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise InvalidSchema(f"Invalid JSON: {name} is not a JSON number")


def _nesting_depth(text: str) -> int:
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


@dataclass(frozen=True)
class Context:
    """What is needed to read one parsed schema: its draft and a resolver for its ``$ref``."""

    document: Any
    draft: Draft
    registry: Registry[Any]
    resource: Resource[Any]

    def resolver(self) -> Resolver[Any]:
        """A resolver rooted at the document."""
        return self.registry.resolver_with_root(self.resource)


def _refuse(uri: str) -> Resource[Any]:
    raise referencing.exceptions.NoSuchResource(ref=uri)  # type: ignore[call-arg]


def build_context(document: Any, references: Sequence[ResolvedReference] = ()) -> Context:
    """The draft, registry (references as resources, nothing fetched) and root resource."""
    draft = draft_of(document)
    registry: Registry[Any] = Registry(retrieve=_refuse)  # type: ignore[call-arg]
    pairs = [
        (name, Resource.from_contents(doc, default_specification=draft_of(doc).specification))
        for name, doc in _flatten(references)
    ]
    registry = registry.with_resources(pairs)
    resource = draft.specification.create_resource(document)
    root_id = resource.id()
    if root_id:
        registry = registry.with_resource(root_id, resource)
    return Context(document, draft, registry.combine(SPECIFICATIONS), resource)


def _flatten(references: Sequence[ResolvedReference]) -> list[tuple[str, Any]]:
    seen: dict[str, Any] = {}
    stack = list(references)
    while stack:
        ref = stack.pop()
        if ref.name in seen:
            continue
        seen[ref.name] = ref.schema.document
        stack.extend(ref.schema.references)
    return list(seen.items())


def parse_schema(
    text: str, references: Sequence[ResolvedReference] = (), *, normalize: bool = False
) -> ParsedSchema:
    """Decode, check against the draft's meta-schema, resolve every ``$ref`` and compile."""
    document = decode(text)
    if not isinstance(document, (dict, bool)):
        raise InvalidSchema(
            f"A JSON Schema must be an object or a boolean, not {_json_type(document)}"
        )
    draft = draft_of(document)
    try:
        draft.validator_class.check_schema(document)
    except SchemaError as exc:
        where = pointer([str(p) for p in exc.absolute_path]) or "/"
        raise InvalidSchema(
            f"Schema is not valid {draft.name} JSON Schema at '{where}': {exc.message}"
        ) from None
    context = build_context(document, references)
    _check_refs(document, context.resolver(), context.draft, ())
    if normalize:
        document = normalized(document, draft)
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    compiled = draft.validator_class(
        document,
        registry=context.registry,
        format_checker=draft.validator_class.FORMAT_CHECKER,
    )
    return ParsedSchema(
        schema_type=SchemaType.JSON,
        text=text,
        document=document,
        canonical=canonical,
        references=tuple(references),
        compiled=compiled,
    )


def _check_refs(node: Any, resolver: Resolver[Any], draft: Draft, path: tuple[str, ...]) -> None:
    stack: list[tuple[Any, Resolver[Any], tuple[str, ...]]] = [(node, resolver, path)]
    while stack:
        current, current_resolver, where = stack.pop()
        if not isinstance(current, dict):
            continue
        if where and draft.specification.id_of(current):
            current_resolver = current_resolver.in_subresource(
                draft.specification.create_resource(current)
            )
        for keyword in ("$ref", "$dynamicRef"):
            ref = current.get(keyword)
            if isinstance(ref, str):
                _lookup(current_resolver, ref, (*where, keyword))
        for sub_path, sub in subschemas(current):
            stack.append((sub, current_resolver, (*where, *sub_path)))


def _lookup(resolver: Resolver[Any], ref: str, where: tuple[str, ...]) -> None:
    try:
        resolver.lookup(ref)
    except referencing.exceptions.Unresolvable:
        raise InvalidSchema(
            f"Unresolvable $ref '{ref}' at '{pointer(where)}': it must point inside the "
            "schema or to a schema given as a reference (nothing is fetched)"
        ) from None


def normalized(document: Any, draft: Draft, *, root: bool = True) -> Any:
    """A copy with order-free arrays sorted and de-duplicated and the root ``$schema`` canonical."""
    if not isinstance(document, dict):
        return document
    result: dict[str, Any] = {}
    for key, value in document.items():
        if key in SINGLE or (key == "items" and not isinstance(value, list)):
            result[key] = normalized(value, draft, root=False)
        elif (key in LISTS or key == "items") and isinstance(value, list):
            result[key] = [normalized(v, draft, root=False) for v in value]
        elif (key in MAPS or key == "dependencies") and isinstance(value, dict):
            result[key] = {
                k: v if isinstance(v, list) else normalized(v, draft, root=False)
                for k, v in value.items()
            }
        elif key in ("required", "enum", "type") and isinstance(value, list):
            result[key] = _sorted_unique(value)
        else:
            result[key] = value
    if root and "$schema" in result:
        result["$schema"] = draft.uri
    return result


def _sorted_unique(values: list[Any]) -> list[Any]:
    keyed = {json.dumps(v, sort_keys=True, separators=(",", ":")): v for v in values}
    return [keyed[k] for k in sorted(keyed)]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"
