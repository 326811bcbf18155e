"""Payload encodings: JSON text, Avro binary in the Confluent and Azure framings, DynamoDB JSON.

* Confluent wire format: magic byte ``0``, the schema id as 4 big-endian bytes, then the Avro
  binary body (https://docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/index.html#wire-format).
* Azure Schema Registry Avro encoder (``azure-schemaregistry-avroencoder`` 1.x): the body is the
  plain Avro binary and the content type is ``avro/binary+<schema id>``; the older preview
  framing (4 zero bytes, the 32-character schema id, the body) is read too.
* DynamoDB attribute values (``{"S": ...}``, ``{"N": "1"}``...) as the low-level API and
  DynamoDB Streams carry them.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import io
import json
import uuid
from typing import Any

from registry.formats import ParsedSchema

CONFLUENT_MAGIC = 0
AZURE_AVRO_CONTENT_TYPE = "avro/binary"
_AZURE_LEGACY_HEADER = b"\x00\x00\x00\x00"
_AZURE_LEGACY_ID_LENGTH = 32


class PayloadError(ValueError):
    """A captured payload could not be decoded as its contract says."""


def json_default(value: Any) -> Any:
    """``json.dumps`` fallback for values schema generators and Avro decoders produce."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def to_json(payload: Any) -> str:
    """The JSON text of a payload (compact, stable key order as given)."""
    return json.dumps(payload, default=json_default, separators=(",", ":"))


def from_json(data: str | bytes, what: str) -> Any:
    """Decode JSON text; ``PayloadError`` says what was not JSON."""
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(f"{what} is not JSON: {exc}") from None


# --- Avro binary -------------------------------------------------------------------------------


def _strip_logical(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_logical(v) for k, v in node.items() if k != "logicalType"}
    if isinstance(node, list):
        return [_strip_logical(v) for v in node]
    return node


def _fastavro_schema(schema: ParsedSchema, *, logical: bool) -> Any:
    import fastavro

    named: dict[str, Any] = {}
    for ref in schema.references:
        doc = ref.schema.document if logical else _strip_logical(ref.schema.document)
        fastavro.parse_schema(doc, named_schemas=named)
    document = schema.document if logical else _strip_logical(schema.document)
    return fastavro.parse_schema(document, named_schemas=named)


def avro_encode(schema: ParsedSchema, record: Any) -> bytes:
    """The Avro binary encoding of ``record`` (logical types accepted as values or raw)."""
    import fastavro

    buffer = io.BytesIO()
    try:
        fastavro.schemaless_writer(buffer, _fastavro_schema(schema, logical=True), record)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise PayloadError(f"cannot encode the payload as Avro: {exc}") from None
    return buffer.getvalue()


def avro_decode(schema: ParsedSchema, body: bytes) -> Any:
    """Decode an Avro binary body; logical types stay raw (longs, strings) so it is JSON-like."""
    import fastavro

    buffer = io.BytesIO(body)
    try:
        record = fastavro.schemaless_reader(buffer, _fastavro_schema(schema, logical=False))
    except Exception as exc:  # fastavro raises many types on corrupt input
        raise PayloadError(f"the body is not Avro binary of this schema: {exc}") from None
    if buffer.tell() != len(body):
        left = len(body) - buffer.tell()
        raise PayloadError(f"the body is not Avro binary of this schema: {left} bytes left over")
    return record


def confluent_frame(schema_id: int, body: bytes) -> bytes:
    """Prefix an Avro body with the Confluent wire-format header."""
    return bytes([CONFLUENT_MAGIC]) + schema_id.to_bytes(4, "big") + body


def confluent_unframe(data: bytes) -> tuple[int, bytes]:
    """Split Confluent wire format into (schema id, body); ``PayloadError`` if it is not."""
    if len(data) < 5 or data[0] != CONFLUENT_MAGIC:
        raise PayloadError(
            "the data is not in the Confluent wire format (magic byte 0 and a 4-byte schema id)"
        )
    return int.from_bytes(data[1:5], "big"), data[5:]


def azure_content_type(schema_id: str) -> str:
    """The content type the Azure Avro encoder puts on an event: ``avro/binary+<id>``."""
    return f"{AZURE_AVRO_CONTENT_TYPE}+{schema_id}"


def azure_unframe(data: bytes, content_type: str | None) -> tuple[str, bytes]:
    """Split an Azure Schema Registry Avro message into (schema id, body)."""
    if content_type and content_type.startswith(AZURE_AVRO_CONTENT_TYPE + "+"):
        return content_type.split("+", 1)[1], data
    header_length = len(_AZURE_LEGACY_HEADER) + _AZURE_LEGACY_ID_LENGTH
    if data.startswith(_AZURE_LEGACY_HEADER) and len(data) > header_length:
        return data[4:header_length].decode("ascii", "replace"), data[header_length:]
    raise PayloadError(
        "the event is not in the Azure Schema Registry Avro format "
        "(content type 'avro/binary+<schema id>')"
    )


# --- DynamoDB JSON -----------------------------------------------------------------------------


def to_dynamodb(value: Any) -> dict[str, Any]:
    """One DynamoDB attribute value in its typed JSON form."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float | decimal.Decimal):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes | bytearray):
        return {"B": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dict):
        return {"M": {str(k): to_dynamodb(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [to_dynamodb(v) for v in value]}
    return {"S": str(json_default(value))}


def dynamodb_item(payload: Any) -> dict[str, Any]:
    """A payload object as a DynamoDB item (attribute name to typed value)."""
    if not isinstance(payload, dict):
        raise PayloadError("a DynamoDB item must be an object")
    return {str(k): to_dynamodb(v) for k, v in payload.items()}


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def from_dynamodb(value: Any) -> Any:
    """Decode one typed DynamoDB attribute value (as sent by the low-level API)."""
    if not isinstance(value, dict) or len(value) != 1:
        raise PayloadError(f"not a DynamoDB attribute value: {value!r}")
    ((kind, inner),) = value.items()
    decoders: dict[str, Any] = {
        "S": str,
        "N": lambda v: _number(str(v)),
        "BOOL": bool,
        "NULL": lambda v: None,
        "B": lambda v: v if isinstance(v, bytes) else base64.b64decode(v),
        "M": lambda v: {k: from_dynamodb(x) for k, x in v.items()},
        "L": lambda v: [from_dynamodb(x) for x in v],
        "SS": lambda v: list(v),
        "NS": lambda v: [_number(str(x)) for x in v],
        "BS": lambda v: list(v),
    }
    if kind not in decoders:
        raise PayloadError(f"unknown DynamoDB type '{kind}'")
    return decoders[kind](inner)


def from_dynamodb_item(item: Any) -> dict[str, Any]:
    """A typed DynamoDB item as a plain object."""
    if not isinstance(item, dict):
        raise PayloadError("a DynamoDB item must be an object")
    return {str(k): from_dynamodb(v) for k, v in item.items()}
