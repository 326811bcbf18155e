"""The gate's settings from ``[tool.esr]`` in the repository's ``pyproject.toml``.

::

    [tool.esr]
    schemas = "schemas"              # the directory `esr gate` reads by default
    contracts = "contracts"          # service contracts naming producers and consumers
    compatibility = "BACKWARD"       # default level of every subject
    policy = "STRICT"                # default JSON Schema policy (STRICT or LENIENT)
    fail-on = "error"                # or "warning"
    consumers = "prod"               # judge findings by what the consumers deployed there read
    registry = "https://registry.example.com"  # where deployments and read sets come from

    [tool.esr.subjects."payments.*"] # per-subject overrides; exact names win over patterns
    compatibility = "FULL_TRANSITIVE"
    policy = "LENIENT"

    [tool.esr.rules]                 # per-rule severity: error, warning, info or off
    "gate.subject-renamed" = "error"

    [[tool.esr.waivers]]             # acknowledged breaking changes
    subject = "orders.OrderPlaced"
    rule = "json.required-added"     # or "*" for every rule of the subject
    reason = "all consumers upgraded in INC-42"
    expires = 2026-03-31

Anything malformed is an ``InvalidInput`` naming the key, so the gate exits with code 2 rather
than silently judging with defaults.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from registry.cli.gate.model import Severity, Waiver
from registry.domain import CompatibilityLevel, CompatibilityPolicy
from registry.errors import InvalidInput

_TOP_KEYS = {"schemas", "contracts", "compatibility", "policy", "fail-on", "subjects", "rules"}
_TOP_KEYS |= {"waivers", "consumers", "registry"}
_SUBJECT_KEYS = {"compatibility", "policy"}
_WAIVER_KEYS = {"subject", "rule", "reason", "expires"}


@dataclass(frozen=True, slots=True)
class SubjectOverride:
    """Level and policy for the subjects matching ``pattern`` (``fnmatch`` syntax)."""

    pattern: str
    compatibility: CompatibilityLevel | None = None
    policy: CompatibilityPolicy | None = None


@dataclass(frozen=True, slots=True)
class GateConfig:
    """``[tool.esr]``, parsed and checked; empty when the table or the file is absent."""

    source: Path | None = None
    schemas: str | None = None
    contracts: str | None = None
    compatibility: CompatibilityLevel | None = None
    policy: CompatibilityPolicy | None = None
    fail_on: Severity | None = None
    subjects: tuple[SubjectOverride, ...] = ()
    rules: Mapping[str, Severity] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()
    consumers: str | None = None
    registry: str | None = None

    @property
    def root(self) -> Path | None:
        """The directory of the ``pyproject.toml`` (relative settings are relative to it)."""
        return self.source.parent if self.source is not None else None

    def override_for(self, subject: str) -> SubjectOverride | None:
        """The override for a subject: its exact name first, else the first matching pattern."""
        for item in self.subjects:
            if item.pattern == subject:
                return item
        for item in self.subjects:
            if fnmatchcase(subject, item.pattern):
                return item
        return None

    def waiver_for(self, subject: str, rule_id: str) -> Waiver | None:
        """The first waiver naming this subject (or a matching pattern) and rule (or ``*``)."""
        for waiver in self.waivers:
            if fnmatchcase(subject, waiver.subject) and waiver.rule in ("*", rule_id):
                return waiver
        return None


def find_pyproject(start: Path, stop: Path | None = None) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start``, not looking above ``stop``."""
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
        if stop is not None and directory == stop:
            break
    return None


def load_config(path: Path | None) -> GateConfig:
    """Read ``[tool.esr]`` from ``path``; ``None`` or a file without the table gives defaults."""
    if path is None:
        return GateConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: not valid TOML ({exc})") from None
    table = data.get("tool", {}).get("esr")
    if table is None:
        return GateConfig(source=path)
    return _parse_table(path, _mapping(table, f"{path}: [tool.esr]"))


def _parse_table(path: Path, table: Mapping[str, Any]) -> GateConfig:
    where = f"{path}: [tool.esr]"
    _no_unknown_keys(table, _TOP_KEYS, where)
    fail_on = None
    if "fail-on" in table:
        fail_on = Severity.parse(table["fail-on"], f"{where} fail-on")
        if fail_on not in (Severity.ERROR, Severity.WARNING):
            raise InvalidInput(f"{where} fail-on: use 'error' or 'warning'")
    return GateConfig(
        source=path,
        schemas=_optional_str(table, "schemas", where),
        contracts=_optional_str(table, "contracts", where),
        compatibility=_level(table, where),
        policy=_policy(table, where),
        fail_on=fail_on,
        subjects=_subjects(table.get("subjects", {}), where),
        rules=_rules(table.get("rules", {}), where),
        waivers=_waivers(table.get("waivers", []), where),
        consumers=_optional_str(table, "consumers", where),
        registry=_optional_str(table, "registry", where),
    )


def _subjects(raw: Any, where: str) -> tuple[SubjectOverride, ...]:
    items = []
    for pattern, body in _mapping(raw, f"{where}.subjects").items():
        here = f"{where}.subjects.{pattern}"
        body = _mapping(body, here)
        _no_unknown_keys(body, _SUBJECT_KEYS, here)
        items.append(SubjectOverride(pattern, _level(body, here), _policy(body, here)))
    return tuple(items)


def _rules(raw: Any, where: str) -> dict[str, Severity]:
    return {
        str(rule): Severity.parse(value, f"{where}.rules.{rule}")
        for rule, value in _mapping(raw, f"{where}.rules").items()
    }


def _waivers(raw: Any, where: str) -> tuple[Waiver, ...]:
    if not isinstance(raw, list):
        raise InvalidInput(f"{where}.waivers: expected an array of tables ([[tool.esr.waivers]])")
    waivers = []
    for index, item in enumerate(raw):
        here = f"{where}.waivers[{index}]"
        body = _mapping(item, here)
        _no_unknown_keys(body, _WAIVER_KEYS, here)
        missing = sorted(_WAIVER_KEYS - set(body))
        if missing:
            raise InvalidInput(
                f"{here}: missing {', '.join(missing)} (every waiver needs all four)"
            )
        expires = body["expires"]
        if isinstance(expires, str):
            try:
                expires = date.fromisoformat(expires)
            except ValueError:
                raise InvalidInput(
                    f"{here}.expires: '{expires}' is not a YYYY-MM-DD date"
                ) from None
        if not isinstance(expires, date) or hasattr(expires, "hour"):
            raise InvalidInput(f"{here}.expires: expected a date such as 2026-03-31")
        reason = str(body["reason"]).strip()
        if not reason:
            raise InvalidInput(f"{here}.reason: a waiver needs a reason")
        waivers.append(Waiver(str(body["subject"]), str(body["rule"]), reason, expires))
    return tuple(waivers)


def _level(table: Mapping[str, Any], where: str) -> CompatibilityLevel | None:
    if "compatibility" not in table:
        return None
    try:
        return CompatibilityLevel.parse(str(table["compatibility"]))
    except InvalidInput as exc:
        raise InvalidInput(f"{where}.compatibility: {exc.message}") from None


def _policy(table: Mapping[str, Any], where: str) -> CompatibilityPolicy | None:
    if "policy" not in table:
        return None
    try:
        return CompatibilityPolicy.parse(str(table["policy"]))
    except InvalidInput as exc:
        raise InvalidInput(f"{where}.policy: {exc.message}") from None


def _optional_str(table: Mapping[str, Any], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"{where}.{key}: expected a string")
    return value


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(f"{where}: expected a table")
    return value


def _no_unknown_keys(table: Mapping[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise InvalidInput(
            f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
