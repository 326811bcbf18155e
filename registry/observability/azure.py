"""Azure Monitor (Application Insights) through the ``azure-monitor-opentelemetry`` distro.

On when ``APPLICATIONINSIGHTS_CONNECTION_STRING`` is set and the extra ``[azure-monitor]`` is
installed. The distro sets the global tracer, meter and logger providers; requests, SQL
statements and the ``registry`` logger's records then reach Application Insights as requests,
dependencies and traces. Spans and metric readers the ``OTEL_*`` variables ask for (OTLP) are
added to the same providers, so both destinations get the same telemetry.

The distro contacts nothing but the connection string's ``IngestionEndpoint`` here. By default
it would also probe the instance-metadata address (169.254.169.254: its Azure VM resource
detector and statsbeat), fetch remote configuration (OneSettings) and stream live metrics;
these stay off unless the environment says otherwise:

* ``OTEL_EXPERIMENTAL_RESOURCE_DETECTORS`` defaults to ``otel`` (``OTEL_SERVICE_NAME`` and
  ``OTEL_RESOURCE_ATTRIBUTES`` only); set it to ``otel,azure_app_service,azure_vm`` to detect;
* ``APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL`` and ``APPLICATIONINSIGHTS_CONTROLPLANE_DISABLED``
  default to ``true``;
* live metrics are on only with ``REGISTRY_AZURE_LIVE_METRICS=true``.

FastAPI's own instrumentation in the distro is turned off: FastAPI's native telemetry already
makes the request spans (see ``otel``), and two would be counted twice.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from registry.config import Settings

log = logging.getLogger("registry.telemetry")

QUIET_DEFAULTS = {
    "OTEL_EXPERIMENTAL_RESOURCE_DETECTORS": "otel",
    "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL": "true",
    "APPLICATIONINSIGHTS_CONTROLPLANE_DISABLED": "true",
}


def configure_azure_monitor(
    settings: Settings, span_processors: list[Any], metric_readers: list[Any]
) -> bool:
    """Configure the distro (with the extra processors and readers); False when it is not
    installed (logged)."""
    try:
        from azure.monitor.opentelemetry import configure_azure_monitor as configure
    except ImportError:
        log.warning(
            "APPLICATIONINSIGHTS_CONNECTION_STRING is set but azure-monitor-opentelemetry is "
            "not installed: pip install 'event-schema-registry[azure-monitor]'; Azure Monitor "
            "is off"
        )
        return False
    for name, value in QUIET_DEFAULTS.items():
        os.environ.setdefault(name, value)
    configure(
        logger_name="registry",
        enable_live_metrics=settings.azure_live_metrics,
        instrumentation_options={"fastapi": {"enabled": False}},
        span_processors=span_processors,
        metric_readers=metric_readers,
    )
    log.info("Azure Monitor: on (live metrics %s)", "on" if settings.azure_live_metrics else "off")
    return True
