"""What the CI gate found: findings, one result per subject, and the report every renderer reads.

The gate judges schema files with the engine in :mod:`registry.compatibility` and turns each
engine :class:`~registry.compatibility.Finding` into a :class:`GateFinding` that knows where it is
(file and line), how severe it is after the repository's overrides, whether a waiver covers it
and so whether it *blocks* (fails the build). A few findings are the gate's own (a deleted or
renamed subject, a file that does not parse): their rules are :data:`GATE_RULES`, in the same
shape as the formats' rule catalogue so that SARIF and the docs list them alike.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from registry.cli.errors import EXIT_BREAKING, EXIT_OK, EXIT_USAGE
from registry.domain import CompatibilityLevel, CompatibilityPolicy, SchemaType, parse_enum
from registry.errors import InvalidInput
from registry.formats.base import Rule

REPORT_FORMAT_VERSION = 1


class Severity(enum.StrEnum):
    """How much a rule matters. ``off`` drops its findings altogether."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    OFF = "off"

    @property
    def rank(self) -> int:
        """Order for comparisons with ``--fail-on``: error > warning > info > off."""
        return {"error": 3, "warning": 2, "info": 1, "off": 0}[self.value]

    @classmethod
    def parse(cls, value: object, where: str) -> Severity:
        """Read a severity in any case; anything else is a configuration error."""
        return parse_enum(
            cls,
            str(value),
            lambda valid: InvalidInput(f"{where}: invalid severity '{value}'; use one of {valid}"),
        )


class SubjectStatus(enum.StrEnum):
    """What happened to a subject between the base and the working tree."""

    UNCHANGED = "unchanged"
    COMPATIBLE = "compatible"
    BREAKING = "breaking"
    NEW = "new"
    RENAMED = "renamed"
    DELETED = "deleted"
    INVALID = "invalid"


RULE_DELETED = "gate.subject-deleted"
RULE_RENAMED = "gate.subject-renamed"
RULE_TYPE_CHANGED = "gate.schema-type-changed"
RULE_INVALID = "gate.schema-invalid"

GATE_RULES: tuple[Rule, ...] = (
    Rule(
        RULE_DELETED,
        "Subject deleted",
        "A schema file that exists at the base was deleted: the producers and consumers of its "
        "subject lose the schema they write or read with.",
    ),
    Rule(
        RULE_RENAMED,
        "Subject renamed",
        "A schema file was moved, so its subject (the path under the schemas directory) changed: "
        "clients that name the old subject must move to the new one. The content is also "
        "checked against the old file with the new subject's level.",
    ),
    Rule(
        RULE_TYPE_CHANGED,
        "Schema type changed",
        "A subject changed schema language (Avro to JSON Schema or back): no reader of one can "
        "read data written with the other.",
    ),
    Rule(
        RULE_INVALID,
        "Schema does not parse",
        "The schema file is not valid JSON or not a valid schema of its type. The gate cannot "
        "judge it and exits with code 2.",
    ),
)

DEFAULT_SEVERITY: dict[str, Severity] = {RULE_RENAMED: Severity.WARNING}


@dataclass(frozen=True, slots=True)
class Waiver:
    """An acknowledged breaking change: reported, but not failing until ``expires`` has passed."""

    subject: str
    rule: str
    reason: str
    expires: date

    def active(self, today: date) -> bool:
        """True up to and including the expiry date."""
        return today <= self.expires

    def as_dict(self, today: date) -> dict[str, Any]:
        """JSON form for the reports."""
        return {
            "subject": self.subject,
            "rule": self.rule,
            "reason": self.reason,
            "expires": self.expires.isoformat(),
            "active": self.active(today),
        }


@dataclass(frozen=True, slots=True)
class GateFinding:
    """One problem the gate reports, placed at a file and line."""

    rule_id: str
    subject: str
    file: str
    line: int
    severity: Severity
    message: str
    pointer: str = ""
    direction: str | None = None
    breaks: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    against: str | None = None
    example: Any = None
    has_example: bool = False
    waiver: Waiver | None = None
    waived: bool = False
    blocking: bool = False
    advice: str | None = None
    consumers: dict[str, Any] | None = None
    downgraded: bool = False

    @property
    def title(self) -> str:
        """Short heading: the rule id and the subject."""
        return f"{self.rule_id} ({self.subject})"

    def summary(self) -> str:
        """The message with direction, who breaks, services and waiver status, on one line."""
        text = self.message
        context: list[str] = []
        if self.direction:
            context.append(
                f"{self.direction} against {self.against}" if self.against else self.direction
            )
        if self.breaks:
            who = "breaks " + " and ".join(self.breaks)
            if self.services:
                who += ": " + ", ".join(self.services)
            context.append(who)
        if context:
            text += " (" + "; ".join(context) + ")"
        if self.advice:
            text += f" [{self.advice}" + ("; downgraded to a warning]" if self.downgraded else "]")
        if self.waiver is not None:
            if self.waived:
                text += f" [waived until {self.waiver.expires.isoformat()}: {self.waiver.reason}]"
            else:
                text += f" [waiver expired on {self.waiver.expires.isoformat()}]"
        return text


@dataclass(slots=True)
class SubjectResult:
    """The verdict on one subject (one schema file)."""

    subject: str
    file: str
    status: SubjectStatus
    schema_type: SchemaType | None = None
    level: CompatibilityLevel | None = None
    policy: CompatibilityPolicy | None = None
    previous_file: str | None = None
    detail: str = ""
    findings: list[GateFinding] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        """``error`` (does not parse), ``fail`` (a blocking finding) or ``pass``."""
        if self.status is SubjectStatus.INVALID:
            return "error"
        return "fail" if any(f.blocking for f in self.findings) else "pass"


@dataclass(slots=True)
class GateReport:
    """Everything one gate run found."""

    against: str
    against_kind: str
    schemas_dir: str
    fail_on: Severity
    today: date
    subjects: list[SubjectResult] = field(default_factory=list)
    consumers: str | None = None
    consumers_registry: str | None = None

    @property
    def findings(self) -> list[GateFinding]:
        """Every finding, subject by subject."""
        return [f for s in self.subjects for f in s.findings]

    @property
    def exit_code(self) -> int:
        """2 when a schema does not parse, 1 when a finding blocks, else 0."""
        if any(s.status is SubjectStatus.INVALID for s in self.subjects):
            return EXIT_USAGE
        return EXIT_BREAKING if any(f.blocking for f in self.findings) else EXIT_OK

    @property
    def result(self) -> str:
        """``pass``, ``fail`` or ``error``, matching the exit code."""
        return {EXIT_OK: "pass", EXIT_BREAKING: "fail", EXIT_USAGE: "error"}[self.exit_code]

    def summary(self) -> dict[str, int]:
        """Counts of subjects by status and of findings by kind."""
        counts = Counter(s.status.value for s in self.subjects)
        findings = self.findings
        data = {"subjects": len(self.subjects)}
        data.update({status.value: counts.get(status.value, 0) for status in SubjectStatus})
        data["findings"] = len(findings)
        data["blocking"] = sum(f.blocking for f in findings)
        data["waived"] = sum(f.waived for f in findings)
        data["downgraded"] = sum(f.downgraded for f in findings)
        return data

    def headline(self) -> str:
        """One sentence for the top of every human-readable output."""
        s = self.summary()
        if self.exit_code == EXIT_USAGE:
            verdict = f"{s['invalid']} schema file(s) do not parse"
        elif self.exit_code == EXIT_BREAKING:
            verdict = f"{s['blocking']} breaking change(s)"
        else:
            verdict = "no breaking change"
        text = f"esr gate against {self.against}: {verdict} in {s['subjects']} subject(s)"
        if self.consumers is not None:
            text += f", judged by what the consumers deployed in {self.consumers} read"
            if s["downgraded"]:
                text += (
                    f" ({s['downgraded']} finding(s) downgraded: no deployed consumer reads them)"
                )
        return text
