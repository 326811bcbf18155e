"""Confluent Schema Registry's wire shapes, in one place: domain values to JSON dicts and back.

The REST API answers with these dicts (its hot path encodes them once and serves the bytes),
the HTTP client sends them and reads them back, and anything else speaking Confluent's protocol
(backups, sync targets, the gate, the pytest plugin) builds and reads them here too, so no two
copies can drift. The shapes follow Confluent's entities (``Schema``, ``SchemaReference``,
``RegisterSchemaRequest``, ``Config``): an AVRO ``schemaType`` and an empty ``references``
list are left out, as Confluent leaves them out; ``metadata``, ``ruleSet`` and a stored
schema's ``guid`` (Confluent 8) only appear when set.

Plain functions over ``TypedDict`` s, no pydantic: the API's request models validate input,
these shape what is already valid, and refuse (422, naming it) a config field of Confluent's
protocol that this registry does not take, rather than drop it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any, Required, TypedDict, cast

from registry.domain import (
    Association,
    CompatibilityLevel,
    CompatibilityPolicy,
    ConfigUpdate,
    EffectiveConfig,
    Reference,
    SchemaInput,
    SchemaType,
    StoredSchema,
    SubjectConfig,
    SubjectVersion,
)
from registry.errors import UnprocessableRequest


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
    guid: str


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
    compatibilityGroup: str
    defaultMetadata: dict[str, Any]
    overrideMetadata: dict[str, Any]
    defaultRuleSet: dict[str, Any]
    overrideRuleSet: dict[str, Any]


class ConfigUpdateWire(TypedDict, total=False):
    """A config as ``PUT /config`` takes and answers it (Confluent's ``ConfigUpdateRequest``)."""

    compatibility: str
    compatibilityPolicy: str
    normalize: bool
    compatibilityGroup: str
    defaultMetadata: dict[str, Any]
    overrideMetadata: dict[str, Any]
    defaultRuleSet: dict[str, Any]
    overrideRuleSet: dict[str, Any]


#: Config settings by their wire name (as read; ``compatibility`` is the level when written).
CONFIG_WIRE_NAMES = {
    "compatibilityLevel": "compatibility",
    "compatibilityPolicy": "policy",
    "normalize": "normalize",
    "compatibilityGroup": "group",
    "defaultMetadata": "default_metadata",
    "overrideMetadata": "override_metadata",
    "defaultRuleSet": "default_rule_set",
    "overrideRuleSet": "override_rule_set",
}

#: Fields of Confluent's ``ConfigUpdateRequest`` this registry refuses (422), and why.
UNSUPPORTED_CONFIG_FIELDS = {
    "alias": "subject aliases are not implemented",
    "aliasForDeks": "subject aliases are not implemented",
    "validateFields": "field names are always validated",
    "validateNewSchemas": "new schemas are always validated",
    "validateRules": "rule sets are always validated for their shape",
}


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
    data: dict[str, Any] = {}
    for wire_name, name in CONFIG_WIRE_NAMES.items():
        value = getattr(config, name)
        if value is not None:
            data[wire_name] = value.value if isinstance(value, enum.Enum) else value
    return cast(ConfigWire, data)


def config_update_to_wire(config: SubjectConfig) -> ConfigUpdateWire:
    """A config as written: the level is ``compatibility`` there, not ``compatibilityLevel``."""
    data: dict[str, Any] = dict(config_to_wire(config))
    if "compatibilityLevel" in data:
        data = {"compatibility": data.pop("compatibilityLevel"), **data}
    return cast(ConfigUpdateWire, data)


def config_from_wire(data: Mapping[str, Any]) -> SubjectConfig:
    """A config read or written (the level under either name); unknown values are refused,
    unknown fields ignored (see :func:`config_update_from_wire` for a request)."""
    return config_update_from_wire(
        {k: v for k, v in data.items() if k in CONFIG_WIRE_NAMES or k == "compatibility"}
    ).values


def config_update_from_wire(data: Mapping[str, Any]) -> ConfigUpdate:
    """A ``PUT /config`` body as a change: the settings it names, each set to its value or,
    given as ``null``, cleared (as Confluent's ``Optional`` fields); the others are kept.

    A field this registry does not take is refused with 422 naming it, never dropped.
    """
    values: dict[str, Any] = {}
    for wire_name, value in data.items():
        name = CONFIG_WIRE_NAMES.get(
            "compatibilityLevel" if wire_name == "compatibility" else wire_name
        )
        if name is None:
            why = UNSUPPORTED_CONFIG_FIELDS.get(wire_name)
            if why is not None:
                raise UnprocessableRequest(
                    f"Config field '{wire_name}' is not supported by this registry: {why}"
                )
            raise UnprocessableRequest(
                f"Unknown config field '{wire_name}'; the fields are compatibility, "
                + ", ".join(CONFIG_WIRE_NAMES)
            )
        if value is not None or name not in values:
            values[name] = None if value is None else _config_value(name, wire_name, value)
    return ConfigUpdate(SubjectConfig(**values), frozenset(values))


def _config_value(name: str, wire_name: str, value: Any) -> Any:
    if name == "compatibility":
        return CompatibilityLevel.parse(str(value))
    if name == "policy":
        return CompatibilityPolicy.parse(str(value))
    if name == "normalize":
        if not isinstance(value, bool):
            raise UnprocessableRequest(f"{wire_name}: expected true or false")
        return value
    if name == "group":
        if not isinstance(value, str):
            raise UnprocessableRequest(f"{wire_name}: expected the name of a metadata property")
        return value or None
    if not isinstance(value, Mapping):
        raise UnprocessableRequest(f"{wire_name}: expected an object")
    return dict(value)


def _optional_fields(data: SchemaWire, schema: SchemaInput | StoredSchema) -> None:
    if schema.schema_type is not SchemaType.AVRO:
        data["schemaType"] = schema.schema_type.value
    if schema.references:
        data["references"] = references_to_wire(schema.references)
    if schema.metadata is not None:
        data["metadata"] = schema.metadata
    if schema.rule_set is not None:
        data["ruleSet"] = schema.rule_set
    guid = getattr(schema, "guid", None)  # a stored schema's; a request has none
    if guid is not None:
        data["guid"] = guid


class AssociationWire(TypedDict):
    """An association as Confluent's ``Association`` entity writes it."""

    subject: str
    guid: str
    resourceName: str
    resourceNamespace: str
    resourceId: str
    resourceType: str
    associationType: str
    lifecycle: str
    frozen: bool


class AssociationInfoWire(TypedDict, total=False):
    """One association in a create or update answer (``AssociationInfo``), with the schema
    version it registered, when it carried one."""

    subject: Required[str]
    associationType: Required[str]
    lifecycle: Required[str]
    frozen: Required[bool]
    schema: VersionWire


class AssociationResponseWire(TypedDict):
    """The answer of a create or update (``AssociationResponse``)."""

    resourceName: str
    resourceNamespace: str
    resourceId: str | None
    resourceType: str
    associations: list[AssociationInfoWire]


def association_to_wire(association: Association) -> AssociationWire:
    """An association as the association reads answer it."""
    return {
        "subject": association.subject,
        "guid": association.guid,
        "resourceName": association.resource_name,
        "resourceNamespace": association.resource_namespace,
        "resourceId": association.resource_id,
        "resourceType": association.resource_type,
        "associationType": association.association_type,
        "lifecycle": association.lifecycle.value,
        "frozen": association.frozen,
    }


def association_info_to_wire(
    association: Association, version: SubjectVersion | None
) -> AssociationInfoWire:
    """One association of a create or update answer."""
    data: AssociationInfoWire = {
        "subject": association.subject,
        "associationType": association.association_type,
        "lifecycle": association.lifecycle.value,
        "frozen": association.frozen,
    }
    if version is not None:
        data["schema"] = version_to_wire(version)
    return data
