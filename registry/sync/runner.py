"""Push a registry's subjects to one target, in version order, idempotently; or report drift.

For each subject the runner converts every version to the target's form, reads what the target
holds under the subject's remote name, and pushes, oldest first, the versions whose content the
target does not have yet. Content is compared in canonical JSON, so a second run pushes nothing.
Throttling (:class:`TargetThrottled`) is retried with exponential backoff; any other error of a
call fails that subject (what was pushed before stays pushed, and the next run resumes from
there); an unreachable target stops the run. A dry run (:func:`dry_run`) works offline: it
converts and names, and never asks the target what it holds.

The server calls :func:`sync_subject` after each registration and folds the result into a
:class:`~registry.sync.base.SyncState`; :func:`backoff_delay` tells it when to try again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from registry.errors import (
    NotConvertible,
    TargetError,
    TargetMisconfigured,
    TargetThrottled,
    TargetUnreachable,
)
from registry.sync.base import (
    Converted,
    Drift,
    DriftKind,
    Outcome,
    RemoteSchema,
    SchemaSource,
    SourceVersion,
    SubjectResult,
    SyncTarget,
    canonical_json,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff for throttled calls: ``base * 2**n`` seconds, capped, at most ``attempts`` tries."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0
    sleep: Callable[[float], None] = time.sleep


def backoff_delay(attempt: int, *, base: float = 0.5, cap: float = 300.0) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based): ``base * 2**(attempt-1)``."""
    return float(min(cap, base * 2 ** max(0, attempt - 1)))


def call_with_retry(policy: RetryPolicy, action: Callable[[], T], counter: list[int]) -> T:
    """Run ``action``; retry on :class:`TargetThrottled`; count every call in ``counter[0]``."""
    attempt = 0
    while True:
        attempt += 1
        counter[0] += 1
        try:
            return action()
        except TargetThrottled:
            if attempt >= policy.attempts:
                raise
            policy.sleep(backoff_delay(attempt, base=policy.base_delay, cap=policy.max_delay))


@dataclass(slots=True)
class _Plan:
    subject: str
    name: str
    converted: list[tuple[SourceVersion, Converted]]
    remote: RemoteSchema | None
    wanted_compatibility: tuple[str, ...]

    def missing(self) -> list[tuple[SourceVersion, Converted]]:
        have = {canonical_json(v.content) for v in self.remote.versions} if self.remote else set()
        result, seen = [], set(have)
        for version, converted in self.converted:
            key = canonical_json(converted.content)
            if key not in seen:
                result.append((version, converted))
                seen.add(key)
        return result

    def labels(self) -> dict[int, str]:
        if self.remote is None:
            return {}
        by_content = {canonical_json(v.content): v.label for v in self.remote.versions}
        found = {}
        for version, converted in self.converted:
            label = by_content.get(canonical_json(converted.content))
            if label is not None:
                found[version.version] = label
        return found


def _plan(
    target: SyncTarget, source: SchemaSource, subject: str, retry: RetryPolicy, counter: list[int]
) -> _Plan:
    """Read both sides; :class:`NotConvertible` when some version has no target form."""
    versions = source.versions(subject)
    converted = [(v, target.convert(v)) for v in versions]
    name = target.remote_name(subject)
    level = source.compatibility(subject)
    remote = call_with_retry(retry, lambda: target.read(name), counter)
    return _Plan(subject, name, converted, remote, target.compatibility_for(level))


def sync_subject(
    target: SyncTarget,
    source: SchemaSource,
    subject: str,
    *,
    dry_run: bool = False,
    retry: RetryPolicy | None = None,
) -> SubjectResult:
    """Bring one subject in step on the target; never raises for target or conversion errors."""
    retry = retry or RetryPolicy()
    counter = [0]
    name = subject
    try:
        name = target.remote_name(subject)
        plan = _plan(target, source, subject, retry, counter)
        return _apply(target, plan, dry_run=dry_run, retry=retry, counter=counter)
    except NotConvertible as exc:
        return SubjectResult(subject, name, Outcome.SKIPPED, exc.message, calls=counter[0])
    except TargetUnreachable as exc:
        return SubjectResult(
            subject, name, Outcome.FAILED, exc.message, calls=counter[0], unreachable=True
        )
    except (TargetError, TargetMisconfigured) as exc:
        return SubjectResult(subject, name, Outcome.FAILED, exc.message, calls=counter[0])


def _apply(
    target: SyncTarget, plan: _Plan, *, dry_run: bool, retry: RetryPolicy, counter: list[int]
) -> SubjectResult:
    result = SubjectResult(plan.subject, plan.name, Outcome.UNCHANGED, labels=plan.labels())
    missing = plan.missing()
    first = plan.remote is None or not plan.remote.versions
    _compatibility(target, plan, result, dry_run=dry_run, retry=retry, counter=counter)
    for version, converted in missing:
        if converted.note and converted.note not in result.notes:
            result.notes.append(converted.note)
        if dry_run:
            result.pushed.append(version.version)
            continue
        try:
            label = _push(target, plan, converted, first, retry, counter)
        except (TargetError, TargetUnreachable, TargetMisconfigured) as exc:
            done = f" after pushing {_versions(result.pushed)}" if result.pushed else ""
            result.outcome = Outcome.FAILED
            result.reason = f"version {version.version}: {exc.message}{done}"
            result.unreachable = isinstance(exc, TargetUnreachable)
            break
        result.pushed.append(version.version)
        result.labels[version.version] = label
        first = False
    in_step = [v.version for v, _ in plan.converted if v.version in result.labels]
    result.last_synced_version = max(in_step) if in_step and not dry_run else None
    result.calls = counter[0]
    if result.outcome is not Outcome.FAILED and result.pushed:
        new = plan.remote is None or not plan.remote.versions
        result.outcome = Outcome.CREATED if new else Outcome.UPDATED
        if dry_run:
            result.reason = f"would push {_versions(result.pushed)}"
    return result


def _push(
    target: SyncTarget,
    plan: _Plan,
    converted: Converted,
    first: bool,
    retry: RetryPolicy,
    counter: list[int],
) -> str:
    wanted = plan.wanted_compatibility
    compatibility = wanted[0] if wanted else ""
    return call_with_retry(
        retry,
        lambda: target.push(
            plan.name, plan.subject, converted, first=first, compatibility=compatibility
        ),
        counter,
    )


def _compatibility(
    target: SyncTarget,
    plan: _Plan,
    result: SubjectResult,
    *,
    dry_run: bool,
    retry: RetryPolicy,
    counter: list[int],
) -> None:
    """Align an existing schema's compatibility, or note that the target's differs."""
    wanted = plan.wanted_compatibility
    remote = plan.remote
    if not wanted or remote is None or remote.compatibility is None:
        return
    if remote.compatibility in wanted:
        return
    if not dry_run and call_with_retry(
        retry, lambda: target.set_compatibility(plan.name, wanted[0]), counter
    ):
        result.outcome = Outcome.UPDATED
        result.notes.append(f"compatibility {remote.compatibility} -> {wanted[0]}")
        return
    result.notes.append(
        f"target compatibility is {remote.compatibility}, the registry's level maps to "
        + " or ".join(wanted)
    )


def _versions(numbers: Iterable[int]) -> str:
    items = list(numbers)
    return ("version " if len(items) == 1 else "versions ") + ", ".join(map(str, items))


# --- whole runs ---------------------------------------------------------------------------------


@dataclass(slots=True)
class SyncReport:
    """Every subject's result, plus the run-level facts."""

    target: str
    label: str
    dry_run: bool
    results: list[SubjectResult] = field(default_factory=list)
    stopped: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No subject failed and the run was not stopped."""
        return self.stopped is None and all(r.outcome is not Outcome.FAILED for r in self.results)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of ``esr sync --format json``."""
        return {
            "target": self.target,
            "label": self.label,
            "dry_run": self.dry_run,
            "ok": self.ok,
            "stopped": self.stopped,
            "subjects": [r.as_dict() for r in self.results],
            "notes": list(self.notes),
        }


def run_sync(
    target: SyncTarget,
    source: SchemaSource,
    *,
    prefix: str | None = None,
    dry_run: bool = False,
    retry: RetryPolicy | None = None,
    progress: Callable[[SubjectResult], None] | None = None,
) -> SyncReport:
    """Sync every subject (with ``prefix``); stop early when the target becomes unreachable."""
    retry = retry or RetryPolicy()
    report = SyncReport(target.kind, target.label, dry_run)
    exists = call_with_retry(retry, lambda: target.ensure_ready(create=not dry_run), [0])
    subjects = source.subjects(prefix)
    names: dict[str, str] = {}
    for index, subject in enumerate(subjects):
        name = target.remote_name(subject)
        if name in names:
            result = SubjectResult(
                subject, name, Outcome.FAILED, f"remote name {name!r} is taken by {names[name]}"
            )
        elif not exists:
            result = _dry_run_without_container(target, source, subject)
        else:
            result = sync_subject(target, source, subject, dry_run=dry_run, retry=retry)
        names.setdefault(name, subject)
        report.results.append(result)
        if progress is not None:
            progress(result)
        if result.unreachable:
            report.stopped = result.reason
            for rest in subjects[index + 1 :]:
                report.results.append(
                    SubjectResult(rest, target.remote_name(rest), Outcome.FAILED, "not attempted")
                )
            break
    return report


def _dry_run_without_container(
    target: SyncTarget, source: SchemaSource, subject: str
) -> SubjectResult:
    """Dry run while the registry/group does not exist yet: everything would be created."""
    name = target.remote_name(subject)
    numbers = []
    try:
        for version in source.versions(subject):
            target.convert(version)
            numbers.append(version.version)
    except NotConvertible as exc:
        return SubjectResult(subject, name, Outcome.SKIPPED, exc.message)
    return SubjectResult(
        subject, name, Outcome.CREATED, f"would push {_versions(numbers)}", pushed=numbers
    )


OFFLINE_NOTE = (
    "a dry run does not contact the target, so it cannot tell created from unchanged: it lists "
    "what a sync would push to a target holding nothing; --check compares with the target"
)


def dry_run(
    target: SyncTarget,
    source: SchemaSource,
    *,
    prefix: str | None = None,
    progress: Callable[[SubjectResult], None] | None = None,
) -> SyncReport:
    """What a sync would push, worked out offline: every subject's versions are named and
    converted for the target, and none is compared with what the target holds.

    Needs no credentials and no reachable target (only :meth:`SyncTarget.remote_name` and
    :meth:`SyncTarget.convert` are called). Each subject is ``would push`` with the versions
    a sync would push to an empty target, ``skipped`` (not convertible) or ``failed`` (its
    remote name is taken by another subject).
    """
    report = SyncReport(target.kind, target.label, True, notes=[OFFLINE_NOTE])
    names: dict[str, str] = {}
    for subject in source.subjects(prefix):
        name = target.remote_name(subject)
        if name in names:
            result = SubjectResult(
                subject, name, Outcome.FAILED, f"remote name {name!r} is taken by {names[name]}"
            )
        else:
            result = _would_push(target, source, subject, name)
        names.setdefault(name, subject)
        report.results.append(result)
        if progress is not None:
            progress(result)
    return report


def _would_push(target: SyncTarget, source: SchemaSource, subject: str, name: str) -> SubjectResult:
    try:
        converted = [(version, target.convert(version)) for version in source.versions(subject)]
    except NotConvertible as exc:
        return SubjectResult(subject, name, Outcome.SKIPPED, exc.message)
    missing = _Plan(subject, name, converted, None, ()).missing()
    numbers = [version.version for version, _ in missing]
    notes = list(dict.fromkeys(c.note for _, c in missing if c.note))
    if not numbers:
        return SubjectResult(subject, name, Outcome.UNCHANGED, "no live version", notes=notes)
    reason = f"would push {_versions(numbers)}"
    return SubjectResult(subject, name, Outcome.WOULD_PUSH, reason, pushed=numbers, notes=notes)


# --- drift --------------------------------------------------------------------------------------


@dataclass(slots=True)
class DriftReport:
    """``--check``: every difference, plus subjects that cannot be compared."""

    target: str
    label: str
    drifts: list[Drift] = field(default_factory=list)
    skipped: list[SubjectResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def in_step(self) -> bool:
        """Whether the target holds exactly what the registry has (for the subjects checked)."""
        return not self.drifts

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of ``esr sync --check --format json``."""
        return {
            "target": self.target,
            "label": self.label,
            "in_step": self.in_step,
            "drift": [d.as_dict() for d in self.drifts],
            "skipped": [r.as_dict() for r in self.skipped],
            "notes": list(self.notes),
        }


def check_subject(
    target: SyncTarget, source: SchemaSource, subject: str, retry: RetryPolicy | None = None
) -> list[Drift]:
    """Differences for one subject; raises :class:`NotConvertible` when it cannot be compared."""
    plan = _plan(target, source, subject, retry or RetryPolicy(), [0])
    name = plan.name
    remote = plan.remote.versions if plan.remote else ()
    wanted = {canonical_json(c.content) for _, c in plan.converted}
    have = {canonical_json(v.content): v for v in remote}
    drifts: list[Drift] = []
    for index, (version, converted) in enumerate(plan.converted):
        if canonical_json(converted.content) in have:
            continue
        same_place = remote[index] if index < len(remote) else None
        if same_place is not None and canonical_json(same_place.content) not in wanted:
            drifts.append(
                Drift(DriftKind.DIFFERENT, name, subject, version.version, same_place.label,
                      "the target's content differs from the registry's")
            )  # fmt: skip
        else:
            drifts.append(
                Drift(DriftKind.MISSING, name, subject, version.version, None, "not on the target")
            )
    paired = {d.remote_label for d in drifts}
    for item in remote:
        if canonical_json(item.content) not in wanted and item.label not in paired:
            drifts.append(
                Drift(DriftKind.UNKNOWN, name, subject, None, item.label,
                      "a version the registry does not have")
            )  # fmt: skip
    level = plan.wanted_compatibility
    if level and plan.remote and plan.remote.compatibility not in (None, *level):
        drifts.append(
            Drift(DriftKind.COMPATIBILITY, name, subject, None, None,
                  f"target has {plan.remote.compatibility}, expected {' or '.join(level)}")
        )  # fmt: skip
    return drifts


def run_check(
    target: SyncTarget,
    source: SchemaSource,
    *,
    prefix: str | None = None,
    retry: RetryPolicy | None = None,
    progress: Callable[[str], None] | None = None,
) -> DriftReport:
    """Compare without writing: missing, different and unknown versions and schemas."""
    retry = retry or RetryPolicy()
    report = DriftReport(target.kind, target.label)
    exists = call_with_retry(retry, lambda: target.ensure_ready(create=False), [0])
    subjects = source.subjects(prefix)
    known_names = set()
    for subject in subjects:
        name = target.remote_name(subject)
        known_names.add(name)
        try:
            if exists:
                report.drifts.extend(check_subject(target, source, subject, retry))
            else:
                for version in source.versions(subject):
                    target.convert(version)
                    report.drifts.append(
                        Drift(DriftKind.MISSING, name, subject, version.version, None,
                              "the target's registry does not exist")
                    )  # fmt: skip
        except NotConvertible as exc:
            report.skipped.append(SubjectResult(subject, name, Outcome.SKIPPED, exc.message))
        except TargetError as exc:
            report.skipped.append(SubjectResult(subject, name, Outcome.FAILED, exc.message))
        if progress is not None:
            progress(subject)
    _unknown_schemas(target, report, known_names, prefix=prefix, exists=exists)
    return report


def _unknown_schemas(
    target: SyncTarget, report: DriftReport, known: set[str], *, prefix: str | None, exists: bool
) -> None:
    if not exists:
        return
    if prefix:
        report.notes.append("with --subjects, schemas the registry does not know are not listed")
        return
    names = target.list_names()
    if names is None:
        report.notes.append(f"{target.kind} cannot list its schemas: unknown schemas not checked")
        return
    for name in sorted(set(names) - known):
        report.drifts.append(
            Drift(DriftKind.UNKNOWN, name, None, None, None, "a schema the registry does not know")
        )
