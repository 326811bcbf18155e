"""The JSON report of every contract verified in a run, for the CI gate and the registry.

Shape (``format`` 1)::

    {"format": 1, "source": "local:schemas" | "<registry url>",
     "contracts": [{"file", "line", "service", "role", "subject", "version", "transport",
                    "target", "checked", "failed", "failures": [{"message", "payload"}],
                    consumers only: "reads": [pointer] | null, "reads_whole": [pointer] | null,
                    "declared_reads": [pointer] | null}],
     "unmatched": [{"transport", "target", "operation", "payload"}],
     "summary": {"contracts": n, "verified": n, "failed": n, "unmatched": n, "ok": bool}}

``version`` is the registered version, or null for a schema read from the working tree.
``reads`` are the JSON pointers a consumer's handler was seen reading (null: never run; ``[""]``:
the whole event), ``reads_whole`` those of them read as whole subtrees (copied, serialized, never
looked inside), ``declared_reads`` those its contract declares with ``reads:``.
Reports of several processes (pytest-xdist workers) merge with :meth:`Report.merge`.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from registry.contract_testing.model import Binding, ContractSet, Role
from registry.contract_testing.pointers import ReadSet

MAX_FAILURES = 20


def _key(binding: Binding) -> str:
    return f"{binding.file}:{binding.line}"


def reads_of(entry: dict[str, Any]) -> ReadSet | None:
    """The read set recorded in a consumer's report entry (None: its handler never ran)."""
    if entry.get("reads") is None:
        return None
    return ReadSet(list(entry["reads"]), list(entry.get("reads_whole") or []))


def _add_reads(entry: dict[str, Any], found: ReadSet) -> None:
    known = reads_of(entry)
    merged = found if known is None else known | found
    entry["reads"], entry["reads_whole"] = merged.pointers, merged.whole


class Report:
    """Accumulates what was verified; thread-safe."""

    def __init__(self, contracts: ContractSet, source: str) -> None:
        self.source = source
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] = {}
        self._unmatched: list[dict[str, Any]] = []
        for binding in contracts.bindings():
            self._entries[_key(binding)] = {
                "file": str(binding.file),
                "line": binding.line,
                "service": binding.service,
                "role": binding.role.value,
                "subject": binding.subject,
                "version": binding.version,
                "transport": binding.transport.value,
                "target": binding.target,
                "checked": 0,
                "failed": 0,
                "failures": [],
            }
            if binding.role is Role.CONSUMES:
                entry = self._entries[_key(binding)]
                entry["reads"] = None
                entry["reads_whole"] = None
                entry["declared_reads"] = list(binding.reads) if binding.reads is not None else None

    def record_reads(self, binding: Binding, found: ReadSet) -> None:
        """Add what a consumer's handler read of one example (see ``reads``)."""
        with self._lock:
            entry = self._entries.get(_key(binding))
            if entry is not None and "reads" in entry:
                _add_reads(entry, found)

    def record(
        self,
        binding: Binding,
        version: int | None,
        *,
        failure: str | None = None,
        payload: str = "",
    ) -> None:
        """Count one message or example checked against a binding (and its failure, if any)."""
        with self._lock:
            entry = self._entries.setdefault(
                _key(binding), {"failures": [], "checked": 0, "failed": 0}
            )
            entry["checked"] += 1
            entry["version"] = version
            if failure is not None:
                entry["failed"] += 1
                if len(entry["failures"]) < MAX_FAILURES:
                    entry["failures"].append({"message": failure, "payload": payload})

    def record_unmatched(self, transport: str, target: str, operation: str, payload: str) -> None:
        """A message that no contract binds."""
        with self._lock:
            self._unmatched.append(
                {
                    "transport": transport,
                    "target": target,
                    "operation": operation,
                    "payload": payload,
                }
            )

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        with self._lock:
            entries = [dict(e) for e in self._entries.values()]
            unmatched = list(self._unmatched)
        failed = sum(1 for e in entries if e["failed"])
        return {
            "format": 1,
            "source": self.source,
            "contracts": entries,
            "unmatched": unmatched,
            "summary": {
                "contracts": len(entries),
                "verified": sum(1 for e in entries if e["checked"] and not e["failed"]),
                "failed": failed,
                "unmatched": len(unmatched),
                "ok": failed == 0,
            },
        }

    def merge(self, data: dict[str, Any]) -> None:
        """Add the counts of another process's report (same contracts)."""
        with self._lock:
            for other in data.get("contracts", []):
                key = f"{other['file']}:{other['line']}"
                entry = self._entries.setdefault(
                    key, {**other, "checked": 0, "failed": 0, "failures": []}
                )
                if other.get("reads") is not None and "reads" in entry and entry is not other:
                    _add_reads(entry, ReadSet(other["reads"], other.get("reads_whole") or []))
                entry["checked"] += other["checked"]
                entry["failed"] += other["failed"]
                if other.get("version") is not None:
                    entry["version"] = other["version"]
                room = MAX_FAILURES - len(entry["failures"])
                entry["failures"].extend(other["failures"][: max(room, 0)])
            self._unmatched.extend(data.get("unmatched", []))

    def write(self, path: Path) -> None:
        """Write the report as indented JSON."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
