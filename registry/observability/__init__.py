"""Metrics, traces and log context for the server.

* ``registry.stats`` (outside this package, at the bottom of the layers, so that storage,
  service and sync may count): plain counters the registry keeps as it works (requests,
  registrations, cache hits, database errors, sync pushes); nothing on a request's way but an
  integer increment.
* ``prometheus``: ``/metrics``: turns those counters into Prometheus metrics, at scrape time and
  every second under several workers (prometheus_client's multiprocess mode).
* ``inventory``: gauges read from the database (schemas, subjects, sync lag), cached briefly.
* ``otel`` and ``azure``: OpenTelemetry traces and metrics, and Azure Monitor, when the
  environment asks for them (``OTEL_*``, ``APPLICATIONINSIGHTS_CONNECTION_STRING``) and the
  extras ``[otel]`` or ``[azure-monitor]`` are installed.
* ``logs``: the request id and the trace context put on every log record.

This package imports nothing heavy: each module is imported where it is used.
"""
