"""Engines and transactions for SQLite (the embedded default) and PostgreSQL.

Every write runs under one registry-wide write lock, so ids and versions are allocated as
``max + 1`` without gaps or duplicates even with several server processes:

* SQLite: WAL journal, ``BEGIN IMMEDIATE`` for write transactions (the database's own writer
  lock), a busy timeout so concurrent writers wait instead of failing, ``synchronous=FULL``.
* PostgreSQL: ``pg_advisory_xact_lock`` taken at the start of every write transaction and
  released by its commit or rollback.

Reads never take the lock: they see the last committed state (WAL snapshots, MVCC).
"""

from __future__ import annotations

import fcntl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from registry.errors import InvalidInput, StoreError
from registry.stats import Tally

WRITE_LOCK_KEY = 0x45535231  # "ESR1"
MIGRATION_LOCK_KEY = 0x45535232  # "ESR2"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` URLs and use psycopg 3 for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if not url.startswith(("sqlite", "postgresql+psycopg://")):
        raise InvalidInput(
            f"Unsupported database URL '{url}': use sqlite:///PATH or postgresql://USER@HOST/DB"
        )
    return url


class Database:
    """An engine plus the two kinds of transaction the repository runs in."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10) -> None:
        self.url = normalize_url(url)
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        # Connections are kept, never churned: the server runs at most ``pool_size`` database
        # calls at once (its worker threads), and the overflow serves background work.
        kwargs: dict[str, Any] = {
            "echo": echo,
            "pool_pre_ping": not self.is_sqlite,
            "pool_size": pool_size,
            "max_overflow": 10,
        }
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
            if parsed.database:
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self._writer = self.engine.execution_options(esr_write=True)
        # Writers of this process queue here first and wake as soon as the lock is free; only
        # one of them at a time waits for the database's own lock. On SQLite the others would
        # wait in its busy handler, which polls with sleeps of up to 100 ms and leaves the
        # database idle between two writes; on PostgreSQL they would each hold a connection
        # and contend for the interpreter while the holder works. Measured with 8 clients
        # (bench/scale.py): 95 -> 227 registrations/s on SQLite, about 80 -> 140 on PostgreSQL.
        self._local_writer = threading.Lock()
        # Store errors (StoreError) by transaction kind, read or write, for /metrics.
        self.store_errors: Tally[str] = Tally()

    @property
    def display_url(self) -> str:
        """The URL without its password, for logs."""
        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file, or None for PostgreSQL or in-memory databases."""
        database = make_url(self.url).database
        if not self.is_sqlite or not database or database == ":memory:":
            return None
        return Path(database).expanduser()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction."""
        with (
            _translate_errors(self.store_errors, "read"),
            Session(self.engine, expire_on_commit=False) as session,
        ):
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction holding the registry-wide write lock; commits on success."""
        with (
            self._local_writer,
            _translate_errors(self.store_errors, "write"),
            Session(self._writer, expire_on_commit=False) as session,
        ):
            if not self.is_sqlite:
                session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def migration_lock(self) -> Iterator[None]:
        """Serialize schema migrations between processes starting at the same time."""
        if self.is_sqlite:
            path = self.sqlite_path
            if path is None:
                yield
                return
            with open(f"{path}.migrate-lock", "a+") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
            return
        with self.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
                conn.commit()

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except (DBAPIError, OSError):
            return False

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("esr_write", False)
        for attempt in range(100):
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
                return
            except OperationalError as exc:
                if "locked" not in str(exc) or attempt == 99:
                    raise
                time.sleep(0.05)


@contextmanager
def _translate_errors(errors: Tally[str], kind: str) -> Iterator[None]:
    try:
        yield
    except OperationalError as exc:
        errors.add(kind)
        raise StoreError(f"Error in the backend data store: {exc.orig}") from exc
