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
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import referencing.exceptions
from jsonschema.validators import validator_for
from jsonschema_specifications import REGISTRY as SPECIFICATIONS  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing._core import Resolver

from registry.domain import SchemaType
from registry.errors import InvalidSchema
from registry.formats.base import ParsedSchema, ResolvedReference, json_depth
from registry.formats.jsonschema.compiled import Compiled
from registry.formats.jsonschema.cycles import in_place_cycle
from registry.formats.jsonschema.drafts import (
    LISTS,
    MAPS,
    SINGLE,
    Draft,
    draft_of,
    pointer,
    subschemas,
)
from registry.formats.jsonschema.formats import meta_format_checker

MAX_DEPTH = 256


def decode(text: str) -> Any:
    """Strict JSON decoding: duplicate keys, NaN and over-deep nesting raise ``InvalidSchema``."""
    depth = json_depth(text)
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
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise InvalidSchema(f"Duplicate key '{key}' in schema JSON")
            seen.add(key)
    return result


def _no_constant(name: str) -> Any:
    raise InvalidSchema(f"Invalid JSON: {name} is not a JSON number")


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
        for name, doc in flatten_references(references)
    ]
    registry = registry.with_resources(pairs)
    resource = draft.specification.create_resource(document)
    root_id = resource.id()
    if root_id:
        registry = registry.with_resource(root_id, resource)
    return Context(document, draft, registry.combine(SPECIFICATIONS), resource)


def flatten_references(references: Sequence[ResolvedReference]) -> list[tuple[str, Any]]:
    """Every referenced document, nested ones too, by reference name (the first name wins)."""
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
    check_meta_schema(document, draft)
    context = build_context(document, references)
    _check_refs(document, context.resolver(), context.draft, ())
    cycle = in_place_cycle(document, context.resolver(), context.draft)
    if cycle is not None:
        raise InvalidSchema(
            f"Invalid schema: the reference cycle {' -> '.join(cycle)} never reaches a property "
            "or an item, so no instance can ever be checked against it"
        )
    if normalize:
        document = normalized(document, draft)
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    cls = draft.validator_class
    compiled = Compiled(cls(document, registry=context.registry, format_checker=cls.FORMAT_CHECKER))
    return ParsedSchema(
        schema_type=SchemaType.JSON,
        text=text,
        document=document,
        canonical=canonical,
        references=tuple(references),
        compiled=compiled,
    )


# Where each draft's meta-schema expects a subschema: one, a list of them, a name -> subschema
# map (values that are lists, like ``dependencies`` property lists, are data).
_POSITIONS_4 = {
    "additionalItems": "one",
    "additionalProperties": "one",
    "items": "one-or-list",
    "not": "one",
    "allOf": "list",
    "anyOf": "list",
    "oneOf": "list",
    "definitions": "map",
    "properties": "map",
    "patternProperties": "map",
    "dependencies": "map",
}
_POSITIONS_6 = {**_POSITIONS_4, "contains": "one", "propertyNames": "one"}
_POSITIONS_7 = {**_POSITIONS_6, "if": "one", "then": "one", "else": "one"}
_POSITIONS_2019 = {
    **_POSITIONS_7,
    "$defs": "map",
    "dependentSchemas": "map",
    "unevaluatedItems": "one",
    "unevaluatedProperties": "one",
    "contentSchema": "one",
}
_POSITIONS_2020 = {
    **{k: v for k, v in _POSITIONS_2019.items() if k != "additionalItems"},
    "items": "one",
    "prefixItems": "list",
}
_POSITIONS: dict[Draft, dict[str, str]] = {
    Draft.DRAFT4: _POSITIONS_4,
    Draft.DRAFT6: _POSITIONS_6,
    Draft.DRAFT7: _POSITIONS_7,
    Draft.DRAFT2019_09: _POSITIONS_2019,
    Draft.DRAFT2020_12: _POSITIONS_2020,
}
_META_VALIDATORS: dict[Draft, Any] = {}


def check_meta_schema(document: Any, draft: Draft) -> None:
    """Validate ``document`` against its draft's meta-schema, each distinct subschema once.

    The meta-schemas validate every subschema position with the whole meta-schema again, so
    the document is valid exactly when every one of its subschemas is valid *shallowly* (its
    own subschemas replaced by ``{}``, a valid schema in every draft). Schemas with thousands
    of fields repeat a few shapes, so checking each distinct shallow shape once makes this
    linear and fast where validating the document as a whole is slow. Subschemas are checked
    breadth first, so the error reported is one nearest the root.
    """
    validator = _meta_validator(draft)
    positions = _POSITIONS[draft]
    seen: set[str] = set()  # repr() of JSON values: distinct values, distinct text
    queue: deque[tuple[tuple[str, ...], Any]] = deque([((), document)])
    while queue:
        path, node = queue.popleft()
        shallow = _shallow(node, positions, path, queue) if isinstance(node, dict) else node
        key = repr(shallow)
        if key in seen:
            continue
        seen.add(key)
        error = next(iter(validator.iter_errors(shallow)), None)
        if error is not None:
            where = pointer([*path, *(str(p) for p in error.absolute_path)]) or "/"
            raise InvalidSchema(
                f"Schema is not valid {draft.name} JSON Schema at '{where}': {error.message}"
            )


def _shallow(
    node: dict[str, Any],
    positions: dict[str, str],
    path: tuple[str, ...],
    queue: deque[tuple[tuple[str, ...], Any]],
) -> dict[str, Any]:
    """``node`` with its object subschemas replaced by ``{}``, queued to be checked.

    A list or map holding only object subschemas keeps one placeholder: the meta-schemas say
    nothing of such a container but its type, that it is not empty and (``patternProperties``
    only, kept whole) what its keys look like, and checking many ``{}`` is what made this slow.
    """
    shallow = dict(node)
    for key, value in node.items():
        kind = positions.get(key)
        if kind is None:
            continue
        if isinstance(value, dict) and kind in ("one", "one-or-list"):
            queue.append(((*path, key), value))
            shallow[key] = {}
        elif isinstance(value, list) and kind in ("list", "one-or-list"):
            items = [_placeholder(v, (*path, key, str(i)), queue) for i, v in enumerate(value)]
            shallow[key] = items[:1] if all(i == {} for i in items) else items
        elif isinstance(value, dict) and kind == "map":
            entries = {
                name: _placeholder(v, (*path, key, name), queue) for name, v in value.items()
            }
            if key != "patternProperties" and all(v == {} for v in entries.values()):
                entries = dict(list(entries.items())[:1])
            shallow[key] = entries
    return shallow


def _placeholder(
    value: Any, path: tuple[str, ...], queue: deque[tuple[tuple[str, ...], Any]]
) -> Any:
    if isinstance(value, dict):
        queue.append((path, value))
        return {}
    return value


def _meta_validator(draft: Draft) -> Any:
    validator = _META_VALIDATORS.get(draft)
    if validator is None:
        meta_schema = draft.validator_class.META_SCHEMA
        cls = validator_for(meta_schema)
        validator = cls(meta_schema, format_checker=meta_format_checker())
        _META_VALIDATORS[draft] = validator
    return validator


def _check_refs(node: Any, resolver: Resolver[Any], draft: Draft, path: tuple[str, ...]) -> None:
    # Paths are kept as (parent, tokens) links and spelled out only for an error message.
    stack: list[tuple[Any, Resolver[Any], Any]] = [(node, resolver, (None, path))]
    specification = draft.specification
    while stack:
        current, current_resolver, where = stack.pop()
        if current.__class__ is not dict:
            continue
        if (
            where[0] is not None
            and ("$id" in current or "id" in current)
            and specification.id_of(current)
        ):
            current_resolver = current_resolver.in_subresource(
                specification.create_resource(current)
            )
        for keyword in ("$ref", "$dynamicRef"):
            ref = current.get(keyword)
            if isinstance(ref, str):
                _lookup(current_resolver, ref, (*_spell(where), keyword))
        for sub_path, sub in subschemas(current):
            stack.append((sub, current_resolver, (where, sub_path)))


def _spell(where: Any) -> tuple[str, ...]:
    parts: list[tuple[str, ...]] = []
    while where is not None:
        where, tokens = where
        parts.append(tokens)
    return tuple(token for tokens in reversed(parts) for token in tokens)


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
