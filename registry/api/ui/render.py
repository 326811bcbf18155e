"""Templates and the small pieces of presentation they need: highlighted JSON, field tables.

Jinja2 autoescapes every value, so a subject name, a doc or a default holding ``<script>`` is
shown as text. :func:`highlight` builds its markup from escaped pieces only and returns it as
``Markup``; nothing else in the UI marks a string safe.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

_TOKEN = re.compile(
    r'(?P<string>"(?:[^"\\]|\\.)*")(?P<colon>\s*:)?'
    r"|(?P<number>-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)"
    r"|(?P<literal>\btrue\b|\bfalse\b|\bnull\b)"
    r"|(?P<punct>[{}\[\],])"
)


def highlight(text: str) -> Markup:
    """JSON text with its keys, strings, numbers and literals wrapped in classed spans."""
    out: list[str] = []
    last = 0
    for match in _TOKEN.finditer(text):
        out.append(str(escape(text[last : match.start()])))
        kind = match.lastgroup
        if match.group("string") is not None:
            kind = "key" if match.group("colon") else "string"
            out.append(f'<span class="j-{kind}">{escape(match.group("string"))}</span>')
            out.append(str(escape(match.group("colon") or "")))
        else:
            out.append(f'<span class="j-{kind}">{escape(match.group(0))}</span>')
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def when(moment: datetime | str | None) -> str:
    """A time as people read it, in UTC."""
    if moment is None:
        return ""
    if isinstance(moment, str):
        try:
            parsed = datetime.fromisoformat(moment)
        except ValueError:
            return moment
        return parsed.strftime("%Y-%m-%d %H:%M UTC")
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def compact(value: Any) -> str:
    """A JSON value on one line."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def environment() -> Environment:
    """The UI's template environment (autoescaping every template)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["highlight"] = highlight
    env.filters["when"] = when
    env.filters["compact"] = compact
    return env


@dataclass(frozen=True, slots=True)
class FieldRow:
    """A field of a record or object, as the version page lists it."""

    name: str
    type: str
    required: bool
    default: str
    doc: str


def field_rows(schema_type: str, document: Any) -> list[FieldRow]:
    """The top-level fields of an Avro record or a JSON Schema object (nested ones dotted)."""
    rows: list[FieldRow] = []
    if schema_type == "AVRO":
        _avro_fields(document, "", rows, set())
    else:
        _json_fields(document, "", rows, 0)
    return rows


def _avro_type(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " | ".join(_avro_type(v) for v in value)
    if isinstance(value, dict):
        kind = value.get("type")
        if kind == "array":
            return f"array<{_avro_type(value.get('items'))}>"
        if kind == "map":
            return f"map<{_avro_type(value.get('values'))}>"
        if value.get("logicalType"):
            return f"{value['logicalType']} ({kind})"
        if kind in ("record", "enum", "fixed"):
            return str(value.get("name", kind))
        return _avro_type(kind)
    return str(value)


def _avro_fields(node: Any, prefix: str, rows: list[FieldRow], seen: set[str]) -> None:
    if isinstance(node, list):
        for branch in node:
            _avro_fields(branch, prefix, rows, seen)
        return
    if not isinstance(node, dict) or node.get("type") != "record":
        return
    name = str(node.get("name", ""))
    if name in seen or len(rows) > 500:
        return
    seen.add(name)
    for item in node.get("fields", []):
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        nullable = isinstance(kind, list) and "null" in kind
        rows.append(
            FieldRow(
                name=prefix + str(item.get("name", "")),
                type=_avro_type(kind),
                required="default" not in item and not nullable,
                default=compact(item["default"]) if "default" in item else "",
                doc=str(item.get("doc", "")),
            )
        )
        _avro_fields(kind, f"{prefix}{item.get('name', '')}.", rows, seen)


def _json_type(node: Any) -> str:
    if not isinstance(node, dict):
        return ""
    if "$ref" in node:
        return str(node["$ref"]).rsplit("/", 1)[-1]
    if "enum" in node and isinstance(node["enum"], list):
        return "enum: " + ", ".join(compact(v) for v in node["enum"][:8])
    kind = node.get("type")
    if isinstance(kind, list):
        return " | ".join(str(k) for k in kind)
    text = str(kind or "")
    if "format" in node:
        text += f" ({node['format']})"
    if kind == "array" and isinstance(node.get("items"), dict):
        text = f"array<{_json_type(node['items'])}>"
    return text


def _json_fields(node: Any, prefix: str, rows: list[FieldRow], depth: int) -> None:
    if not isinstance(node, dict) or depth > 4 or len(rows) > 500:
        return
    listed = node.get("required")
    required: list[Any] = listed if isinstance(listed, list) else []
    properties = node.get("properties")
    if not isinstance(properties, dict):
        return
    for name, sub in properties.items():
        if not isinstance(sub, dict):
            sub = {}
        rows.append(
            FieldRow(
                name=prefix + str(name),
                type=_json_type(sub),
                required=name in required,
                default=compact(sub["default"]) if "default" in sub else "",
                doc=str(sub.get("description", sub.get("title", ""))),
            )
        )
        _json_fields(sub, f"{prefix}{name}.", rows, depth + 1)
