"""Background sync for the server: push each registration to every configured target.

The server calls :meth:`SyncWorker.notify` after a successful registration. It only queues the
subject and returns, so a slow or broken target never fails or slows a registration. One thread
works the queue: it runs :func:`~registry.sync.runner.sync_subject` per target, records a
:class:`~registry.sync.base.SyncState` (last synced version, last error, attempts) in a
:class:`StateStore`, and retries a failed subject after :func:`backoff_delay` (exponential in the
attempts so far, capped). When the target comes back, the next attempt catches up: it pushes
every version the target lacks, in order.

``GET /api/sync`` shows :meth:`SyncWorker.states`; ``POST /api/sync/{target}`` calls
:meth:`SyncWorker.run_all`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from registry.stats import Tally
from registry.sync.base import Outcome, SchemaSource, SubjectResult, SyncState, SyncTarget
from registry.sync.runner import RetryPolicy, SyncReport, backoff_delay, run_sync, sync_subject


class StateStore(Protocol):
    """Where sync state lives (the server keeps it in its database)."""

    def load(self, target: str, subject: str) -> SyncState:
        """The state of one target and subject (a fresh one when unknown)."""
        ...

    def save(self, state: SyncState) -> None:
        """Store a state."""
        ...

    def all(self) -> list[SyncState]:
        """Every state, sorted by target and subject."""
        ...


class MemoryStateStore:
    """A :class:`StateStore` in a dict (tests, and servers without a database table yet)."""

    def __init__(self) -> None:
        self._states: dict[tuple[str, str], SyncState] = {}
        self._lock = threading.Lock()

    def load(self, target: str, subject: str) -> SyncState:
        """A copy of the stored state, or a fresh one."""
        with self._lock:
            found = self._states.get((target, subject))
            if found is None:
                return SyncState(target, subject)
            return SyncState(
                target, subject, found.last_synced_version, found.last_error, found.attempts
            )

    def save(self, state: SyncState) -> None:
        """Replace the stored state."""
        with self._lock:
            self._states[(state.target, state.subject)] = state

    def all(self) -> list[SyncState]:
        """Every state, sorted."""
        with self._lock:
            return [self._states[k] for k in sorted(self._states)]


class SyncWorker:
    """One thread that keeps every configured target in step with the registry."""

    def __init__(
        self,
        targets: dict[str, SyncTarget],
        source: SchemaSource,
        store: StateStore | None = None,
        *,
        base_delay: float = 1.0,
        max_delay: float = 300.0,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.targets = dict(targets)
        self.source = source
        self.store: StateStore = store or MemoryStateStore()
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.retry = retry or RetryPolicy()
        self._clock = clock
        self._due: dict[tuple[str, str], float] = {}
        self._ready: set[str] = set()
        self._busy = False
        self._stopping = False
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        # Counters for /metrics: subject pushes by (target, "ok" | "failed"), and when each
        # target last took a push (wall-clock seconds).
        self.pushes: Tally[tuple[str, str]] = Tally()
        self.last_success: dict[str, float] = {}

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> SyncWorker:
        """Start the worker thread (a daemon: it never keeps the server alive)."""
        if self._thread is None:
            self._stopping = False
            self._thread = threading.Thread(target=self._loop, name="esr-sync", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current subject and stop; queued subjects stay queued."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    # --- what the server calls -----------------------------------------------------------------

    def notify(self, subject: str) -> None:
        """Queue ``subject`` for every target, due now. Never blocks on a target."""
        now = self._clock()
        with self._wake:
            for name in self.targets:
                self._due[(name, subject)] = now
            self._wake.notify_all()

    def states(self) -> list[SyncState]:
        """Every recorded state (for ``GET /api/sync``)."""
        return self.store.all()

    def pending(self) -> list[tuple[str, str]]:
        """(target, subject) pairs still waiting, sorted."""
        with self._wake:
            return sorted(self._due)

    def run_all(self, name: str) -> SyncReport:
        """A full run to one target, now, recording every subject's state."""
        report = run_sync(self.targets[name], self.source, retry=self.retry)
        for result in report.results:
            self._record(name, result)
        self._ready.add(name)
        return report

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is due or running (tests); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._wake:
            while self._busy or any(t <= self._clock() for t in self._due.values()):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._wake.wait(min(left, 0.05))
        return True

    # --- the loop --------------------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            with self._wake:
                job = self._next_job()
                if job is None:
                    return
                self._busy = True
            try:
                self._attempt(*job)
            finally:
                with self._wake:
                    self._busy = False
                    self._wake.notify_all()

    def _next_job(self) -> tuple[str, str] | None:
        """The earliest due job, waiting for it; None when stopping. Holds ``_wake``."""
        while not self._stopping:
            if self._due:
                job, due = min(self._due.items(), key=lambda item: item[1])
                wait = due - self._clock()
                if wait <= 0:
                    del self._due[job]
                    return job
                self._wake.wait(min(wait, 1.0))
            else:
                self._wake.wait(1.0)
        return None

    def _attempt(self, name: str, subject: str) -> None:
        target = self.targets[name]
        try:
            if name not in self._ready:
                target.ensure_ready(create=True)
                self._ready.add(name)
            result = sync_subject(target, self.source, subject, retry=self.retry)
        except Exception as exc:  # a worker thread must survive anything a target does
            message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            result = SubjectResult(subject, subject, Outcome.FAILED, str(message))
        state = self._record(name, result)
        if result.outcome is Outcome.FAILED:
            delay = backoff_delay(state.attempts, base=self.base_delay, cap=self.max_delay)
            with self._wake:
                self._due.setdefault((name, subject), self._clock() + delay)

    def _record(self, name: str, result: SubjectResult) -> SyncState:
        failed = result.outcome is Outcome.FAILED
        self.pushes.add((name, "failed" if failed else "ok"))
        if not failed:
            self.last_success[name] = time.time()
        state = self.store.load(name, result.subject)
        state.record(result)
        self.store.save(state)
        return state
