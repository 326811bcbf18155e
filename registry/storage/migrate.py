"""Apply Alembic migrations: on server start and by ``esr db upgrade``.

Concurrent starters are serialized by ``Database.migration_lock`` so that several processes
booting against one database never race to create the same tables.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from registry.storage.engine import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    """The newest migration shipped with this version of the code."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(db: Database) -> str | None:
    """The migration the database is at (None when it was never migrated)."""
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate to ``revision``; return (revision before, revision after)."""
    with db.migration_lock():
        before = current_revision(db)
        if before != head_revision() or revision != "head":
            config = _config()
            with db.engine.begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
        return before, current_revision(db)
