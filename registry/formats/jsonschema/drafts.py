"""JSON Schema drafts: which one a document uses, and where its subschemas are.

The draft decides the meaning of a few keywords (``items`` as a list before 2020-12,
boolean ``exclusiveMinimum`` in draft 4, whether ``$ref`` siblings apply), so every part of
the format asks this module rather than guessing.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import referencing.jsonschema
from jsonschema import (
    Draft4Validator,
    Draft6Validator,
    Draft7Validator,
    Draft201909Validator,
    Draft202012Validator,
)
from referencing import Specification

from registry.errors import InvalidSchema
from registry.formats.jsonschema.budget import bounded_validator_class
from registry.formats.jsonschema.formats import format_checker


class Draft(enum.IntEnum):
    """The supported drafts, ordered by age."""

    DRAFT4 = 4
    DRAFT6 = 6
    DRAFT7 = 7
    DRAFT2019_09 = 2019
    DRAFT2020_12 = 2020

    @property
    def validator_class(self) -> Any:
        """The jsonschema validator class of the draft, charging the work budget in force.

        Its ``FORMAT_CHECKER`` asserts exactly the draft's formats of
        :data:`~registry.formats.jsonschema.formats.ASSERTED_FORMATS`.
        """
        return _VALIDATORS[self]

    @property
    def specification(self) -> Specification[Any]:
        """The ``referencing`` specification of the draft."""
        return _SPECIFICATIONS[self]

    @property
    def uri(self) -> str:
        """The canonical ``$schema`` URI of the draft."""
        return _CANONICAL_URIS[self]


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return not isinstance(value, Decimal) or value.is_finite()


def _json_types(cls: Any, *, draft4: bool) -> Any:
    """``cls``'s type checker with Python values JSON has no word for typed as JSON would.

    Tuples are arrays, ``Decimal`` is a number (an integer when integral: in draft 4 when
    written without a fraction or exponent, as the text ``1`` and not ``1.0`` is there), and
    NaN and the infinities, which JSON cannot encode, are of no type at all. JSON documents
    never hold such values; Python callers of the contract tests may, and both validation
    engines (this one and jsonschema-rs, see :mod:`fast`) type them this same way.
    """
    base = cls.TYPE_CHECKER

    def array(checker: Any, instance: Any) -> bool:
        return isinstance(instance, list | tuple)

    def number(checker: Any, instance: Any) -> bool:
        return base.is_type(instance, "number") and _finite(instance)

    def integer(checker: Any, instance: Any) -> bool:
        if isinstance(instance, Decimal):
            if not instance.is_finite():
                return False
            if draft4:
                return instance.as_tuple().exponent == 0
            return instance == instance.to_integral_value()
        return base.is_type(instance, "integer") and _finite(instance)

    return base.redefine_many({"array": array, "number": number, "integer": integer})


def _validator_class(cls: Any, draft: int) -> Any:
    return bounded_validator_class(
        cls,
        type_checker=_json_types(cls, draft4=draft == 4),
        format_checker=format_checker(draft),
    )


_VALIDATORS: dict[Draft, Any] = {
    Draft.DRAFT4: _validator_class(Draft4Validator, 4),
    Draft.DRAFT6: _validator_class(Draft6Validator, 6),
    Draft.DRAFT7: _validator_class(Draft7Validator, 7),
    Draft.DRAFT2019_09: _validator_class(Draft201909Validator, 2019),
    Draft.DRAFT2020_12: _validator_class(Draft202012Validator, 2020),
}
_SPECIFICATIONS: dict[Draft, Specification[Any]] = {
    Draft.DRAFT4: referencing.jsonschema.DRAFT4,
    Draft.DRAFT6: referencing.jsonschema.DRAFT6,
    Draft.DRAFT7: referencing.jsonschema.DRAFT7,
    Draft.DRAFT2019_09: referencing.jsonschema.DRAFT201909,
    Draft.DRAFT2020_12: referencing.jsonschema.DRAFT202012,
}
_CANONICAL_URIS: dict[Draft, str] = {
    Draft.DRAFT4: "http://json-schema.org/draft-04/schema#",
    Draft.DRAFT6: "http://json-schema.org/draft-06/schema#",
    Draft.DRAFT7: "http://json-schema.org/draft-07/schema#",
    Draft.DRAFT2019_09: "https://json-schema.org/draft/2019-09/schema",
    Draft.DRAFT2020_12: "https://json-schema.org/draft/2020-12/schema",
}
_URI_PATHS: dict[str, Draft] = {
    "json-schema.org/draft-04/schema": Draft.DRAFT4,
    "json-schema.org/draft-06/schema": Draft.DRAFT6,
    "json-schema.org/draft-07/schema": Draft.DRAFT7,
    "json-schema.org/draft/2019-09/schema": Draft.DRAFT2019_09,
    "json-schema.org/draft/2020-12/schema": Draft.DRAFT2020_12,
}
DEFAULT_DRAFT = Draft.DRAFT7


def draft_of(document: Any, default: Draft = DEFAULT_DRAFT) -> Draft:
    """The draft named by ``$schema`` (``default`` when absent); unknown ones are refused."""
    if not isinstance(document, dict) or "$schema" not in document:
        return default
    uri = document["$schema"]
    if not isinstance(uri, str):
        raise InvalidSchema(f"$schema must be a string, not {type(uri).__name__}")
    key = uri.strip()
    for prefix in ("https://", "http://"):
        key = key.removeprefix(prefix)
    key = key.rstrip("#")
    draft = _URI_PATHS.get(key)
    if draft is None:
        raise InvalidSchema(
            f"Unsupported $schema '{uri}': use draft-04, draft-06, draft-07, 2019-09 or 2020-12"
        )
    return draft


# Keywords whose value is one subschema, a list of them, or a name -> subschema map.
SINGLE = frozenset(
    {
        "additionalItems",
        "additionalProperties",
        "contains",
        "contentSchema",
        "else",
        "if",
        "not",
        "propertyNames",
        "then",
        "unevaluatedItems",
        "unevaluatedProperties",
    }
)
LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
MAPS = frozenset({"$defs", "definitions", "dependentSchemas", "patternProperties", "properties"})


def subschemas(schema: Any) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every direct subschema of ``schema`` with its relative path (keyword, then key/index).

    Values of ``enum``, ``const``, ``default`` and ``examples`` are data, never walked.
    """
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        if key in SINGLE or (key == "items" and not isinstance(value, list)):
            yield (key,), value
        elif key in LISTS or key == "items":
            if isinstance(value, list):
                for index, item in enumerate(value):
                    yield (key, str(index)), item
        elif (key in MAPS or key == "dependencies") and isinstance(value, dict):
            for name, item in value.items():
                if key == "dependencies" and isinstance(item, list):
                    continue
                yield (key, name), item


def escape_pointer(token: str) -> str:
    """One RFC 6901 reference token."""
    return token.replace("~", "~0").replace("/", "~1")


def pointer(parts: tuple[str, ...] | list[str]) -> str:
    """A JSON pointer from its unescaped tokens (empty for the root)."""
    return "".join("/" + escape_pointer(str(p)) for p in parts)
