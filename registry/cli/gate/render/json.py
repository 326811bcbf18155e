"""The gate's JSON report, version 1, described by ``docs/gate-output.schema.json``.

Compatible additions (new optional keys) keep ``formatVersion`` at 1; anything that removes or
changes the meaning of a key raises it.
"""

from __future__ import annotations

import json
from typing import Any

from registry import __version__
from registry.cli.gate.model import REPORT_FORMAT_VERSION, GateFinding, GateReport, SubjectResult

SCHEMA_ID = "https://event-schema-registry.dev/schemas/gate-output/v1.json"


def finding_dict(finding: GateFinding, report: GateReport) -> dict[str, Any]:
    """One finding as JSON."""
    data: dict[str, Any] = {
        "rule": finding.rule_id,
        "severity": finding.severity.value,
        "blocking": finding.blocking,
        "subject": finding.subject,
        "file": finding.file,
        "line": finding.line,
        "message": finding.message,
        "pointer": finding.pointer,
        "direction": finding.direction,
        "breaks": list(finding.breaks),
        "services": list(finding.services),
        "against": finding.against,
        "waiver": finding.waiver.as_dict(report.today) if finding.waiver else None,
    }
    if finding.has_example:
        data["example"] = finding.example
    if finding.consumers is not None:
        data["consumers"] = finding.consumers
        data["downgraded"] = finding.downgraded
        data["advice"] = finding.advice
    return data


def subject_dict(result: SubjectResult) -> dict[str, Any]:
    """One subject's verdict as JSON (its findings are listed at the top level)."""
    return {
        "subject": result.subject,
        "file": result.file,
        "previousFile": result.previous_file,
        "status": result.status.value,
        "outcome": result.outcome,
        "schemaType": result.schema_type.value if result.schema_type else None,
        "compatibility": result.level.value if result.level else None,
        "policy": result.policy.value if result.policy else None,
        "detail": result.detail,
        "findings": len(result.findings),
    }


def report_dict(report: GateReport) -> dict[str, Any]:
    """The whole report as JSON-ready data."""
    data: dict[str, Any] = {
        "$schema": SCHEMA_ID,
        "formatVersion": REPORT_FORMAT_VERSION,
        "tool": {"name": "esr", "version": __version__},
        "against": {"kind": report.against_kind, "value": report.against},
        "schemasDir": report.schemas_dir,
        "failOn": report.fail_on.value,
        "date": report.today.isoformat(),
        "result": report.result,
        "exitCode": report.exit_code,
        "summary": report.summary(),
        "subjects": [subject_dict(s) for s in report.subjects],
        "findings": [finding_dict(f, report) for f in report.findings],
    }
    if report.consumers is not None:
        data["consumers"] = {"environment": report.consumers, "registry": report.consumers_registry}
    return data


def render(report: GateReport, *, color: bool = False) -> str:
    """Indented JSON with a trailing newline."""
    return json.dumps(report_dict(report), indent=2, default=str) + "\n"
