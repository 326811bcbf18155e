"""AsyncAPI 2.6 and 3.0 documents into contracts and schemas that the plugin's loader reads;
export → import → export gives the same bytes; invalid documents write nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from registry.asyncapi import (
    build_document,
    files_of,
    import_document,
    load_catalogue,
    read_document,
    render,
    write_files,
)
from registry.contract_testing import load_contracts
from registry.contract_testing.model import Role, Transport
from registry.domain import SchemaType
from registry.errors import InvalidInput
from registry.formats import get_format
from tests.asyncapi.conftest import DATA, ROOT
from tests.asyncapi.specs import assert_valid


def import_file(path: Path, into: Path) -> list[Path]:
    imported = import_document(read_document(path.read_text(), path.name), path.name)
    return write_files(files_of(imported, path.name), into)


def export_dir(root: Path, **options: Any) -> str:
    catalogue = load_catalogue(root / "contracts", root / "schemas")
    return render(build_document(catalogue, **options), "yaml")


def test_export_import_export_gives_the_same_bytes(tmp_path: Path) -> None:
    first = export_dir(ROOT)
    source = tmp_path / "shop.asyncapi.yaml"
    source.write_text(first)

    import_file(source, tmp_path / "out")

    assert export_dir(tmp_path / "out") == first


def test_the_round_trip_keeps_every_contract_entry_and_schema(tmp_path: Path) -> None:
    source = tmp_path / "shop.asyncapi.json"
    source.write_text(
        render(build_document(load_catalogue(ROOT / "contracts", ROOT / "schemas")), "json")
    )

    import_file(source, tmp_path / "out")

    def described(root: Path) -> list[str]:
        return sorted(b.describe() for b in load_contracts(root / "contracts").bindings())

    assert described(tmp_path / "out") == described(ROOT)
    for subject in ("orders.OrderCancelled", "payments.PaymentRefunded", "orders.OrderPlaced"):
        suffix = ".avsc" if "Placed" not in subject else ".json"
        relative = Path("schemas", *subject.split(".")).with_suffix(suffix)
        written = json.loads((tmp_path / "out" / relative).read_text())
        assert written == json.loads((ROOT / relative).read_text()), subject


@pytest.mark.parametrize("service", ["orders", "shipping"])
def test_a_service_round_trips_on_its_own(tmp_path: Path, service: str) -> None:
    first = export_dir(ROOT, service=service)
    source = tmp_path / "service.yaml"
    source.write_text(first)

    import_file(source, tmp_path / "out")

    assert [p.name for p in (tmp_path / "out" / "contracts").iterdir()] == [f"{service}.yaml"]
    assert export_dir(tmp_path / "out", service=service) == first


def test_a_hand_written_2_6_document_gives_contracts_the_loader_reads(tmp_path: Path) -> None:
    source = DATA / "billing-2.6.yaml"
    assert_valid(yaml.safe_load(source.read_text()), "2.6.0")

    import_file(source, tmp_path)

    (billing,) = load_contracts(tmp_path / "contracts").contracts
    assert billing.service == "billing-service"
    assert billing.description == "Bills customers for their orders."
    produced = {(b.subject, b.transport, b.target) for b in billing.produces}
    assert produced == {
        ("billing.InvoiceIssued", Transport.SNS, "billing-events"),
        ("billing.InvoicePaid", Transport.EVENTBRIDGE, None),
    }
    paid = next(b for b in billing.produces if b.transport is Transport.EVENTBRIDGE)
    assert dict(paid.options) == {"source": "shop.billing", "detail-type": "InvoicePaid"}
    consumed = {(b.subject, b.transport, b.target) for b in billing.consumes}
    assert consumed == {
        ("orders.OrderPlaced", Transport.SQS, "billing-order-placed"),
        ("orders.OrderCancelled", Transport.SQS, "billing-order-placed"),
    }
    invoice = json.loads((tmp_path / "schemas" / "billing" / "InvoiceIssued.json").read_text())
    assert invoice["properties"]["total"] == {"$ref": "#/definitions/Money"}
    assert set(invoice["definitions"]) == {"Money"}
    get_format(SchemaType.JSON).parse(json.dumps(invoice))
    avro = (tmp_path / "schemas" / "billing" / "InvoicePaid.avsc").read_text()
    assert get_format(SchemaType.AVRO).parse(avro).schema_type is SchemaType.AVRO


def test_a_hand_written_3_0_document_gives_contracts_the_loader_reads(tmp_path: Path) -> None:
    source = DATA / "fulfilment-3.0.yaml"
    assert_valid(yaml.safe_load(source.read_text()))

    import_file(source, tmp_path)

    (fulfilment,) = load_contracts(tmp_path / "contracts").contracts
    found = {(b.role, b.subject, b.transport, b.target) for b in fulfilment.bindings()}
    assert found == {
        (Role.PRODUCES, "fulfilment.ParcelPacked", Transport.KINESIS, "parcel-stream"),
        (Role.PRODUCES, "fulfilment.Delivered", Transport.SNS, "delivery-notices"),
        (Role.CONSUMES, "orders.OrderShipped", Transport.SQS, "fulfilment-shipments"),
    }
    packed = next(b for b in fulfilment.produces if b.transport is Transport.KINESIS)
    assert packed.encoding == "avro"
    assert (tmp_path / "schemas" / "fulfilment" / "ParcelPacked.avsc").is_file()
    # What was imported exports again, valid.
    assert_valid(build_document(load_catalogue(tmp_path / "contracts", tmp_path / "schemas")))


def test_json_and_yaml_read_the_same(tmp_path: Path) -> None:
    document = yaml.safe_load((DATA / "fulfilment-3.0.yaml").read_text())

    from_json = import_document(read_document(json.dumps(document), "f.json"), "f.json")
    from_yaml = import_document(read_document(yaml.safe_dump(document), "f.yaml"), "f.yaml")

    assert from_json.entries == from_yaml.entries


def _fulfilment() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DATA / "fulfilment-3.0.yaml").read_text())
    return loaded


def _without_payload(document: dict[str, Any]) -> None:
    del document["components"]["messages"]["ParcelPacked"]["payload"]


def _dangling(document: dict[str, Any]) -> None:
    document["components"]["messages"]["OrderShipped"]["payload"] = {
        "$ref": "#/components/schemas/Nowhere"
    }


def _dangling_in_schema(document: dict[str, Any]) -> None:
    parcel = document["components"]["schemas"]["OrderShipped"]["properties"]["parcels"]
    parcel["items"] = {"$ref": "#/components/schemas/Missing"}


def _external(document: dict[str, Any]) -> None:
    document["operations"]["packParcel"]["channel"] = {"$ref": "other.yaml#/channels/parcels"}


def _unknown_transport(document: dict[str, Any]) -> None:
    document["channels"]["parcels"]["x-esr-transport"] = "kafka"


def _bad_format(document: dict[str, Any]) -> None:
    payload = document["components"]["messages"]["ParcelPacked"]["payload"]
    payload["schemaFormat"] = "application/vnd.google.protobuf;version=3"


def _bad_subject(document: dict[str, Any]) -> None:
    document["components"]["messages"]["ParcelPacked"]["name"] = "parcel packed!"


def _bad_action(document: dict[str, Any]) -> None:
    document["operations"]["packParcel"]["action"] = "publish"


def _no_operations(document: dict[str, Any]) -> None:
    del document["operations"]


def _invalid_avro(document: dict[str, Any]) -> None:
    schema = document["components"]["messages"]["ParcelPacked"]["payload"]["schema"]
    schema["fields"][0]["type"] = "strang"


def _producer_without_source(document: dict[str, Any]) -> None:
    document["channels"]["parcels"]["x-esr-transport"] = "eventbridge"
    document["channels"]["parcels"]["x-esr-detail-type"] = "ParcelPacked"


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_without_payload, "message 'fulfilment.ParcelPacked' has no payload"),
        (_dangling, "dangling $ref '#/components/schemas/Nowhere'"),
        (_dangling_in_schema, "dangling $ref '#/components/schemas/Missing'"),
        (_external, "$ref 'other.yaml#/channels/parcels' at #/operations/packParcel/channel"),
        (_unknown_transport, "cannot tell the transport (x-esr-transport 'kafka'"),
        (_bad_format, "schemaFormat 'application/vnd.google.protobuf;version=3'"),
        (_bad_subject, "message name 'parcel packed!' is not a subject name"),
        (_bad_action, "action must be send or receive, not 'publish'"),
        (_no_operations, "no operations"),
        (_invalid_avro, "the schema of 'fulfilment.ParcelPacked' is invalid"),
        (
            _producer_without_source,
            "service 'fulfilment' would be invalid: contracts/fulfilment.yaml:7: "
            "produces[1] (eventbridge) needs source",
        ),
    ],
)
def test_an_invalid_document_is_one_clear_error_and_writes_nothing(
    tmp_path: Path, spoil: Any, message: str
) -> None:
    document = _fulfilment()
    spoil(document)
    source = tmp_path / "bad.yaml"
    source.write_text(yaml.safe_dump(document))

    with pytest.raises(InvalidInput) as caught:
        import_file(source, tmp_path / "out")

    assert message in caught.value.message
    assert "\n" not in caught.value.message
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("asyncapi: [3.0.0\n", "bad.yaml:2: not YAML or JSON"),
        ('{"asyncapi": "3.0.0",\n}', "bad.yaml:2: not YAML or JSON: Expecting property name"),
        ("- 1\n- 2\n", "not an AsyncAPI document (no mapping at the top)"),
        ("info: {title: x, version: '1'}\n", "no 'asyncapi' field"),
        ("asyncapi: 1.2.0\ninfo: {}\n", "unsupported AsyncAPI version '1.2.0'"),
        ("asyncapi: 3.1.0\ninfo: {}\n", "unsupported AsyncAPI version '3.1.0'"),
        ("asyncapi: 3\ninfo: {}\n", "unsupported AsyncAPI version 3"),
    ],
)
def test_what_is_not_an_asyncapi_document_is_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=None) as caught:
        read_document(text, "bad.yaml")

    assert message in caught.value.message


def test_two_messages_with_one_name_and_different_schemas_are_refused(tmp_path: Path) -> None:
    document = _fulfilment()
    document["components"]["messages"]["ParcelPacked"]["name"] = "orders.OrderShipped"

    with pytest.raises(InvalidInput, match=r"subject 'orders\.OrderShipped' has another schema"):
        import_document(document, "f.yaml")


def test_a_subject_that_is_no_path_is_refused() -> None:
    document = _fulfilment()
    document["components"]["messages"]["ParcelPacked"]["name"] = "a..b"

    imported = import_document(document, "f.yaml")
    with pytest.raises(InvalidInput, match=r"subject 'a\.\.b' cannot be a path"):
        files_of(imported, "f.yaml")


def test_importing_twice_replaces_the_files(tmp_path: Path) -> None:
    first = import_file(DATA / "fulfilment-3.0.yaml", tmp_path)
    again = import_file(DATA / "fulfilment-3.0.yaml", tmp_path)

    assert first == again
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".esr-import")]


def _one_subject(root: Path, schema: dict[str, Any]) -> Path:
    """A tree with one contract (``a`` produces ``a.Thing`` on SNS) and the subject's schema."""
    (root / "contracts").mkdir(parents=True)
    (root / "contracts" / "a.yaml").write_text(
        "service: a\nproduces:\n  - subject: a.Thing\n    transport: sns\n    topic: things\n"
    )
    (root / "schemas" / "a").mkdir(parents=True)
    (root / "schemas" / "a" / "Thing.json").write_text(json.dumps(schema, indent=2))
    return root


def test_an_anchor_ref_round_trips(tmp_path: Path) -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"total": {"$ref": "#money"}},
        "$defs": {"Money": {"$anchor": "money", "type": "integer"}},
    }
    first = export_dir(_one_subject(tmp_path / "in", schema))
    payload = yaml.safe_load(first)["components"]["messages"]["a.Thing"]["payload"]
    assert payload["schema"]["properties"]["total"] == {"$ref": "#money"}
    source = tmp_path / "a.yaml"
    source.write_text(first)

    import_file(source, tmp_path / "out")

    written = json.loads((tmp_path / "out" / "schemas" / "a" / "Thing.json").read_text())
    assert written == schema
    assert export_dir(tmp_path / "out") == first


def test_a_schema_referring_to_another_file_is_refused_at_export(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"total": {"$ref": "Money.json"}}}
    root = _one_subject(tmp_path, schema)
    (root / "schemas" / "a" / "Money.json").write_text('{"type": "integer"}')

    with pytest.raises(InvalidInput) as caught:
        load_catalogue(root / "contracts", root / "schemas")

    message = caught.value.message
    assert message.startswith(f"{root / 'schemas' / 'a' / 'Thing.json'}: the schema of 'a.Thing'")
    assert "cannot be exported: Invalid schema: Unresolvable $ref 'Money.json'" in message
    assert "references to other schema files are not bundled" in message


def _document_with_payload(schema_format: str, schema: Any) -> dict[str, Any]:
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "A", "version": "1"},
        "channels": {
            "things": {
                "address": "things",
                "bindings": {"sns": {"name": "things"}},
                "messages": {"Thing": {"$ref": "#/components/messages/Thing"}},
            }
        },
        "operations": {"send": {"action": "send", "channel": {"$ref": "#/channels/things"}}},
        "components": {
            "messages": {
                "Thing": {
                    "name": "a.Thing",
                    "payload": {"schemaFormat": schema_format, "schema": schema},
                }
            },
            "schemas": {"Money": {"type": "integer"}},
        },
    }


@pytest.mark.parametrize(
    ("version", "written", "defs"),
    [
        ("2020-12", "https://json-schema.org/draft/2020-12/schema", "$defs"),
        ("2019-09", "https://json-schema.org/draft/2019-09/schema", "$defs"),
        ("draft-06", "http://json-schema.org/draft-06/schema#", "definitions"),
        ("draft-04", "http://json-schema.org/draft-04/schema#", "definitions"),
        ("draft-07", None, "definitions"),  # no $schema reads as draft-07 already
    ],
)
def test_the_draft_of_schema_format_is_kept_when_the_payload_names_none(
    version: str, written: str | None, defs: str
) -> None:
    schema = {"type": "object", "properties": {"total": {"$ref": "#/components/schemas/Money"}}}
    document = _document_with_payload(f"application/schema+json;version={version}", schema)

    (found,) = import_document(document, "a.yaml").schemas.values()

    assert found.document.get("$schema") == written
    assert found.document["properties"]["total"] == {"$ref": f"#/{defs}/Money"}
    assert found.document[defs] == {"Money": {"type": "integer"}}


def test_a_2020_12_payload_without_schema_stays_strict() -> None:
    schema = {"type": "object", "properties": {"a": {}}, "unevaluatedProperties": False}
    document = _document_with_payload("application/schema+json;version=2020-12", schema)

    (found,) = import_document(document, "a.yaml").schemas.values()

    parsed = get_format(SchemaType.JSON).parse(json.dumps(found.document))
    assert parsed.document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    validator = get_format(SchemaType.JSON)
    assert validator.validate(parsed, {"a": 1}) == []
    assert validator.validate(parsed, {"a": 1, "b": 2}) != []


def test_a_payload_with_its_own_schema_keeps_it_and_an_unknown_draft_is_refused() -> None:
    own = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "string"}
    document = _document_with_payload("application/schema+json;version=2020-12", own)
    (found,) = import_document(document, "a.yaml").schemas.values()
    assert found.document == own

    document = _document_with_payload("application/schema+json;version=draft-03", {})
    with pytest.raises(InvalidInput, match="version must be one of draft-04, draft-06"):
        import_document(document, "a.yaml")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            "asyncapi: 3.0.0\ninfo: {title: A, version: '1'}\noperations: {5: {}, a: {}}\n",
            "a.yaml: #/operations: the key 5 is a int, not a string (quote it: '5')",
        ),
        (
            "asyncapi: 3.0.0\ninfo: {title: A, version: '1'}\noperations: {5: {}}\n",
            "a.yaml: #/operations: the key 5 is a int",
        ),
        (
            "asyncapi: 2.6.0\ninfo: {title: A, version: '1'}\nchannels: {5: {}}\n",
            "a.yaml: #/channels: the key 5 is a int",
        ),
        (
            "asyncapi: 2.6.0\ninfo: {title: A, version: '1'}\nchannels:\n  a/b: {x: [{true: 1}]}\n",
            "a.yaml: #/channels/a~1b/x/0: the key True is a bool",
        ),
    ],
)
def test_keys_that_are_not_strings_are_one_clear_error(text: str, where: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        import_document(read_document(text, "a.yaml"), "a.yaml")

    assert caught.value.message.startswith(where)


def test_a_subject_that_is_no_path_names_the_document() -> None:
    document = _fulfilment()
    document["components"]["messages"]["ParcelPacked"]["name"] = "a..b"

    with pytest.raises(InvalidInput) as caught:
        files_of(import_document(document, "f.yaml"), "f.yaml")

    assert caught.value.message == "f.yaml: subject 'a..b' cannot be a path under schemas/"


@pytest.mark.parametrize(
    ("blocker", "named"),
    [
        ("schemas/orders", "schemas/orders: cannot write (Not a directory)"),
        ("schemas", "schemas: cannot write (Not a directory)"),
        ("contracts/fulfilment.yaml/", "contracts/fulfilment.yaml: cannot write (Is a directory)"),
    ],
)
def test_a_target_that_cannot_be_written_is_found_before_anything_is_moved(
    tmp_path: Path, blocker: str, named: str
) -> None:
    out = tmp_path / "out"
    if blocker.endswith("/"):
        (out / blocker).mkdir(parents=True)
    else:
        (out / blocker).parent.mkdir(parents=True, exist_ok=True)
        (out / blocker).write_text("x\n")
    before = sorted(p.relative_to(out) for p in out.rglob("*"))

    with pytest.raises(InvalidInput) as caught:
        import_file(DATA / "fulfilment-3.0.yaml", out)

    assert caught.value.message == f"{out}/{named}"
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before


def test_the_output_folder_itself_under_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x\n")

    with pytest.raises(InvalidInput) as caught:
        import_file(DATA / "fulfilment-3.0.yaml", tmp_path / "file" / "out")

    assert caught.value.message == f"{tmp_path / 'file'}: cannot write (Not a directory)"
