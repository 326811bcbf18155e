"""Wire models of Confluent's REST API, for request parsing and the OpenAPI document.

The dicts the API answers with are built by :mod:`registry.wire` (shared with the client);
the response models here document them, and a test keeps their fields the same.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from registry.domain import (
    ConfigUpdate,
    Reference,
    SchemaInput,
    SchemaType,
    StoredSchema,
    SubjectVersion,
)
from registry.wire import config_update_from_wire, schema_to_wire


class WireModel(BaseModel):
    """Unknown fields are ignored, as Confluent's entities do; JSON types are taken strictly
    (``"normalize": 0`` is not a boolean)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, strict=True)


class ReferenceModel(WireModel):
    """A reference to a version of another subject."""

    name: str = Field(min_length=1)
    subject: str = Field(min_length=1)
    version: int = Field(ge=-1, le=2**31 - 1)


class RuleModel(BaseModel):
    """One data-contract rule."""

    model_config = ConfigDict(extra="allow", strict=True)

    name: str = Field(min_length=1)
    kind: Literal["TRANSFORM", "CONDITION"] = "CONDITION"
    mode: Literal["UPGRADE", "DOWNGRADE", "UPDOWN", "WRITE", "READ", "WRITEREAD"] = "WRITEREAD"
    type: str = Field(default="CEL", min_length=1)
    doc: str | None = None
    tags: list[str] | None = None
    params: dict[str, str] | None = None
    expr: str | None = None
    onSuccess: str | None = None
    onFailure: str | None = None
    disabled: bool | None = None


class RuleSetModel(BaseModel):
    """Migration, domain and encoding rules."""

    model_config = ConfigDict(extra="allow", strict=True)

    migrationRules: list[RuleModel] | None = None
    domainRules: list[RuleModel] | None = None
    encodingRules: list[RuleModel] | None = None


class MetadataModel(BaseModel):
    """Schema metadata: tags, properties, sensitive fields."""

    model_config = ConfigDict(extra="allow", strict=True)

    tags: dict[str, list[str]] | None = None
    properties: dict[str, str] | None = None
    sensitive: list[str] | None = None


GUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

_ORDER = (
    '{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"}]}'
)
_ORDER_JSON = '{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}'


class SchemaRequest(WireModel):
    """Body of register, lookup and compatibility requests."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"schema": _ORDER},
                {"schema": _ORDER_JSON, "schemaType": "JSON"},
                {
                    "schema": '{"type":"record","name":"Envelope","namespace":"shop",'
                    '"fields":[{"name":"order","type":"shop.Order"}]}',
                    "references": [{"name": "shop.Order", "subject": "orders-value", "version": 1}],
                },
            ]
        }
    )

    schema_: str = Field(alias="schema", description="The schema text")
    schemaType: str | None = Field(default=None, description="AVRO (default) or JSON")
    references: list[ReferenceModel] | None = None
    metadata: MetadataModel | None = None
    ruleSet: RuleSetModel | None = None
    id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="IMPORT mode only")
    version: int | None = Field(default=None, ge=1, le=2**31 - 1, description="IMPORT mode only")
    guid: str | None = Field(
        default=None,
        pattern=GUID_PATTERN,
        description="IMPORT mode only: the GUID to keep (ignored otherwise, as by Confluent)",
    )

    def to_input(self) -> SchemaInput:
        """The domain value."""
        return SchemaInput(
            schema=self.schema_,
            schema_type=SchemaType.parse(self.schemaType),
            references=tuple(
                Reference(r.name, r.subject, r.version) for r in self.references or []
            ),
            metadata=self.metadata.model_dump(exclude_none=True) if self.metadata else None,
            rule_set=self.ruleSet.model_dump(exclude_none=True) if self.ruleSet else None,
        )


class RegisterResponse(WireModel):
    """Answer to a registration."""

    id: int
    version: int | None = None
    guid: str | None = None
    subject: str | None = None
    schema_: str | None = Field(default=None, alias="schema")
    schemaType: str | None = None


class SchemaByIdResponse(WireModel):
    """GET /schemas/ids/{id}."""

    schema_: str = Field(alias="schema")
    schemaType: str | None = None
    references: list[ReferenceModel] | None = None
    metadata: dict[str, Any] | None = None
    ruleSet: dict[str, Any] | None = None
    guid: str | None = None


class SubjectVersionResponse(WireModel):
    """A subject version with its schema."""

    subject: str
    version: int
    id: int
    schema_: str = Field(alias="schema")
    schemaType: str | None = None
    references: list[ReferenceModel] | None = None
    metadata: dict[str, Any] | None = None
    ruleSet: dict[str, Any] | None = None
    guid: str | None = None
    deleted: bool | None = None


class ContextIdResponse(WireModel):
    """A schema id in a context (``GET /schemas/guids/{guid}/ids``)."""

    context: str
    id: int


class SubjectVersionPair(WireModel):
    """A (subject, version) pair."""

    subject: str
    version: int


class CompatibilityResponse(WireModel):
    """Answer of the compatibility endpoints."""

    is_compatible: bool
    messages: list[str] | None = None
    consumers: dict[str, Any] | None = None


_UNSUPPORTED = "Not supported by this registry: refused with 422"


class ConfigRequest(WireModel):
    """PUT /config body (Confluent's ``ConfigUpdateRequest``): a field left out keeps its
    value, a field sent as null clears it; a field this registry does not take is refused with
    422 naming it."""

    model_config = ConfigDict(extra="forbid")

    compatibility: str | None = Field(default=None, description="Compatibility level")
    compatibilityLevel: str | None = Field(default=None, description="Alias of compatibility")
    compatibilityPolicy: str | None = Field(default=None, description="STRICT or LENIENT")
    normalize: bool | None = None
    compatibilityGroup: str | None = Field(
        default=None,
        description="A metadata property: a new version is checked only against the versions "
        "whose property has the same value",
    )
    defaultMetadata: MetadataModel | None = Field(
        default=None, description="Metadata under every schema registered"
    )
    overrideMetadata: MetadataModel | None = Field(
        default=None, description="Metadata over every schema registered"
    )
    defaultRuleSet: RuleSetModel | None = Field(
        default=None, description="Rules under every schema registered"
    )
    overrideRuleSet: RuleSetModel | None = Field(
        default=None, description="Rules over every schema registered"
    )
    alias: str | None = Field(default=None, description=_UNSUPPORTED)
    aliasForDeks: str | None = Field(default=None, description=_UNSUPPORTED)
    validateFields: bool | None = Field(default=None, description=_UNSUPPORTED)
    validateNewSchemas: bool | None = Field(default=None, description=_UNSUPPORTED)
    validateRules: bool | None = Field(default=None, description=_UNSUPPORTED)

    def to_update(self) -> ConfigUpdate:
        """The change the request asks for (see :func:`registry.wire.config_update_from_wire`)."""
        return config_update_from_wire(self.model_dump(exclude_unset=True))


class ConfigResponse(WireModel):
    """Config as GET answers it."""

    compatibilityLevel: str | None = None
    compatibilityPolicy: str | None = None
    normalize: bool | None = None
    compatibilityGroup: str | None = None
    defaultMetadata: dict[str, Any] | None = None
    overrideMetadata: dict[str, Any] | None = None
    defaultRuleSet: dict[str, Any] | None = None
    overrideRuleSet: dict[str, Any] | None = None


class ConfigUpdateResponse(WireModel):
    """Config as PUT answers it."""

    compatibility: str | None = None
    compatibilityPolicy: str | None = None
    normalize: bool | None = None
    compatibilityGroup: str | None = None
    defaultMetadata: dict[str, Any] | None = None
    overrideMetadata: dict[str, Any] | None = None
    defaultRuleSet: dict[str, Any] | None = None
    overrideRuleSet: dict[str, Any] | None = None


class ModeRequest(WireModel):
    """PUT /mode body."""

    mode: str


class ModeResponse(WireModel):
    """Mode answer."""

    mode: str


class ErrorResponse(BaseModel):
    """Every error body."""

    error_code: int
    message: str


MAX_INT32 = 2**31 - 1
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")


def _integer_text(value: Any) -> Any:
    """Integers in query and path strings as Java reads them: sign and digits, nothing else
    (pydantic alone would take ``1.0``, ``+0.0`` or ``1_000``)."""
    if isinstance(value, str) and not _INTEGER.fullmatch(value):
        raise ValueError("Input should be a valid integer")
    return value


def _boolean_text(value: Any) -> Any:
    """Booleans in query strings: ``true`` or ``false`` in any case, as Confluent reads them
    (pydantic alone would also take ``1``, ``yes``, ``on``...)."""
    if isinstance(value, str) and value.lower() not in ("true", "false"):
        raise ValueError("Input should be true or false")
    return value


Integer = Annotated[int, BeforeValidator(_integer_text)]
Flag = Annotated[bool, BeforeValidator(_boolean_text)]
Offset = Annotated[Integer, Query(ge=0, le=MAX_INT32, description="Skip this many items")]
Limit = Annotated[
    Integer, Query(ge=-1, le=MAX_INT32, description="At most this many items (-1: no limit)")
]


def page(items: list[Any], offset: int, limit: int) -> list[Any]:
    """Confluent-style pagination: a negative limit means no limit."""
    items = items[offset:]
    return items if limit < 0 else items[:limit]


def encode(content: Any) -> bytes:
    """JSON bytes exactly as the app's JSON responses render them (compact, UTF-8)."""
    return json.dumps(
        content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


def immutable_body(kind: str, schema: StoredSchema) -> bytes:
    """The answer of ``GET /schemas/ids/{id}`` (kind ``id``) or of its ``/schema`` (``raw``)."""
    return encode(schema_to_wire(schema)) if kind == "id" else schema.schema.encode("utf-8")


def version_bytes(item: SubjectVersion, schema_body: bytes) -> bytes:
    """``encode(version_to_wire(item))``, from the encoded ``schema_to_wire`` of its schema."""
    head = encode({"subject": item.subject, "version": item.version, "id": item.schema.id})
    return head[:-1] + b"," + schema_body[1:]


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Malformed request"},
    401: {"model": ErrorResponse, "description": "Credentials required (40101)"},
    403: {"model": ErrorResponse, "description": "Role does not allow this (40301)"},
    404: {"model": ErrorResponse, "description": "Not found (40401-40409)"},
    422: {"model": ErrorResponse, "description": "Invalid input (42201-42210)"},
    500: {"model": ErrorResponse, "description": "Store error (50001)"},
}
