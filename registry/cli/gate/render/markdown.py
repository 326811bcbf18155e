"""The gate's report as GitHub-flavoured Markdown, for a pull-request comment or job summary."""

from __future__ import annotations

import json

from registry.cli.errors import EXIT_BREAKING, EXIT_OK, EXIT_USAGE
from registry.cli.gate.model import GateFinding, GateReport, SubjectStatus

_ICON = {EXIT_OK: "✅", EXIT_BREAKING: "❌", EXIT_USAGE: "⚠️"}
MARKER = "<!-- esr-gate-report -->"


def cell(value: str) -> str:
    """Escape text for a table cell: pipes, line breaks and HTML-significant characters."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")


def _code(value: str) -> str:
    return cell(value) if any(char in value for char in "`|\r\n") else f"`{value}`"


def _finding_row(finding: GateFinding) -> str:
    if finding.waived:
        severity = f"waived ({finding.severity.value})"
    else:
        severity = finding.severity.value + (" 🛑" if finding.blocking else "")
    detail = cell(finding.summary())
    if finding.has_example:
        example = json.dumps(finding.example, sort_keys=True, default=str)
        example = example if len(example) <= 200 else example[:199] + "…"
        detail += f"<br>example that breaks: <code>{cell(example)}</code>"
    where = _code(f"{finding.file}:{finding.line}")
    return (
        f"| {severity} | {_code(finding.rule_id)} | {_code(finding.subject)} | {where} "
        f"| {detail} | {cell(', '.join(finding.services))} |"
    )


def render(report: GateReport, *, color: bool = False) -> str:
    """Headline, findings table, then a collapsed table of every subject."""
    lines = [MARKER, f"## {_ICON[report.exit_code]} {cell(report.headline())}", ""]
    findings = report.findings
    if findings:
        lines += [
            "| Severity | Rule | Subject | Where | What | Services |",
            "| --- | --- | --- | --- | --- | --- |",
            *(_finding_row(f) for f in findings),
            "",
        ]
    counts = report.summary()
    shown = [s.value for s in SubjectStatus if counts.get(s.value)]
    lines.append(" · ".join(f"{counts[name]} {name}" for name in shown) or "no schema files")
    lines += ["", "<details><summary>Subjects</summary>", ""]
    lines += ["| Subject | Status | Level | File |", "| --- | --- | --- | --- |"]
    for result in report.subjects:
        level = result.level.value if result.level else ""
        lines.append(
            f"| {_code(result.subject)} | {result.status.value} | {level} | {_code(result.file)} |"
        )
    lines += ["", "</details>", ""]
    return "\n".join(lines)
