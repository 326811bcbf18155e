"""The jsonschema-rs fast path of instance validation, and when it is not taken.

Validating with the ``jsonschema`` package costs hundreds of microseconds per event; jsonschema-rs
does the same in a few. :func:`build` compiles a schema for jsonschema-rs once (the result is
kept on ``ParsedSchema.compiled``), but only when jsonschema-rs is known to give the verdict
``jsonschema`` gives for every instance. Otherwise the :class:`FastPath` carries no validator
and a ``reason``, and :mod:`validate` uses ``jsonschema`` alone, as it always did:

* a ``pattern`` or ``patternProperties`` outside the subset both regex engines read the same
  way (:mod:`patterns`: ``\\d``, ``\\w``, ``(?i)``, lookarounds...);
* ``$dynamicRef`` or ``$recursiveRef``, a ``$schema`` inside the document, a reference to a
  schema of another draft (``jsonschema`` reads it in the root's draft, jsonschema-rs in its
  own) or to a meta-schema (whose patterns cannot be adjusted), a ``$ref`` into ``enum`` data;
* a recursive schema (a ``$ref`` cycle), subschemas nested too deep, or a shape that may
  evaluate too many subschemas at one place of an instance (the ``anyOf`` fan-outs of
  ``test_hostile_schemas``): only the ``jsonschema`` path runs under the step budget of
  :mod:`budget`, so these stay there and hostile schemas stay bounded (:mod:`reach`);
* anything jsonschema-rs refuses to compile (a pattern too big for the ``regex`` crate...).

The schema given to jsonschema-rs is a copy adjusted where the two differ only in spelling:
every ``$`` of a pattern becomes ``\\n?$`` (Python's ``$`` also matches before a final newline),
``contentEncoding``/``contentMediaType``/``contentSchema``, which jsonschema-rs asserts in
drafts 6 and 7 and ``jsonschema`` never does, are dropped, and each document names the root's
draft in ``$schema``. Keywords whose arithmetic differs (``multipleOf``, ``uniqueItems``, and
bounds, ``const`` and ``enum`` holding numbers of 2**53 or more) are computed by ``jsonschema``'s
own keyword functions, which jsonschema-rs calls back (:func:`_python_keywords`). Formats are
the fixed set of :mod:`formats`, checked by jsonschema-rs in both paths.
Nothing is ever fetched: references are given as resources and the retriever refuses every URI.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from registry.formats.base import ParsedSchema
from registry.formats.jsonschema import reach
from registry.formats.jsonschema.drafts import Draft, draft_of
from registry.formats.jsonschema.formats import RS_VALIDATORS, rs_options
from registry.formats.jsonschema.parse import build_context, flatten_references
from registry.formats.jsonschema.patterns import rs_pattern
from registry.formats.jsonschema.reach import Untrusted, dicts

_IDENTIFIERS = ("$id", "id", "$anchor", "$dynamicAnchor", "$recursiveAnchor")
_DATA = frozenset({"enum", "const", "default", "examples"})
_CONTENT = frozenset({"contentEncoding", "contentMediaType", "contentSchema"})


@dataclass(frozen=True, slots=True)
class FastPath:
    """A jsonschema-rs validator for a schema, or why the schema is validated without one."""

    validator: Any = None
    reason: str | None = None


def build(schema: ParsedSchema) -> FastPath:
    """The fast path of ``schema``: a compiled jsonschema-rs validator, or the reason for none."""
    try:
        draft = draft_of(schema.document)
        references = flatten_references(schema.references)
        _check_drafts(draft, references)
        documents = [schema.document, *(doc for _, doc in references)]
        resolver = build_context(schema.document, schema.references).resolver()
        reachable = reach.reachable(documents, resolver, draft.specification)
        roots = {id(doc) for doc in documents}
        for node in reachable.values():
            _check_node(node, id(node) in roots)
        root = _copy(schema.document, reachable, draft, root=True)
        resources = [(name, _copy(doc, reachable, draft, root=True)) for name, doc in references]
    except Untrusted as exc:
        return FastPath(reason=str(exc))
    options = rs_options()
    keywords = _python_keywords(draft, reachable.values())
    if keywords:
        options["keywords"] = keywords
    try:
        registry = jsonschema_rs.Registry(resources, retriever=_refuse) if resources else None
        validator = RS_VALIDATORS[draft](root, registry=registry, retriever=_refuse, **options)
    except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return FastPath(reason=f"jsonschema-rs cannot compile it: {first_line}")
    return FastPath(validator=validator)


def _refuse(uri: str) -> Any:
    raise ValueError(f"nothing is fetched ({uri})")


def _check_drafts(draft: Draft, references: list[tuple[str, Any]]) -> None:
    for name, document in references:
        other = draft_of(document)
        if other == draft:
            continue
        if isinstance(document, dict) and "$schema" not in document and not _has_ids(document):
            continue  # read in the root's draft by both engines: the copy names that draft
        raise Untrusted(
            f"the referenced schema '{name}' is {other.name} and the schema {draft.name}"
        )


def _has_ids(document: Any) -> bool:
    return any(
        any(isinstance(node.get(key), str) for key in _IDENTIFIERS) for node in dicts(document)
    )


def _check_node(node: dict[str, Any], root: bool) -> None:
    if "$schema" in node and not root:
        raise Untrusted("it has a $schema inside the document")
    for keyword in ("$dynamicRef", "$recursiveRef"):
        if keyword in node:
            raise Untrusted(f"it uses {keyword}")
    pattern = node.get("pattern")
    if isinstance(pattern, str) and rs_pattern(pattern) is None:
        raise Untrusted(f"its pattern '{pattern}' may match differently in jsonschema-rs")
    properties = node.get("patternProperties")
    if isinstance(properties, dict):
        for key in properties:
            if rs_pattern(key) is None:
                raise Untrusted(f"its pattern '{key}' may match differently in jsonschema-rs")


def _copy(
    value: Any, reachable: dict[int, dict[str, Any]], draft: Draft, *, root: bool = False
) -> Any:
    """``value`` as jsonschema-rs must read it (see the module docstring)."""
    if isinstance(value, list):
        return [_copy(v, reachable, draft) for v in value]
    if not isinstance(value, dict):
        return value
    if id(value) not in reachable:
        copied = {k: _copy(v, reachable, draft) for k, v in value.items()}
    else:
        copied = _copy_schema(value, reachable, draft)
    if root:
        copied["$schema"] = draft.uri
    return copied


def _copy_schema(
    node: dict[str, Any], reachable: dict[int, dict[str, Any]], draft: Draft
) -> dict[str, Any]:
    copied: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DATA:
            if any(id(d) in reachable for d in dicts(value)):
                raise Untrusted(f"a $ref points into its {key} data")
            copied[key] = value
        elif key in _CONTENT and draft in (Draft.DRAFT6, Draft.DRAFT7):
            continue
        elif key == "pattern" and isinstance(value, str):
            copied[key] = rs_pattern(value)
        elif key == "patternProperties" and isinstance(value, dict):
            copied[key] = {rs_pattern(k): _copy(v, reachable, draft) for k, v in value.items()}
            if len(copied[key]) != len(value):
                raise Untrusted("two of its patternProperties collide once adjusted")
        else:
            copied[key] = _copy(value, reachable, draft)
    return copied


# Keywords whose arithmetic differs: ``jsonschema`` compares an int and a float exactly, and
# divides floats in binary; jsonschema-rs converts big integers to floats and divides exactly.
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "const", "enum")
_EXACT = 2**53  # below this magnitude every integer is a float too


def _python_keywords(draft: Draft, nodes: Iterable[dict[str, Any]]) -> dict[str, type]:
    """The keywords jsonschema-rs must call back into ``jsonschema`` for, in these subschemas.

    ``multipleOf`` always (``0.3`` is a multiple of ``0.1`` only in jsonschema-rs, and
    ``3.7521717531263196e18`` of 3); ``uniqueItems`` always (``[2**63, 2.0**63]`` holds two
    equal items only in ``jsonschema``); bounds, ``const`` and ``enum`` when a number in them
    is too large for every integer near it to be a float, where the two compare differently.
    """
    names: set[str] = set()
    for node in nodes:
        if "multipleOf" in node:
            names.add("multipleOf")
        if node.get("uniqueItems") is True:
            names.add("uniqueItems")
        names.update(name for name in _BOUNDS if name in node and _big(node[name]))
    if "maximum" in names or "minimum" in names:  # draft 4's boolean exclusives go with them
        names.update(("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"))
    validators = draft.validator_class.VALIDATORS
    return {name: _python_keyword(draft, name) for name in sorted(names) if name in validators}


def _big(value: Any) -> bool:
    return any(
        isinstance(v, int | float) and not isinstance(v, bool) and abs(v) >= _EXACT
        for v in _leaves(value)
    )


def _leaves(value: Any) -> Iterator[Any]:
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
        else:
            yield current


_PYTHON_KEYWORDS: dict[tuple[Draft, str], type] = {}


def _python_keyword(draft: Draft, name: str) -> type:
    """A jsonschema-rs keyword running ``jsonschema``'s ``name`` of ``draft``."""
    found = _PYTHON_KEYWORDS.get((draft, name))
    if found is not None:
        return found
    cls = draft.validator_class
    keyword = cls.VALIDATORS[name]
    types = cls({})  # a validator for its type checker: these keywords look at nothing else

    class PythonKeyword:
        """``name`` as ``jsonschema`` computes it, on the very object given to validation."""

        def __init__(self, parent: dict[str, Any], value: Any, path: list[str | int]) -> None:
            self.parent = parent
            self.value = value

        def validate(self, instance: Any) -> None:
            for error in keyword(types, self.value, instance, self.parent) or ():
                raise ValueError(error.message)

    PythonKeyword.__name__ = PythonKeyword.__qualname__ = f"Python_{name}"
    _PYTHON_KEYWORDS[(draft, name)] = PythonKeyword
    return PythonKeyword
