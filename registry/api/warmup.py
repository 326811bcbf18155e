"""Warming the answer cache when a server starts, so that a fleet restarting against a fresh
node finds its schemas in memory.

Confluent's registry holds every schema in memory; here the answers of ``GET /schemas/ids/{id}``
are loaded in the background, newest id first (the ones producers and consumers most likely
ask for), until every schema is in or the cache is full (``REGISTRY_ANSWER_CACHE_BYTES``). It
never evicts what requests put there, never delays readiness, and stops with the server.
"""

from __future__ import annotations

import logging
import threading
import time

from registry.api.hotpath import AnswerCache
from registry.api.models import immutable_body
from registry.errors import RegistryError
from registry.service import RegistryService

log = logging.getLogger("registry.api")


def warm_answers(service: RegistryService, answers: AnswerCache, stop: threading.Event) -> int:
    """Load answers until done, full or stopped; how many were loaded."""
    started = time.monotonic()
    loaded = 0
    try:
        for batch in service.schemas_newest_first():
            for stored in batch:
                if stop.is_set() or not answers.offer(
                    ("id", stored.id), immutable_body("id", stored)
                ):
                    return _done(loaded, started, "stopped" if stop.is_set() else "cache full")
                loaded += 1
    except RegistryError as exc:  # the database went away: requests will load what they need
        log.warning("cache warm-up stopped after %d schemas: %s", loaded, exc)
        return loaded
    return _done(loaded, started, "every schema")


def _done(loaded: int, started: float, why: str) -> int:
    log.info("cache warm-up: %d schemas in %.1f s (%s)", loaded, time.monotonic() - started, why)
    return loaded


def start_warm_up(service: RegistryService, answers: AnswerCache) -> threading.Event:
    """Warm in a background thread; set the returned event to stop it."""
    stop = threading.Event()
    if answers.max_bytes > 0:
        thread = threading.Thread(
            target=warm_answers, args=(service, answers, stop), name="esr-warm-up", daemon=True
        )
        thread.start()
    return stop
