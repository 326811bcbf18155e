"""Renderers of a :class:`~registry.cli.gate.model.GateReport`, one module per output format.

Each module has ``render(report, *, color=False) -> str``. ``text`` is for people at a terminal,
``json`` for programs (versioned; its JSON Schema is ``docs/gate-output.schema.json``),
``github`` for workflow annotations, ``markdown`` for pull-request comments and job summaries,
``junit`` for CI test reports, ``sarif`` for code scanning.
"""

from __future__ import annotations

import importlib

from registry.cli.gate.model import GateReport
from registry.errors import InvalidInput

FORMATS: tuple[str, ...] = ("text", "json", "github", "markdown", "junit", "sarif")


def render(report: GateReport, fmt: str, *, color: bool = False) -> str:
    """The report in one output format; unknown formats are a usage error."""
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown output format '{fmt}'; use one of {', '.join(FORMATS)}")
    module = importlib.import_module(f"registry.cli.gate.render.{fmt}")
    text: str = module.render(report, color=color)
    return text


__all__ = ["FORMATS", "render"]
