"""The gate's report as SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One ``reportingDescriptor`` per rule of the catalogue (every format's rules plus the gate's
own), with its title, description and an example as help; one ``result`` per finding, located at
the schema file and line. Waived findings carry an accepted ``external`` suppression with the
waiver's reason, so code scanning shows them as dismissed rather than dropping them.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from registry import __version__
from registry.cli.errors import EXIT_USAGE
from registry.cli.gate.model import DEFAULT_SEVERITY, GATE_RULES, GateFinding, GateReport, Severity
from registry.compatibility import rule_catalogue
from registry.formats.base import Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/event-schema-registry/event-schema-registry"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _all_rules() -> list[Rule]:
    rules = list(rule_catalogue().values())
    rules += [rule for rule in GATE_RULES if rule.id not in {r.id for r in rules}]
    return sorted(rules, key=lambda rule: rule.id)


def _help(rule: Rule) -> dict[str, str]:
    text = f"{rule.title}. {rule.description}"
    markdown = f"**{rule.title}** (`{rule.id}`)\n\n{rule.description}"
    if rule.writer is not None and rule.reader is not None:
        writer = json.dumps(rule.writer, indent=2, sort_keys=True)
        reader = json.dumps(rule.reader, indent=2, sort_keys=True)
        text += f"\nExample writer (earlier) schema: {json.dumps(rule.writer, sort_keys=True)}"
        text += f"\nExample reader (new) schema: {json.dumps(rule.reader, sort_keys=True)}"
        markdown += (
            f"\n\nExample: data written with\n\n```json\n{writer}\n```\n\n"
            f"cannot be read with\n\n```json\n{reader}\n```"
        )
    if rule.policy is not None:
        markdown += f"\n\nApplies under the {rule.policy.value} policy."
    return {"text": text, "markdown": markdown}


def _descriptor(rule: Rule) -> dict[str, Any]:
    severity = DEFAULT_SEVERITY.get(rule.id, Severity.ERROR)
    name = "".join(word.capitalize() for word in rule.id.split(".", 1)[-1].split("-"))
    family = rule.id.split(".", 1)[0]
    return {
        "id": rule.id,
        "name": name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description},
        "help": _help(rule),
        "defaultConfiguration": {"level": _LEVEL.get(severity, "none")},
        # SARIF wants unique tags: the family of schema.* rules is "schema" already.
        "properties": {"tags": list(dict.fromkeys(("schema", "compatibility", family)))},
    }


def _fingerprint(finding: GateFinding) -> str:
    key = "\0".join((finding.rule_id, finding.subject, finding.pointer, finding.direction or ""))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _result(finding: GateFinding, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.summary()},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": finding.file, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": finding.line},
                },
                "logicalLocations": [
                    {
                        "name": finding.subject,
                        "fullyQualifiedName": finding.subject + finding.pointer,
                    }
                ],
            }
        ],
        "partialFingerprints": {"esrFinding/v1": _fingerprint(finding)},
        "properties": {
            "subject": finding.subject,
            "pointer": finding.pointer,
            "direction": finding.direction,
            "breaks": list(finding.breaks),
            "services": list(finding.services),
            "against": finding.against,
            "blocking": finding.blocking,
        },
    }
    if finding.rule_id in index:
        result["ruleIndex"] = index[finding.rule_id]
    if finding.waiver is not None and finding.waived:
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{finding.waiver.reason} "
                f"(waived until {finding.waiver.expires.isoformat()})",
            }
        ]
    return result


def sarif_log(report: GateReport) -> dict[str, Any]:
    """The SARIF log as data."""
    rules = _all_rules()
    index = {rule.id: i for i, rule in enumerate(rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "esr gate",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_descriptor(rule) for rule in rules],
                    }
                },
                "automationDetails": {"id": f"esr-gate/{report.schemas_dir}/"},
                "invocations": [
                    {
                        "executionSuccessful": report.exit_code != EXIT_USAGE,
                        "exitCode": report.exit_code,
                    }
                ],
                "results": [_result(f, index) for f in report.findings],
            }
        ],
    }


def render(report: GateReport, *, color: bool = False) -> str:
    """The SARIF log as indented JSON."""
    return json.dumps(sarif_log(report), indent=2, default=str) + "\n"
