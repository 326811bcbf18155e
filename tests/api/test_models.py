"""Wire shapes: the pre-encoded version answer is byte for byte the encoded wire dict."""

from __future__ import annotations

import pytest

from registry.api.models import encode, version_bytes
from registry.domain import Reference, SchemaType, StoredSchema, SubjectVersion
from registry.wire import schema_to_wire, version_to_wire

SCHEMAS = [
    StoredSchema(1, SchemaType.AVRO, '"string"', '"string"', "f"),
    StoredSchema(
        2,
        SchemaType.JSON,
        '{"type":"object","description":"ünïcødé <b> \\"q\\""}',
        "{}",
        "f",
        references=(Reference("a.json", "sub/ject", 3),),
        metadata={"properties": {"owner": "team-ø"}},
        rule_set={"domainRules": [{"name": "r", "kind": "CONDITION"}]},
    ),
]


@pytest.mark.parametrize("schema", SCHEMAS, ids=["avro", "json-with-everything"])
@pytest.mark.parametrize("subject", ["s", "orders-value", 'ünï "quoted" subject'])
def test_version_bytes_equal_the_encoded_wire_dict(schema: StoredSchema, subject: str) -> None:
    item = SubjectVersion(subject, 12, schema)
    assert version_bytes(item, encode(schema_to_wire(schema))) == encode(version_to_wire(item))
