"""``/metrics`` in Prometheus' formats, from the counters the registry keeps in plain ints.

Requests are counted by :class:`~registry.stats.RequestStats` (an increment and a
bucket index per request) and everything else by the objects that do the work (see
``sources``). :class:`PrometheusMetrics` pushes what changed since its last look into
prometheus_client's ``Counter``, ``Histogram`` and ``Gauge`` objects (:meth:`flush`): before
every scrape, and, under several workers, every :data:`FLUSH_SECONDS`.

Several workers (``esr serve --workers N``) use prometheus_client's multiprocess mode: ``esr
serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory before the workers start, each
worker's metrics live in memory-mapped files there, and a scrape, answered by any one worker or
by the separate metrics port, adds up every worker's files. A scrape therefore sees the other
workers' counts as of their last flush (at most a second old). Gauges of a process say how
they combine (``livesum``: cache entries, sync queue; ``livemax``: last sync success;
``liveall``: one series per live worker). Gauges read from the database (schemas, subjects,
sync lag) are computed by the process that answers the scrape and are not per worker.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    multiprocess,
)
from prometheus_client.exposition import choose_encoder, start_http_server
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from registry import __version__
from registry.observability.inventory import Inventory
from registry.observability.sources import FAMILIES, Family, Reading, Sources, inventory_readings
from registry.stats import BUCKETS, RequestStats

log = logging.getLogger("registry.metrics")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
FLUSH_SECONDS = 1.0
REQUEST_LABELS = ("method", "route", "status")


def multiprocess_dir() -> str | None:
    """The directory of prometheus_client's multiprocess mode, when it is on."""
    return os.environ.get(MULTIPROC_ENV) or None


class BucketHistogram(Histogram):
    """A histogram that takes observations already bucketed (counts per bucket and a sum).

    prometheus_client only offers ``observe(value)``; adding counts goes through the same
    per-bucket values ``observe`` uses (``_buckets``, ``_sum``), in memory or in the
    multiprocess files alike. ``tests/observability`` pins that this renders as
    ``observe`` would.
    """

    def add(self, counts: Sequence[int], seconds: float) -> None:
        """Add ``counts[i]`` observations to bucket ``i`` (non-cumulative) and ``seconds``."""
        self._raise_if_not_observable()  # type: ignore[no-untyped-call]
        self._sum.inc(seconds)
        for value, count in zip(self._buckets, counts, strict=True):
            if count:
                value.inc(count)


class InventoryCollector:
    """The database's gauges (schemas, subjects, sync lag), read at scrape time."""

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory

    def collect(self) -> Iterator[Metric]:
        """One family per gauge read."""
        yield from _families(inventory_readings(self.inventory))


class BuildInfoCollector:
    """``registry_build_info{version}``: always 1."""

    def collect(self) -> Iterator[Metric]:
        """The one sample."""
        info = GaugeMetricFamily(
            "registry_build_info", "The registry's version", labels=["version"]
        )
        info.add_metric([__version__], 1)
        yield info


def _families(readings: Iterable[Reading]) -> Iterator[Metric]:
    found: dict[str, GaugeMetricFamily] = {}
    for family, labels, value in readings:
        metric = found.get(family.name)
        if metric is None:
            metric = found[family.name] = GaugeMetricFamily(
                family.name, family.help, labels=list(family.labels)
            )
        metric.add_metric(list(labels), value)
    yield from found.values()


class FlushingCollector:
    """A registry that brings the counters up to date before each collection."""

    def __init__(self, metrics: PrometheusMetrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        """Flush, then every metric of the registry."""
        self.metrics.flush()
        yield from self.metrics.registry.collect()


class PrometheusMetrics:
    """One process's Prometheus metrics over its :class:`Sources`."""

    def __init__(self, sources: Sources) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series
        self.sources = sources
        self.multiprocess = multiprocess_dir() is not None
        self.registry = CollectorRegistry()
        # Under several workers, metric objects write to the shared files and are not
        # registered: the MultiProcessCollector reads them back, every worker's at once.
        own = None if self.multiprocess else self.registry
        self.requests = Counter(
            "registry_http_requests",
            "HTTP requests by method, route template and status",
            REQUEST_LABELS,
            registry=own,
        )
        self.duration = BucketHistogram(
            "registry_http_request_duration_seconds",
            "Time to answer HTTP requests, by method, route template and status",
            REQUEST_LABELS,
            buckets=BUCKETS,
            registry=own,
        )
        self.hot_path = Counter(
            "registry_hot_path_answers",
            "Answers of the hot read path (GET /schemas/ids/{id}, from memory), by route "
            "template and status; also counted in registry_http_requests_total",
            ("route", "status"),
            registry=own,
        )
        self.families: dict[str, Counter | Gauge] = {f.name: _metric(f, own) for f in FAMILIES}
        if self.multiprocess:
            multiprocess.MultiProcessCollector(self.registry)  # type: ignore[no-untyped-call]
        else:  # the default registry's process, platform and GC collectors, shared
            for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
                self.registry.register(collector)
        self.registry.register(InventoryCollector(sources.inventory))
        self.registry.register(BuildInfoCollector())
        self._lock = threading.Lock()
        self._counted: dict[tuple[str, tuple[str, ...]], float] = {}
        self._series: dict[tuple[bool, str, str, int], tuple[list[int], float]] = {}
        self._children: dict[tuple[str, tuple[str, ...]], Any] = {}

    @property
    def collector(self) -> FlushingCollector:
        """What to expose: the registry, flushed before each collection."""
        return FlushingCollector(self)

    def exposition(self, accept: str | None) -> tuple[bytes, str]:
        """The body and content type of a scrape (OpenMetrics when the scraper asks)."""
        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.collector), content_type

    def flush(self) -> None:
        """Push every change since the last flush into the Prometheus metrics."""
        with self._lock:
            for reading in self.sources.readings():
                self._push(reading)
            self._push_requests(self.sources.app_requests, hot=False)
            self._push_requests(self.sources.hot_requests, hot=True)

    def _child(self, metric: Any, name: str, labels: tuple[str, ...]) -> Any:
        key = (name, labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels) if labels else metric
        return child

    def _push(self, reading: Reading) -> None:
        family, labels, value = reading
        child = self._child(self.families[family.name], family.name, labels)
        if family.kind == "gauge":
            child.set(value)
            return
        key = (family.name, labels)
        delta = value - self._counted.get(key, 0)
        if delta > 0:
            child.inc(delta)
            self._counted[key] = value

    def _push_requests(self, stats: RequestStats, *, hot: bool) -> None:
        for key, series in stats.items():
            counts, seconds = list(series.buckets), series.seconds
            seen = (hot, *key)
            last_counts, last_seconds = self._series.get(seen, ([0] * len(counts), 0.0))
            deltas = [now - before for now, before in zip(counts, last_counts, strict=True)]
            total = sum(deltas)
            if total <= 0:
                continue
            labels = (key[0], key[1], str(key[2]))
            self._child(self.requests, "requests", labels).inc(total)
            self._child(self.duration, "duration", labels).add(deltas, seconds - last_seconds)
            if hot:
                self._child(self.hot_path, "hot", labels[1:]).inc(total)
            self._series[seen] = (counts, seconds)

    async def flush_periodically(self, period: float = FLUSH_SECONDS) -> None:
        """Flush every ``period`` seconds (several workers: the others' scrapes read files)."""
        while True:
            await asyncio.sleep(period)
            self.flush()

    def serve_port(self, host: str, port: int) -> Any:
        """Serve the metrics, unauthenticated, on ``host:port``; the server to shut down."""
        return serve_collector(self.collector, host, port)

    def process_exited(self) -> None:
        """Flush a last time; under several workers, drop this process's live gauges."""
        self.flush()
        if self.multiprocess:
            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def _metric(family: Family, registry: CollectorRegistry | None) -> Counter | Gauge:
    if family.kind == "counter":
        return Counter(family.name, family.help, family.labels, registry=registry)
    return Gauge(
        family.name, family.help, family.labels, registry=registry, multiprocess_mode=family.mode
    )


def serve_collector(collector: Collector, host: str, port: int) -> Any:
    """Serve ``collector`` on ``http://host:port/metrics`` (any path), unauthenticated, from a
    daemon thread; the server to shut down."""
    server, _ = start_http_server(port, addr=host, registry=collector)
    log.info("metrics on http://%s:%d/metrics", host, port)
    return server


def supervisor_collector(inventory: Inventory) -> CollectorRegistry:
    """What the metrics port serves when ``esr serve`` runs several workers: every worker's
    files, and the database's gauges (the supervisor is no worker: it counts nothing)."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    registry.register(InventoryCollector(inventory))
    registry.register(BuildInfoCollector())
    return registry


def prepare_multiprocess_dir() -> tuple[Path, bool]:
    """The multiprocess directory for the workers about to start, emptied of old files
    (prometheus_client requires a clean one per run); whether it was made here and must be
    removed at exit (an operator's own ``PROMETHEUS_MULTIPROC_DIR`` is kept, emptied)."""
    given = multiprocess_dir()
    if given is None:
        made = Path(tempfile.mkdtemp(prefix="esr-metrics-"))
        os.environ[MULTIPROC_ENV] = str(made)
        return made, True
    path = Path(given)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    return path, False


def remove_multiprocess_dir(path: Path) -> None:
    """Remove a directory :func:`prepare_multiprocess_dir` made."""
    shutil.rmtree(path, ignore_errors=True)
