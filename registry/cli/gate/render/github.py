"""GitHub Actions workflow commands: one annotation per finding, at its file and line.

``::error file=F,line=N,title=T::MESSAGE``. Per GitHub's toolkit (``issueCommand``), the message
escapes ``%``, ``\\r`` and ``\\n``; property values also escape ``:`` and ``,``. Blocking findings
are errors, non-blocking warnings are warnings, waived and informational ones notices.
"""

from __future__ import annotations

from registry.cli.gate.model import GateFinding, GateReport, Severity


def escape_data(value: str) -> str:
    """Escape a command's message."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a command property's value."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int) -> str:
    """One workflow command line."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return (
        f"::{name} {props}::{escape_data(message)}"
        if props
        else f"::{name}::{escape_data(message)}"
    )


def _level(finding: GateFinding) -> str:
    if finding.blocking:
        return "error"
    if finding.waived or finding.severity is Severity.INFO:
        return "notice"
    return "warning"


def render(report: GateReport, *, color: bool = False) -> str:
    """The annotations, then the verdict as a plain log line."""
    lines = [
        command(
            _level(finding),
            finding.summary(),
            file=finding.file,
            line=finding.line,
            title=finding.title,
        )
        for finding in report.findings
    ]
    lines.append(report.headline())
    return "\n".join(lines) + "\n"
