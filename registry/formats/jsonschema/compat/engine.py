"""The core of the semantic compatibility engine: can every writer instance pass the reader?

``Engine.compare(writer, reader)`` returns the incompatibilities it finds (empty: every
instance the writer accepts is accepted by the reader). The engine is *sound*: where it cannot
prove inclusion it reports an incompatibility, so a verdict of compatible is never wrong. Two
approximations keep it so:

* the **writer** may be replaced by a schema accepting *more* (``allOf`` merged with
  :func:`~registry.formats.jsonschema.merge.merge`, ``not`` ignored, ``anyOf``/``oneOf`` and
  ``if``/``then``/``else`` split into pieces that cover every writer instance);
* the **reader** is only ever decomposed exactly (``allOf`` into conjuncts) or by sufficient
  conditions (one ``anyOf`` branch covers the writer piece, ``not`` is disjoint...).

Recursive schemas are compared co-inductively: a (writer, reader) pair met again deeper in
the instance is assumed to hold, which is sound because instances are finite; a pair met again
at the same instance depth (unguarded recursion) is undecidable.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from dataclasses import replace
from typing import Any

import referencing.exceptions

from registry.domain import CompatibilityPolicy
from registry.formats.base import Incompatibility
from registry.formats.jsonschema.budget import tick
from registry.formats.jsonschema.compat.memo import Memo
from registry.formats.jsonschema.compat.node import (
    Node,
    is_true,
    json_key,
    node_key,
    resolver_key,
    type_set,
)
from registry.formats.jsonschema.drafts import Draft, pointer
from registry.formats.jsonschema.merge import merge

MAX_INSTANCE_DEPTH = 160
# Comparisons in progress inside one another (each a handful of Python frames): beyond this
# the answer is "undecidable", so the engine never needs a deep interpreter stack.
MAX_NESTING = 300
# Budget steps charged per comparison (a comparison costs about as much as ten keywords
# checked by a validator).
COMPARE_COST = 10
_BIG_ENUM = 16


class Engine:
    """One comparison of a writer document with a reader document under a policy."""

    def __init__(self, policy: CompatibilityPolicy) -> None:
        self.policy = policy
        self.lenient = policy is CompatibilityPolicy.LENIENT
        self._active: dict[tuple[int, int], tuple[int, int]] = {}
        self._nesting = 0
        self._memo = Memo()
        self._derefs: dict[Hashable, tuple[Any, Any, tuple[str, ...], Any]] = {}
        self._pieces: dict[Hashable, tuple[list[tuple[Any, Any, tuple[str, ...]]], Any]] = {}
        self._validators: dict[Hashable, tuple[Any, Any]] = {}
        self._enums: dict[int, tuple[Any, frozenset[Hashable], Any]] = {}
        self._refs: dict[int, tuple[Any, bool]] = {}
        self.places: dict[tuple[str, str, str, str], tuple[Node, Node]] = {}

    # --- helpers used by the keyword modules ----------------------------------------------

    def found(self, rule: str, message: str, w: Node, r: Node) -> Incompatibility:
        """An incompatibility at the two nodes' places (remembered for counterexamples)."""
        found = Incompatibility(rule, message, r.pointer, w.pointer)
        self.places.setdefault((rule, found.reader_path, found.writer_path, message), (w, r))
        return found

    def same(self, a: Any, b: Any) -> bool:
        """Whether two subschemas are equal and free of references (so mean the same)."""
        if a is b or a == b:
            return not self._mentions_ref(a)
        return False

    def _mentions_ref(self, schema: Any) -> bool:
        if schema.__class__ is not dict:
            return False
        cached = self._refs.get(id(schema))
        if cached is not None and cached[0] is schema:
            return cached[1]
        text = json.dumps(schema)
        result = '"$ref"' in text or '"$dynamicRef"' in text or '"$recursiveRef"' in text
        self._refs[id(schema)] = (schema, result)
        return result

    def holds(self, w: Node, r: Node) -> bool:
        """Whether inclusion is proved (a trial comparison)."""
        return not self.compare(w, r)

    def valid(self, node: Node, value: Any) -> bool:
        """Whether ``value`` is valid under the node's schema (in its document).

        A big ``enum`` is checked through a set of value keys, so a thousand writer values
        against a thousand-value enum is not a million comparisons.
        """
        schema = node.schema
        if schema.__class__ is dict and len(schema.get("enum") or ()) > _BIG_ENUM:
            _, keys, rest = self._big_enum(schema)
            if json_key(value) not in keys:
                return False
            node = node.derived(rest)
        key = (id(node.schema), resolver_key(node.resolver), node.draft)
        cached = self._validators.get(key)
        if cached is None:
            cls = node.draft.validator_class
            validator = cls(node.schema, _resolver=node.resolver, format_checker=cls.FORMAT_CHECKER)
            self._validators[key] = (validator, node)
        else:
            validator = cached[0]
        try:
            return bool(validator.is_valid(value))
        except referencing.exceptions.Unresolvable:
            return False

    def _big_enum(self, schema: dict[str, Any]) -> tuple[Any, frozenset[Hashable], Any]:
        cached = self._enums.get(id(schema))
        if cached is None or cached[0] is not schema:
            tick(len(schema["enum"]))
            keys = frozenset(json_key(v) for v in schema["enum"])
            rest = {k: v for k, v in schema.items() if k != "enum"}
            cached = (schema, keys, rest)
            self._enums[id(schema)] = cached
        return cached

    # --- the comparison ---------------------------------------------------------------------

    def compare(self, w: Node, r: Node) -> list[Incompatibility]:
        """Every reason the reader at ``r`` may reject a value the writer at ``w`` accepts.

        Results are shared between equal (writer, reader, place) triples (see
        :mod:`~registry.formats.jsonschema.compat.memo`); each comparison made charges the
        work budget in force.
        """
        if self.same(w.schema, r.schema):
            return []
        w = self.deref_writer(w)
        if w.schema is False or is_true(r.schema):
            return []
        key = (id(w.schema), id(r.schema))
        depth = len(w.where)
        active = self._active.get(key)
        if active is not None:
            self._memo.assumed(active[0])
            if active[1] < depth:
                return []
            return [self._undecidable(w, r, "the schemas recurse without consuming the value")]
        memo_key = (*node_key(w), w.piece, *node_key(r))
        remembered = self._memo.get(memo_key)
        if remembered is not None:
            return remembered
        tick(COMPARE_COST)
        if depth > MAX_INSTANCE_DEPTH:
            return [self._undecidable(w, r, "the schemas nest too deeply to compare")]
        if self._nesting >= MAX_NESTING:
            self._memo.assumed(0)
            return [self._undecidable(w, r, "the schemas nest too deeply to compare")]
        frame = self._memo.enter(self._nesting)
        self._active[key] = (self._nesting, depth)
        self._nesting += 1
        try:
            result = unique(self._compare_split(w, r))
        finally:
            self._nesting -= 1
            del self._active[key]
        self._memo.leave(frame, memo_key, result, (w, r))
        return result

    def _compare_split(self, w: Node, r: Node) -> list[Incompatibility]:
        r_parts = self.split_reader(r)
        if len(r_parts) != 1 or r_parts[0] is not r:
            return [found for part in r_parts for found in self.compare(w, part)]
        if r.schema is False:
            return [self.found("json.false-schema", f"The reader forbids {w.field}.", w, r)]
        if self.same(w.schema, r.schema):
            return []
        return self._compare_pieces(w, r)

    def _undecidable(self, w: Node, r: Node, why: str) -> Incompatibility:
        return self.found("json.undecidable", f"Cannot decide for {w.field}: {why}.", w, r)

    def _compare_pieces(self, w: Node, r: Node) -> list[Incompatibility]:
        from registry.formats.jsonschema.compat import combinators

        if "$dynamicRef" in r.schema or "$recursiveRef" in r.schema:
            why = "the reader uses $dynamicRef/$recursiveRef, resolved only at validation time"
            return [self._undecidable(w, r, why)]

        values = finite_values(w)
        if values is not None:
            return combinators.compare_values(self, w, r, values)
        pieces = self.writer_pieces(w)
        if pieces[0] is not w:
            return [found for piece in pieces for found in self.compare(piece, r)]
        return combinators.compare_reader(self, w, r)

    # --- writer side: resolve, merge, split ---------------------------------------------------

    def deref_writer(self, w: Node) -> Node:
        """The writer with ``$ref`` resolved and ``allOf`` merged (accepting at least as much)."""
        if w.schema.__class__ is not dict:
            return w
        key = (id(w.schema), resolver_key(w.resolver), w.draft, w.path)
        cached = self._derefs.get(key)
        if cached is None:
            cached = (*self._deref(w), w)
            self._derefs[key] = cached
        schema, resolver, path, _ = cached
        if schema is w.schema and resolver is w.resolver:
            return w
        return Node(schema, resolver, w.draft, path, w.where, w.piece)

    def _deref(self, w: Node) -> tuple[Any, Any, tuple[str, ...]]:
        schema, resolver, path = w.schema, w.resolver, w.path
        for _ in range(32):
            if not isinstance(schema, dict):
                break
            tick()
            if "$dynamicRef" in schema or "$recursiveRef" in schema:
                schema = {
                    k: v for k, v in schema.items() if k not in ("$dynamicRef", "$recursiveRef")
                }
                continue
            if "$ref" in schema:
                schema, resolver, path = self._follow(schema, resolver, path, w.draft)
                continue
            if isinstance(schema.get("allOf"), list):
                schema = self._merge_all_of(schema, Node(schema, resolver, w.draft, path, w.where))
                continue
            break
        if isinstance(schema, dict) and schema == {}:
            schema = True
        return schema, resolver, path

    def _follow(
        self, schema: dict[str, Any], resolver: Any, path: tuple[str, ...], draft: Draft
    ) -> tuple[Any, Any, tuple[str, ...]]:
        ref = schema["$ref"]
        resolved = resolver.lookup(ref)
        new_path = _ref_path(ref, path)
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        if draft <= Draft.DRAFT7 or all(k in ("$comment", "description", "title") for k in rest):
            return resolved.contents, resolved.resolver, new_path
        return merge(resolved.contents, rest), resolved.resolver, new_path

    def _merge_all_of(self, schema: dict[str, Any], w: Node) -> Any:
        merged: Any = {k: v for k, v in schema.items() if k != "allOf"}
        for index, branch in enumerate(schema["allOf"]):
            flat = self.deref_writer(w.child(branch, "allOf", str(index)))
            merged = merge(merged, flat.schema, draft4=w.draft is Draft.DRAFT4)
        return merged

    def writer_pieces(self, w: Node) -> list[Node]:
        """Writer sub-cases covering every writer instance (``anyOf``/``oneOf``/``if``)."""
        schema = w.schema
        if not isinstance(schema, dict) or not (
            "anyOf" in schema or "oneOf" in schema or "if" in schema
        ):
            return [w]
        key = (id(schema), resolver_key(w.resolver), w.draft, w.path)
        cached = self._pieces.get(key)
        if cached is None:
            made = self._writer_pieces(w)
            shapes = [(p.schema, p.resolver, p.path) for p in made] if made[0] is not w else []
            cached = (shapes, w)
            self._pieces[key] = cached
        if not cached[0]:
            return [w]
        return [Node(s, res, w.draft, path, w.where, True) for s, res, path in cached[0]]

    def _writer_pieces(self, w: Node) -> list[Node]:
        schema = w.schema
        for keyword in ("anyOf", "oneOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list):
                tick(len(branches))
                base = {k: v for k, v in schema.items() if k != keyword}
                base = _drop_unevaluated(base)
                pieces = []
                # Branches that resolve to the same schema share one merged piece (so that
                # fan-out through $ref stays a shared graph, not a tree of copies).
                same: dict[int, Any] = {}
                for index, branch in enumerate(branches):
                    flat = self.deref_writer(w.child(branch, keyword, str(index)))
                    merged = same.get(id(flat.schema))
                    if merged is None:
                        merged = merge(base, flat.schema, draft4=w.draft is Draft.DRAFT4)
                        same[id(flat.schema)] = merged
                    others = [b for i, b in enumerate(branches) if i != index]
                    one_of = keyword == "oneOf" and others and isinstance(merged, dict)
                    if one_of and "not" not in merged:
                        merged = {"not": {"anyOf": others}, **merged}
                    pieces.append(replace(self.deref_writer(w.derived(merged)), piece=True))
                return pieces
        if "if" in schema and ("then" in schema or "else" in schema):
            base = _drop_unevaluated(
                {k: v for k, v in schema.items() if k not in ("if", "then", "else")}
            )
            then = merge(schema["if"], schema.get("then", True))
            otherwise = merge(base, schema.get("else", True))
            if isinstance(otherwise, dict) and "not" not in otherwise:
                otherwise = {**otherwise, "not": schema["if"]}
            return [
                replace(self.deref_writer(w.derived(merge(base, then))), piece=True),
                replace(self.deref_writer(w.derived(otherwise)), piece=True),
            ]
        return [w]

    # --- reader side: exact decomposition -----------------------------------------------------

    def split_reader(self, r: Node) -> list[Node]:
        """The reader as conjuncts: ``$ref`` siblings and ``allOf`` branches apart."""
        schema = r.schema
        if not isinstance(schema, dict):
            return [r]
        if "$ref" in schema:
            contents, resolver, path = _lookup(schema["$ref"], r.resolver, r.path)
            ref_node = Node(contents, resolver, r.draft, path, r.where)
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            if r.draft <= Draft.DRAFT7 or is_true(rest):
                return [ref_node]
            return [ref_node, r.derived(_evaluated_by(rest, [ref_node]))]
        if isinstance(schema.get("allOf"), list):
            branches = [r.child(b, "allOf", str(i)) for i, b in enumerate(schema["allOf"])]
            rest = {k: v for k, v in schema.items() if k != "allOf"}
            base = r.derived(_evaluated_by(rest, branches))
            return ([] if is_true(base.schema) else [base]) + branches
        return [r]


def unique(found: list[Incompatibility]) -> list[Incompatibility]:
    """``found`` without repeats (shared sub-results reach a comparison by many paths)."""
    if len(found) < 2:
        return found
    seen: dict[tuple[str, str, str, str], Incompatibility] = {}
    for inc in found:
        seen.setdefault((inc.rule_id, inc.reader_path, inc.writer_path, inc.message), inc)
    return found if len(seen) == len(found) else list(seen.values())


def finite_values(w: Node) -> list[Any] | None:
    """The writer's values when ``enum``/``const`` (or the types null/boolean) make them finite."""
    schema = w.schema
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return [schema["const"]]
    if isinstance(schema.get("enum"), list):
        return list(schema["enum"])
    types = type_set(schema)
    if "type" in schema and types <= {"null", "boolean"}:
        return [v for v, t in ((None, "null"), (True, "boolean"), (False, "boolean")) if t in types]
    return None


def _evaluated_by(rest: dict[str, Any], siblings: list[Node]) -> dict[str, Any]:
    """``rest`` with what in-place siblings evaluate marked, so ``unevaluated*`` stays exact."""
    if "unevaluatedProperties" not in rest and "unevaluatedItems" not in rest:
        return rest
    result = dict(rest)
    for sibling in siblings:
        schema = sibling.schema
        if isinstance(schema, dict) and "$ref" in schema:
            schema = _lookup(schema["$ref"], sibling.resolver, sibling.path)[0]
        if not isinstance(schema, dict):
            continue
        if "additionalProperties" in schema or "unevaluatedProperties" in schema:
            result.pop("unevaluatedProperties", None)
        for keyword in ("properties", "patternProperties"):
            names = dict.fromkeys(schema.get(keyword, {}), True)
            if names and "additionalProperties" not in rest:
                result[keyword] = {**names, **result.get(keyword, {})}
        if any(k in schema for k in ("items", "additionalItems", "unevaluatedItems")):
            result.pop("unevaluatedItems", None)
        prefix = schema.get("prefixItems")
        own_items = "items" in rest or "additionalItems" in rest
        if (
            isinstance(prefix, list)
            and not own_items
            and len(prefix) > len(result.get("prefixItems", []))
        ):
            own = list(result.get("prefixItems", []))
            result["prefixItems"] = own + [True] * (len(prefix) - len(own))
    return result


def _drop_unevaluated(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v for k, v in schema.items() if k not in ("unevaluatedProperties", "unevaluatedItems")
    }


def _lookup(ref: str, resolver: Any, path: tuple[str, ...]) -> tuple[Any, Any, tuple[str, ...]]:
    resolved = resolver.lookup(ref)
    return resolved.contents, resolved.resolver, _ref_path(ref, path)


def _ref_path(ref: str, path: tuple[str, ...]) -> tuple[str, ...]:
    if ref.startswith("#/"):
        return tuple(token.replace("~1", "/").replace("~0", "~") for token in ref[2:].split("/"))
    if ref == "#":
        return ()
    return (*path, "$ref")


__all__ = ["Engine", "Node", "finite_values", "pointer"]
