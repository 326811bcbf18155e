"""JSON Schema from sample events: genson's structure, then formats, enums and closed objects.

genson (https://github.com/wolverdude/GenSON) builds the structure: one ``type`` per JSON kind
seen (``anyOf`` when a place holds objects or arrays besides other kinds), ``properties`` for
every property seen, ``required`` as the intersection of the properties of every object at that
place, ``items`` merged over every item, and ``integer`` widened to ``number`` as soon as one
value there has a fraction. On top of it this module adds what genson leaves out, each only when
every sample value at the place agrees: a ``format`` (:data:`.values.FORMATS`), an ``enum``
(with an enum threshold) and, on request, closed objects (``additionalProperties: false``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from genson import SchemaBuilder  # type: ignore[import-untyped]
from genson.schema.node import SchemaGenerationError  # type: ignore[import-untyped]

from registry.errors import InvalidInput
from registry.formats.infer.values import ITEMS, Place, common_format, enum_symbols, values_at

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def check_samples(samples: Sequence[Any]) -> None:
    """Refuse an empty list of samples (every inference needs at least one)."""
    if not samples:
        raise InvalidInput("no samples: inference needs at least one event")


def structure(samples: Sequence[Any]) -> dict[str, Any]:
    """genson's schema for the samples, without ``$schema``."""
    check_samples(samples)
    builder = SchemaBuilder(schema_uri=None)
    try:
        for sample in samples:
            builder.add_object(sample)
    except SchemaGenerationError as exc:
        raise InvalidInput(f"a sample is not JSON data: {exc}") from None
    built: dict[str, Any] = builder.to_schema()
    return built


def infer_json_schema(
    samples: Sequence[Any],
    *,
    formats: bool = True,
    enum_threshold: int | None = None,
    closed: bool = False,
    title: str | None = None,
) -> dict[str, Any]:
    """A draft 2020-12 JSON Schema that accepts every sample, as tight as the samples allow.

    ``required`` is the intersection over samples (a property missing from one object at a
    place is optional there). With ``formats``, a string place gets ``date-time``, ``date``,
    ``uuid`` or ``email`` only when every string seen there is one (strict checks, see
    :func:`.values.common_format`). With ``enum_threshold`` N, a place holding only strings
    gets an ``enum`` when it has at most N distinct values over at least 2N values and no
    format (a few distinct UUIDs or timestamps are a small sample, not a closed set). With
    ``closed``, every object that has properties gets ``additionalProperties: false``: tighter
    (it matches schemas that close their objects) but it rejects any property the samples did
    not show. Raises ``InvalidInput`` when there are no samples.
    """
    schema = structure(samples)
    _refine(schema, samples, (), formats=formats, enum_threshold=enum_threshold, closed=closed)
    head: dict[str, Any] = {"$schema": DRAFT_2020_12}
    if title:
        head["title"] = title
    return {**head, **schema}


def _refine(
    node: dict[str, Any],
    samples: Sequence[Any],
    place: Place,
    *,
    formats: bool,
    enum_threshold: int | None,
    closed: bool,
) -> None:
    options: dict[str, Any] = {
        "formats": formats,
        "enum_threshold": enum_threshold,
        "closed": closed,
    }
    for branch in node.get("anyOf", []):
        _refine(branch, samples, place, **options)
    types = node.get("type")
    kinds = {types} if isinstance(types, str) else set(types or ())
    if "string" in kinds:
        strings = [v for v in values_at(samples, place) if isinstance(v, str)]
        found = common_format(strings)
        symbols = enum_symbols(strings, enum_threshold) if kinds == {"string"} else None
        if found is not None:  # ids and timestamps are open-ended, even when few are seen
            if formats:
                node["format"] = found
        elif symbols is not None:
            node["enum"] = symbols
    for name, child in node.get("properties", {}).items():
        _refine(child, samples, (*place, name), **options)
    if isinstance(node.get("items"), dict):
        _refine(node["items"], samples, (*place, ITEMS), **options)
    if closed and "object" in kinds and node.get("properties"):
        node["additionalProperties"] = False
