"""The gate's report as JUnit XML: one test case per subject, for CI test-report views.

A subject with blocking findings fails (``<failure type="RULE">``), one that does not parse is an
``<error>``; non-blocking and waived findings go to ``<system-out>`` so they are still visible.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from registry.cli.gate.model import GateReport, SubjectResult

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """Replace the characters XML 1.0 cannot carry (control characters, lone surrogates)."""
    return _NOT_XML.sub("\ufffd", value)


def _case(result: SubjectResult, report: GateReport) -> ET.Element:
    case = ET.Element(
        "testcase",
        {
            "classname": f"esr.gate.{result.subject}",
            "name": f"{result.subject} ({result.status.value})",
            "file": result.file,
            "time": "0",
        },
    )
    blocking = [f for f in result.findings if f.blocking]
    others = [f for f in result.findings if not f.blocking]
    if result.outcome == "error":
        first = result.findings[0] if result.findings else None
        element = ET.SubElement(
            case, "error", {"message": result.detail, "type": first.rule_id if first else "error"}
        )
        element.text = "\n".join(
            f"{f.file}:{f.line}: [{f.rule_id}] {f.message}" for f in result.findings
        )
    elif blocking:
        element = ET.SubElement(
            case,
            "failure",
            {
                "message": f"[{blocking[0].rule_id}] {blocking[0].message}",
                "type": blocking[0].rule_id,
            },
        )
        element.text = "\n".join(
            f"{f.file}:{f.line}: [{f.rule_id}] {f.summary()}" for f in blocking
        )
    notes = [f"{f.file}:{f.line}: {f.severity.value} [{f.rule_id}] {f.summary()}" for f in others]
    if result.detail and result.outcome != "error":
        notes.append(result.detail)
    if notes:
        ET.SubElement(case, "system-out").text = "\n".join(notes)
    return case


def render(report: GateReport, *, color: bool = False) -> str:
    """``<testsuites>`` holding one ``<testsuite name="esr gate">``."""
    cases = [_case(result, report) for result in report.subjects]
    failures = sum(1 for r in report.subjects if r.outcome == "fail")
    errors = sum(1 for r in report.subjects if r.outcome == "error")
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": str(errors)}
    root = ET.Element("testsuites", {"name": "esr gate", **counts})
    suite = ET.SubElement(
        root,
        "testsuite",
        {"name": f"esr gate against {report.against}", **counts, "skipped": "0", "time": "0"},
    )
    suite.extend(cases)
    ET.indent(root)
    return xml_text(ET.tostring(root, encoding="unicode", xml_declaration=True)) + "\n"
