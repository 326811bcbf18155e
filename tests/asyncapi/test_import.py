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
