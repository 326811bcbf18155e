"""Schema formats: one object per schema type behind the :class:`SchemaFormat` protocol.

Adding a format is one new package (a public ``__init__`` with the format class, like
``avro/`` and ``jsonschema/``) and one entry in ``_FACTORIES``. Conversions between formats and
dialects are in ``convert/``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from registry.domain import SchemaType
from registry.errors import InvalidSchema
from registry.formats.base import (
    Incompatibility,
    ParsedSchema,
    ResolvedReference,
    Rule,
    SchemaFormat,
    Violation,
)


def _avro() -> SchemaFormat:
    from registry.formats.avro import AvroFormat

    return AvroFormat()


def _json() -> SchemaFormat:
    from registry.formats.jsonschema import JsonSchemaFormat

    return JsonSchemaFormat()


_FACTORIES: dict[SchemaType, Callable[[], SchemaFormat]] = {
    SchemaType.AVRO: _avro,
    SchemaType.JSON: _json,
}


@cache
def get_format(schema_type: SchemaType) -> SchemaFormat:
    """The format object for a schema type; PROTOBUF and unknown types raise ``InvalidSchema``."""
    factory = _FACTORIES.get(schema_type)
    if factory is None:
        raise InvalidSchema(
            f"Schema type {schema_type.value} is not supported by this registry: "
            "supported types are AVRO and JSON"
        )
    return factory()


def all_formats() -> list[SchemaFormat]:
    """Every supported format, in a stable order."""
    return [get_format(t) for t in _FACTORIES]


__all__ = [
    "Incompatibility",
    "ParsedSchema",
    "ResolvedReference",
    "Rule",
    "SchemaFormat",
    "Violation",
    "all_formats",
    "get_format",
]
