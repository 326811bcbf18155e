"""What a service version publishes after its contract tests: verification results and reads.

:func:`verification_document` turns a run's report (:class:`~registry.contract_testing.Report`,
merged over every worker) into the JSON document the registry takes at
``POST /api/services/{service}/versions/{version}/verifications``::

    {"service": "payments", "version": "4f2c40f", "branch": "main" | null,
     "source": "local:schemas" | "<registry url>",
     "contracts": [{"subject", "role": "produces" | "consumes", "transport",
                    "destination": str | null, "schema_version": int | null,
                    "file", "line",
                    "reads": [pointer] | null, "recorded_reads": [pointer] | null,
                    "declared_reads": [pointer] | null,
                    "verification": {"status": "passed" | "failed" | "not-run",
                                     "checked": n, "failed": n,
                                     "failures": [{"message", "payload"}]},
                    "warnings": [str]}]}

``reads`` is what the consumer reads: the recorded and the declared pointers together, or null
when neither is known (a consumer that was never run and declares nothing: the registry must
then assume it reads everything). Producers have null reads. Only the contracts of the named
service are published: a repository may hold its neighbours' contracts too. This module builds
the document and sends nothing; the pytest plugin posts it with its registry client.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from registry.contract_testing.pointers import effective, untouched
from registry.contract_testing.report import reads_of
from registry.errors import InvalidInput

FORMAT = 1


def verifications_path(service: str, version: str) -> str:
    """The REST path the document is posted to (service and version percent-encoded)."""
    name, number = quote(service, safe=""), quote(version, safe="")
    return f"/api/services/{name}/versions/{number}/verifications"


def _status(entry: dict[str, Any]) -> str:
    if entry.get("failed"):
        return "failed"
    return "passed" if entry.get("checked") else "not-run"


def read_warnings(entry: dict[str, Any]) -> list[str]:
    """Declared reads that the handler was run but never touched, one sentence each."""
    recorded, declared = entry.get("reads"), entry.get("declared_reads")
    if recorded is None or not declared:
        return []
    return [
        f"declared read {pointer or '(the whole event)'} is never touched by the handler"
        for pointer in untouched(declared, recorded)
    ]


def _contract(entry: dict[str, Any]) -> dict[str, Any]:
    consumer = entry.get("role") == "consumes"
    recorded = reads_of(entry) if consumer else None
    declared = entry.get("declared_reads") if consumer else None
    reads = effective(recorded, declared)
    return {
        "subject": entry["subject"],
        "role": entry["role"],
        "transport": entry["transport"],
        "destination": entry.get("target"),
        "schema_version": entry.get("version"),
        "file": entry.get("file"),
        "line": entry.get("line"),
        "reads": reads.pointers if reads is not None else None,
        "recorded_reads": recorded.pointers if recorded is not None else None,
        "declared_reads": declared,
        "verification": {
            "status": _status(entry),
            "checked": entry.get("checked", 0),
            "failed": entry.get("failed", 0),
            "failures": list(entry.get("failures", [])),
        },
        "warnings": read_warnings(entry),
    }


def verification_document(
    report: dict[str, Any], *, service: str, version: str, branch: str | None = None
) -> dict[str, Any]:
    """The publication of one service version's verification results and read sets.

    ``report`` is :meth:`Report.to_dict` of the whole run. Raises ``InvalidInput`` when the
    contracts hold nothing of ``service`` (a typo in the service name publishes nothing rather
    than an empty, all-passing version).
    """
    if not service.strip() or not version.strip():
        raise InvalidInput("publishing needs a service name and a service version")
    entries = [e for e in report.get("contracts", []) if e.get("service") == service]
    if not entries:
        known = sorted({str(e.get("service")) for e in report.get("contracts", [])})
        raise InvalidInput(
            f"no contract of service '{service}' to publish (contracts name: "
            f"{', '.join(known) or 'no service'})"
        )
    return {
        "format": FORMAT,
        "service": service,
        "version": version,
        "branch": branch or None,
        "source": report.get("source"),
        "contracts": [_contract(e) for e in entries],
    }
