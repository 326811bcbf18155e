"""Counters the registry keeps while it works, in plain Python integers.

Nothing here knows Prometheus or OpenTelemetry: the exporters read these counters when they
are scraped or flushed (``registry.observability.prometheus``, ``registry.observability.otel``).
That keeps the cost on the request path to an increment, which matters most on the hot path
(``GET /schemas/ids/{id}`` answered from memory in tens of microseconds), where a
prometheus_client label lookup and histogram observation would cost more than the answer.

Two kinds:

* :class:`RequestStats` and :class:`Series`: requests by method, route template and status,
  with their latency in the fixed buckets of :data:`BUCKETS`. Written only by the event loop's
  thread; read from any thread (reading an int is atomic, and a reader sees at worst a count
  that the next read completes).
* :class:`Tally`: counts by a key, for the few writers on worker threads (registrations,
  database errors, sync pushes); every change takes a lock.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Hashable
from typing import Generic, TypeVar

# Upper bounds of the latency buckets, in seconds; the last bucket (+Inf) is implied. The low
# end is fine-grained because answers from memory take well under a millisecond.
BUCKETS: tuple[float, ...] = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)
# The route of a request that matched none (an unknown path), or was refused before routing
# (406 and 415 from content negotiation): a fixed value, so paths never become labels.
UNMATCHED = "<unmatched>"
# Methods kept as labels; any other becomes "_OTHER" (OpenTelemetry's convention).
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
K = TypeVar("K", bound=Hashable)


class Series:
    """One (method, route, status): how many requests, their seconds, their latency buckets."""

    __slots__ = ("buckets", "seconds")

    def __init__(self) -> None:
        self.buckets = [0] * (len(BUCKETS) + 1)
        self.seconds = 0.0

    def observe(self, seconds: float) -> None:
        """Count one request that took ``seconds``."""
        self.buckets[bisect_left(BUCKETS, seconds)] += 1
        self.seconds += seconds

    @property
    def count(self) -> int:
        """Requests counted."""
        return sum(self.buckets)


class RequestStats:
    """Requests by (method, route template, status): one :class:`Series` each."""

    def __init__(self) -> None:
        self.series: dict[tuple[str, str, int], Series] = {}

    def series_for(self, method: str, route: str, status: int) -> Series:
        """The series of a label set (created the first time)."""
        key = (method, route, status)
        found = self.series.get(key)
        if found is None:
            found = self.series[key] = Series()
        return found

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one request (an unusual method is counted as ``_OTHER``)."""
        label = method if method in METHODS else "_OTHER"
        self.series_for(label, route, status).observe(seconds)

    def items(self) -> list[tuple[tuple[str, str, int], Series]]:
        """Every series (a copy of the index, safe to walk while requests add series)."""
        return list(self.series.items())


class Tally(Generic[K]):
    """Thread-safe counts by key."""

    def __init__(self) -> None:
        self._counts: dict[K, int] = {}
        self._lock = threading.Lock()

    def add(self, key: K, amount: int = 1) -> None:
        """Add ``amount`` to ``key``."""
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + amount

    def snapshot(self) -> dict[K, int]:
        """A copy of every count."""
        with self._lock:
            return dict(self._counts)

    def __getitem__(self, key: K) -> int:
        with self._lock:
            return self._counts.get(key, 0)
