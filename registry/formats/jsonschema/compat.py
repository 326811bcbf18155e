"""Semantic compatibility of JSON Schemas (placeholder: sound but coarse)."""

from __future__ import annotations

from registry.domain import CompatibilityPolicy
from registry.formats.base import Incompatibility, ParsedSchema


def check_compatibility(
    reader: ParsedSchema,
    writer: ParsedSchema,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
) -> list[Incompatibility]:
    """Everything that stops ``reader`` accepting an instance ``writer`` accepts."""
    if reader.canonical == writer.canonical or reader.document in (True, {}):
        return []
    return [Incompatibility("json.undecidable", "The schemas differ (engine pending).")]
