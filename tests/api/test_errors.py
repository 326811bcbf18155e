"""Bad input gets the right Confluent error code, never a 500, and writes nothing."""

from __future__ import annotations

import json

import pytest

from tests.support.api import Api
from tests.support.schemas import avro_record

GOOD = avro_record("Order", {"name": "id", "type": "string"})


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("{not json", 400, 400),
        ("[1, 2]", 400, 400),
        ('{"schemaType": "AVRO"}', 422, 42201),
        ('{"schema": 42}', 422, 42201),
        ('{"schema": "{\\"type\\": \\"recrod\\"}"}', 422, 42201),
        ('{"schema": "not json at all"}', 422, 42201),
        ('{"schema": ""}', 422, 42201),
        ('{"schema": "{}", "schemaType": "PROTOBUF"}', 422, 42201),
        ('{"schema": "{}", "schemaType": "XML"}', 422, 42201),
        (
            '{"schema": "{\\"type\\": \\"object\\", \\"properties\\": 3}", "schemaType": "JSON"}',
            422,
            42201,
        ),
    ],
)
def test_malformed_and_invalid_registrations(api: Api, body: str, status: int, code: int) -> None:
    response = api.http.post(
        "/subjects/s/versions", content=body, headers={"Content-Type": "application/json"}
    )
    api.error(response, status, code)
    assert api.ok(api.http.get("/subjects?deleted=true")) == []
    api.error(api.http.get("/schemas/ids/1"), 404, 40403)


@pytest.mark.parametrize("schema_type", ["AVRO", "JSON"])
def test_deep_nesting_is_refused(api: Api, schema_type: str) -> None:
    deep = "[" * 10_000 + "]" * 10_000
    api.error(api.register("s", deep, schema_type), 422, 42201)
    if schema_type == "JSON":
        nested = '{"items":' * 5_000 + "{}" + "}" * 5_000
        api.error(api.register("s", nested, schema_type), 422, 42201)


def test_schema_over_the_size_limit(api: Api) -> None:
    doc = json.dumps({"type": "record", "name": "Big", "doc": "x" * 70_000, "fields": []})
    message = api.error(api.register("s", doc), 422, 42209)
    assert "limit" in message


def test_body_over_the_request_limit(api: Api) -> None:
    doc = json.dumps({"type": "record", "name": "Big", "doc": "x" * 300_000, "fields": []})
    api.error(api.register("s", doc), 413, 41301)


@pytest.mark.parametrize("subject", ["a%01b", "a%C2%85b", "%2E%2E", "%2E", "%3A*%3Ax", "x" * 256])
def test_invalid_subject_names(api: Api, subject: str) -> None:
    api.error(api.register(subject, GOOD), 422, 42208)
    assert api.ok(api.http.get("/subjects")) == []


@pytest.mark.parametrize("version", ["0", "abc", "-2", "99999999999"])
def test_invalid_versions(api: Api, version: str) -> None:
    api.ok(api.register("s", GOOD))
    api.error(api.http.get(f"/subjects/s/versions/{version}"), 422, 42202)


def test_unknown_route_is_a_json_404(api: Api) -> None:
    api.error(api.http.get("/nowhere"), 404, 404)


def test_content_types_are_accepted(api: Api) -> None:
    for ct in (
        "application/vnd.schemaregistry.v1+json",
        "application/vnd.schemaregistry+json",
        "application/json",
    ):
        response = api.http.post(
            "/subjects/s/versions",
            content=json.dumps({"schema": GOOD}),
            headers={"Content-Type": ct},
        )
        assert response.status_code == 200, (ct, response.text)


def test_boolean_query_parameters_accept_any_case(api: Api) -> None:
    api.ok(api.register("s", GOOD))
    api.ok(api.http.delete("/subjects/s"))
    for value in ("true", "True", "TRUE"):
        assert api.ok(api.http.get(f"/subjects?deleted={value}")) == ["s"]


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded", None]
)
def test_bodies_that_are_not_json_get_415(api: Api, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    answer = api.http.post(
        "/subjects/s/versions", content=json.dumps({"schema": GOOD}), headers=headers
    )
    message = api.error(answer, 415, 415)
    assert "application/vnd.schemaregistry.v1+json" in message
    assert (content_type or "none").split(";")[0] in message
    api.error(api.http.get("/subjects/s/versions"), 404, 40401)  # nothing was written


def test_octet_stream_bodies_are_read_as_json_as_confluent_does(api: Api) -> None:
    answer = api.http.post(
        "/subjects/s/versions",
        content=json.dumps({"schema": GOOD}),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert api.ok(answer)["id"] == 1


def test_requests_without_a_body_need_no_content_type(api: Api) -> None:
    api.ok(api.register("s", GOOD))
    api.ok(api.http.delete("/subjects/s"))  # DELETE, no body, no Content-Type


def test_a_json_schema_sent_without_schema_type_gets_a_hint(api: Api) -> None:
    schema = json.dumps({"type": "object", "properties": {"id": {"type": "string"}}})
    message = api.error(api.register("s", schema), 422, 42201)
    assert '"schemaType": "JSON"' in message and "defaults to AVRO" in message
    not_json_schema = json.dumps({"type": "record", "name": "R", "fields": "nope"})
    assert "schemaType" not in api.error(api.register("s", not_json_schema), 422, 42201)


@pytest.mark.parametrize(
    "path",
    [
        "/subjects?offset=2496651639726010286473216",
        "/subjects?limit=2496651639726010286473216",
        "/schemas?offset=2496651639726010286473216",
        "/api/audit?offset=2496651639726010286473216",
        "/subjects/s/versions?offset=99999999999999999999",
        "/schemas/ids/1/subjects?limit=-99999999999999999999",
    ],
)
def test_huge_integer_query_parameters_are_refused_not_500(api: Api, path: str) -> None:
    api.ok(api.register("s", GOOD))
    answer = api.http.get(path)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error_code"] == 422
