"""OpenTelemetry traces and metrics, configured by the standard ``OTEL_*`` variables.

Off unless asked for: tracing is on when ``OTEL_TRACES_EXPORTER`` names an exporter (not
``none``) or an OTLP endpoint is set (``OTEL_EXPORTER_OTLP_ENDPOINT`` or
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``), metrics likewise with ``METRICS``, and both when
``APPLICATIONINSIGHTS_CONNECTION_STRING`` is set (Azure Monitor, see ``azure``).
``OTEL_SDK_DISABLED=true`` turns everything off. Everything else is the SDK's own reading of the
environment: ``OTEL_SERVICE_NAME`` and ``OTEL_RESOURCE_ATTRIBUTES``, the endpoints, headers,
timeouts and protocol (``http/protobuf`` by default; ``grpc`` when its exporter is installed),
``OTEL_TRACES_SAMPLER``, ``OTEL_PROPAGATORS``, the batch processor's ``OTEL_BSP_*``,
``OTEL_METRIC_EXPORT_INTERVAL``; and ``OTEL_PYTHON_ID_GENERATOR`` (``xray``) is honoured.
The SDK is the optional extra ``[otel]``; without it a configured variable gets one warning.

What is traced:

* requests the application answers: FastAPI's own telemetry (``FastAPI(telemetry=...)``, in
  FastAPI since 0.142; it takes the place of the contrib FastAPI and ASGI instrumentations)
  makes the server span, named by route template, with child spans for dependencies, the
  endpoint and serialization, and records ``http.server.request.duration``;
* answers of the hot path (:class:`HotPathTracer`), which never reach FastAPI: one server span
  each, with the same attributes. While tracing is on the hot path answers only from its cache,
  and leaves a miss to the application, so that the database read is traced under its request;
* SQL statements (the SQLAlchemy instrumentation, on the registry's own engine);
* ``/health``, ``/ready`` and ``/metrics`` are not traced (probes and scrapes).

The registry's counters (see ``sources``) are exported as observable instruments under their
Prometheus names, read when the SDK collects.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Awaitable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from fastapi.telemetry import TelemetryConfig
from opentelemetry import metrics, propagate, trace
from opentelemetry.metrics import CallbackOptions, MeterProvider, Observation
from opentelemetry.propagators.textmap import Getter
from opentelemetry.trace import SpanKind, Tracer, TracerProvider

from registry import __version__
from registry.config import Settings
from registry.observability.logs import use_trace_ids
from registry.observability.sources import FAMILIES, INVENTORY, Family, Reading, Sources

log = logging.getLogger("registry.telemetry")

UNTRACED = frozenset({"/health", "/ready", "/metrics"})
AZURE_CONNECTION_STRING = "APPLICATIONINSIGHTS_CONNECTION_STRING"


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def signal_wanted(signal: str) -> bool:
    """Whether the environment asks for ``TRACES`` or ``METRICS`` to be exported."""
    exporter = _env(f"OTEL_{signal}_EXPORTER").lower()
    if exporter:
        return exporter != "none"
    return bool(
        _env("OTEL_EXPORTER_OTLP_ENDPOINT") or _env(f"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT")
    )


def configured() -> bool:
    """Whether the environment asks for any telemetry at all."""
    if _env("OTEL_SDK_DISABLED").lower() == "true":
        return False
    return bool(_env(AZURE_CONNECTION_STRING)) or any(
        signal_wanted(s) for s in ("TRACES", "METRICS")
    )


class _HeaderGetter(Getter[list[tuple[bytes, bytes]]]):
    """Reads trace context (``traceparent``, ``tracestate``, ``baggage``) from ASGI headers."""

    def get(self, carrier: list[tuple[bytes, bytes]], key: str) -> list[str] | None:
        wanted = key.encode("latin-1")
        found = [v.decode("latin-1") for k, v in carrier if k == wanted]
        return found or None

    def keys(self, carrier: list[tuple[bytes, bytes]]) -> list[str]:
        return [k.decode("latin-1") for k, _ in carrier]


_HEADERS = _HeaderGetter()


class HotPathTracer:
    """Server spans for the answers of the hot path, as FastAPI makes them for the rest.

    Kept cheap for the spans a sampler drops: trace context is only parsed when the request
    carries one of the propagator's headers, and a span that records nothing is not made
    current (nothing would correlate with it).
    """

    def __init__(self, tracer: Tracer) -> None:
        self.tracer = tracer
        self.fields = frozenset(f.encode("latin-1") for f in propagate.get_global_textmap().fields)

    async def around(
        self, scope: MutableMapping[str, Any], route: str, answer: Awaitable[int]
    ) -> int:
        """Await ``answer`` (it sends the response and returns its status) inside a span."""
        headers = scope["headers"]
        parent = None
        if any(name in self.fields for name, _ in headers):
            parent = propagate.extract(headers, getter=_HEADERS)
        span = self.tracer.start_span(
            f"GET {route}",
            context=parent,
            kind=SpanKind.SERVER,
            attributes={"http.request.method": "GET", "http.route": route},
        )
        if not span.is_recording():
            status = await answer
            span.end()
            return status
        span.set_attributes(
            {
                "url.path": scope["path"],
                "url.scheme": scope.get("scheme", "http"),
                "network.protocol.version": scope.get("http_version", "1.1"),
                "registry.hot_path": True,
            }
        )
        with trace.use_span(span, end_on_exit=True):
            status = await answer
            span.set_attribute("http.response.status_code", status)
        return status


@dataclass
class Telemetry:
    """The providers the server reports to (SDK ones, or any the caller built)."""

    tracer_provider: TracerProvider | None = None
    meter_provider: MeterProvider | None = None

    def fastapi_options(self) -> TelemetryConfig:
        """``FastAPI(telemetry=...)``: these providers, probes and scrapes left out."""
        return {
            "tracer_provider": self.tracer_provider,
            "meter_provider": self.meter_provider,
            "tracing": self.tracer_provider is not None,
            "metrics": self.meter_provider is not None,
            "exclude": untraced,
        }

    def hot_path_tracer(self) -> HotPathTracer | None:
        """Spans for hot-path answers, when tracing is on."""
        if self.tracer_provider is None:
            return None
        return HotPathTracer(self.tracer_provider.get_tracer("registry.hotpath", __version__))

    def instrument_engine(self, engine: Any) -> None:
        """Trace the SQL statements of one SQLAlchemy engine (when the instrumentation is
        installed; it comes with the extras)."""
        if self.tracer_provider is None:
            return
        try:
            from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
        except ImportError:
            log.info("SQL statements are not traced: opentelemetry-instrumentation-sqlalchemy")
            return
        tracer = self.tracer_provider.get_tracer("opentelemetry.instrumentation.sqlalchemy")
        meter = (self.meter_provider or metrics.NoOpMeterProvider()).get_meter(
            "opentelemetry.instrumentation.sqlalchemy"
        )
        usage = meter.create_up_down_counter("db.client.connections.usage", unit="connections")
        # The engine-level tracer of the instrumentation: what instrument(engine=...) builds,
        # without patching sqlalchemy.create_engine for the whole process.
        EngineTracer(tracer, engine, usage)  # type: ignore[no-untyped-call]

    def observe(self, sources: Sources) -> None:
        """Export the registry's counters and gauges as observable instruments."""
        if self.meter_provider is None:
            return
        meter = self.meter_provider.get_meter("registry", __version__)
        snapshot = _Snapshot(sources)
        for family in (*FAMILIES, *INVENTORY):
            callback = snapshot.callback(family)
            if family.kind == "counter":
                meter.create_observable_counter(family.name, [callback], description=family.help)
            else:
                meter.create_observable_gauge(family.name, [callback], description=family.help)
        meter.create_observable_counter(
            "registry_http_requests",
            [snapshot.requests],
            description="HTTP requests by method, route template and status",
        )

    def trace_logs(self) -> None:
        """Put the current trace and span ids on log records."""
        if self.tracer_provider is not None:
            use_trace_ids(_current_ids)

    def force_flush(self) -> None:
        """Export what is buffered (at shutdown)."""
        for provider in (self.tracer_provider, self.meter_provider):
            flush = getattr(provider, "force_flush", None)
            if flush is not None:
                flush()


def untraced(scope: MutableMapping[str, Any]) -> bool:
    return scope.get("path") in UNTRACED


def _current_ids() -> tuple[str, str] | None:
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


class _Snapshot:
    """One reading of every source per collection (the SDK calls each family's callback in
    turn; they share the reading taken by the first)."""

    def __init__(self, sources: Sources, max_age: float = 1.0) -> None:
        self.sources = sources
        self.max_age = max_age
        self._lock = threading.Lock()
        self._taken = float("-inf")
        self._readings: list[Reading] = []

    def _current(self) -> list[Reading]:
        with self._lock:
            if time.monotonic() - self._taken > self.max_age:
                self._readings = [
                    *self.sources.readings(),
                    *self.sources.inventory_readings(),
                ]
                self._taken = time.monotonic()
            return self._readings

    def callback(self, family: Family) -> Any:
        def observe(options: CallbackOptions) -> Iterable[Observation]:
            return [
                Observation(value, dict(zip(f.labels, labels, strict=True)))
                for f, labels, value in self._current()
                if f is family
            ]

        return observe

    def requests(self, options: CallbackOptions) -> Iterator[Observation]:
        totals: dict[tuple[str, str, int], int] = {}
        for stats in (self.sources.app_requests, self.sources.hot_requests):
            for key, series in stats.items():
                totals[key] = totals.get(key, 0) + series.count
        for (method, route, status), count in sorted(totals.items()):
            yield Observation(count, {"method": method, "route": route, "status": str(status)})


def from_environment(settings: Settings) -> Telemetry | None:
    """Providers as the environment configures them (None: telemetry is off, or its packages
    are missing, which is logged once)."""
    if not configured():
        return None
    try:
        from opentelemetry.sdk.metrics import MeterProvider as SdkMeterProvider
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        log.warning(
            "OpenTelemetry is configured (OTEL_* or %s) but its SDK is not installed: "
            "pip install 'event-schema-registry[otel]' (or [azure-monitor]); telemetry is off",
            AZURE_CONNECTION_STRING,
        )
        return None
    processors = [BatchSpanProcessor(e) for e in _exporters("traces")]
    readers = [PeriodicExportingMetricReader(e) for e in _exporters("metrics")]
    if _env(AZURE_CONNECTION_STRING):
        from registry.observability.azure import configure_azure_monitor

        if configure_azure_monitor(settings, processors, readers):
            return Telemetry(trace.get_tracer_provider(), metrics.get_meter_provider())
    if not processors and not readers:
        return None
    resource = Resource.create()
    telemetry = Telemetry()
    if processors:
        tracer_provider = SdkTracerProvider(resource=resource, id_generator=_id_generator())
        for processor in processors:
            tracer_provider.add_span_processor(processor)
        trace.set_tracer_provider(tracer_provider)
        telemetry.tracer_provider = tracer_provider
    if readers:
        meter_provider = SdkMeterProvider(resource=resource, metric_readers=readers)
        metrics.set_meter_provider(meter_provider)
        telemetry.meter_provider = meter_provider
    log.info(
        "OpenTelemetry: traces %s, metrics %s",
        "on" if processors else "off",
        "on" if readers else "off",
    )
    return telemetry


def _exporters(signal: str) -> list[Any]:
    """The exporters ``OTEL_<SIGNAL>_EXPORTER`` names (default ``otlp`` when wanted)."""
    if not signal_wanted(signal.upper()):
        return []
    names = _env(f"OTEL_{signal.upper()}_EXPORTER").lower() or "otlp"
    found = []
    for name in (n.strip() for n in names.split(",")):
        if not name or name == "none":
            continue
        exporter = _otlp(signal) if name == "otlp" else _entry_point(signal, name)
        if exporter is not None:
            found.append(exporter)
    return found


def _otlp(signal: str) -> Any:
    protocol = (
        _env(f"OTEL_EXPORTER_OTLP_{signal.upper()}_PROTOCOL")
        or _env("OTEL_EXPORTER_OTLP_PROTOCOL")
        or "http/protobuf"
    )
    transport = {"http/protobuf": "http", "grpc": "grpc"}.get(protocol)
    if transport is None:
        log.warning("OTLP protocol %r is not supported: use http/protobuf or grpc", protocol)
        return None
    module = "trace_exporter" if signal == "traces" else "metric_exporter"
    name = "OTLPSpanExporter" if signal == "traces" else "OTLPMetricExporter"
    try:
        exporters = __import__(
            f"opentelemetry.exporter.otlp.proto.{transport}.{module}", fromlist=[name]
        )
    except ImportError:
        log.warning(
            "OTLP over %s is not installed: pip install opentelemetry-exporter-otlp-proto-%s",
            protocol,
            transport,
        )
        return None
    return getattr(exporters, name)()


def _id_generator() -> Any:
    """``OTEL_PYTHON_ID_GENERATOR`` (``xray`` with opentelemetry-sdk-extension-aws), or the
    SDK's random ids."""
    name = _env("OTEL_PYTHON_ID_GENERATOR")
    if not name or name == "random":
        return None
    for entry in entry_points(group="opentelemetry_id_generator", name=name):
        return entry.load()()
    log.warning("no OpenTelemetry id generator named %r is installed: random ids", name)
    return None


def _entry_point(signal: str, name: str) -> Any:
    for entry in entry_points(group=f"opentelemetry_{signal}_exporter", name=name):
        return entry.load()()
    log.warning("no OpenTelemetry %s exporter named %r is installed", signal, name)
    return None


_process_telemetry: Telemetry | None = None
_process_lock = threading.Lock()
_process_configured = False


def process_telemetry(settings: Settings) -> Telemetry | None:
    """This process's telemetry, configured from the environment the first time (the global
    providers can be set once per process)."""
    global _process_telemetry, _process_configured
    with _process_lock:
        if not _process_configured:
            _process_telemetry = from_environment(settings)
            _process_configured = True
        return _process_telemetry
