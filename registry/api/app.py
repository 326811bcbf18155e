"""``create_app(settings)``: the FastAPI application, wired explicitly from one Settings object."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from functools import partial
from typing import Any

from anyio import to_thread
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.telemetry import TelemetryConfig
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry import __version__
from registry.api import errors as api_errors
from registry.api.docs import install_docs
from registry.api.hotpath import AnswerCache, HotPath
from registry.api.metrics import METRICS_PATH, RequestObserver, metric_sources, start_observing
from registry.api.metrics import router as metrics_router
from registry.api.models import immutable_body
from registry.api.openapi import install_openapi
from registry.api.rawpath import RawPathMiddleware
from registry.api.routes import (
    admin,
    associations,
    compatibility,
    config,
    dek_registry,
    meta,
    schemas,
    subjects,
    sync,
)
from registry.api.routes import asyncapi as asyncapi_routes
from registry.api.routes import deploys as deploy_routes
from registry.api.ui import install as install_ui
from registry.api.warmup import start_warm_up
from registry.config import Settings
from registry.errors import RegistryError, RequestTooLarge
from registry.observability.otel import Telemetry, process_telemetry, untraced
from registry.observability.prometheus import PrometheusMetrics
from registry.security import Authenticator
from registry.service import RegistryService
from registry.service.dek import DekRegistryService
from registry.service.deploys import DeployService
from registry.storage.engine import Database
from registry.storage.migrate import upgrade
from registry.sync.server import start_server_sync

log = logging.getLogger("registry.api")


class SchemaRegistryJSONResponse(JSONResponse):
    """JSON answers carry Confluent's preferred media type."""

    media_type = api_errors.MEDIA_TYPE


class BodyLimitMiddleware:
    """Refuse request bodies over the limit (413, error code 41301) before reading them all."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        # Read the whole body first (it is at most max_bytes), so an oversized stream is refused
        # with 413 before any of it reaches the application.
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _message(self) -> str:
        return f"Request body is larger than the limit of {self.max_bytes} bytes"

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = api_errors.registry_error_response(RequestTooLarge(self._message()))
        await response(scope, receive, send)


class RegistryApp(FastAPI):
    """FastAPI behind the hot read path: :class:`HotPath` sees every request first, before
    FastAPI's own per-request work (telemetry hooks, error middleware, routing)."""

    hot_path: HotPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hand the request to the hot path, which calls FastAPI for what it cannot answer."""
        if self.hot_path is None:
            await super().__call__(scope, receive, send)
        else:
            await self.hot_path(scope, receive, send)


def load_immutable(service: RegistryService, kind: str, schema_id: int) -> bytes | None:
    """The answer of an immutable resource for the hot path; None when the application must
    answer (the id does not exist, or the database fails: it says so with the right error)."""
    try:
        return immutable_body(kind, service.schema_by_id(schema_id))
    except RegistryError:
        return None


def operation_id(route: APIRoute) -> str:
    """An operation's id in the OpenAPI document: its handler's name (``register_schema``)."""
    return route.name


async def keep_users_fresh(authenticator: Authenticator, settings: Settings) -> None:
    """Re-read users and tokens in the background, twice per ``auth_refresh_seconds``, so that
    they never go stale and no request waits for them."""
    period = settings.auth_refresh_seconds / 2
    if period <= 0:
        return
    while True:
        try:
            await run_in_threadpool(partial(authenticator.refresh, max_age=period))
        except RegistryError as exc:  # the database is down: requests will say so
            log.warning("could not refresh users and tokens: %s", exc)
        await asyncio.sleep(period)


def create_app(settings: Settings | None = None, *, telemetry: Telemetry | None = None) -> FastAPI:
    """Build the app: database (migrated when configured), service, routes, error mapping,
    metrics, and the telemetry the environment configures (or ``telemetry``'s providers)."""
    settings = settings or Settings()
    if telemetry is None:
        telemetry = process_telemetry(settings)
    db = Database(settings.database_url, pool_size=settings.db_pool_size)
    if telemetry is not None:
        telemetry.instrument_engine(db.engine)
        telemetry.trace_logs()
    if settings.migrate_on_start:
        upgrade(db)
    service = RegistryService(db, settings)
    authenticator = Authenticator(db, settings)
    if authenticator.bootstrap_from_settings():
        log.warning("created the first admin '%s': authentication is on", settings.bootstrap_admin)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # As many request threads as pooled connections: no thread waits for a connection,
        # and no connection is opened and closed per request.
        to_thread.current_default_thread_limiter().total_tokens = settings.db_pool_size
        log.info("registry database: %s", db.display_url)
        app.state.sync_worker = start_server_sync(settings, service)
        refresher = asyncio.create_task(keep_users_fresh(authenticator, settings))
        warming = start_warm_up(service, app.state.answers) if settings.warm_cache else None
        observing = start_observing(settings, metrics)
        yield
        if warming is not None:
            warming.set()
        refresher.cancel()
        # Wait for it: a refresh running on a worker thread would otherwise hand its
        # connection back to the pool after db.dispose() below has closed it.
        with suppress(asyncio.CancelledError):
            await refresher
        if app.state.sync_worker is not None:
            app.state.sync_worker.stop()  # finishes the subject in hand; the rest is re-queued
        observing.stop()
        if telemetry is not None:
            telemetry.force_flush()
        db.dispose()
        log.info("registry stopped")

    answers = AnswerCache(settings.answer_cache_bytes)
    sources = metric_sources(settings, db, service, answers, lambda: app.state.sync_worker)
    metrics = PrometheusMetrics(sources)
    if telemetry is not None:
        telemetry.observe(sources)
    app = RegistryApp(
        telemetry=telemetry.fastapi_options() if telemetry else TelemetryConfig(exclude=untraced),
        title="event-schema-registry",
        version=__version__,
        description=(
            "A schema registry for JSON Schema and Avro events that speaks Confluent Schema "
            "Registry's REST API. Errors are always {error_code, message} with Confluent's codes."
        ),
        default_response_class=SchemaRegistryJSONResponse,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.service = service
    app.state.deks = DekRegistryService(db)
    app.state.authenticator = authenticator
    app.state.answers = answers
    app.state.metrics = metrics
    app.hot_path = HotPath(
        RequestObserver(partial(FastAPI.__call__, app), sources.app_requests),
        answers,
        authenticator.principal_if_known,
        authenticator.enabled_as_last_seen,
        partial(load_immutable, service),
        requests=sources.hot_requests,
        tracer=telemetry.hot_path_tracer() if telemetry else None,
        own_media_types=frozenset({METRICS_PATH}),
        own_prefixes=("/ui",) if settings.ui else (),
    )
    app.state.sync_worker = None
    api_errors.install(app)
    install_openapi(app)
    install_docs(app)
    for module in (
        meta,
        schemas,
        subjects,
        compatibility,
        config,
        associations,
        admin,
        sync,
        dek_registry,
    ):
        app.include_router(module.router)
    app.include_router(deploy_routes.router)
    app.include_router(asyncapi_routes.router)
    app.state.deploys = DeployService(service)
    if settings.ui:
        install_ui(app, settings, service, app.state.deploys, authenticator)
    if settings.metrics:
        app.include_router(metrics_router)
    app.add_middleware(RawPathMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` with several workers: settings from the environment."""
    return create_app(Settings())


def openapi(settings: Settings) -> dict[str, Any]:
    """The OpenAPI document (for docs and the fuzz tests)."""
    return create_app(settings).openapi()
