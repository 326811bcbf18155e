"""Gauges read from the database: schemas, subjects, and how far each sync target lags.

These describe the registry, not a process, so whichever process answers a scrape reads them
(one small query each, at most once per ``ttl`` seconds) and they need no aggregation across
workers. The two counts are aggregate queries over indexed tables; the sync lag reads each
subject's newest version and the stored sync states, and is only computed when sync targets
are configured.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import distinct, func, select
from sqlmodel import col

from registry.errors import RegistryError
from registry.storage import repository as repo
from registry.storage.engine import Database
from registry.storage.tables import SchemaRow, SubjectVersionRow

log = logging.getLogger("registry.metrics")


@dataclass(frozen=True, slots=True)
class Counts:
    """One reading of the database."""

    schemas: int
    subjects: int
    versions_behind: dict[str, int] = field(default_factory=dict)


class Inventory:
    """Counts from the database, cached for ``ttl`` seconds; None while it does not answer."""

    def __init__(
        self,
        db: Database,
        sync_targets: Sequence[str] = (),
        sync_prefix: str | None = None,
        *,
        ttl: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.sync_targets = tuple(sync_targets)
        self.sync_prefix = sync_prefix or ""
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._read_at = float("-inf")
        self._counts: Counts | None = None

    def read(self) -> Counts | None:
        """The counts, read again when older than ``ttl`` (one reader at a time)."""
        with self._lock:
            if self._clock() - self._read_at >= self.ttl:
                self._read_at = self._clock()
                try:
                    self._counts = self._query()
                except RegistryError as exc:  # counted as a store error by the database
                    log.warning("metrics: cannot read counts from the database: %s", exc)
                    self._counts = None
            return self._counts

    def _query(self) -> Counts:
        with self.db.read() as session:
            schemas = session.scalar(select(func.count()).select_from(SchemaRow)) or 0
            subjects = (
                session.scalar(
                    select(func.count(distinct(col(SubjectVersionRow.subject)))).where(
                        col(SubjectVersionRow.deleted).is_(False)
                    )
                )
                or 0
            )
            behind: dict[str, int] = {}
            if self.sync_targets:
                latest = repo.schema_listing(
                    session, prefix=self.sync_prefix, include_deleted=False, latest_only=True
                )
                synced = {
                    (row.target, row.subject): row.last_synced_version or 0
                    for row in repo.sync_states(session)
                }
                for target in self.sync_targets:
                    behind[target] = sum(
                        max(0, version - synced.get((target, subject), 0))
                        for subject, version, _ in latest
                    )
        return Counts(int(schemas), int(subjects), behind)
