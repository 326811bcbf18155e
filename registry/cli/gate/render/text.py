"""The gate's report for people: a summary table and the findings, coloured on a terminal."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from registry.cli.errors import EXIT_BREAKING, EXIT_OK, EXIT_USAGE
from registry.cli.gate.model import GateFinding, GateReport, Severity, SubjectStatus

_HEADLINE_STYLE = {EXIT_OK: "bold green", EXIT_BREAKING: "bold red", EXIT_USAGE: "bold magenta"}

_STATUS_STYLE = {
    SubjectStatus.UNCHANGED: "dim",
    SubjectStatus.COMPATIBLE: "green",
    SubjectStatus.NEW: "cyan",
    SubjectStatus.RENAMED: "yellow",
    SubjectStatus.BREAKING: "bold red",
    SubjectStatus.DELETED: "red",
    SubjectStatus.INVALID: "bold magenta",
}
_SEVERITY_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def _finding_line(finding: GateFinding) -> Text:
    if finding.waived:
        mark, style = "waived", "dim"
    else:
        mark, style = finding.severity.value, _SEVERITY_STYLE.get(finding.severity, "")
    line = Text()
    line.append(f"{mark:<7} ", style=style)
    line.append(f"{finding.file}:{finding.line} ", style="bold")
    line.append(f"[{finding.rule_id}] ", style="cyan")
    line.append(f"{finding.subject}: {finding.summary()}")
    return line


def render(report: GateReport, *, color: bool = False) -> str:
    """Findings first, then one table row per subject, then the verdict."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, force_terminal=color, no_color=not color, width=120, highlight=False
    )
    findings = report.findings
    if findings:
        console.print(Text("Findings", style="bold"))
        for finding in findings:
            console.print(_finding_line(finding), soft_wrap=True)
        console.print()
    table = Table(title=f"Subjects against {report.against}", title_justify="left")
    for column in ("Subject", "Status", "Level", "File", "Findings"):
        table.add_column(column)
    for result in report.subjects:
        table.add_row(
            result.subject,
            Text(result.status.value, style=_STATUS_STYLE[result.status]),
            result.level.value if result.level else "",
            result.file,
            str(len(result.findings)) if result.findings else "",
        )
    console.print(table)
    for result in report.subjects:
        if result.detail and result.status is not SubjectStatus.INVALID:
            console.print(Text(f"note: {result.subject}: {result.detail}", style="dim"))
    style = _HEADLINE_STYLE[report.exit_code]
    console.print(Text(report.headline(), style=style))
    return buffer.getvalue()
