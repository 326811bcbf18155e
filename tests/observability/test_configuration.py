"""When telemetry is on: the standard variables decide, and nothing is on by default."""

from __future__ import annotations

import pytest

from registry.observability.otel import configured, signal_wanted

VARIABLES = (
    "OTEL_SDK_DISABLED",
    "OTEL_TRACES_EXPORTER",
    "OTEL_METRICS_EXPORTER",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
)


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("environment", "traces", "metrics", "on"),
    [
        ({}, False, False, False),
        ({"OTEL_SERVICE_NAME": "esr"}, False, False, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, True, True, True),
        (
            {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"},
            True,
            False,
            True,
        ),
        ({"OTEL_TRACES_EXPORTER": "console"}, True, False, True),
        (
            {
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318",
                "OTEL_METRICS_EXPORTER": "none",
            },
            True,
            False,
            True,
        ),
        ({"APPLICATIONINSIGHTS_CONNECTION_STRING": "InstrumentationKey=x"}, False, False, True),
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_SDK_DISABLED": "true"},
            True,
            True,
            False,
        ),
    ],
)
def test_the_environment_decides(
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    traces: bool,
    metrics: bool,
    on: bool,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    assert (signal_wanted("TRACES"), signal_wanted("METRICS"), configured()) == (
        traces,
        metrics,
        on,
    )
