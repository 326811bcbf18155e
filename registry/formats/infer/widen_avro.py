"""The smallest widening of an Avro schema for sample events (JSON objects, read as they are).

The document is walked with the samples' values at each place, named types resolved by full
name (a named type used in several places is widened once, for all of them):

* a record field missing from a sample and without a default, or null where its type has no
  ``null``, becomes optional: ``["null", T]`` with ``"default": null`` (``[T, "null"]`` when the
  field already has a non-null default, which must stay valid for the first branch);
* a key no field (or alias) has becomes a new optional field, typed by inference, when it is a
  valid Avro name (other keys cannot be fields and are left out, as Avro writers drop them);
* numbers are promoted as schema resolution allows (``int`` -> ``long`` -> ``double``), an enum
  gets the new symbols, arrays and maps are widened through their items and values;
* a value of another kind adds a union branch inferred from the values, except that a record,
  map or array is never put in a union with another non-null kind (``InvalidInput``).

Every change keeps the existing schema able to be read by the proposal: each is one of Avro's
compatible evolutions (a field with a default, a promotion, a new enum symbol, a union branch).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from registry.errors import InvalidInput
from registry.formats.avro.types import PRIMITIVES
from registry.formats.infer.avro_schema import AvroBuilder, optional
from registry.formats.infer.json_schema import structure
from registry.formats.infer.values import AVRO_NAME, ITEMS, VALUES, Names, Place, kind_of, where

_NAMED = ("record", "error", "enum", "fixed")
_STRUCTURED = ("record", "map", "array")
_LONG_MAX = 2**63 - 1


def widen_avro(document: Any, samples: Sequence[Any]) -> tuple[Any, list[str]]:
    """The widened document (a copy) and what changed, for samples that are JSON objects."""
    widener = _Widener(copy.deepcopy(document))
    root = widener.widen(widener.document, list(samples), widener.root_namespace, ())
    return root, widener.changes


class _Widener:
    def __init__(self, document: Any) -> None:
        self.document = document
        self.named: dict[str, tuple[dict[str, Any], str]] = {}
        self.changes: list[str] = []
        self.root_namespace = ""
        if isinstance(document, dict) and isinstance(document.get("namespace"), str):
            self.root_namespace = document["namespace"]
        self._register(document, self.root_namespace)
        self.names = Names(full.rpartition(".")[2] for full in self.named)

    # --- the document's named types ---------------------------------------------------------

    def _register(self, schema: Any, namespace: str) -> None:
        if isinstance(schema, list):
            for branch in schema:
                self._register(branch, namespace)
            return
        if not isinstance(schema, dict):
            return
        kind = schema.get("type")
        if kind in _NAMED and isinstance(schema.get("name"), str):
            full = _full_name(schema["name"], schema.get("namespace", namespace))
            namespace = full.rpartition(".")[0]
            self.named[full] = (schema, namespace)
        if isinstance(kind, dict | list):
            self._register(kind, namespace)
        for field in schema.get("fields", []) if kind in ("record", "error") else []:
            self._register(field.get("type"), namespace)
        for key in ("items", "values"):
            if key in schema:
                self._register(schema[key], namespace)

    def _deref(self, schema: Any, namespace: str) -> tuple[Any, str] | None:
        """The definition a type stands for (a named type's dict, a primitive's name)."""
        if isinstance(schema, str):
            if schema in PRIMITIVES:
                return schema, namespace
            return self.named.get(_full_name(schema, namespace)) or self.named.get(schema)
        if isinstance(schema, dict) and isinstance(schema.get("type"), dict | list):
            return self._deref(schema["type"], namespace)
        return schema, namespace

    def _kind(self, schema: Any, namespace: str) -> str:
        found = self._deref(schema, namespace)
        if found is None:
            return "unknown"
        target = found[0]
        if isinstance(target, list):
            return "union"
        if isinstance(target, str):
            return target
        kind = target.get("type")
        return "record" if kind == "error" else str(kind)

    def _accepts(self, schema: Any, value: Any, namespace: str) -> bool:
        """Whether ``value`` conforms to ``schema`` (an unknown reference accepts anything)."""
        if isinstance(schema, list):
            return any(self._accepts(branch, value, namespace) for branch in schema)
        found = self._deref(schema, namespace)
        if found is None:
            return True
        target, namespace = found
        kind = self._kind(target, namespace)
        if kind in PRIMITIVES:
            return PRIMITIVES[kind].is_datum(value)
        if kind == "record":
            return isinstance(value, dict) and all(
                self._accepts(f["type"], value[f["name"]], namespace)
                if f["name"] in value
                else "default" in f
                for f in target.get("fields", [])
            )
        if kind == "enum":
            return isinstance(value, str) and value in target.get("symbols", [])
        if kind == "array":
            items = target.get("items")
            return isinstance(value, list) and all(
                self._accepts(items, v, namespace) for v in value
            )
        if kind == "map":
            inner = target.get("values")
            return isinstance(value, dict) and all(
                self._accepts(inner, v, namespace) for v in value.values()
            )
        return kind == "fixed" and isinstance(value, bytes) and len(value) == target.get("size")

    def _plausible(self, kind: str, value: Any) -> bool:
        """Whether ``value`` belongs in a type of ``kind`` once that type is widened in place."""
        if isinstance(value, bool):
            return kind == "boolean"
        if kind in ("int", "long", "float", "double"):
            return isinstance(value, int | float)
        if kind in ("record", "map"):
            return isinstance(value, dict)
        if kind == "array":
            return isinstance(value, list)
        if kind in ("string", "enum"):
            return isinstance(value, str)
        return kind == "null" and value is None

    # --- widening ------------------------------------------------------------------------------

    def widen(self, schema: Any, values: list[Any], namespace: str, place: Place) -> Any:
        """``schema`` widened to take ``values`` (named types are changed where defined)."""
        if not values:
            return schema
        if isinstance(schema, list):
            return self._union(schema, values, namespace, place)
        found = self._deref(schema, namespace)
        if found is None:
            return schema  # a type from a referenced schema: not ours to change
        target, inner_ns = found
        kind = self._kind(target, inner_ns)
        fitting = [v for v in values if self._plausible(kind, v)]
        others = [v for v in values if not self._plausible(kind, v)]
        if kind == "enum":
            fitting = [v for v in fitting if v in target["symbols"] or AVRO_NAME.match(v)]
            others = [v for v in values if v not in fitting]
        result = self._fit(schema, kind, target, fitting, inner_ns, place) if fitting else schema
        return self._add(result, others, namespace, place) if others else result

    def _fit(
        self, schema: Any, kind: str, target: Any, values: list[Any], namespace: str, place: Place
    ) -> Any:
        if kind == "record":
            self._record(target, values, namespace, place)
        elif kind == "enum":
            new = sorted({v for v in values if v not in target["symbols"]})
            if new:
                target["symbols"] = [*target["symbols"], *new]
                self.changes.append(f"{where(place)}: enum {target['name']} gets {', '.join(new)}")
        elif kind == "array":
            items = [item for value in values for item in value]
            target["items"] = self.widen(target["items"], items, namespace, (*place, ITEMS))
        elif kind == "map":
            inner = [item for value in values for item in value.values()]
            target["values"] = self.widen(target["values"], inner, namespace, (*place, VALUES))
        elif kind in ("int", "long", "float"):
            return self._promote(schema, kind, values, place)
        return schema

    def _promote(self, schema: Any, kind: str, values: list[Any], place: Place) -> Any:
        if all(PRIMITIVES[kind].is_datum(v) for v in values):
            return schema
        fits_long = all(isinstance(v, int) and abs(v) <= _LONG_MAX for v in values)
        promoted = "long" if kind == "int" and fits_long else "double"
        self.changes.append(f"{where(place)}: {kind} promoted to {promoted}")
        return promoted

    def _record(
        self, record: dict[str, Any], values: list[Any], namespace: str, place: Place
    ) -> None:
        fields: list[dict[str, Any]] = record.setdefault("fields", [])
        known = {f["name"] for f in fields} | {a for f in fields for a in f.get("aliases", [])}
        for field in fields:
            here = (*place, field["name"])
            present = [v[field["name"]] for v in values if field["name"] in v]
            missing = len(values) - len(present)
            nulls = sum(v is None for v in present)
            reasons = []
            if missing and "default" not in field:
                reasons.append(f"missing in {_count(missing)}")
            if nulls and not self._accepts(field["type"], None, namespace):
                reasons.append(f"null in {_count(nulls)}")
            if reasons:
                self._make_optional(field, "; ".join(reasons), here)
            present = [v for v in present if v is not None]
            field["type"] = self.widen(field["type"], present, namespace, here)
        new_keys = dict.fromkeys(k for v in values for k in v if k not in known)
        for key in (k for k in new_keys if AVRO_NAME.match(k)):
            seen = [v[key] for v in values if key in v]
            builder = AvroBuilder(seen, self.names, base=(*place, key))
            avro = optional(builder.type_of(structure(seen), ()))
            fields.append({"name": key, "type": avro, "default": None})
            self.changes.append(
                f"{where((*place, key))}: new optional field (default null), in {len(seen)} "
                f"of {len(values)} samples"
            )

    def _make_optional(self, field: dict[str, Any], why: str, here: Place) -> None:
        default = field.get("default")
        branches = field["type"] if isinstance(field["type"], list) else [field["type"]]
        if "null" not in branches:
            has_value_default = "default" in field and default is not None
            branches = [*branches, "null"] if has_value_default else ["null", *branches]
        field["type"] = branches[0] if len(branches) == 1 else branches
        if "default" not in field:
            field["default"] = None
        self.changes.append(f"{where(here)}: optional ({why})")

    def _union(self, branches: list[Any], values: list[Any], namespace: str, place: Place) -> Any:
        groups: dict[int, list[Any]] = {}
        others = []
        for value in values:
            index = next(
                (i for i, b in enumerate(branches) if self._accepts(b, value, namespace)), None
            )
            if index is None:
                index = next(
                    (
                        i
                        for i, b in enumerate(branches)
                        if self._plausible(self._kind(b, namespace), value)
                    ),
                    None,
                )
            if index is None:
                others.append(value)
            else:
                groups.setdefault(index, []).append(value)
        widened = list(branches)
        for index, group in groups.items():
            widened[index] = self.widen(branches[index], group, namespace, place)
        unique = [b for i, b in enumerate(widened) if b not in widened[:i]]
        result: Any = unique if len(unique) > 1 else unique[0]
        return self._add(result, others, namespace, place) if others else result

    def _add(self, schema: Any, values: list[Any], namespace: str, place: Place) -> Any:
        """``schema`` as a union with branches inferred for ``values`` of other kinds."""
        builder = AvroBuilder(values, self.names, base=place)
        inferred = builder.type_of(structure(values), ())
        current = schema if isinstance(schema, list) else [schema]
        new = [
            b for b in (inferred if isinstance(inferred, list) else [inferred]) if b not in current
        ]
        had = {self._kind(b, namespace) for b in current}
        added = {_kind_word(b) for b in new}
        kinds = had | {b if isinstance(b, str) else str(b["type"]) for b in new}
        structured = kinds & set(_STRUCTURED)
        if (structured and kinds - structured - {"null"}) or len(structured) > 1:
            raise InvalidInput(
                f"{where(place)} is {', '.join(sorted(had))} in the schema and "
                f"{' or '.join(sorted({kind_of(v) for v in values}))} in some samples: a union "
                "of a record, map or array with another kind is not proposed"
            )
        branches = (["null"] if "null" in new else []) + current + [b for b in new if b != "null"]
        count = _count(len(values), "value")
        self.changes.append(f"{where(place)}: union with {', '.join(sorted(added))} ({count})")
        return branches


def _count(number: int, word: str = "sample") -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def _full_name(name: str, namespace: str | None) -> str:
    if "." in name or not namespace:
        return name
    return f"{namespace}.{name}"


def _kind_word(schema: Any) -> str:
    if isinstance(schema, str):
        return schema
    if isinstance(schema, dict):
        return str(schema.get("name") or schema.get("type"))
    return "union"
