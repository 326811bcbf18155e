"""Registries in process (the real app on SQLite, no sockets) for the backup package's tests."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from registry.api.app import create_app
from registry.client import RegistryClient
from registry.config import Settings
from registry.domain import Reference, SchemaInput, SchemaType

MONEY = json.dumps(
    {
        "type": "record",
        "name": "Money",
        "namespace": "com.shop",
        "fields": [{"name": "amount", "type": "double"}, {"name": "currency", "type": "string"}],
    }
)


def order(*extra: dict[str, Any]) -> str:
    """An Order record using com.shop.Money, with any extra fields."""
    fields = [{"name": "id", "type": "string"}, {"name": "total", "type": "com.shop.Money"}]
    return json.dumps(
        {"type": "record", "name": "Order", "namespace": "com.shop", "fields": [*fields, *extra]}
    )


class AppTransport(httpx.BaseTransport):
    """Hands a :class:`RegistryClient`'s requests to an app through its ``TestClient``."""

    def __init__(self, app_client: TestClient) -> None:
        self.app_client = app_client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send the request to the app; answer with what it said."""
        answer = self.app_client.request(
            request.method, str(request.url), headers=dict(request.headers), content=request.read()
        )
        headers = [(k, v) for k, v in answer.headers.items() if k != "content-encoding"]
        return httpx.Response(answer.status_code, headers=headers, content=answer.content)


Registry = Callable[[str], RegistryClient]


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    """``registry(name)``: a client of a fresh, empty registry of its own."""
    with ExitStack() as stack:

        def start(name: str) -> RegistryClient:
            settings = Settings(database_url=f"sqlite:///{tmp_path}/{name}.db")
            app_client = stack.enter_context(TestClient(create_app(settings)))
            transport = AppTransport(app_client)
            return stack.enter_context(RegistryClient(f"http://{name}", transport=transport))

        yield start


@pytest.fixture
def source(registry: Registry) -> RegistryClient:
    """A registry holding references, a soft-deleted version, JSON Schema, a config and a mode.

    ``common-value`` (Money), ``orders-value`` (two Orders referencing Money, the first
    soft-deleted, level FULL) and ``events-value`` (JSON Schema, READONLY).
    """
    client = registry("source")
    money = Reference("com.shop.Money", "common-value", 1)
    client.register("common-value", SchemaInput(MONEY))
    client.register("orders-value", SchemaInput(order(), references=(money,)))
    note = {"name": "note", "type": ["null", "string"], "default": None}
    client.register("orders-value", SchemaInput(order(note), references=(money,)))
    client.delete_version("orders-value", 1)
    client.set_config("orders-value", compatibility="FULL")
    client.register("events-value", SchemaInput('{"type": "object"}', SchemaType.JSON))
    client.set_mode("events-value", "READONLY")
    return client
