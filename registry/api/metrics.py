"""Observability of the API: ``/metrics``, the request observer, and the wiring of both.

``GET /metrics`` answers Prometheus' text format (OpenMetrics when the scraper asks for it).
It needs the admin role once the registry has users (it is open while it has none, like every
route), and it is left out of the OpenAPI document: it is for operators, not for clients of
the registry. ``REGISTRY_METRICS_PORT`` serves the same metrics without authentication on a
port of their own, for scrapers inside the cluster (see ``registry.observability.prometheus``).

:class:`RequestObserver` sits between the hot path and FastAPI: every request the application
answers is counted by method, route template (``/subjects/{subject}/versions``, never the
raw path) and status, with its latency, in plain ints; and it runs with a request id, the
caller's ``X-Request-ID`` when it is safe to echo, which every log record emitted meanwhile
carries and the response returns.

:func:`start_observing` runs, for the server's lifetime, the flushes of several workers or the
metrics port of a single one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from time import perf_counter
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.api.deps import ADMIN
from registry.api.hotpath import AnswerCache
from registry.config import Settings
from registry.observability.inventory import Inventory
from registry.observability.logs import REQUEST_ID, REQUEST_ID_HEADER, request_id
from registry.observability.prometheus import PrometheusMetrics
from registry.observability.sources import CountingWorker, Sources
from registry.service import RegistryService
from registry.stats import UNMATCHED, RequestStats
from registry.storage.engine import Database

METRICS_PATH = "/metrics"
router = APIRouter()


@router.get(METRICS_PATH, dependencies=[ADMIN], include_in_schema=False)
async def get_metrics(request: Request) -> Response:
    """Every metric of this process (of every worker, under several)."""
    metrics: PrometheusMetrics = request.app.state.metrics
    body, content_type = await run_in_threadpool(metrics.exposition, request.headers.get("accept"))
    return Response(body, media_type=content_type)


class RequestObserver:
    """Counts and identifies every request the application answers."""

    def __init__(self, app: ASGIApp, requests: RequestStats) -> None:
        self.app = app
        self.requests = requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = perf_counter()
        given = None
        for name, value in scope["headers"]:
            if name == REQUEST_ID_HEADER:
                given = value
                break
        rid = request_id(given)
        echoed = (REQUEST_ID_HEADER, rid.encode("ascii"))
        status = 500  # unless the application sends a response

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), echoed]
            await send(message)

        token = REQUEST_ID.set(rid)
        try:
            await self.app(scope, receive, observed)
        finally:
            REQUEST_ID.reset(token)
            # FastAPI's router put the matched route into this very scope; its template is
            # the path without convertors (``{subject}``, not ``{subject:segment}``).
            matched = scope.get("route")
            route = getattr(matched, "path_format", None) or getattr(matched, "path", None)
            route = route or UNMATCHED
            self.requests.observe(scope["method"], route, status, perf_counter() - start)


def metric_sources(
    settings: Settings,
    db: Database,
    service: RegistryService,
    answers: AnswerCache,
    sync_worker: Callable[[], CountingWorker | None],
) -> Sources:
    """Where this server's numbers come from."""
    return Sources(
        service=service,
        store_errors=db.store_errors,
        caches={"answers": answers},
        cache_bytes=lambda: {"answers": answers.size_bytes},
        inventory=Inventory(db, list(settings.sync.targets()), settings.sync.subjects),
        sync_worker=sync_worker,
    )


class Observing:
    """What a server runs for its metrics: the flushes under several workers, the metrics
    port of a single worker (``esr serve`` serves it itself for several)."""

    def __init__(self, metrics: PrometheusMetrics) -> None:
        self.metrics = metrics
        self.flushing: asyncio.Task[None] | None = None
        self.port: Any = None

    def stop(self) -> None:
        """Stop both, and flush a last time."""
        if self.flushing is not None:
            self.flushing.cancel()
        if self.port is not None:
            self.port.shutdown()
            self.port.server_close()
        self.metrics.process_exited()


def start_observing(settings: Settings, metrics: PrometheusMetrics) -> Observing:
    """Start what :class:`Observing` runs, on the running event loop."""
    observing = Observing(metrics)
    if metrics.multiprocess:
        observing.flushing = asyncio.create_task(metrics.flush_periodically())
    elif settings.metrics_port is not None and settings.workers == 1:
        observing.port = metrics.serve_port(settings.host, settings.metrics_port)
    return observing
