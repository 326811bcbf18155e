"""Schema builders shared by the tests: Avro records as documents or text, JSON Schema objects."""

from __future__ import annotations

import json
from typing import Any


def record(name: str, *fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An Avro record schema document (``extra``: namespace, aliases, doc...)."""
    return {"type": "record", "name": name, "fields": list(fields), **extra}


def field(name: str, type_: Any, **extra: Any) -> dict[str, Any]:
    """An Avro record field (``extra``: default, aliases, order...)."""
    return {"name": name, "type": type_, **extra}


def avro_record(name: str, *fields: dict[str, Any], namespace: str = "shop") -> str:
    """An Avro record schema as text, as the API receives it."""
    return json.dumps(
        {"type": "record", "name": name, "namespace": namespace, "fields": list(fields)}
    )


def json_object(properties: dict[str, Any], **extra: Any) -> str:
    """A draft-07 JSON Schema object as text."""
    return json.dumps(
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": properties,
            **extra,
        }
    )
