"""What current Confluent clients expect of a registry (issue 16), with confluent-kafka's own
client and serializers against a real ``esr serve``, on SQLite and on PostgreSQL.

Subjects with ``/`` (and other characters Confluent accepts) on every subject route; schema
GUIDs (register, lookup and version answers, ``get_schema_by_guid``, GUIDs in message headers,
kept by export and import); ``compatibilityGroup`` and the rest of Confluent's config;
``get_latest_with_metadata`` and ``use.latest.with.metadata``; the associations API and the
serializers' default associated-name strategy; Confluent's message texts.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from confluent_kafka.schema_registry import (
    AssociationCreateOrUpdateInfo,
    AssociationCreateOrUpdateRequest,
    Metadata,
    MetadataProperties,
    Schema,
    SchemaReference,
    SchemaRegistryClient,
    ServerConfig,
    header_schema_id_serializer,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

from registry.backup.exporting import export_registry
from registry.backup.importing import import_document
from registry.client import RegistryClient
from tests.support.server import ServerProcess, running_server


def record(*fields: tuple[Any, ...], name: str = "Order") -> str:
    """An Avro record in namespace ``shop`` with the given (name, type[, default]) fields."""
    items = []
    for field in fields:
        item: dict[str, Any] = {"name": field[0], "type": field[1]}
        if len(field) > 2:
            item["default"] = field[2]
        items.append(item)
    return json.dumps({"type": "record", "name": name, "namespace": "shop", "fields": items})


V1 = record(("id", "string"))
V2 = record(("id", "string"), ("note", ["null", "string"], None))
V3 = record(("id", "string"), ("note", ["null", "string"], None), ("qty", "int", 1))
BREAKING = record(("id", "string"), ("total", "long"))  # a new field without a default


def with_properties(schema: str, **properties: str) -> Schema:
    """An Avro schema with metadata properties."""
    return Schema(schema, "AVRO", metadata=Metadata(None, MetadataProperties(properties), None))


def properties_of(metadata: Metadata | None) -> dict[str, str] | None:
    """The properties of a schema's metadata, as the client reads them."""
    if metadata is None or metadata.properties is None:
        return None
    return dict(metadata.properties.properties)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> str:
    """A fresh SQLite file or PostgreSQL database."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def server(database: str) -> Iterator[ServerProcess]:
    """``esr serve`` on that database."""
    with running_server(database) as process:
        yield process


@pytest.fixture
def client(server: ServerProcess) -> Iterator[SchemaRegistryClient]:
    """Confluent's client, pointed at our server."""
    with SchemaRegistryClient({"url": server.url}) as client:
        yield client


def error_of(call: Any) -> SchemaRegistryError:
    """The SchemaRegistryError a client call raises."""
    with pytest.raises(SchemaRegistryError) as raised:
        call()
    return raised.value


# --- subjects with '/' and other characters --------------------------------------------------


@pytest.mark.parametrize("subject", ["test/Alias", "a%2Fb", "50%", "x\\y", "sp ace/é:ü"])
def test_every_subject_route_takes_any_subject_confluent_accepts(
    client: SchemaRegistryClient, server: ServerProcess, subject: str
) -> None:
    first = client.register_schema_full_response(subject, with_properties(V1, app="a"))
    assert (first.version, first.subject) == (1, subject)
    assert first.schema_id is not None
    second = client.register_schema(subject, with_properties(V2, app="b"))
    assert second == first.schema_id + 1
    assert subject in client.get_subjects()
    assert client.get_versions(subject) == [1, 2]
    assert client.get_version(subject, 1).schema_id == first.schema_id
    assert client.get_latest_version(subject).subject == subject
    assert client.lookup_schema(subject, Schema(V2, "AVRO")).version == 2
    assert client.get_latest_with_metadata(subject, {"app": "a"}).version == 1
    assert client.get_subjects_by_schema_id(first.schema_id) == [subject]
    assert client.test_compatibility(subject, Schema(V2, "AVRO")) is True
    assert client.test_compatibility_all_versions(subject, Schema(BREAKING, "AVRO")) is False
    client.set_compatibility(subject, "FULL")
    assert client.get_compatibility(subject) == "FULL"
    client.delete_config(subject)
    client.update_mode(subject, "READONLY")
    assert client.get_mode(subject) == "READONLY"
    client.delete_mode(subject)
    ref = SchemaReference("shop.Order", subject, 1)
    holder = Schema(record(("order", "shop.Order"), name="Holder"), "AVRO", [ref])
    holder_id = client.register_schema("holders", holder)
    assert client.get_referenced_by(subject, 1) == [holder_id]
    client.delete_subject("holders")
    client.delete_subject("holders", permanent=True)

    raw = httpx.get(f"{server.url}/subjects/{quote(subject, safe='')}/versions/1/schema")
    assert json.loads(raw.text) == json.loads(V1)
    assert client.delete_version(subject, 2) == 2
    assert client.delete_subject(subject) == [1]
    assert client.delete_subject(subject, permanent=True) == [1, 2]
    assert subject not in client.get_subjects()


def test_serializers_with_a_subject_holding_a_slash(client: SchemaRegistryClient) -> None:
    conf = {"subject.name.strategy": lambda ctx, record_name: "events/orders"}
    serializer = AvroSerializer(client, V1, conf=conf)
    ctx = SerializationContext("orders", MessageField.VALUE)
    data = serializer({"id": "o-1"}, ctx)
    assert data is not None
    assert AvroDeserializer(client)(data, ctx) == {"id": "o-1"}
    assert client.get_versions("events/orders") == [1]


# --- GUIDs -------------------------------------------------------------------------------------


def test_guids_are_stable_per_schema_and_found_by_the_client(
    client: SchemaRegistryClient, server: ServerProcess
) -> None:
    registered = client.register_schema_full_response("orders-value", Schema(V1, "AVRO"))
    guid = registered.guid
    assert guid is not None and len(guid) == 36
    again = client.register_schema_full_response("mirror-value", Schema(V1, "AVRO"))
    assert (again.schema_id, again.guid) == (registered.schema_id, guid)
    assert client.get_latest_version("orders-value").guid == guid
    assert client.get_version("mirror-value", 1).guid == guid
    assert client.lookup_schema("orders-value", Schema(V1, "AVRO")).guid == guid
    other = client.register_schema_full_response("orders-value", Schema(V2, "AVRO"))
    assert other.guid not in (None, guid)

    with SchemaRegistryClient({"url": server.url}) as fresh:
        assert json.loads(fresh.get_schema_by_guid(guid).schema_str or "") == json.loads(V1)
        unknown = "00000000-0000-0000-0000-000000000000"
        missing = error_of(lambda: fresh.get_schema_by_guid(unknown))
    assert (missing.http_status_code, missing.error_code) == (404, 40403)
    ids = httpx.get(f"{server.url}/schemas/guids/{guid}/ids").json()
    assert ids == [{"context": ".", "id": registered.schema_id}]
    assert httpx.get(f"{server.url}/schemas/ids/{registered.schema_id}").json()["guid"] == guid


def test_a_guid_in_message_headers_is_resolved_by_the_deserializer(
    client: SchemaRegistryClient, server: ServerProcess
) -> None:
    serializer = AvroSerializer(
        client, V1, conf={"schema.id.serializer": header_schema_id_serializer}
    )
    headers: list[tuple[str, str | bytes | None]] = []
    ctx = SerializationContext("orders", MessageField.VALUE, headers)
    payload = serializer({"id": "order-00001"}, ctx)
    assert payload is not None and not payload.startswith(b"\x00")  # no id prefix
    assert [key for key, _ in headers] == ["__value_schema_id"]
    with SchemaRegistryClient({"url": server.url}) as reader:  # nothing cached: asks by GUID
        assert AvroDeserializer(reader)(payload, ctx) == {"id": "order-00001"}


def test_export_and_import_keep_guids(
    client: SchemaRegistryClient, server: ServerProcess, tmp_path: Path
) -> None:
    guid = client.register_schema_full_response("orders-value", Schema(V1, "AVRO")).guid
    with RegistryClient(server.url) as source:
        document = export_registry(source)
    assert document["schemas"][0]["guid"] == guid
    document["schemas"][0]["guid"] = kept = "0b1e5a5e-0000-4000-8000-00000000cafe"
    with running_server(f"sqlite:///{tmp_path}/target.db") as target:
        with RegistryClient(target.url) as sink:
            assert import_document(sink, document).failures == []
        with SchemaRegistryClient({"url": target.url}) as restored:
            assert restored.get_latest_version("orders-value").guid == kept
            assert restored.get_schema_by_guid(kept).schema_str == V1


# --- compatibility groups and config ----------------------------------------------------------


def test_compatibility_group_checks_each_major_version_on_its_own(
    client: SchemaRegistryClient, server: ServerProcess
) -> None:
    answer = client.set_config("orders-value", ServerConfig(compatibility_group="major"))
    assert answer == {"compatibilityGroup": "major"}  # type: ignore[comparison-overlap]
    config = client.get_config("orders-value")
    assert config.compatibility_group == "major"
    assert config.compatibility_level is not None  # kafkajs reads it
    client.register_schema("orders-value", with_properties(V1, major="1"))
    # incompatible with major 1, but alone in major 2
    test = client.test_compatibility_all_versions
    assert test("orders-value", with_properties(BREAKING, major="2")) is True
    assert client.register_schema("orders-value", with_properties(BREAKING, major="2")) > 0
    assert test("orders-value", with_properties(BREAKING, major="1")) is False
    # against one version: a version of another group is no constraint (as in Confluent)
    assert client.test_compatibility("orders-value", with_properties(BREAKING, major="1")) is True
    refused = error_of(
        lambda: client.register_schema("orders-value", with_properties(BREAKING, major="1"))
    )
    assert refused.http_status_code == 409
    # within major 1, the usual rules
    client.register_schema("orders-value", with_properties(V2, major="1"))
    # no metadata: it takes the latest version's (major 1), as in Confluent, and is judged in
    # that group: no way around the check by leaving the metadata out
    assert client.register_schema_full_response("orders-value", Schema(V3, "AVRO")).version == 4
    version = client.get_latest_version("orders-value")
    assert version.schema.metadata is not None
    assert properties_of(version.schema.metadata) == {"major": "1"}
    around = record(("id", "string"), ("note", ["null", "string"], None), ("total", "long"))
    assert client.test_compatibility("orders-value", Schema(around, "AVRO")) is False
    assert (
        error_of(
            lambda: client.register_schema("orders-value", Schema(around, "AVRO"))
        ).http_status_code
        == 409
    )

    global_answer = httpx.put(f"{server.url}/config", json={"compatibilityGroup": "line"})
    assert global_answer.json()["compatibilityGroup"] == "line"
    assert client.get_config().compatibility_group == "line"
    assert client.get_config("orders-value").compatibility_group == "major"


def test_config_fields_are_kept_or_refused_never_dropped(
    client: SchemaRegistryClient, server: ServerProcess
) -> None:
    url = f"{server.url}/config/orders-value"
    unknown = httpx.put(url, json={"compatibilityGroop": "major"})
    assert unknown.status_code == 422 and "compatibilityGroop" in unknown.json()["message"]
    alias = httpx.put(url, json={"compatibility": "FULL", "alias": "other"})
    assert alias.status_code == 422 and "alias" in alias.json()["message"]
    assert httpx.get(url).json()["error_code"] == 40408  # nothing was written
    assert httpx.put(url, json={}).status_code == 200
    assert httpx.get(url).json()["error_code"] == 40408  # a PUT that sets nothing
    httpx.put(url, json={"normalize": True})
    assert httpx.get(url).json() == {"compatibilityLevel": "BACKWARD", "normalize": True}
    httpx.put(url, json={"compatibility": "NONE", "normalize": None})
    assert httpx.get(url).json() == {"compatibilityLevel": "NONE"}

    client.set_config(
        "orders-value",
        ServerConfig(
            default_metadata=Metadata(None, MetadataProperties({"owner": "shop"}), None),
            override_metadata=Metadata(None, MetadataProperties({"tier": "gold"}), None),
        ),
    )
    client.register_schema("orders-value", with_properties(V1, owner="payments", tier="bronze"))
    stored = client.get_latest_version("orders-value").schema.metadata
    assert stored is not None
    assert properties_of(stored) == {"owner": "payments", "tier": "gold"}
    config = client.get_config("orders-value")
    assert config.default_metadata is not None and config.override_metadata is not None


# --- latest with metadata -------------------------------------------------------------------


def test_latest_with_metadata_for_clients_and_serializers(client: SchemaRegistryClient) -> None:
    client.set_compatibility("orders-value", "NONE")
    client.register_schema("orders-value", with_properties(V1, major="1", app="shop"))
    client.register_schema("orders-value", with_properties(BREAKING, major="2", app="shop"))
    client.register_schema("orders-value", with_properties(V2, major="1", app="shop"))
    found = client.get_latest_with_metadata("orders-value", {"major": "2", "app": "shop"})
    assert found.version == 2 and json.loads(found.schema.schema_str or "") == json.loads(BREAKING)
    assert client.get_latest_with_metadata("orders-value", {"major": "1"}).version == 3
    client.delete_version("orders-value", 2)
    gone = error_of(lambda: client.get_latest_with_metadata("orders-value", {"major": "2"}))
    assert (gone.http_status_code, gone.error_code) == (404, 40403)
    deleted = client.get_latest_with_metadata("orders-value", {"major": "2"}, deleted=True)
    assert deleted.version == 2
    nobody = error_of(lambda: client.get_latest_with_metadata("nobody-value", {"major": "1"}))
    assert (nobody.http_status_code, nobody.error_code) == (404, 40401)

    conf = {"auto.register.schemas": False, "use.latest.with.metadata": {"major": "1"}}
    serializer = AvroSerializer(client, None, conf=conf)
    ctx = SerializationContext("orders", MessageField.VALUE)
    data = serializer({"id": "o-1", "note": None}, ctx)
    assert data is not None
    assert struct.unpack(">bI", data[:5])[1] == client.get_version("orders-value", 3).schema_id


# --- associations ---------------------------------------------------------------------------


def associate(
    client: SchemaRegistryClient,
    topic: str,
    *infos: AssociationCreateOrUpdateInfo,
    namespace: str = "lkc-1",
) -> Any:
    """Create a topic's associations with the client."""
    request = AssociationCreateOrUpdateRequest(
        resource_name=topic,
        resource_namespace=namespace,
        resource_id=f"id-{topic}",
        resource_type="topic",
        associations=list(infos),
    )
    return client.create_association(request)


def test_the_associated_name_strategy_resolves_through_the_registry(
    client: SchemaRegistryClient,
) -> None:
    answer = associate(
        client,
        "orders",
        AssociationCreateOrUpdateInfo(
            subject="shop.orders.v1", association_type="value", schema=Schema(V1, "AVRO")
        ),
    )
    assert answer.associations[0].subject == "shop.orders.v1"
    assert answer.associations[0].lifecycle == "WEAK"
    found = client.get_associations_by_resource_name("orders", "-", "topic", ["value"])
    assert [(a.subject, a.resource_namespace, a.resource_id) for a in found] == [
        ("shop.orders.v1", "lkc-1", "id-orders")
    ]
    assert client.get_associations_by_resource_name("orders", "lkc-2") == []

    serializer = AvroSerializer(client, V2)  # the default strategy: associated names
    ctx = SerializationContext("orders", MessageField.VALUE)
    data = serializer({"id": "o-1", "note": "n"}, ctx)
    assert data is not None
    assert client.get_versions("shop.orders.v1") == [1, 2]
    assert "orders-value" not in client.get_subjects()
    assert AvroDeserializer(client)(data, ctx) == {"id": "o-1", "note": "n"}
    # a topic with no association falls back to <topic>-value
    AvroSerializer(client, V1)({"id": "p-1"}, SerializationContext("payments", MessageField.VALUE))
    assert client.get_versions("payments-value") == [1]


def test_association_lifecycles_and_conflicts(
    client: SchemaRegistryClient, server: ServerProcess
) -> None:
    strong = AssociationCreateOrUpdateInfo(
        association_type="key", lifecycle="STRONG", schema=Schema(V1, "AVRO")
    )
    weak = AssociationCreateOrUpdateInfo(
        subject="shared-value", association_type="value", schema=Schema(V2, "AVRO")
    )
    answer = associate(client, "orders", strong, weak)
    assert [(a.subject, a.lifecycle) for a in answer.associations] == [
        ("orders-key", "STRONG"),
        ("shared-value", "WEAK"),
    ]
    assert [a.subject for a in client.get_associations_by_resource_name("orders", "lkc-1")] == [
        "orders-key",
        "shared-value",
    ]
    # a WEAK subject may serve several topics; a STRONG one belongs to one
    associate(client, "audit", AssociationCreateOrUpdateInfo(subject="shared-value"))
    again = AssociationCreateOrUpdateInfo(subject="orders-key", association_type="value")
    conflict = error_of(lambda: associate(client, "audit2", again))
    assert (conflict.http_status_code, conflict.error_code) == (409, 40905)
    owned = AssociationCreateOrUpdateInfo(subject="shared-value", lifecycle="STRONG")
    assert error_of(lambda: associate(client, "audit3", owned)).error_code == 40904
    other = AssociationCreateOrUpdateInfo(subject="elsewhere-value", schema=Schema(V1, "AVRO"))
    assert error_of(lambda: associate(client, "orders", other)).error_code == 40903
    empty = AssociationCreateOrUpdateInfo(subject="empty-value")
    assert error_of(lambda: associate(client, "empty", empty)).error_code == 40907
    frozen_weak = AssociationCreateOrUpdateInfo(lifecycle="WEAK", frozen=True)
    assert error_of(lambda: associate(client, "cold", frozen_weak)).error_code == 42212
    # the subject of a STRONG association goes with its topic only
    assert error_of(lambda: client.delete_subject("orders-key")).error_code == 40904
    by_subject = httpx.get(f"{server.url}/associations/subjects/orders-key").json()
    assert [a["resourceName"] for a in by_subject] == ["orders"]

    client.delete_associations("id-orders", cascade_lifecycle=True)
    assert "orders-key" not in client.get_subjects()
    assert "shared-value" in client.get_subjects()  # WEAK: the subject outlives the topic
    assert client.get_associations_by_resource_name("orders", "-") == []
    missing = error_of(lambda: client.delete_associations("id-orders"))
    assert (missing.http_status_code, missing.error_code) == (404, 40410)


def test_frozen_associations_and_updates(
    client: SchemaRegistryClient, server: ServerProcess
) -> None:
    frozen = AssociationCreateOrUpdateInfo(
        association_type="value", lifecycle="STRONG", frozen=True, schema=Schema(V1, "AVRO")
    )
    associate(client, "ledger", frozen)
    url = f"{server.url}/associations/resources/id-ledger"
    body: dict[str, Any] = {
        "resourceName": "ledger",
        "resourceNamespace": "lkc-1",
        "associations": [{"associationType": "value", "schema": {"schema": V2}}],
    }
    refused = httpx.put(url, json=body)
    assert (refused.status_code, refused.json()["error_code"]) == (409, 40908)
    body["associations"][0]["frozen"] = False
    changed = httpx.put(url, json=body)
    assert changed.status_code == 200, changed.text
    assert changed.json()["associations"][0]["frozen"] is False
    assert changed.json()["associations"][0]["schema"]["version"] == 2
    moved = dict(body, associations=[{"associationType": "value", "subject": "elsewhere"}])
    assert httpx.put(url, json=moved).json()["error_code"] == 42212
    mismatch = dict(body, resourceId="another-id")
    assert httpx.put(url, json=mismatch).json()["error_code"] == 42212
    weaker = dict(body, associations=[{"associationType": "value", "lifecycle": "WEAK"}])
    assert httpx.put(url, json=weaker).json()["associations"][0]["lifecycle"] == "WEAK"
    assert httpx.delete(f"{url}?dryRun=true").status_code == 204
    assert httpx.get(url).json()[0]["lifecycle"] == "WEAK"  # a dry run changes nothing
    assert httpx.delete(url).status_code == 204
    assert httpx.get(url).json() == []


# --- message texts ----------------------------------------------------------------------------


def test_message_texts_are_confluents(client: SchemaRegistryClient) -> None:
    invalid = error_of(lambda: client.register_schema("orders-value", Schema("{", "AVRO")))
    assert invalid.error_code == 42201
    assert invalid.error_message.startswith("Invalid schema")
    unknown = json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "x"}]})
    bad_type = error_of(lambda: client.register_schema("orders-value", Schema(unknown, "AVRO")))
    assert bad_type.error_message.startswith("Invalid schema")
    client.register_schema("orders-value", Schema(V1, "AVRO"))
    miss = error_of(lambda: client.lookup_schema("orders-value", Schema(V2, "AVRO")))
    assert (miss.error_code, miss.error_message) == (40403, "Schema not found")
