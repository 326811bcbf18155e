"""Client-side field-level encryption against a real ``esr serve``, with confluent-kafka's own
serializers, ENCRYPT rule executor, local KMS driver and DekRegistryClient (SQLite and
PostgreSQL).

A field tagged ``PII`` is encrypted by the producer with a DEK that the client generates and
wraps with the local KMS; the registry stores only the wrapped DEK. The bytes on the wire do
not contain the plaintext, the deserializer restores it, and neither the plaintext nor the raw
DEK appears anywhere in the registry's database (files or tables).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from confluent_kafka.schema_registry import (
    Rule,
    RuleKind,
    RuleMode,
    RuleParams,
    RuleSet,
    Schema,
    SchemaRegistryClient,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.rule_registry import RuleRegistry
from confluent_kafka.schema_registry.rules.encryption.dek_registry.dek_registry_client import (
    DekAlgorithm,
    DekRegistryClient,
)
from confluent_kafka.schema_registry.rules.encryption.encrypt_executor import (
    FieldEncryptionExecutor,
)
from confluent_kafka.schema_registry.rules.encryption.localkms.local_client import LocalKmsClient
from confluent_kafka.schema_registry.rules.encryption.localkms.local_driver import LocalKmsDriver
from confluent_kafka.serialization import MessageField, SerializationContext, SerializationError
from sqlalchemy import create_engine, inspect, text

from tests.support.server import ServerProcess, running_server

SECRET = "a-local-kms-secret-for-tests"  # one for the whole run: tink caches KMS clients
KMS_KEY_ID = "pii-key"
SSN = "123-45-6789"
NAME = "Ada Lovelace"
LocalKmsDriver.register()


@pytest.fixture
def server(database_url: str) -> Iterator[ServerProcess]:
    """``esr serve`` on a fresh SQLite file or PostgreSQL database."""
    with running_server(database_url) as process:
        yield process


@pytest.fixture
def client(server: ServerProcess) -> Iterator[SchemaRegistryClient]:
    """Confluent's client, pointed at our server (closed afterwards: it keeps a connection)."""
    with SchemaRegistryClient({"url": server.url}) as client:
        yield client


@pytest.fixture
def dek_client(server: ServerProcess) -> Iterator[Callable[[], DekRegistryClient]]:
    """Makes new DekRegistryClients (nothing cached) on our server; all closed afterwards."""
    with ExitStack() as stack:
        yield lambda: stack.enter_context(DekRegistryClient({"url": server.url}))


@contextmanager
def encryption_rules() -> Iterator[RuleRegistry]:
    """The ENCRYPT executor in a registry of its own (the global one keeps its first client);
    the DEK registry client it opens is closed afterwards."""
    registry = RuleRegistry()
    registry.register_executor(FieldEncryptionExecutor())
    try:
        yield registry
    finally:
        for executor in registry.get_executors():
            executor.close()


@pytest.fixture
def rules() -> Iterator[RuleRegistry]:
    """One producer's (and consumer's) ENCRYPT executor."""
    with encryption_rules() as registry:
        yield registry


def encrypt_rule(kek_name: str) -> RuleSet:
    """An ENCRYPT rule on fields tagged PII, with a KEK on the local KMS."""
    params = {
        "encrypt.kek.name": kek_name,
        "encrypt.kms.type": "local-kms",
        "encrypt.kms.key.id": KMS_KEY_ID,
    }
    rule = Rule(
        "encrypt-pii",
        "",
        RuleKind.TRANSFORM,
        RuleMode.WRITEREAD,
        "ENCRYPT",
        ["PII"],
        RuleParams(params),
        None,
        None,
        "ERROR,NONE",
        False,
    )
    return RuleSet(None, [rule])


def unwrap(encrypted_key_material: str) -> bytes:
    """The raw DEK, as only a client with the KMS secret can see it."""
    aead = LocalKmsClient(SECRET).get_aead(f"local-kms://{KMS_KEY_ID}")
    return bytes(aead.decrypt(base64.b64decode(encrypted_key_material), b""))


def database_contents(database: str) -> bytes:
    """Everything the registry's database holds: the SQLite files (WAL included) as bytes, or
    every row of every PostgreSQL table as text."""
    if database.startswith("sqlite:///"):
        path = Path(database.removeprefix("sqlite:///"))
        return b"".join(p.read_bytes() for p in path.parent.glob(f"{path.name}*"))
    engine = create_engine(database.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
            rows = [
                str(row[0])
                for table in tables
                for row in conn.execute(text(f'SELECT t::text FROM "{table}" t'))
            ]
    finally:
        engine.dispose()
    return "\n".join(rows).encode()


def assert_nothing_in_clear(
    server: ServerProcess, database: str, kek_name: str, subject: str
) -> None:
    """Neither the plaintext nor the raw DEK (nor its base64) is stored; the wrapped DEK is."""
    dek = httpx.get(f"{server.url}/dek-registry/v1/keks/{kek_name}/deks/{subject}").json()
    assert "keyMaterial" not in dek
    raw = unwrap(dek["encryptedKeyMaterial"])
    stored = database_contents(database)
    assert dek["encryptedKeyMaterial"].encode() in stored  # the search does see the tables
    for secret in (SSN.encode(), NAME.encode(), raw, base64.b64encode(raw), SECRET.encode()):
        assert secret not in stored
    audit = httpx.get(f"{server.url}/api/audit").text
    assert dek["encryptedKeyMaterial"] not in audit


AVRO_SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Customer",
        "namespace": "shop",
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "name", "type": "string", "confluent:tags": ["PII"]},
            {"name": "ssn", "type": "string", "confluent:tags": ["PII"]},
        ],
    }
)
JSON_SCHEMA = json.dumps(
    {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Customer",
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string", "confluent:tags": ["PII"]},
            "ssn": {"type": "string", "confluent:tags": ["PII"]},
        },
        "required": ["id", "name", "ssn"],
    }
)
CUSTOMER: dict[str, Any] = {"id": "c-1", "name": NAME, "ssn": SSN}


def test_avro_pii_fields_are_encrypted_end_to_end(
    server: ServerProcess, database_url: str, client: SchemaRegistryClient, rules: RuleRegistry
) -> None:
    schema = Schema(AVRO_SCHEMA, "AVRO", rule_set=encrypt_rule("avro_kek"))
    client.register_schema("customers-value", schema)
    conf = {"auto.register.schemas": False, "use.latest.version": True}
    serializer = AvroSerializer(
        client, schema_str=None, conf=conf, rule_conf={"secret": SECRET}, rule_registry=rules
    )
    context = SerializationContext("customers", MessageField.VALUE)
    wire = serializer(dict(CUSTOMER), context)
    assert wire is not None
    assert SSN.encode() not in wire and NAME.encode() not in wire
    assert b"c-1" in wire  # fields without the tag stay as they are
    deserializer = AvroDeserializer(client, rule_conf={"secret": SECRET}, rule_registry=rules)
    assert deserializer(wire, context) == CUSTOMER
    keks = httpx.get(f"{server.url}/dek-registry/v1/keks").json()
    assert keks == ["avro_kek"]
    assert_nothing_in_clear(server, database_url, "avro_kek", "customers-value")


def test_json_schema_pii_fields_are_encrypted_end_to_end(
    server: ServerProcess, database_url: str, client: SchemaRegistryClient, rules: RuleRegistry
) -> None:
    schema = Schema(JSON_SCHEMA, "JSON", rule_set=encrypt_rule("json_kek"))
    client.register_schema("customers-json-value", schema)
    conf = {"auto.register.schemas": False, "use.latest.version": True}
    serializer = JSONSerializer(
        JSON_SCHEMA, client, conf=conf, rule_conf={"secret": SECRET}, rule_registry=rules
    )
    context = SerializationContext("customers-json", MessageField.VALUE)
    wire = serializer(dict(CUSTOMER), context)
    assert wire is not None
    assert SSN.encode() not in wire and NAME.encode() not in wire
    deserializer = JSONDeserializer(
        None, schema_registry_client=client, rule_conf={"secret": SECRET}, rule_registry=rules
    )
    assert deserializer(wire, context) == CUSTOMER
    assert_nothing_in_clear(server, database_url, "json_kek", "customers-json-value")


def test_a_second_producer_reuses_the_stored_dek(
    server: ServerProcess, client: SchemaRegistryClient
) -> None:
    schema = Schema(AVRO_SCHEMA, "AVRO", rule_set=encrypt_rule("shared_use"))
    client.register_schema("reuse-value", schema)
    conf = {"auto.register.schemas": False, "use.latest.version": True}
    context = SerializationContext("reuse", MessageField.VALUE)
    wires = []
    for _ in range(2):  # two producers, each with its own executor and caches
        with encryption_rules() as rules:
            serializer = AvroSerializer(
                client,
                schema_str=None,
                conf=conf,
                rule_conf={"secret": SECRET},
                rule_registry=rules,
            )
            wires.append(serializer(dict(CUSTOMER), context))
    path = f"{server.url}/dek-registry/v1/keks/shared_use/deks/reuse-value/versions"
    assert httpx.get(path).json() == [1]
    with encryption_rules() as reader:
        deserializer = AvroDeserializer(client, rule_conf={"secret": SECRET}, rule_registry=reader)
        assert [deserializer(w, context) for w in wires] == [CUSTOMER, CUSTOMER]


def test_dek_registry_client_calls_and_error_codes(
    server: ServerProcess, dek_client: Callable[[], DekRegistryClient]
) -> None:
    deks = dek_client()
    kek = deks.register_kek("orders", "local-kms", KMS_KEY_ID, doc="order PII")
    assert (kek.name, kek.kms_type, kek.kms_key_id, kek.shared, kek.doc) == (
        "orders",
        "local-kms",
        KMS_KEY_ID,
        False,
        "order PII",
    )
    assert kek.ts is not None and kek.deleted is None
    material = base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
    first = deks.register_dek("orders", "orders-value", material)
    assert (first.version, first.algorithm, first.encrypted_key_material) == (
        1,
        DekAlgorithm.AES256_GCM,
        material,
    )
    assert first.key_material is None
    fresh = dek_client()  # no caches
    assert fresh.get_kek("orders").kms_key_id == KMS_KEY_ID
    assert fresh.get_dek("orders", "orders-value").encrypted_key_material == material
    other = base64.b64encode(b"fedcba9876543210fedcba9876543210").decode()
    deks.register_dek("orders", "orders-value", other, version=2)
    assert fresh.get_dek("orders", "orders-value", version=-1).version == 2
    siv = fresh.register_dek("orders", "orders-value", other, algorithm=DekAlgorithm.AES256_SIV)
    assert siv.algorithm is DekAlgorithm.AES256_SIV
    # A subject holding '/' and '%' travels as one percent-encoded segment, as on /subjects.
    odd = "team/orders%2F-value"
    deks.register_dek("orders", odd, material)
    assert dek_client().get_dek("orders", odd).subject == odd
    listed = httpx.get(f"{server.url}/dek-registry/v1/keks/orders/deks").json()
    assert odd in listed

    def code(call: Any) -> tuple[int, int]:
        with pytest.raises(SchemaRegistryError) as exc:
            call(dek_client())  # a new client: nothing cached
        return exc.value.http_status_code, exc.value.error_code

    assert code(lambda c: c.get_kek("missing")) == (404, 40470)
    assert code(lambda c: c.get_dek("orders", "missing-value")) == (404, 40470)
    assert code(lambda c: c.register_kek("orders", "local-kms", "another-key")) == (409, 40971)
    assert code(lambda c: c.register_dek("orders", "orders-value", other)) == (409, 40971)
    assert code(lambda c: c.register_kek("1bad", "local-kms", "k")) == (422, 42271)
    # Without material: Confluent's 42271 for a KEK that is not shared; for a shared KEK
    # Confluent would generate the DEK through the KMS, which this registry has no access to.
    assert code(lambda c: c.register_dek("orders", "s", None)) == (422, 42271)
    fresh.register_kek("shared", "local-kms", KMS_KEY_ID, shared=True)
    assert code(lambda c: c.register_dek("shared", "s", None)) == (403, 40370)
    deleted = httpx.delete(f"{server.url}/dek-registry/v1/keks/orders")
    assert deleted.json()["error_code"] == 42272


def test_shared_kek_fails_the_producer_clearly(
    server: ServerProcess,
    client: SchemaRegistryClient,
    rules: RuleRegistry,
    dek_client: Callable[[], DekRegistryClient],
) -> None:
    """A shared KEK asks the registry to generate DEKs; the producer's rule fails (ERROR)
    instead of sending the field in clear."""
    dek_client().register_kek("generated", "local-kms", KMS_KEY_ID, shared=True)
    schema = Schema(AVRO_SCHEMA, "AVRO", rule_set=encrypt_rule("generated"))
    client.register_schema("generated-value", schema)
    conf = {"auto.register.schemas": False, "use.latest.version": True}
    serializer = AvroSerializer(
        client, schema_str=None, conf=conf, rule_conf={"secret": SECRET}, rule_registry=rules
    )
    with pytest.raises(SerializationError) as exc:
        serializer(dict(CUSTOMER), SerializationContext("generated", MessageField.VALUE))
    causes = []
    cause: BaseException | None = exc.value
    while cause is not None:
        causes.append(cause)
        cause = cause.__cause__ or cause.__context__
    answer = next(c for c in causes if isinstance(c, SchemaRegistryError))
    assert (answer.http_status_code, answer.error_code) == (403, 40370)
    assert "no KMS access" in str(answer)
    assert httpx.get(f"{server.url}/dek-registry/v1/keks/generated/deks").json() == []
