"""Migrations build exactly the tables the code declares, and 0004 backfills what it adds.

SQLite and PostgreSQL: a fresh database migrated to head has no difference from
``registry.storage.tables`` (Alembic's own comparison), and a database holding schemas written
before revision 0004 gets their content fingerprints computed by the upgrade, so that lookups
of those schemas find them without scanning.
"""

from __future__ import annotations

import json

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from registry.config import Settings
from registry.domain import SchemaInput, SchemaType
from registry.formats.base import schema_fingerprint
from registry.service import RegistryService
from registry.storage.engine import Database
from registry.storage.migrate import upgrade
from registry.storage.tables import metadata


def test_head_matches_the_declared_tables(database_url: str) -> None:
    db = Database(database_url)
    upgrade(db)
    with db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    db.dispose()
    assert differences == []


def test_0004_backfills_content_fingerprints(database_url: str) -> None:
    db = Database(database_url)
    upgrade(db, "0003")
    canonical = '"string"'
    refs = json.dumps([{"name": "r", "subject": "other", "version": 1}])
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO schemas (id, schema_type, fingerprint, canonical, schema_text, "
                "references_json, created_at) VALUES (7, 'AVRO', 'f', :c, :c, :r, "
                "CURRENT_TIMESTAMP)"
            ),
            {"c": canonical, "r": refs},
        )
    upgrade(db)
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT content_fingerprint FROM schemas WHERE id = 7"))
        value = stored.scalar_one()
    db.dispose()
    assert value == schema_fingerprint(SchemaType.AVRO, canonical, [("r", "other", 1)])


def test_schemas_written_before_0004_are_found_by_lookup(database_url: str) -> None:
    settings = Settings(database_url=database_url)
    db = Database(database_url)
    service = RegistryService(db, settings)
    upgrade(db, "0003")
    # A version registered by the code of revision 0003 has no content fingerprint column;
    # write it the way that code did, then upgrade and look it up.
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO schemas (id, schema_type, fingerprint, canonical, schema_text, "
                "references_json, created_at) VALUES (1, 'AVRO', 'old-identity', '\"string\"', "
                "'\"string\"', '[]', CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO subject_versions (subject, version, schema_id, deleted, created_at) "
                "VALUES ('s', 1, 1, false, CURRENT_TIMESTAMP)"
            )
        )
    upgrade(db)
    found = service.lookup("s", SchemaInput('"string"', SchemaType.AVRO))
    again = service.register("s", SchemaInput('"string"', SchemaType.AVRO))
    db.dispose()
    assert (found.version, found.schema.id) == (1, 1)
    assert (again.version, again.id, again.created) == (1, 1, False)
