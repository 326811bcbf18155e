"""Compatibility levels applied to schema histories, in one place for every format.

A format answers one question: can a *reader* schema read everything a *writer* schema allows?
This module turns a level into those questions (BACKWARD: the new schema reads what earlier ones
wrote; FORWARD: earlier schemas read what the new one writes; FULL: both; ``*_TRANSITIVE``:
against every live version, not only the latest) and collects the answers as findings that say
which direction breaks whom:

* a BACKWARD failure breaks **producers**: events that existing producers emit (written with an
  earlier schema) are no longer accepted by consumers that upgrade to the new one;
* a FORWARD failure breaks **consumers**: consumers still on an earlier schema cannot read events
  written with the new one.

The catalogue of rules of every format is exposed by :func:`rule_catalogue`.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from registry.domain import CompatibilityLevel, CompatibilityPolicy
from registry.formats import all_formats
from registry.formats.base import Incompatibility, ParsedSchema, Rule, SchemaFormat


class Direction(enum.StrEnum):
    """Which way a reader/writer question was asked."""

    BACKWARD = "BACKWARD"
    FORWARD = "FORWARD"

    @property
    def breaks(self) -> str:
        """Who is broken when this direction fails."""
        return "producers" if self is Direction.BACKWARD else "consumers"


@dataclass(frozen=True, slots=True)
class Finding:
    """One incompatibility found against one earlier version, in one direction."""

    incompatibility: Incompatibility
    direction: Direction
    version: int | None = None

    @property
    def rule_id(self) -> str:
        """The stable id of the broken rule."""
        return self.incompatibility.rule_id

    @property
    def breaks(self) -> str:
        """``producers`` or ``consumers``."""
        return self.direction.breaks

    def describe(self) -> str:
        """One line for people: rule id, where, what, and the counterexample if any."""
        inc = self.incompatibility
        where = inc.reader_path if self.direction is Direction.BACKWARD else inc.writer_path
        text = f"[{inc.rule_id}] {self.direction.value}"
        if self.version is not None:
            text += f" against version {self.version}"
        text += f" at '{where or '/'}': {inc.message} (breaks {self.breaks})"
        if inc.has_example:
            text += f"; example that breaks: {_short_json(inc.example)}"
        return text

    def as_dict(self) -> dict[str, Any]:
        """Machine-readable form used by the REST API, ``esr check`` and the gate."""
        inc = self.incompatibility
        data: dict[str, Any] = {
            "rule": inc.rule_id,
            "direction": self.direction.value,
            "breaks": self.breaks,
            "message": inc.message,
            "readerPath": inc.reader_path,
            "writerPath": inc.writer_path,
        }
        if self.version is not None:
            data["version"] = self.version
        if inc.has_example:
            data["example"] = inc.example
        return data


@dataclass(frozen=True, slots=True)
class CompatibilityResult:
    """The verdict and every finding behind it."""

    level: CompatibilityLevel
    findings: tuple[Finding, ...] = field(default=())

    @property
    def is_compatible(self) -> bool:
        """True when nothing was found."""
        return not self.findings

    def messages(self) -> list[str]:
        """One line per finding, as ``verbose=true`` returns them."""
        return [f.describe() for f in self.findings]


SCHEMA_TYPE_CHANGED = Rule(
    "schema.type-changed",
    "Schema type changed",
    "A schema of one type (Avro, JSON Schema) never reads data of another: Confluent Schema "
    "Registry answers 'Incompatible because of different schema type'. Give the new type its "
    "own subject, or set the subject's level to NONE for the change.",
)
COMMON_RULES: tuple[Rule, ...] = (SCHEMA_TYPE_CHANGED,)


def check_compatibility(
    fmt: SchemaFormat,
    candidate: ParsedSchema,
    previous: Sequence[tuple[int | None, ParsedSchema]],
    level: CompatibilityLevel,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
) -> CompatibilityResult:
    """Judge ``candidate`` against ``previous`` (live versions, oldest first) at ``level``.

    Non-transitive levels compare with the latest version only; transitive ones with all.
    With no earlier version, or at level NONE, every schema is compatible.
    """
    if level is CompatibilityLevel.NONE or not previous:
        return CompatibilityResult(level)
    targets = level.pick_versions(previous)
    findings: list[Finding] = []
    for version, earlier in reversed(targets):
        if earlier.schema_type is not candidate.schema_type:
            change = Incompatibility(
                SCHEMA_TYPE_CHANGED.id,
                f"the schema type changed from {earlier.schema_type.value} to "
                f"{candidate.schema_type.value}",
                "",
                "",
            )
            directions = [Direction.BACKWARD] if level.checks_backward else []
            directions += [Direction.FORWARD] if level.checks_forward else []
            findings += [Finding(change, direction, version) for direction in directions]
            continue
        if level.checks_backward:
            findings += [
                Finding(inc, Direction.BACKWARD, version)
                for inc in fmt.check(candidate, earlier, policy)
            ]
        if level.checks_forward:
            findings += [
                Finding(inc, Direction.FORWARD, version)
                for inc in fmt.check(earlier, candidate, policy)
            ]
    return CompatibilityResult(level, tuple(findings))


def rule_catalogue() -> dict[str, Rule]:
    """Every rule of every format, then the rules of any format, by id (ids are unique)."""
    rules: dict[str, Rule] = {}
    for fmt in all_formats():
        for rule in fmt.rules:
            if rule.id in rules:
                raise RuntimeError(f"duplicate rule id {rule.id}")
            rules[rule.id] = rule
    for rule in COMMON_RULES:
        if rule.id in rules:
            raise RuntimeError(f"duplicate rule id {rule.id}")
        rules[rule.id] = rule
    return rules


def _short_json(value: Any, limit: int = 200) -> str:
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."
