"""Compatibility config, modes, compatibility tests and the small endpoints."""

from __future__ import annotations

from tests.support.api import Api
from tests.support.schemas import avro_record

V1 = avro_record("Order", {"name": "id", "type": "string"})
V2_OPTIONAL = avro_record(
    "Order", {"name": "id", "type": "string"}, {"name": "qty", "type": "int", "default": 1}
)
V2_REQUIRED = avro_record("Order", {"name": "id", "type": "string"}, {"name": "qty", "type": "int"})


def test_global_config(api: Api) -> None:
    assert api.ok(api.http.get("/config"))["compatibilityLevel"] == "BACKWARD"
    assert (
        api.ok(api.http.put("/config", json={"compatibility": "full"}))["compatibility"] == "FULL"
    )
    assert api.ok(api.http.get("/config"))["compatibilityLevel"] == "FULL"
    api.error(api.http.put("/config", json={"compatibility": "SIDEWAYS"}), 422, 42203)
    api.error(api.http.put("/config", json={"compatibilityPolicy": "LAX"}), 422, 42203)
    assert api.ok(api.http.delete("/config"))["compatibilityLevel"] == "FULL"
    assert api.ok(api.http.get("/config"))["compatibilityLevel"] == "BACKWARD"


def test_subject_config(api: Api) -> None:
    api.error(api.http.get("/config/s"), 404, 40408)
    assert (
        api.ok(api.http.get("/config/s?defaultToGlobal=true"))["compatibilityLevel"] == "BACKWARD"
    )
    body = api.ok(
        api.http.put("/config/s", json={"compatibility": "NONE", "compatibilityPolicy": "LENIENT"})
    )
    assert body["compatibility"] == "NONE" and body["compatibilityPolicy"] == "LENIENT"
    got = api.ok(api.http.get("/config/s"))
    assert got["compatibilityLevel"] == "NONE" and got["compatibilityPolicy"] == "LENIENT"
    assert api.ok(api.http.delete("/config/s"))["compatibilityLevel"] == "NONE"
    api.error(api.http.get("/config/s"), 404, 40408)


def test_incompatible_registration_is_409_with_rule_ids(api: Api) -> None:
    api.ok(api.register("s", V1))
    message = api.error(api.register("s", V2_REQUIRED), 409, 409)
    assert "avro.field-added-without-default" in message
    assert api.ok(api.register("s", V2_OPTIONAL))["version"] == 2
    assert api.ok(api.http.get("/subjects/s/versions")) == [1, 2]


def test_level_none_accepts_anything(api: Api) -> None:
    api.ok(api.register("s", V1))
    api.ok(api.http.put("/config/s", json={"compatibility": "NONE"}))
    assert api.ok(api.register("s", V2_REQUIRED))["version"] == 2


def test_compatibility_endpoints(api: Api) -> None:
    assert api.ok(api.http.post("/compatibility/subjects/s/versions", json={"schema": V1})) == {
        "is_compatible": True
    }
    api.error(
        api.http.post("/compatibility/subjects/s/versions/latest", json={"schema": V1}), 404, 40401
    )
    api.ok(api.register("s", V1))
    bad = api.ok(
        api.http.post(
            "/compatibility/subjects/s/versions/latest?verbose=true", json={"schema": V2_REQUIRED}
        )
    )
    assert bad["is_compatible"] is False
    assert any("avro.field-added-without-default" in m for m in bad["messages"])
    good = api.ok(
        api.http.post(
            "/compatibility/subjects/s/versions?verbose=True", json={"schema": V2_OPTIONAL}
        )
    )
    assert good == {"is_compatible": True, "messages": []}
    terse = api.ok(
        api.http.post("/compatibility/subjects/s/versions/1", json={"schema": V2_REQUIRED})
    )
    assert terse == {"is_compatible": False}
    api.error(
        api.http.post("/compatibility/subjects/s/versions/5", json={"schema": V1}), 404, 40402
    )


def test_transitive_levels_check_every_version(api: Api) -> None:
    a = avro_record("R", {"name": "x", "type": "int"})
    b = avro_record(
        "R", {"name": "x", "type": "int", "default": 0}, {"name": "y", "type": "int", "default": 0}
    )
    c = avro_record("R", {"name": "y", "type": "int", "default": 0})  # drops x
    api.ok(api.http.put("/config/t", json={"compatibility": "FORWARD_TRANSITIVE"}))
    api.ok(api.register("t", a))
    api.ok(api.register("t", b))
    # a cannot read c (x has no default in a), though b can
    api.error(api.register("t", c), 409, 409)
    api.ok(api.http.put("/config/t", json={"compatibility": "FORWARD"}))
    assert api.ok(api.register("t", c))["version"] == 3


def test_modes(api: Api) -> None:
    assert api.ok(api.http.get("/mode")) == {"mode": "READWRITE"}
    api.error(api.http.get("/mode/s"), 404, 40409)
    assert api.ok(api.http.get("/mode/s?defaultToGlobal=true")) == {"mode": "READWRITE"}
    assert api.ok(api.http.put("/mode/s", json={"mode": "READONLY"})) == {"mode": "READONLY"}
    api.error(api.register("s", V1), 422, 42205)
    api.ok(api.register("other", V1))
    api.error(api.http.delete("/subjects/s"), 422, 42205)
    assert api.ok(api.http.delete("/mode/s")) == {"mode": "READONLY"}
    api.ok(api.register("s", V1))
    api.error(api.http.put("/mode", json={"mode": "SIDEWAYS"}), 422, 42204)


def test_import_mode_preserves_ids_and_versions(api: Api) -> None:
    api.error(api.register("s", V1, id=100, version=7), 422, 42205)
    api.ok(api.register("existing", V1))
    api.error(api.http.put("/mode", json={"mode": "IMPORT"}), 422, 42205)
    assert api.ok(api.http.put("/mode?force=true", json={"mode": "IMPORT"})) == {"mode": "IMPORT"}
    answer = api.ok(api.register("imported", V2_REQUIRED, id=100, version=7))
    assert (answer["id"], answer["version"]) == (100, 7)
    assert api.ok(api.http.get("/schemas/ids/100"))["schema"] == V2_REQUIRED
    api.error(api.register("imported", V1, id=100, version=8), 422, 42207)
    api.ok(api.http.put("/mode", json={"mode": "READWRITE"}))
    assert api.ok(api.register("fresh", V2_OPTIONAL))["id"] == 101


def test_small_endpoints(api: Api) -> None:
    assert api.ok(api.http.get("/")) == {}
    assert api.ok(api.http.get("/contexts")) == ["."]
    assert "scope" in api.ok(api.http.get("/v1/metadata/id"))
    assert api.ok(api.http.get("/health")) == {"status": "ok"}
    assert api.ok(api.http.get("/ready")) == {"status": "ready"}
    spec = api.ok(api.http.get("/openapi.json"))
    assert "/subjects/{subject}/versions" in spec["paths"]
    assert api.http.get("/docs").status_code == 200


def test_audit_log_records_writes(api: Api, settings: object) -> None:
    api.ok(api.register("s", V1))
    api.ok(api.http.put("/config/s", json={"compatibility": "FULL"}))
    service = api.http.app.state.service  # type: ignore[attr-defined]
    actions = [e["action"] for e in service.audit()]
    assert actions[:2] == ["set_config", "register"]
