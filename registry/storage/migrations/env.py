"""Alembic environment: runs on the connection handed over by ``registry.storage.migrate``."""

from __future__ import annotations

from alembic import context

from registry.storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI directly
    raise RuntimeError("Run migrations with `esr db upgrade`, not the alembic command.")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
