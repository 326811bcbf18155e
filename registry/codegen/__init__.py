"""Typed Python models (pydantic v2 or dataclasses) from a JSON Schema or Avro schema.

:func:`generate_models` takes a :class:`SchemaSource` (schema text, its type, where it came
from) and returns the module's text. JSON Schema goes to datamodel-code-generator as it is;
Avro goes through our Avro -> JSON Schema conversion first (:mod:`.avro`), with names,
namespaces, enums, defaults and logical types kept. The output depends on the schema alone, so
a stale file can be found by generating again and comparing. Pure: no terminal and no network
(a ``$ref`` outside the schema is refused, never fetched); reading files and registries is the
caller's business.
"""

from __future__ import annotations

from registry.codegen.generate import ModelFlavour, SchemaSource, generate_models, json_schema_for

__all__ = ["ModelFlavour", "SchemaSource", "generate_models", "json_schema_for"]
