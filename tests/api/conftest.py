"""The API under test: ``create_app(Settings(...))`` on a fresh database, through TestClient.

The helpers (``Api``, schema builders) live in ``tests/support/``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from registry.api.app import create_app
from registry.config import Settings
from tests.support.api import Api


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
