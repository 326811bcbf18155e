"""Confluent Schema Registry's wire shapes, in one place: domain values to JSON dicts and back.

The REST API answers with these dicts (its hot path encodes them once and serves the bytes),
the HTTP client sends them and reads them back, and anything else speaking Confluent's protocol
(backups, sync targets, the gate, the pytest plugin) builds and reads them here too, so no two
copies can drift. The shapes follow Confluent's entities (``Schema``, ``SchemaReference``,
``RegisterSchemaRequest``): an AVRO ``schemaType`` and an empty ``references`` list are left
out, as Confluent leaves them out; ``metadata`` and ``ruleSet`` only appear when set.

Plain functions over ``TypedDict`` s, no pydantic: the API's request models validate input,
these only shape what is already valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Required, TypedDict, cast

from registry.domain import (
    CompatibilityLevel,
    CompatibilityPolicy,
    EffectiveConfig,
    Reference,
    SchemaInput,
    SchemaType,
    StoredSchema,
    SubjectConfig,
    SubjectVersion,
)


class ReferenceWire(TypedDict):
    """A reference as Confluent writes it: ``{"name", "subject", "version"}``."""

    name: str
    subject: str
    version: int


class SchemaWire(TypedDict, total=False):
    """The fields every schema body shares (request, ``/schemas/ids/{id}``, a version)."""

    schema: Required[str]
    schemaType: str
    references: list[ReferenceWire]
    metadata: dict[str, Any]
    ruleSet: dict[str, Any]


class VersionWire(SchemaWire, total=False):
    """A subject version: ``subject``, ``version`` and ``id`` before the schema's fields."""

    subject: Required[str]
    version: Required[int]
    id: Required[int]


class ConfigWire(TypedDict, total=False):
    """A config as ``GET /config`` answers it (Confluent's ``Config``)."""

    compatibilityLevel: str
    compatibilityPolicy: str
    normalize: bool


class ConfigUpdateWire(TypedDict, total=False):
    """A config as ``PUT /config`` takes and answers it (Confluent's ``ConfigUpdateRequest``)."""

    compatibility: str
    compatibilityPolicy: str
    normalize: bool


def references_to_wire(references: Iterable[Reference]) -> list[ReferenceWire]:
    """Domain references as a wire ``references`` list."""
    return [{"name": r.name, "subject": r.subject, "version": r.version} for r in references]


def references_from_wire(items: Iterable[Mapping[str, Any]] | None) -> tuple[Reference, ...]:
    """A wire ``references`` list (or None) as domain references."""
    return tuple(
        Reference(str(r["name"]), str(r["subject"]), int(r["version"])) for r in items or ()
    )


def schema_to_wire(schema: SchemaInput | StoredSchema) -> SchemaWire:
    """A schema's body fields: what a registration sends and every schema answer starts with."""
    data: SchemaWire = {"schema": schema.schema}
    _optional_fields(data, schema)
    return data


def version_to_wire(item: SubjectVersion) -> VersionWire:
    """A subject version as ``GET /subjects/{s}/versions/{v}`` answers it."""
    data: VersionWire = {
        "subject": item.subject,
        "version": item.version,
        "id": item.schema.id,
        "schema": item.schema.schema,
    }
    _optional_fields(data, item.schema)
    return data


def schema_from_wire(data: Mapping[str, Any]) -> SchemaInput:
    """The schema of a wire body or answer (absent ``schemaType``: AVRO, as in Confluent)."""
    metadata, rule_set = data.get("metadata"), data.get("ruleSet")
    return SchemaInput(
        schema=str(data["schema"]),
        schema_type=SchemaType.parse(data.get("schemaType")),
        references=references_from_wire(data.get("references")),
        metadata=dict(metadata) if isinstance(metadata, Mapping) else None,
        rule_set=dict(rule_set) if isinstance(rule_set, Mapping) else None,
    )


def config_to_wire(config: EffectiveConfig | SubjectConfig) -> ConfigWire:
    """A config as read: only the fields that are set."""
    data: ConfigWire = {}
    if config.compatibility is not None:
        data["compatibilityLevel"] = config.compatibility.value
    if config.policy is not None:
        data["compatibilityPolicy"] = config.policy.value
    if config.normalize is not None:
        data["normalize"] = config.normalize
    return data


def config_update_to_wire(config: SubjectConfig) -> ConfigUpdateWire:
    """A config as written: the level is ``compatibility`` there, not ``compatibilityLevel``."""
    data: dict[str, Any] = dict(config_to_wire(config))
    if "compatibilityLevel" in data:
        data = {"compatibility": data.pop("compatibilityLevel"), **data}
    return cast(ConfigUpdateWire, data)


def config_from_wire(data: Mapping[str, Any]) -> SubjectConfig:
    """A config read or written (the level under either name); unknown values are refused."""
    level = data.get("compatibilityLevel") or data.get("compatibility")
    policy = data.get("compatibilityPolicy")
    normalize = data.get("normalize")
    return SubjectConfig(
        CompatibilityLevel.parse(str(level)) if level else None,
        CompatibilityPolicy.parse(str(policy)) if policy else None,
        normalize if isinstance(normalize, bool) else None,
    )


def _optional_fields(data: SchemaWire, schema: SchemaInput | StoredSchema) -> None:
    if schema.schema_type is not SchemaType.AVRO:
        data["schemaType"] = schema.schema_type.value
    if schema.references:
        data["references"] = references_to_wire(schema.references)
    if schema.metadata is not None:
        data["metadata"] = schema.metadata
    if schema.rule_set is not None:
        data["ruleSet"] = schema.rule_set
