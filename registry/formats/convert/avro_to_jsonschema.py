"""Avro schema -> JSON Schema draft-04 describing the event's *plain JSON* form.

The plain JSON form of an Avro datum is what a producer would emit as JSON: a record is an
object, a union value is the bare value (not Avro's JSON-encoding wrapper ``{"string": "x"}``),
``bytes`` and ``fixed`` are ISO-8859-1 strings (one character per byte, as in Avro's JSON
encoding), logical types keep their base type (``timestamp-millis`` is a number of
milliseconds). The mapping (REFERENCE.md, "Avro -> JSON Schema draft-4"):

=================  ============================================================================
Avro               JSON Schema draft-04
=================  ============================================================================
null/boolean       ``{"type": "null"}`` / ``{"type": "boolean"}``
int / long         ``integer`` bounded to 32 / 64 bits
float / double     ``number``
string / bytes     ``string``; fixed(n) is a string of exactly n characters
record             ``object``: properties, required = fields without default, closed
enum               ``{"type": "string", "enum": symbols}``
array / map        ``{"type": "array", "items"}`` / ``{"type": "object", "additionalProperties"}``
union              ``anyOf`` of the branches (a ``type`` list when all are plain primitives)
named types        the root inline; every other named type in ``definitions``, used by ``$ref``
=================  ============================================================================

Soundness (tested): every datum valid under the Avro schema, in plain JSON form, validates under
the result with ``Draft4Validator``.

With ``logical_types=True`` (for code generation, :mod:`registry.codegen`) a logical type is also
kept as annotations beside its base type's form: ``x-avro-logicalType`` (with ``x-avro-precision``
and ``x-avro-scale`` for ``decimal``), and ``format: uuid`` on a ``uuid`` string. Validation is
unchanged; the default output (what cloud registries store) carries no such keys.
"""

from __future__ import annotations

import json
from typing import Any

from registry.errors import NotConvertible
from registry.formats.avro.types import LOGICAL_TYPES, NAMED_TYPE_WORDS, PRIMITIVES
from registry.formats.convert.draft4 import DRAFT4


def avro_to_jsonschema_text(text: str, *, subject: str | None = None) -> str:
    """Convert Avro schema text; the result is indented JSON text."""
    try:
        schema = json.loads(text)
    except ValueError:
        schema = text.strip().strip('"')  # a bare primitive name such as ``string``
    return json.dumps(avro_to_jsonschema(schema, subject=subject), indent=2, ensure_ascii=False)


def avro_to_jsonschema(
    schema: Any, *, subject: str | None = None, logical_types: bool = False
) -> dict[str, Any]:
    """Convert a parsed Avro schema to a draft-04 document (see the module table).

    ``logical_types`` keeps logical types as annotations (see the module docstring).
    """
    converter = _Converter(logical_types=logical_types)
    root_name = _fullname(schema, "") if _is_named(schema) else None
    converter.root = root_name
    body = converter.convert(schema, "")
    document: dict[str, Any] = {"$schema": DRAFT4}
    if root_name is not None:
        document["title"] = root_name.rsplit(".", 1)[-1]
    document.update(body)
    if converter.definitions:
        document["definitions"] = dict(sorted(converter.definitions.items()))
    if subject is not None and "description" not in document:
        document["description"] = f"Converted from Avro subject {subject}"
    return document


def _is_named(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") in NAMED_TYPE_WORDS


def _fullname(schema: dict[str, Any], namespace: str) -> str:
    name = str(schema.get("name", ""))
    if not name:
        raise NotConvertible("a named Avro type has no name")
    if "." in name:
        return name
    space = schema.get("namespace", namespace)
    return f"{space}.{name}" if space else name


class _Converter:
    """Walks one Avro schema, collecting named types into ``definitions``."""

    def __init__(self, *, logical_types: bool = False) -> None:
        self.logical_types = logical_types
        self.root: str | None = None
        self.definitions: dict[str, dict[str, Any]] = {}
        self.known: set[str] = set()

    def ref(self, fullname: str) -> dict[str, Any]:
        if fullname == self.root:
            return {"$ref": "#"}
        return {"$ref": f"#/definitions/{fullname}"}

    def convert(self, schema: Any, namespace: str) -> dict[str, Any]:
        if isinstance(schema, str):
            return self.by_name(schema, namespace)
        if isinstance(schema, list):
            return self.union(schema, namespace)
        if not isinstance(schema, dict) or "type" not in schema:
            raise NotConvertible(f"not an Avro schema: {json.dumps(schema)[:80]}")
        kind = schema["type"]
        if kind in NAMED_TYPE_WORDS:
            return self.named(schema, namespace)
        if kind == "array":
            return {"type": "array", "items": self.convert(schema.get("items"), namespace)}
        if kind == "map":
            return {
                "type": "object",
                "additionalProperties": self.convert(schema.get("values"), namespace),
            }
        if isinstance(kind, str) and kind in PRIMITIVES:
            form = dict(PRIMITIVES[kind].json_schema)  # logical types keep their base type
            return self.annotated(form, schema, kind)
        return self.convert(kind, namespace)  # {"type": {...}} or {"type": "com.x.Name"}

    def by_name(self, name: str, namespace: str) -> dict[str, Any]:
        if name in PRIMITIVES:
            return dict(PRIMITIVES[name].json_schema)
        candidates = [name] if "." in name else [f"{namespace}.{name}" if namespace else name, name]
        for fullname in candidates:
            if fullname in self.known:
                return self.ref(fullname)
        raise NotConvertible(f"unknown Avro type name {name!r}")

    def union(self, branches: list[Any], namespace: str) -> dict[str, Any]:
        forms = [self.convert(b, namespace) for b in branches]
        plain = [f.get("type") for f in forms if set(f) == {"type"}]
        if len(plain) == len(forms) and all(isinstance(t, str) for t in plain):
            return {"type": plain}
        return {"anyOf": forms}

    def named(self, schema: dict[str, Any], namespace: str) -> dict[str, Any]:
        fullname = _fullname(schema, namespace)
        if fullname in self.known:
            raise NotConvertible(f"Avro type {fullname} is defined twice")
        self.known.add(fullname)
        own_space = fullname.rsplit(".", 1)[0] if "." in fullname else ""
        kind = schema["type"]
        if kind == "enum":
            body: dict[str, Any] = {"type": "string", "enum": list(schema.get("symbols", []))}
        elif kind == "fixed":
            size = int(schema.get("size", 0))
            body = self.annotated({"type": "string", "minLength": size, "maxLength": size}, schema)
        else:
            body = self.record(schema, own_space)
        if isinstance(schema.get("doc"), str):
            body = {"description": schema["doc"], **body}
        if fullname == self.root:
            return body
        self.definitions[fullname] = body
        return self.ref(fullname)

    def annotated(
        self, form: dict[str, Any], schema: dict[str, Any], kind: str = "fixed"
    ) -> dict[str, Any]:
        """``form`` with the schema's logical type as annotations, when they are asked for.

        A logical type on a type it cannot annotate is ignored, as the specification says.
        """
        logical = LOGICAL_TYPES.get(str(schema.get("logicalType", "")))
        if not self.logical_types or logical is None or kind not in logical.bases:
            return form
        form["x-avro-logicalType"] = logical.name
        if logical.name == "uuid" and kind == "string":
            form["format"] = "uuid"
        for key in ("precision", "scale"):
            if logical.name == "decimal" and isinstance(schema.get(key), int):
                form[f"x-avro-{key}"] = schema[key]
        return form

    def record(self, schema: dict[str, Any], namespace: str) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in schema.get("fields", []):
            name = str(field["name"])
            form = self.convert(field["type"], namespace)
            extras: dict[str, Any] = {}
            if isinstance(field.get("doc"), str):
                extras["description"] = field["doc"]
            if "default" in field:
                extras["default"] = field["default"]
            else:
                required.append(name)
            # draft-04 ignores the siblings of $ref: wrap it when it carries a doc or default
            wrap = bool(extras) and "$ref" in form
            properties[name] = {**extras, "allOf": [form]} if wrap else {**extras, **form}
        body: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            body["required"] = required
        body["additionalProperties"] = False
        return body


def plain_json(datum: Any) -> Any:
    """A datum as read by fastavro, in plain JSON form (bytes as ISO-8859-1 text)."""
    if isinstance(datum, bytes):
        return datum.decode("latin-1")
    if isinstance(datum, dict):
        return {str(k): plain_json(v) for k, v in datum.items()}
    if isinstance(datum, list | tuple):
        return [plain_json(v) for v in datum]
    return datum
