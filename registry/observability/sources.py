"""What the registry reports, and where each number is read from.

:data:`FAMILIES` is the catalogue of counters and gauges (the request histogram is apart, in
``prometheus``): their Prometheus names, help, labels and, for gauges, how several worker
processes combine (prometheus_client's ``multiprocess_mode``). :class:`Sources` reads the
current value of every one of them from the objects that count: the service, the caches, the
database, the sync worker. Both exporters (Prometheus and OpenTelemetry) read through it.

The objects are described by protocols, not imported: this package must not depend on the API
layer, which imports it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from registry.observability.inventory import Inventory
from registry.stats import RequestStats, Tally

Kind = Literal["counter", "gauge"]
Mode = Literal["livesum", "livemax", "liveall", "mostrecent"]


@dataclass(frozen=True, slots=True)
class Family:
    """One metric: its name (counters without ``_total``), help, labels, and for gauges how
    the values of several worker processes combine."""

    name: str
    kind: Kind
    help: str
    labels: tuple[str, ...] = ()
    mode: Mode = "livesum"


REGISTRATIONS = Family(
    "registry_registrations",
    "counter",
    "Registrations by outcome: created (a new version) or existing (the subject had it)",
    ("outcome",),
)
REJECTIONS = Family(
    "registry_compatibility_rejections",
    "counter",
    "Registrations refused as incompatible, by broken rule id (each rule once per refusal)",
    ("rule",),
)
STORE_ERRORS = Family(
    "registry_database_errors",
    "counter",
    "Database failures (StoreError, 50001) by transaction kind: read or write",
    ("kind",),
)
CACHE_HITS = Family(
    "registry_cache_hits", "counter", "Lookups answered by an in-process cache", ("cache",)
)
CACHE_MISSES = Family(
    "registry_cache_misses", "counter", "Lookups an in-process cache did not hold", ("cache",)
)
CACHE_ENTRIES = Family(
    "registry_cache_entries", "gauge", "Entries held by each in-process cache", ("cache",)
)
CACHE_BYTES = Family(
    "registry_cache_bytes", "gauge", "Bytes of answers held by the answer cache", ("cache",)
)
SYNC_PUSHES = Family(
    "registry_sync_pushes",
    "counter",
    "Subjects pushed to a cloud sync target, by result: ok or failed",
    ("target", "result"),
)
SYNC_PENDING = Family(
    "registry_sync_pending",
    "gauge",
    "Subjects queued for a sync target (due now or waiting to retry)",
    ("target",),
)
SYNC_LAST_SUCCESS = Family(
    "registry_sync_last_success_timestamp_seconds",
    "gauge",
    "When a sync target last took a push (Unix time)",
    ("target",),
    mode="livemax",
)
WORKER_START = Family(
    "registry_worker_start_time_seconds",
    "gauge",
    "When each server process started (Unix time); one series per live worker",
    mode="liveall",
)
SCHEMAS = Family("registry_schemas", "gauge", "Distinct schemas (global ids) stored")
SUBJECTS = Family("registry_subjects", "gauge", "Subjects with at least one live version")
SYNC_BEHIND = Family(
    "registry_sync_versions_behind",
    "gauge",
    "Versions (by number) a sync target lags behind, summed over subjects",
    ("target",),
)
FAMILIES: tuple[Family, ...] = (
    REGISTRATIONS,
    REJECTIONS,
    STORE_ERRORS,
    CACHE_HITS,
    CACHE_MISSES,
    CACHE_ENTRIES,
    CACHE_BYTES,
    SYNC_PUSHES,
    SYNC_PENDING,
    SYNC_LAST_SUCCESS,
    WORKER_START,
)
# Read from the database by whichever process is scraped: never per worker.
INVENTORY: tuple[Family, ...] = (SCHEMAS, SUBJECTS, SYNC_BEHIND)
Reading = tuple[Family, tuple[str, ...], float]


class CountingCache(Protocol):
    """A cache that counts its hits and misses (``LRUCache``, ``AnswerCache``)."""

    hits: int
    misses: int

    def __len__(self) -> int: ...


class CountingService(Protocol):
    """What the service counts (``RegistryService``)."""

    registrations: Tally[str]
    rejections: Tally[str]

    @property
    def caches(self) -> Mapping[str, CountingCache]:
        """Its caches by name."""
        ...


class CountingWorker(Protocol):
    """What the sync worker counts (``SyncWorker``)."""

    pushes: Tally[tuple[str, str]]
    last_success: dict[str, float]

    @property
    def targets(self) -> Mapping[str, object]:
        """Configured targets by name."""
        ...

    def pending(self) -> list[tuple[str, str]]:
        """(target, subject) pairs queued."""
        ...


@dataclass
class Sources:
    """Where one server process's numbers come from."""

    service: CountingService
    store_errors: Tally[str]
    caches: Mapping[str, CountingCache]
    cache_bytes: Callable[[], Mapping[str, int]]
    inventory: Inventory
    sync_worker: Callable[[], CountingWorker | None] = lambda: None
    app_requests: RequestStats = field(default_factory=RequestStats)
    hot_requests: RequestStats = field(default_factory=RequestStats)
    started: float = field(default_factory=time.time)

    def all_caches(self) -> dict[str, CountingCache]:
        """Every cache by name: the given ones and the service's."""
        return {**self.caches, **self.service.caches}

    def readings(self) -> Iterator[Reading]:
        """The current value of every counter and per-process gauge of :data:`FAMILIES`."""
        for outcome in ("created", "existing"):
            yield REGISTRATIONS, (outcome,), self.service.registrations[outcome]
        for rule, count in sorted(self.service.rejections.snapshot().items()):
            yield REJECTIONS, (rule,), count
        for kind in ("read", "write"):
            yield STORE_ERRORS, (kind,), self.store_errors[kind]
        for name, cache in sorted(self.all_caches().items()):
            yield CACHE_HITS, (name,), cache.hits
            yield CACHE_MISSES, (name,), cache.misses
            yield CACHE_ENTRIES, (name,), len(cache)
        for name, size in sorted(self.cache_bytes().items()):
            yield CACHE_BYTES, (name,), size
        yield WORKER_START, (), self.started
        worker = self.sync_worker()
        if worker is None:
            return
        pushes = worker.pushes.snapshot()
        pending = dict.fromkeys(worker.targets, 0)
        for target, _ in worker.pending():
            pending[target] = pending.get(target, 0) + 1
        for target in sorted(worker.targets):
            for result in ("ok", "failed"):
                yield SYNC_PUSHES, (target, result), pushes.get((target, result), 0)
            yield SYNC_PENDING, (target,), pending.get(target, 0)
            if target in worker.last_success:
                yield SYNC_LAST_SUCCESS, (target,), worker.last_success[target]

    def inventory_readings(self) -> Iterator[Reading]:
        """The database's gauges of :data:`INVENTORY` (none while it does not answer)."""
        yield from inventory_readings(self.inventory)


def inventory_readings(inventory: Inventory) -> Iterator[Reading]:
    """The gauges of :data:`INVENTORY` from one reading of the database."""
    counts = inventory.read()
    if counts is None:
        return
    yield SCHEMAS, (), counts.schemas
    yield SUBJECTS, (), counts.subjects
    for target, behind in sorted(counts.versions_behind.items()):
        yield SYNC_BEHIND, (target,), behind
