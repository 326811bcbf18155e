"""Failure messages that read like a good assertion.

Each names the contract file and subject@version, the JSON pointer, expected against actual,
the offending payload (shortened) and a one-line hint.
"""

from __future__ import annotations

from typing import Any

from registry.contract_testing.model import Binding
from registry.contract_testing.payloads import to_json
from registry.formats import Violation

PAYLOAD_LIMIT = 400

HINT_VIOLATION = (
    "hint: the producer sends what the schema does not allow: fix the payload, "
    "or evolve the schema (esr check) and register it"
)
HINT_UNMATCHED = (
    "hint: add a 'produces' entry for this target to a contract in contracts/, "
    "or set registry_strict = false to allow unbound messages"
)
HINT_NOTHING = (
    "hint: the test did not send any message bound to this subject; "
    "check the contract's target fields"
)
HINT_CONSUMER = (
    "hint: the handler must accept every event the schema allows (optional fields may be absent)"
)


def shorten(payload: Any, limit: int = PAYLOAD_LIMIT) -> str:
    """The payload as compact JSON, cut to ``limit`` characters."""
    try:
        text = payload if isinstance(payload, str) else to_json(payload)
    except (TypeError, ValueError):
        text = repr(payload)
    if isinstance(payload, bytes):
        text = repr(payload)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def pointer(path: str) -> str:
    """A JSON pointer, with the root shown as ``/`` (the root)."""
    return path or "/ (the root)"


def violation_lines(violations: list[Violation], indent: str = "    ") -> list[str]:
    """One or two lines per violation: where, what, expected against actual."""
    lines = []
    for v in violations:
        lines.append(f"{indent}at {pointer(v.path)}: {v.message}")
        details = []
        if v.expected is not None:
            details.append(f"expected {shorten(v.expected, 80)}")
        if v.actual is not None:
            details.append(f"got {shorten(v.actual, 80)}")
        if v.schema_path:
            details.append(f"schema {v.schema_path}")
        if details:
            lines.append(f"{indent}  " + ", ".join(details))
    return lines


def binding_header(binding: Binding, label: str) -> str:
    """``contracts/orders.yaml:4 orders.OrderPlaced@local (orders produces ... on eventbridge)``."""
    return f"{binding.location}: {label} ({binding.describe()})"
