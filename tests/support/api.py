"""Talking to the registry's API in tests: the wire format's helpers over a ``TestClient``."""

from __future__ import annotations

import base64
from typing import Any

from fastapi.testclient import TestClient

CT = "application/vnd.schemaregistry.v1+json"


def basic(name: str, password: str) -> dict[str, str]:
    """The ``Authorization`` header of HTTP Basic credentials."""
    token = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


class Api:
    """Small helpers over TestClient that speak the wire format."""

    def __init__(self, client: TestClient) -> None:
        self.http = client

    def register(
        self, subject: str, schema: str, schema_type: str | None = None, **extra: Any
    ) -> Any:
        """POST a schema to the subject; the raw response."""
        body: dict[str, Any] = {"schema": schema, **extra}
        if schema_type:
            body["schemaType"] = schema_type
        return self.http.post(
            f"/subjects/{subject}/versions", json=body, headers={"Content-Type": CT}
        )

    def ok(self, response: Any, status: int = 200) -> Any:
        """The body of a response that must have this status."""
        assert response.status_code == status, response.text
        return response.json()

    def error(self, response: Any, status: int, code: int) -> str:
        """The message of an error response that must have this status and error code."""
        assert response.status_code == status, response.text
        body = response.json()
        assert body["error_code"] == code, body
        assert isinstance(body["message"], str) and body["message"]
        return str(body["message"])
