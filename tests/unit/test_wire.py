"""Confluent's wire shapes in one module: domain values to dicts and back, and the documented
response models listing the same fields."""

from __future__ import annotations

from typing import Any, get_type_hints

import pytest
from pydantic import BaseModel

from registry.api.association_models import (
    AssociationCreateResponse,
    AssociationInfoResponse,
    AssociationResponseModel,
)
from registry.api.models import (
    ConfigResponse,
    ConfigUpdateResponse,
    ReferenceModel,
    SchemaByIdResponse,
    SubjectVersionResponse,
)
from registry.domain import (
    CompatibilityLevel,
    CompatibilityPolicy,
    Reference,
    SchemaInput,
    SchemaType,
    StoredSchema,
    SubjectConfig,
    SubjectVersion,
)
from registry.errors import InvalidCompatibilityLevel, UnprocessableRequest
from registry.wire import (
    AssociationInfoWire,
    AssociationResponseWire,
    AssociationWire,
    ConfigUpdateWire,
    ConfigWire,
    ReferenceWire,
    SchemaWire,
    VersionWire,
    config_from_wire,
    config_to_wire,
    config_update_from_wire,
    config_update_to_wire,
    references_from_wire,
    references_to_wire,
    schema_from_wire,
    schema_to_wire,
    version_to_wire,
)

L = CompatibilityLevel

STORED = StoredSchema(
    4,
    SchemaType.JSON,
    '{"type":"object"}',
    "{}",
    "f",
    references=(Reference("a.json", "sub/ject", 3),),
    metadata={"properties": {"owner": "team"}},
    rule_set={"domainRules": []},
)


def test_schema_wire_leaves_out_avro_and_empty_fields() -> None:
    assert schema_to_wire(SchemaInput('"string"')) == {"schema": '"string"'}
    assert schema_to_wire(STORED) == {
        "schema": '{"type":"object"}',
        "schemaType": "JSON",
        "references": [{"name": "a.json", "subject": "sub/ject", "version": 3}],
        "metadata": {"properties": {"owner": "team"}},
        "ruleSet": {"domainRules": []},
    }


def test_wire_round_trips() -> None:
    back = schema_from_wire(schema_to_wire(STORED))
    assert back == SchemaInput(
        STORED.schema, STORED.schema_type, STORED.references, STORED.metadata, STORED.rule_set
    )
    assert references_from_wire(references_to_wire(STORED.references)) == STORED.references
    assert references_from_wire(None) == ()
    version = version_to_wire(SubjectVersion("s", 2, STORED))
    assert list(version)[:4] == ["subject", "version", "id", "schema"]
    assert schema_from_wire(version) == back
    config = SubjectConfig(L.FULL, CompatibilityPolicy.LENIENT, True)
    assert config_from_wire(config_to_wire(config)) == config
    assert config_from_wire(config_update_to_wire(config)) == config
    assert config_update_to_wire(config)["compatibility"] == "FULL"
    assert config_from_wire({}) == SubjectConfig()
    with pytest.raises(InvalidCompatibilityLevel):
        config_from_wire({"compatibilityLevel": "SIDEWAYS"})
    grouped = SubjectConfig(group="major", default_metadata={"properties": {"a": "b"}})
    assert config_from_wire(config_to_wire(grouped)) == grouped
    assert config_to_wire(grouped) == {
        "compatibilityGroup": "major",
        "defaultMetadata": {"properties": {"a": "b"}},
    }


def test_a_config_change_names_what_it_sets_or_clears_and_refuses_the_rest() -> None:
    change = config_update_from_wire({"compatibility": "FULL", "compatibilityGroup": None})
    assert change.named == {"compatibility", "group"}
    old = SubjectConfig(L.NONE, normalize=True, group="major")
    assert change.applied_to(old) == SubjectConfig(L.FULL, normalize=True)
    assert config_update_from_wire({}).applied_to(old) == old
    with pytest.raises(UnprocessableRequest, match="'alias' is not supported"):
        config_update_from_wire({"alias": "other"})
    with pytest.raises(UnprocessableRequest, match="Unknown config field 'compatibilityGroop'"):
        config_update_from_wire({"compatibilityGroop": "major"})


def test_a_stored_schema_answers_its_guid() -> None:
    stored = StoredSchema(1, SchemaType.AVRO, '"string"', '"string"', "f" * 64, guid="g")
    assert schema_to_wire(stored) == {"schema": '"string"', "guid": "g"}
    assert version_to_wire(SubjectVersion("s", 1, stored))["guid"] == "g"


def _fields(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


@pytest.mark.parametrize(
    ("model", "shape", "only_in_model"),
    [
        (ReferenceModel, ReferenceWire, set()),
        (SchemaByIdResponse, SchemaWire, set()),
        (SubjectVersionResponse, VersionWire, {"deleted"}),
        (ConfigResponse, ConfigWire, set()),
        (ConfigUpdateResponse, ConfigUpdateWire, set()),
        (AssociationResponseModel, AssociationWire, set()),
        (AssociationInfoResponse, AssociationInfoWire, set()),
        (AssociationCreateResponse, AssociationResponseWire, set()),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_documented_response_models_have_the_wire_fields(
    model: type[BaseModel], shape: Any, only_in_model: set[str]
) -> None:
    """The OpenAPI models document what :mod:`registry.wire` builds: the same field names."""
    assert _fields(model) - only_in_model == set(get_type_hints(shape))
