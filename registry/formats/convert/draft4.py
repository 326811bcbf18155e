"""Rewrite a JSON Schema of draft-06, 07, 2019-09 or 2020-12 as draft-04, or say why not.

EventBridge stores only ``JSONSchemaDraft4`` (and OpenAPI 3). Most newer keywords have an exact
draft-04 form; a few have none, and then the subject is skipped with the reason rather than
pushed with a looser meaning. The table (REFERENCE.md, "Avro and JSON Schema dialects"):

====================================  ===================================================
newer keyword                          draft-04 form
====================================  ===================================================
``$schema``                            ``http://json-schema.org/draft-04/schema#``
``$id``                                ``id``
``$defs`` (+ ``#/$defs/X`` refs)       ``definitions`` (+ ``#/definitions/X``)
numeric ``exclusiveMinimum: 5``        ``minimum: 5, exclusiveMinimum: true``
``const: v``                           ``enum: [v]``
boolean schemas                        ``{}`` / ``{"not": {}}``
``if``/``then``/``else``               ``anyOf: [{allOf: [if, then]}, {allOf: [{not: if}, else]}]``
``dependentRequired/Schemas``          ``dependencies``
``prefixItems`` + ``items`` (2020-12)  ``items: [...]`` + ``additionalItems``
``$ref`` with siblings (2019-09+)      ``allOf: [{$ref}, {siblings}]``; draft-06/07 ignore them
annotations (``examples``...)          dropped
``contains``, ``propertyNames``...     none: :class:`NotConvertible`
====================================  ===================================================
"""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft4Validator
from jsonschema.exceptions import SchemaError

from registry.errors import InvalidSchema, NotConvertible
from registry.formats.jsonschema.drafts import Draft, draft_of

DRAFT4 = Draft.DRAFT4.uri

_DROPPED = frozenset(
    {
        "examples",
        "readOnly",
        "writeOnly",
        "deprecated",
        "contentMediaType",
        "contentEncoding",
        "contentSchema",
        "$comment",
        "$vocabulary",
    }
)
_UNSUPPORTED = {
    "contains": "no draft-04 keyword constrains 'some item matches'",
    "minContains": "no draft-04 keyword constrains 'some item matches'",
    "maxContains": "no draft-04 keyword constrains 'some item matches'",
    "propertyNames": "draft-04 cannot constrain property names",
    "unevaluatedProperties": "draft-04 has no annotation-dependent keywords",
    "unevaluatedItems": "draft-04 has no annotation-dependent keywords",
    "$dynamicRef": "draft-04 has no dynamic references",
    "$dynamicAnchor": "draft-04 has no dynamic references",
    "$recursiveRef": "draft-04 has no recursive references",
    "$recursiveAnchor": "draft-04 has no recursive references",
    "$anchor": "draft-04 has no plain-name anchors",
}
# Kept beside a $ref: harmless annotations, and what must stay where pointers expect it.
_KEEP_WITH_REF = frozenset({"title", "description", "default", "id", "definitions", "$schema"})
_ONE = ("additionalProperties", "additionalItems", "not")
_MAP = ("properties", "patternProperties")
_LIST = ("allOf", "anyOf", "oneOf")
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_DEPENDENCIES = ("dependencies", "dependentRequired", "dependentSchemas")


def dialect_of(schema: Any) -> Draft:
    """The draft of ``schema``, read as the JSON Schema format reads it when it parses one.

    No ``$schema`` means draft-07 (Confluent's default); a ``$schema`` the format refuses is
    :class:`~registry.errors.NotConvertible`.
    """
    try:
        return draft_of(schema)
    except InvalidSchema:
        raise NotConvertible(f"unknown JSON Schema dialect {schema['$schema']!r}") from None


def to_draft4_text(text: str) -> str:
    """Parse, rewrite and serialize (indented); :class:`NotConvertible` with the reason."""
    try:
        schema = json.loads(text)
    except ValueError as exc:
        raise NotConvertible(f"not JSON: {exc}") from None
    return json.dumps(to_draft4(schema), indent=2, ensure_ascii=False)


def to_draft4(schema: Any) -> dict[str, Any]:
    """The draft-04 form of a schema document; the result passes draft-04's meta-schema."""
    dialect = dialect_of(schema)
    result = _Rewriter(dialect).schema(schema, "#", root=True)
    result["$schema"] = DRAFT4
    try:
        Draft4Validator.check_schema(result)
    except SchemaError as exc:
        raise NotConvertible(f"the draft-04 form is invalid: {exc.message}") from None
    return result


class _Rewriter:
    """One rewrite of one document (the dialect decides what ``items`` and ``$ref`` mean)."""

    def __init__(self, dialect: Draft) -> None:
        self.dialect = dialect

    def schema(self, node: Any, where: str, *, root: bool = False) -> dict[str, Any]:
        if node is True:
            return {}
        if node is False:
            return {"not": {}}
        if not isinstance(node, dict):
            raise NotConvertible(f"{where}: a schema must be an object or a boolean")
        for keyword, why in _UNSUPPORTED.items():
            if keyword in node:
                raise NotConvertible(f"{where}: '{keyword}' has no draft-04 form ({why})")
        if "$ref" in node and self.dialect <= Draft.DRAFT7:
            # Draft-06/07 ignore the siblings of $ref, as draft-04 does; keep the definitions
            # only, because JSON pointers may lead into them.
            node = {k: v for k, v in node.items() if k in ("$ref", "definitions", "$defs")}
        out: dict[str, Any] = {}
        extra_all: list[dict[str, Any]] = []
        for key, value in node.items():
            self.keyword(key, value, node, f"{where}/{key}", out, extra_all, root=root)
        if extra_all:
            out["allOf"] = [*out.get("allOf", []), *extra_all]
        return self.split_ref(out)

    def keyword(
        self,
        key: str,
        value: Any,
        node: dict[str, Any],
        at: str,
        out: dict[str, Any],
        extra_all: list[dict[str, Any]],
        *,
        root: bool,
    ) -> None:
        if key in _DROPPED or key in ("then", "else"):
            return
        if key == "$schema":
            if root:
                out["$schema"] = DRAFT4
        elif key == "$id":
            out["id"] = value
        elif key == "$ref":
            out["$ref"] = (
                value.replace("#/$defs/", "#/definitions/") if isinstance(value, str) else value
            )
        elif key in ("$defs", "definitions"):
            defs = out.setdefault("definitions", {})
            for name, sub in value.items():
                if name in defs:
                    raise NotConvertible(f"{at}: '{name}' is in both $defs and definitions")
                defs[name] = self.schema(sub, f"{at}/{name}")
        elif key in _BOUNDS:
            self.bounds(node, out)
        elif key == "const":
            if "enum" in node:
                extra_all.append({"enum": [value]})
            else:
                out["enum"] = [value]
        elif key == "if":
            extra_all.append(self.conditional(node, at))
        elif key in _DEPENDENCIES:
            self.dependencies(node, at, out)
        elif key in ("items", "prefixItems"):
            self.items(node, at.rsplit("/", 1)[0], out)
        elif key == "required":
            if value:  # draft-04 requires at least one name
                out[key] = value
        elif key in _ONE:
            keep = key != "not" and isinstance(value, bool)
            out[key] = value if keep else self.schema(value, at)
        elif key in _MAP:
            out[key] = {name: self.schema(sub, f"{at}/{name}") for name, sub in value.items()}
        elif key in _LIST:
            out[key] = [self.schema(sub, f"{at}/{i}") for i, sub in enumerate(value)]
        else:
            out[key] = value

    @staticmethod
    def split_ref(out: dict[str, Any]) -> dict[str, Any]:
        """2019-09+: siblings of $ref apply; draft-04 ignores them, so move them into allOf."""
        if "$ref" not in out or set(out) - {"$ref"} <= _KEEP_WITH_REF:
            return out
        kept = {k: v for k, v in out.items() if k in _KEEP_WITH_REF}
        rest = {k: v for k, v in out.items() if k not in _KEEP_WITH_REF and k != "$ref"}
        return {**kept, "allOf": [{"$ref": out["$ref"]}, rest]}

    @staticmethod
    def bounds(node: dict[str, Any], out: dict[str, Any]) -> None:
        """Numeric exclusive bounds (draft-06+) become draft-04's boolean modifiers."""
        for inclusive, exclusive in (
            ("minimum", "exclusiveMinimum"),
            ("maximum", "exclusiveMaximum"),
        ):
            bound, strict = node.get(inclusive), node.get(exclusive)
            if strict is None or isinstance(strict, bool):
                out.update(
                    {k: v for k, v in ((inclusive, bound), (exclusive, strict)) if v is not None}
                )
                continue
            tighter = bound is None or (
                strict >= bound if inclusive == "minimum" else strict <= bound
            )
            if tighter:
                out[inclusive], out[exclusive] = strict, True
            else:
                out[inclusive] = bound

    def conditional(self, node: dict[str, Any], at: str) -> dict[str, Any]:
        """``if/then/else`` as (if and then) or (not if and else): exact, not looser."""
        condition = self.schema(node["if"], at)
        base = at.rsplit("/", 1)[0]
        then = self.schema(node.get("then", True), f"{base}/then")
        otherwise = self.schema(node.get("else", True), f"{base}/else")
        return {
            "anyOf": [
                {"allOf": [condition, then]},
                {"allOf": [{"not": condition}, otherwise]},
            ]
        }

    def dependencies(self, node: dict[str, Any], at: str, out: dict[str, Any]) -> None:
        """``dependencies``, ``dependentRequired`` and ``dependentSchemas`` merged per name."""
        if "dependencies" in out:
            return
        base = at.rsplit("/", 1)[0]
        merged: dict[str, list[Any]] = {}
        for source in _DEPENDENCIES:
            for name, value in (node.get(source) or {}).items():
                form = (
                    value
                    if isinstance(value, list)
                    else self.schema(value, f"{base}/{source}/{name}")
                )
                merged.setdefault(name, []).append(form)
        result: dict[str, Any] = {}
        for name, forms in merged.items():
            forms = [f for f in forms if f != []]
            if not forms:
                continue
            if len(forms) == 1:
                result[name] = forms[0]
            else:
                result[name] = {
                    "allOf": [{"required": f} if isinstance(f, list) else f for f in forms]
                }
        out["dependencies"] = result

    def items(self, node: dict[str, Any], where: str, out: dict[str, Any]) -> None:
        """2020-12 ``prefixItems`` + ``items``: draft-04's array ``items`` + ``additionalItems``."""
        if "items" in out:
            return
        items, prefix = node.get("items"), node.get("prefixItems")
        if prefix is not None:
            out["items"] = [
                self.schema(s, f"{where}/prefixItems/{i}") for i, s in enumerate(prefix)
            ]
            if items is not None:
                out["additionalItems"] = self.schema(items, f"{where}/items")
        elif isinstance(items, list):
            out["items"] = [self.schema(s, f"{where}/items/{i}") for i, s in enumerate(items)]
        elif items is not None:
            out["items"] = self.schema(items, f"{where}/items")
