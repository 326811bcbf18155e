"""Registration, lookup, versions and deletes, as Confluent's clients expect them."""

from __future__ import annotations

import json

import pytest

from tests.support.api import CT, Api
from tests.support.schemas import avro_record, json_object

V1 = avro_record("Order", {"name": "id", "type": "string"})
V2 = avro_record(
    "Order",
    {"name": "id", "type": "string"},
    {"name": "note", "type": ["null", "string"], "default": None},
)
V3 = avro_record(
    "Order",
    {"name": "id", "type": "string"},
    {"name": "note", "type": ["null", "string"], "default": None},
    {"name": "qty", "type": "int", "default": 1},
)


def test_register_returns_id_and_version_and_is_idempotent(api: Api) -> None:
    first = api.ok(api.register("orders-value", V1))
    assert (first["id"], first["version"]) == (1, 1)
    assert first["guid"] == api.ok(api.http.get("/schemas/ids/1"))["guid"]
    again = api.ok(api.register("orders-value", V1))
    assert again == first
    assert api.ok(api.http.get("/subjects/orders-value/versions")) == [1]


def test_same_schema_gets_same_id_in_every_subject(api: Api) -> None:
    a = api.ok(api.register("a-value", V1))
    b = api.ok(api.register("b-value", V1))
    assert a["id"] == b["id"]
    assert b["version"] == 1
    assert sorted(api.ok(api.http.get(f"/schemas/ids/{a['id']}/subjects"))) == [
        "a-value",
        "b-value",
    ]
    pairs = api.ok(api.http.get(f"/schemas/ids/{a['id']}/versions"))
    assert {(p["subject"], p["version"]) for p in pairs} == {("a-value", 1), ("b-value", 1)}


def test_whitespace_and_key_order_do_not_change_identity(api: Api) -> None:
    first = api.ok(api.register("s", V1))
    spaced = (
        '{ "fields": [ {"type": "string", "name": "id"} ], "namespace": "shop", '
        '"name": "Order", "type": "record" }'
    )
    assert api.ok(api.register("s", spaced)) == first


def test_versions_and_latest(api: Api) -> None:
    ids = [api.ok(api.register("s", v))["id"] for v in (V1, V2, V3)]
    assert ids == [1, 2, 3]
    assert api.ok(api.http.get("/subjects/s/versions")) == [1, 2, 3]
    latest = api.ok(api.http.get("/subjects/s/versions/latest"))
    assert latest["version"] == 3 and latest["id"] == 3 and latest["subject"] == "s"
    assert "schemaType" not in latest  # AVRO is implied, as in Confluent
    assert api.ok(api.http.get("/subjects/s/versions/-1"))["version"] == 3
    raw = api.http.get("/subjects/s/versions/1/schema")
    assert raw.status_code == 200 and raw.json()["name"] == "Order"
    assert raw.headers["content-type"].startswith(CT)


def test_schema_by_id_and_raw(api: Api) -> None:
    sid = api.ok(api.register("s", V1))["id"]
    body = api.ok(api.http.get(f"/schemas/ids/{sid}"))
    assert body["schema"] == V1
    assert api.http.get(f"/schemas/ids/{sid}/schema").json()["name"] == "Order"
    api.error(api.http.get("/schemas/ids/999"), 404, 40403)
    # As in Confluent, ``subject`` only selects a context: it never restricts the answer.
    assert api.ok(api.http.get(f"/schemas/ids/{sid}?subject=other"))["schema"] == V1
    assert api.ok(api.http.get(f"/schemas/ids/{sid}?subject=s"))["schema"] == V1


def test_json_schema_registration_reports_type(api: Api) -> None:
    schema = json_object({"id": {"type": "string"}}, required=["id"])
    sid = api.ok(api.register("j", schema, "JSON"))["id"]
    got = api.ok(api.http.get(f"/schemas/ids/{sid}"))
    assert got["schemaType"] == "JSON"
    assert api.ok(api.http.get("/subjects/j/versions/1"))["schemaType"] == "JSON"


def test_lookup(api: Api) -> None:
    api.ok(api.register("s", V1))
    api.ok(api.register("s", V2))
    found = api.ok(api.http.post("/subjects/s", json={"schema": V1}))
    assert found["version"] == 1 and found["id"] == 1 and found["schema"] == V1
    api.error(api.http.post("/subjects/s", json={"schema": V3}), 404, 40403)
    api.error(api.http.post("/subjects/nope", json={"schema": V1}), 404, 40401)


def test_list_subjects_and_schemas(api: Api) -> None:
    api.ok(api.register("orders-value", V1))
    api.ok(api.register("payments-value", V2))
    assert api.ok(api.http.get("/subjects")) == ["orders-value", "payments-value"]
    assert api.ok(api.http.get("/subjects?subjectPrefix=pay")) == ["payments-value"]
    listing = api.ok(api.http.get("/schemas"))
    assert [(s["subject"], s["version"]) for s in listing] == [
        ("orders-value", 1),
        ("payments-value", 1),
    ]
    api.ok(api.register("orders-value", V2))
    latest = api.ok(api.http.get("/schemas?latestOnly=true"))
    assert [(s["subject"], s["version"]) for s in latest] == [
        ("orders-value", 2),
        ("payments-value", 1),
    ]
    page = api.ok(api.http.get("/schemas?offset=1&limit=1"))
    assert len(page) == 1
    assert api.ok(api.http.get("/schemas/types")) == ["AVRO", "JSON"]


def test_soft_and_hard_delete_of_versions(api: Api) -> None:
    for v in (V1, V2, V3):
        api.ok(api.register("s", v))
    assert api.ok(api.http.delete("/subjects/s/versions/2")) == 2
    assert api.ok(api.http.get("/subjects/s/versions")) == [1, 3]
    assert api.ok(api.http.get("/subjects/s/versions?deleted=true")) == [1, 2, 3]
    assert api.ok(api.http.get("/subjects/s/versions?deletedOnly=True")) == [2]
    api.error(api.http.get("/subjects/s/versions/2"), 404, 40402)
    assert api.ok(api.http.get("/subjects/s/versions/2?deleted=true"))["version"] == 2
    api.error(api.http.delete("/subjects/s/versions/2"), 404, 40406)
    api.error(api.http.delete("/subjects/s/versions/3?permanent=true"), 404, 40407)
    assert api.ok(api.http.delete("/subjects/s/versions/2?permanent=true")) == 2
    assert api.ok(api.http.get("/subjects/s/versions?deleted=true")) == [1, 3]
    api.error(api.http.delete("/subjects/s/versions/7"), 404, 40402)
    api.error(api.http.delete("/subjects/nope/versions/1"), 404, 40401)


def test_soft_and_hard_delete_of_subjects(api: Api) -> None:
    api.ok(api.register("s", V1))
    api.ok(api.register("s", V2))
    api.error(api.http.delete("/subjects/s?permanent=true"), 404, 40405)
    assert api.ok(api.http.delete("/subjects/s")) == [1, 2]
    assert api.ok(api.http.get("/subjects")) == []
    assert api.ok(api.http.get("/subjects?deleted=true")) == ["s"]
    assert api.ok(api.http.get("/subjects?deletedOnly=true")) == ["s"]
    api.error(api.http.get("/subjects/s/versions"), 404, 40401)
    api.error(api.http.get("/subjects/s/versions/latest"), 404, 40401)
    api.error(api.http.delete("/subjects/s"), 404, 40404)
    # ids stay resolvable: messages already in topics must still decode
    assert api.ok(api.http.get("/schemas/ids/1"))["schema"] == V1
    assert api.ok(api.http.delete("/subjects/s?permanent=true")) == [1, 2]
    api.error(api.http.get("/subjects/s/versions?deleted=true"), 404, 40401)
    api.error(api.http.delete("/subjects/s"), 404, 40401)


def test_versions_continue_after_soft_delete_and_restart_after_hard_delete(api: Api) -> None:
    api.ok(api.register("s", V1))
    api.ok(api.http.delete("/subjects/s"))
    again = api.ok(api.register("s", V1))
    assert (again["id"], again["version"]) == (1, 2)
    api.ok(api.http.delete("/subjects/s"))
    api.ok(api.http.delete("/subjects/s?permanent=true"))
    answer = api.ok(api.register("s", V1))
    assert (answer["id"], answer["version"]) == (1, 1)


def test_references_and_referenced_by(api: Api) -> None:
    address = avro_record("Address", {"name": "city", "type": "string"})
    api.ok(api.register("shop.Address", address))
    order = avro_record("Customer", {"name": "home", "type": "shop.Address"})
    refs = [{"name": "shop.Address", "subject": "shop.Address", "version": 1}]
    sid = api.ok(api.register("customers-value", order, references=refs))["id"]
    got = api.ok(api.http.get(f"/schemas/ids/{sid}"))
    assert got["references"] == refs
    assert api.ok(api.http.get("/subjects/shop.Address/versions/1/referencedby")) == [sid]
    api.error(api.http.delete("/subjects/shop.Address/versions/1"), 422, 42206)
    api.error(api.http.delete("/subjects/shop.Address"), 422, 42206)
    missing = [{"name": "shop.Address", "subject": "shop.Address", "version": 9}]
    api.error(api.register("x", order, references=missing), 422, 42201)
    api.error(api.register("x", order), 422, 42201)


def test_metadata_and_rule_set_round_trip(api: Api) -> None:
    metadata = {"properties": {"owner": "orders-team"}}
    rule_set = {
        "domainRules": [
            {
                "name": "checkId",
                "kind": "CONDITION",
                "mode": "WRITE",
                "type": "CEL",
                "expr": "message.id != ''",
            }
        ]
    }
    sid = api.ok(api.register("s", V1, metadata=metadata, ruleSet=rule_set))["id"]
    got = api.ok(api.http.get(f"/schemas/ids/{sid}"))
    assert got["metadata"]["properties"] == {"owner": "orders-team"}
    assert got["ruleSet"]["domainRules"][0]["name"] == "checkId"
    api.error(api.register("s", V1, ruleSet={"domainRules": [{"kind": "NOPE"}]}), 422, 42210)


def test_a_schema_of_another_type_is_incompatible(api: Api) -> None:
    api.ok(api.register("s", V1))
    schema = json_object({"id": {"type": "string"}}, required=["id"])
    message = api.error(api.register("s", schema, "JSON"), 409, 409)
    assert "[schema.type-changed]" in message and "from AVRO to JSON" in message
    verdict = api.ok(
        api.http.post(
            "/compatibility/subjects/s/versions?verbose=true",
            json={"schema": schema, "schemaType": "JSON"},
        )
    )
    assert verdict["is_compatible"] is False
    assert any("schema.type-changed" in m for m in verdict["messages"])
    api.ok(api.http.put("/config/s", json={"compatibility": "NONE"}))
    assert api.ok(api.register("s", schema, "JSON"))["version"] == 2


@pytest.mark.parametrize(
    ("encoded", "subject"),
    [("test%2FAlias", "test/Alias"), ("a%252Fb", "a%2Fb"), ("50%25", "50%"), ("x%5Cy", "x\\y")],
)
def test_every_subject_route_takes_a_percent_encoded_subject(
    api: Api, encoded: str, subject: str
) -> None:
    base = f"/subjects/{encoded}"
    body = {"schema": V1}
    assert api.ok(api.register(encoded, V1))["id"] == 1
    assert api.ok(api.http.get("/subjects")) == [subject]
    assert api.ok(api.http.get(f"{base}/versions")) == [1]
    assert api.ok(api.http.get(f"{base}/versions/latest"))["subject"] == subject
    assert api.ok(api.http.get(f"{base}/versions/1/schema")) == json.loads(V1)
    assert api.ok(api.http.get(f"{base}/versions/1/referencedby")) == []
    assert api.ok(api.http.post(base, json=body))["subject"] == subject
    compatible = api.http.post(f"/compatibility/subjects/{encoded}/versions/latest", json=body)
    assert api.ok(compatible) == {"is_compatible": True}
    api.ok(api.http.post(f"/compatibility/subjects/{encoded}/versions", json=body))
    assert api.ok(api.http.put(f"/config/{encoded}", json={"compatibility": "FULL"}))
    assert api.ok(api.http.get(f"/config/{encoded}"))["compatibilityLevel"] == "FULL"
    api.ok(api.http.delete(f"/config/{encoded}"))
    assert api.ok(api.http.put(f"/mode/{encoded}", json={"mode": "READONLY"}))
    assert api.ok(api.http.get(f"/mode/{encoded}")) == {"mode": "READONLY"}
    api.ok(api.http.delete(f"/mode/{encoded}"))
    assert api.ok(api.http.delete(f"{base}/versions/1")) == 1
    assert api.ok(api.http.delete(f"{base}?permanent=true")) == [1]
    assert api.ok(api.http.get("/subjects?deleted=true")) == []
