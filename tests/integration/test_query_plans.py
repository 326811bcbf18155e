"""The per-subject reads touch one index entry, not the subject's history.

On a subject with 1,000 versions and no planner statistics (a new table, as every fresh
PostgreSQL registry has until autovacuum analyzes it), PostgreSQL's own execution counts show
each hot query reading at most a couple of rows. This is what keeps re-registration, lookup,
``latest`` and version N as cheap at 1,000 versions as at 10 (``python -m bench.history``).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Select, text

from registry.storage import repository as repo
from registry.storage.engine import Database
from registry.storage.migrate import upgrade

VERSIONS = 1000


def _scanned(plan: dict[str, Any]) -> list[tuple[str, int]]:
    """(node type, rows it produced) for every scan node of an EXPLAIN ANALYZE plan."""
    found = []
    if "Scan" in plan["Node Type"]:
        found.append((plan["Node Type"], int(plan["Actual Rows"]) * int(plan["Actual Loops"])))
    for child in plan.get("Plans", []):
        found += _scanned(child)
    return found


@pytest.mark.postgres
def test_hot_reads_do_not_walk_the_history(postgres_url: str) -> None:
    db = Database(postgres_url)
    upgrade(db)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO subject_versions (subject, version, schema_id, deleted, created_at) "
                "SELECT 'big', n, n, false, now() FROM generate_series(1, :n) AS n"
            ),
            {"n": VERSIONS},
        )
    queries: dict[str, tuple[Select[Any], dict[str, Any]]] = {
        "latest live": (repo._NEWEST_LIVE, {"subject": "big"}),
        "latest, deleted too (also max_version)": (repo._NEWEST, {"subject": "big"}),
        "version n": (repo._ONE, {"subject": "big", "version": VERSIONS // 2}),
        "version with schema 1": (repo._WITH_SCHEMA, {"subject": "big", "schema_id": 1}),
    }
    with db.engine.connect() as conn:
        for name, (statement, params) in queries.items():
            bound = statement.params(**params)
            sql = str(bound.compile(db.engine, compile_kwargs={"literal_binds": True}))
            plan = conn.execute(text(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")).scalar_one()
            scans = _scanned(plan[0]["Plan"])
            assert scans and all(rows <= 2 for _, rows in scans), (name, scans)
    db.dispose()
