"""Persistence: tables, engines, migrations and the repository (all SQL lives here)."""
