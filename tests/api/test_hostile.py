"""Hostile input: each gets a precise 4xx in bounded time, and the registry keeps serving."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from tests.support.api import Api
from tests.support.schemas import avro_record, json_object

GOOD = avro_record("Order", {"name": "id", "type": "string"})
BUDGET_S = 5.0


T = TypeVar("T")


def _timed(call: Callable[[], T]) -> T:
    start = time.monotonic()
    result = call()
    assert time.monotonic() - start < BUDGET_S
    return result


def test_invalid_utf8_body(api: Api) -> None:
    body = b'{"schema": "\xff\xfe\xfd"}'
    api.error(
        _timed(
            lambda: api.http.post(
                "/subjects/s/versions", content=body, headers={"Content-Type": "application/json"}
            )
        ),
        400,
        400,
    )


def test_huge_numbers(api: Api) -> None:
    digits = "9" * 50_000  # far beyond the 4,300 digits Python parses, below the size limit
    body = '{"schema": "{}", "id": ' + digits + "}"
    api.error(
        _timed(
            lambda: api.http.post(
                "/subjects/s/versions", content=body, headers={"Content-Type": "application/json"}
            )
        ),
        400,
        400,
    )
    schema = (
        '{"type": "object", "properties": {"n": {"type": "integer", "maximum": ' + digits + "}}}"
    )
    api.error(_timed(lambda: api.register("s", schema, "JSON")), 422, 42201)
    avro = (
        '{"type": "record", "name": "R", "fields": [{"name": "n", "type": "long", '
        '"default": ' + digits + "}]}"
    )
    api.error(_timed(lambda: api.register("s", avro)), 422, 42201)


def test_duplicate_keys_in_a_schema(api: Api) -> None:
    schema = '{"type": "object", "type": "string"}'
    message = api.error(api.register("s", schema, "JSON"), 422, 42201)
    assert "type" in message


def test_remote_ref_is_never_fetched(api: Api) -> None:
    schema = json_object({"a": {"$ref": "http://169.254.169.254/latest/meta-data"}})
    _timed(lambda: api.error(api.register("s", schema, "JSON"), 422, 42201))
    schema = json_object({"a": {"$ref": "https://example.com/schemas/a.json"}})
    _timed(lambda: api.error(api.register("s", schema, "JSON"), 422, 42201))


def test_ref_cycles_terminate(api: Api) -> None:
    schema = json.dumps(
        {
            "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
            "type": "object",
            "properties": {"x": {"$ref": "#/$defs/a"}},
        }
    )
    response = _timed(lambda: api.register("s", schema, "JSON"))
    assert response.status_code in (200, 422), response.text


def test_exponential_ref_expansion_is_bounded(api: Api) -> None:
    defs: dict[str, Any] = {
        f"d{i}": {"anyOf": [{"$ref": f"#/$defs/d{i + 1}"}, {"$ref": f"#/$defs/d{i + 1}"}]}
        for i in range(40)
    }
    defs["d40"] = {"type": "string"}
    writer = json.dumps(
        {"$defs": defs, "type": "object", "properties": {"x": {"$ref": "#/$defs/d0"}}}
    )
    reader_defs = dict(defs, d40={"type": "string", "maxLength": 3})
    reader = json.dumps(
        {"$defs": reader_defs, "type": "object", "properties": {"x": {"$ref": "#/$defs/d0"}}}
    )
    first = _timed(lambda: api.register("s", writer, "JSON"))
    assert first.status_code in (200, 422), first.text
    if first.status_code == 200:
        second = _timed(lambda: api.register("s", reader, "JSON"))
        assert second.status_code in (409, 422), second.text


def test_long_reference_chains_are_refused(api: Api) -> None:
    api.ok(api.register("c0", avro_record("T0", {"name": "v", "type": "int"})))
    for i in range(1, 40):
        refs = [{"name": f"shop.T{i - 1}", "subject": f"c{i - 1}", "version": 1}]
        schema = avro_record(f"T{i}", {"name": "prev", "type": f"shop.T{i - 1}"})
        response = api.register(f"c{i}", schema, references=refs)
        if response.status_code != 200:
            message = api.error(response, 422, 42201)
            assert "references" in message
            return
    pytest.fail("a reference chain of 40 levels was accepted")


def test_the_registry_keeps_serving_after_hostile_input(api: Api) -> None:
    api.register("s", "[" * 10_000 + "]" * 10_000)
    api.http.post("/subjects/s/versions", content=b"\xff" * 1000)
    assert api.ok(api.register("s", GOOD))["version"] == 1
