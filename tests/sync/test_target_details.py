"""Per-target behaviour: 304s, skips with reasons, unknown schemas, compatibility, auth, wire."""

from __future__ import annotations

import json
import ssl

import httpx
import pytest

from registry.domain import CompatibilityLevel, Reference, SchemaType
from registry.errors import NotConvertible, TargetMisconfigured
from registry.sync.azure import AzureOptions, AzureTarget
from registry.sync.base import Converted, DriftKind, Outcome, SourceVersion
from registry.sync.eventbridge import EventBridgeOptions, EventBridgeTarget
from registry.sync.glue import GlueOptions, GlueTarget
from registry.sync.runner import run_check, run_sync
from tests.sync.conftest import AZURE_TOKEN, NO_WAIT, Harness, MemorySource
from tests.sync.emulators.azure import AzureSchemaRegistryEmulator
from tests.sync.emulators.eventbridge import EventBridgeSchemasEmulator

OBJECT = json.dumps({"type": "object"})


def eventbridge_target(emulator: EventBridgeSchemasEmulator) -> EventBridgeTarget:
    """A target on the emulator's registry ``shop``."""
    return EventBridgeTarget(EventBridgeOptions("shop", "us-east-1", emulator.endpoint_url))


def test_eventbridge_answers_304_to_an_identical_update_and_the_sync_takes_it_as_there(
    eventbridge: EventBridgeSchemasEmulator,
) -> None:
    target = eventbridge_target(eventbridge)
    target.ensure_ready(create=True)
    converted = Converted(OBJECT, "JSONSchemaDraft4")
    assert target.push("s", "s", converted, first=True, compatibility="") == "1"

    label = target.push("s", "s", converted, first=False, compatibility="")

    assert label == "1"
    assert eventbridge.contents("shop", "s") == [OBJECT]
    puts = [r for r in eventbridge.requests if r.method == "PUT"]
    assert len(puts) == 1


CONTAINS = json.dumps({"type": "array", "contains": {"type": "string"}})
MONEY = (Reference("Money", "money", 1),)


@pytest.mark.parametrize(
    ("history", "reason"),
    [
        (
            [(OBJECT, SchemaType.JSON, ()), (CONTAINS, SchemaType.JSON, ())],
            "version 2 has no JSON Schema draft-04 form: #: 'contains' has no draft-04 form",
        ),
        (
            [('{"type": "string"}', SchemaType.AVRO, ())],
            "Avro is not supported by EventBridge (OpenApi3/JSONSchemaDraft4 only)",
        ),
        (
            [(OBJECT, SchemaType.JSON, ()), ('{"type": "array"}', SchemaType.JSON, MONEY)],
            "version 2 references other subjects (money v1)",
        ),
    ],
    ids=["no-draft4-form", "avro", "references"],
)
def test_eventbridge_skips_what_it_cannot_store_with_the_reason(
    eventbridge: EventBridgeSchemasEmulator,
    history: list[tuple[str, SchemaType, tuple[Reference, ...]]],
    reason: str,
) -> None:
    source = MemorySource()
    source.add("ok", OBJECT, SchemaType.JSON)
    for text, kind, references in history:
        source.add("s", text, kind, references)

    report = run_sync(eventbridge_target(eventbridge), source, retry=NO_WAIT)

    outcomes = {r.subject: (r.outcome, r.reason) for r in report.results}
    assert outcomes["ok"] == (Outcome.CREATED, "")
    assert outcomes["s"][0] is Outcome.SKIPPED
    assert reason in outcomes["s"][1]
    assert report.ok
    assert "s" not in eventbridge.registries["shop"].schemas


def test_check_lists_schemas_on_eventbridge_that_the_registry_does_not_know(
    eventbridge: EventBridgeSchemasEmulator,
) -> None:
    source = MemorySource()
    for name in ("a", "b", "c"):
        source.add(name, OBJECT, SchemaType.JSON)
    target = eventbridge_target(eventbridge)
    run_sync(target, source, retry=NO_WAIT)
    target.client.create_schema(
        RegistryName="shop", SchemaName="handmade", Type="JSONSchemaDraft4", Content=OBJECT
    )

    whole = run_check(target, source)
    prefixed = run_check(target, source, prefix="a")

    assert [(d.kind, d.remote_name, d.subject) for d in whole.drifts] == [
        (DriftKind.UNKNOWN, "handmade", None)
    ]
    assert prefixed.in_step
    assert prefixed.notes == ["with --subjects, schemas the registry does not know are not listed"]


@pytest.mark.parametrize("harness", ["glue"], indirect=True)
def test_glue_follows_a_compatibility_change_in_the_registry(harness: Harness) -> None:
    source = MemorySource(default_level=CompatibilityLevel.BACKWARD)
    source.add("s", OBJECT, SchemaType.JSON)
    target = harness.build()
    run_sync(target, source, retry=NO_WAIT)
    source.levels["s"] = CompatibilityLevel.FULL_TRANSITIVE

    drift = run_check(target, source)
    report = run_sync(target, source, retry=NO_WAIT)

    assert [(d.kind, d.detail) for d in drift.drifts] == [
        (DriftKind.COMPATIBILITY, "target has BACKWARD, expected FULL_ALL")
    ]
    assert (report.results[0].outcome, report.results[0].notes) == (
        Outcome.UPDATED,
        ["compatibility BACKWARD -> FULL_ALL"],
    )
    assert isinstance(target, GlueTarget)
    remote = target.read("s")
    assert remote is not None and remote.compatibility == "FULL_ALL"
    assert run_check(target, source).in_step


def test_glue_rewrites_2020_12_to_draft4_and_keeps_draft7_as_is() -> None:
    target = GlueTarget(GlueOptions("r", "us-east-1", "http://127.0.0.1:9"), client=object())
    new = json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", "const": 1})
    old = json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", "const": 1})

    rewritten = target.convert(SourceVersion("s", 1, new, SchemaType.JSON))
    kept = target.convert(SourceVersion("s", 1, old, SchemaType.JSON))

    assert json.loads(rewritten.content)["enum"] == [1]
    assert rewritten.note == "rewritten to draft-04 for Glue"
    assert kept == Converted(old, "JSON")
    impossible = json.dumps({"$schema": json.loads(new)["$schema"], "contains": {}})
    with pytest.raises(NotConvertible, match="Glue validates draft-04/06/07 only"):
        target.convert(SourceVersion("s", 1, impossible, SchemaType.JSON))


def test_azure_wrong_token_is_a_configuration_error(
    azure: AzureSchemaRegistryEmulator, tls_pair: tuple[object, object]
) -> None:
    options = AzureOptions(azure.namespace, "events", str(tls_pair[0]), token="wrong")

    with pytest.raises(TargetMisconfigured, match="authentication failed"):
        AzureTarget(options).ensure_ready(create=True)


def test_azure_emulator_follows_the_wire_contract(
    azure: AzureSchemaRegistryEmulator, tls_pair: tuple[object, object]
) -> None:
    base = f"https://127.0.0.1:{azure.port}/$schemaGroups"
    auth = {"Authorization": f"Bearer {AZURE_TOKEN}"}
    avro = {"Content-Type": "application/json; serialization=Avro", **auth}
    context = ssl.create_default_context(cafile=str(tls_pair[0]))
    with httpx.Client(verify=context, trust_env=False) as http:
        missing_version = http.get(base, headers=auth)
        registered = http.put(
            f"{base}/events/schemas/s", params={"api-version": "2022-10"}, headers=avro,
            content='{"type": "string"}',
        )  # fmt: skip
        again = http.put(
            f"{base}/events/schemas/s", params={"api-version": "2022-10"}, headers=avro,
            content='{"type": "string"}',
        )  # fmt: skip
        fetched = http.get(
            f"{base}/$schemas/{registered.headers['Schema-Id']}", params={"api-version": "2022-10"},
            headers=auth,
        )  # fmt: skip

    assert missing_version.status_code == 400
    assert missing_version.json()["error"]["code"] == "InvalidRequest"
    assert registered.status_code == 204
    for header in ("Location", "Schema-Id", "Schema-Id-Location", "Schema-Group-Name"):
        assert registered.headers[header]
    assert registered.headers["Schema-Name"] == "s"
    assert again.headers["Schema-Version"] == registered.headers["Schema-Version"] == "1"
    assert fetched.headers["Content-Type"] == "application/json; serialization=Avro"
    assert fetched.text == '{"type": "string"}'
