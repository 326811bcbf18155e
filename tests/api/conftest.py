"""The API under test: ``create_app(Settings(...))`` on a fresh database, through TestClient."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from registry.api.app import create_app
from registry.config import Settings

CT = "application/vnd.schemaregistry.v1+json"


def avro_record(name: str, *fields: dict[str, Any], namespace: str = "shop") -> str:
    """An Avro record schema as text."""
    return json.dumps(
        {"type": "record", "name": name, "namespace": namespace, "fields": list(fields)}
    )


def json_object(properties: dict[str, Any], **extra: Any) -> str:
    """A JSON Schema object as text."""
    return json.dumps(
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": properties,
            **extra,
        }
    )


class Api:
    """Small helpers over TestClient that speak the wire format."""

    def __init__(self, client: TestClient) -> None:
        self.http = client

    def register(
        self, subject: str, schema: str, schema_type: str | None = None, **extra: Any
    ) -> Any:
        body: dict[str, Any] = {"schema": schema, **extra}
        if schema_type:
            body["schemaType"] = schema_type
        return self.http.post(
            f"/subjects/{subject}/versions", json=body, headers={"Content-Type": CT}
        )

    def ok(self, response: Any, status: int = 200) -> Any:
        assert response.status_code == status, response.text
        return response.json()

    def error(self, response: Any, status: int, code: int) -> str:
        assert response.status_code == status, response.text
        body = response.json()
        assert body["error_code"] == code, body
        assert isinstance(body["message"], str) and body["message"]
        return str(body["message"])


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings for a fresh database, on SQLite and on PostgreSQL."""
    return Settings(
        database_url=database_url, max_schema_bytes=64 * 1024, max_request_bytes=256 * 1024
    )


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    """The registry on a fresh database."""
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client)
