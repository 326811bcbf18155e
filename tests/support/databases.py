"""Fixtures for real databases: a fresh SQLite file or a fresh PostgreSQL database per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tests.support.ci import skip_or_fail

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def postgres_admin_url() -> str:
    """The maintenance database URL of the test PostgreSQL."""
    return os.environ.get("REGISTRY_TEST_POSTGRES_URL", DEFAULT_POSTGRES)


def _admin_engine() -> Engine:
    url = postgres_admin_url().replace("postgresql://", "postgresql+psycopg://", 1)
    return create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


def postgres_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        engine = _admin_engine()
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means: not available
        return f"PostgreSQL at {postgres_admin_url()} is unreachable: {exc.__class__.__name__}"


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin URL; skips (saying why) when the server is unreachable outside CI."""
    reason = postgres_available()
    if reason is not None:
        skip_or_fail(reason)
    return postgres_admin_url()


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A brand-new, empty database for one test; dropped afterwards."""
    name = f"esr_test_{uuid.uuid4().hex[:12]}"
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_server.replace("postgresql://", "postgresql+psycopg://", 1))
    yield (
        url.set(database=name)
        .render_as_string(hide_password=False)
        .replace("postgresql+psycopg://", "postgresql://", 1)
    )
    with engine.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: object) -> str:
    """A fresh SQLite file."""
    return f"sqlite:///{tmp_path}/registry.db"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Every API test runs on SQLite and on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))
