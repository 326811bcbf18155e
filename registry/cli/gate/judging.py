"""The CI gate's judgement: schema files against a git ref, with the one compatibility engine.

:class:`Judge` holds what every comparison needs (levels and policies from ``[tool.esr]``,
severities, waivers, contracts, ``--fail-on``) and turns the engine's findings into located
:class:`GateFinding` values. :func:`gate_against_git` walks the changes between a ref and the
working tree:

* a changed file is checked against the file at the ref (transitive levels: against every
  distinct text the file had in the ref's history, following renames);
* an added file is a new subject; a deleted one is a ``gate.subject-deleted`` finding;
* a moved file changes its subject: ``gate.subject-renamed``, and its content is still checked
  against the old file with the new subject's level;
* a file that does not parse is a ``gate.schema-invalid`` finding and makes the gate exit 2.

The registry side lives in :mod:`registry.cli.gate.registry_walk`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from registry.cli.gate.config import GateConfig
from registry.cli.gate.contracts import ContractIndex
from registry.cli.gate.git import Change, GitRepo
from registry.cli.gate.model import (
    DEFAULT_SEVERITY,
    GATE_RULES,
    RULE_DELETED,
    RULE_INVALID,
    RULE_RENAMED,
    RULE_TYPE_CHANGED,
    GateFinding,
    GateReport,
    Severity,
    SubjectResult,
    SubjectStatus,
)
from registry.compatibility import Direction, check_compatibility, rule_catalogue
from registry.domain import CompatibilityLevel, CompatibilityPolicy, SchemaType
from registry.errors import InvalidInput
from registry.formats import get_format
from registry.formats.base import ParsedSchema
from registry.formats.lines import line_for, pointer_lines, syntax_error_line
from registry.formats.tree import load_tree, schema_type_for, subject_for
from registry.reads import ConsumerAdvice, ConsumerBreak, ConsumerView, advise

BOTH = ("producers", "consumers")


@dataclass(frozen=True, slots=True)
class GateContext:
    """Inputs of one gate run."""

    schemas_dir: Path
    base_dir: Path
    config: GateConfig
    contracts: ContractIndex
    fail_on: Severity
    today: date
    consumers: ConsumerView | None = None

    def rel(self, path: Path) -> str:
        """A path as reports show it: relative to the base directory when inside it."""
        try:
            return path.resolve().relative_to(self.base_dir.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


def known_rules() -> dict[str, str]:
    """Every rule id the gate can report, with its title."""
    rules = {rule.id: rule.title for rule in rule_catalogue().values()}
    rules.update({rule.id: rule.title for rule in GATE_RULES})
    return rules


def check_config_rules(config: GateConfig) -> None:
    """Refuse severity overrides and waivers naming rules that do not exist."""
    if not config.rules and not config.waivers:
        return
    known = known_rules()
    where = config.source or "[tool.esr]"
    for rule in config.rules:
        if rule not in known:
            raise InvalidInput(f"{where}: [tool.esr.rules] names unknown rule '{rule}'")
        if rule == RULE_INVALID:
            raise InvalidInput(f"{where}: the severity of {RULE_INVALID} cannot be changed")
    for waiver in config.waivers:
        if waiver.rule != "*" and waiver.rule not in known:
            raise InvalidInput(f"{where}: a waiver names unknown rule '{waiver.rule}'")


class Judge:
    """Applies levels, severities, waivers and contracts to one subject at a time."""

    def __init__(self, ctx: GateContext) -> None:
        self.ctx = ctx

    def settings(
        self,
        subject: str,
        registry_level: CompatibilityLevel | None = None,
        registry_policy: CompatibilityPolicy | None = None,
    ) -> tuple[CompatibilityLevel, CompatibilityPolicy]:
        """Level and policy: ``[tool.esr]`` subject override, its default, the registry, else
        BACKWARD and STRICT."""
        config = self.ctx.config
        override = config.override_for(subject)
        level = (override.compatibility if override else None) or config.compatibility
        policy = (override.policy if override else None) or config.policy
        return (
            level or registry_level or CompatibilityLevel.BACKWARD,
            policy or registry_policy or CompatibilityPolicy.STRICT,
        )

    def finding(
        self,
        rule_id: str,
        subject: str,
        file: str,
        line: int,
        message: str,
        *,
        pointer: str = "",
        direction: str | None = None,
        breaks: tuple[str, ...] = (),
        services: tuple[str, ...] = (),
        against: str | None = None,
        example: object = None,
        has_example: bool = False,
        advice: str | None = None,
        consumers: dict[str, Any] | None = None,
        downgrade: bool = False,
    ) -> GateFinding | None:
        """A located finding with severity, waiver and blocking decided; None when ``off``.

        ``downgrade`` (no deployed consumer reads what the finding touches) lowers an error to
        a warning; ``advice`` says why, or which deployed consumers read it.
        """
        config = self.ctx.config
        severity = config.rules.get(rule_id) or DEFAULT_SEVERITY.get(rule_id, Severity.ERROR)
        if severity is Severity.OFF:
            return None
        downgraded = downgrade and severity.rank > Severity.WARNING.rank
        if downgraded:
            severity = Severity.WARNING
        waiver = config.waiver_for(subject, rule_id) if rule_id != RULE_INVALID else None
        waived = waiver is not None and waiver.active(self.ctx.today)
        return GateFinding(
            rule_id=rule_id,
            subject=subject,
            file=file,
            line=line,
            severity=severity,
            message=message,
            pointer=pointer,
            direction=direction,
            breaks=breaks,
            services=services,
            against=against,
            example=example,
            has_example=has_example,
            waiver=waiver,
            waived=waived,
            blocking=not waived and severity.rank >= self.ctx.fail_on.rank,
            advice=advice,
            consumers=consumers,
            downgraded=downgraded,
        )

    def add(self, result: SubjectResult, finding: GateFinding | None) -> None:
        """Attach a finding (if not switched off) to a subject's result."""
        if finding is not None:
            result.findings.append(finding)

    def parse(
        self, result: SubjectResult, text: str, schema_type: SchemaType
    ) -> ParsedSchema | None:
        """Parse the candidate; on failure mark the result invalid and return None."""
        try:
            return get_format(schema_type).parse(text)
        except InvalidInput as exc:
            result.status = SubjectStatus.INVALID
            result.detail = exc.message
            self.add(
                result,
                self.finding(
                    RULE_INVALID,
                    result.subject,
                    result.file,
                    syntax_error_line(text),
                    f"{result.file} does not parse as {schema_type.value}: {exc.message}",
                ),
            )
            return None

    def compare(
        self,
        result: SubjectResult,
        text: str,
        candidate: ParsedSchema,
        previous: Sequence[tuple[str, ParsedSchema]],
    ) -> None:
        """Run the engine at the subject's level and record every finding, located in ``text``.

        With deployed consumers (``--consumers``), each finding is weighed by what they read,
        and what a deployed consumer cannot read of the candidate is added.
        """
        assert result.level is not None and result.policy is not None
        fmt = get_format(candidate.schema_type)
        numbered = [(index, schema) for index, (_, schema) in enumerate(previous, 1)]
        verdict = check_compatibility(fmt, candidate, numbered, result.level, result.policy)
        lines = pointer_lines(text)
        view = self.ctx.consumers
        advice = (
            advise(view, result.subject, verdict.findings, candidate, dict(numbered))
            if view is not None
            else None
        )
        for index, item in enumerate(verdict.findings):
            inc = item.incompatibility
            pointer = inc.reader_path if item.direction is Direction.BACKWARD else inc.writer_path
            label = previous[item.version - 1][0] if item.version else None
            weighed = advice.findings[index].advice if advice is not None else None
            self.add(
                result,
                self.finding(
                    inc.rule_id,
                    result.subject,
                    result.file,
                    line_for(text, pointer, lines),
                    inc.message,
                    pointer=pointer,
                    direction=item.direction.value,
                    breaks=(item.breaks,),
                    services=self.ctx.contracts.services(result.subject, (item.breaks,)),
                    against=label,
                    example=inc.example,
                    has_example=inc.has_example,
                    advice=weighed.note() if weighed else None,
                    consumers=weighed.as_dict() if weighed else None,
                    downgrade=weighed.downgrade if weighed else False,
                ),
            )
        if advice is not None:
            for broken in advice.breaks:
                self.add(result, self.consumer_finding(result, text, lines, broken, advice))
        if any(f.blocking for f in result.findings):
            result.status = SubjectStatus.BREAKING

    def consumer_finding(
        self,
        result: SubjectResult,
        text: str,
        lines: dict[str, int],
        broken: ConsumerBreak,
        advice: ConsumerAdvice,
    ) -> GateFinding | None:
        """What a deployed consumer cannot read of the candidate, as a finding: blocking when
        it reads what the finding touches, a warning when it does not."""
        inc = broken.finding.incompatibility
        consumer = broken.consumer
        return self.finding(
            inc.rule_id,
            result.subject,
            result.file,
            line_for(text, inc.writer_path, lines),
            broken.message(advice.environment),
            pointer=inc.writer_path,
            breaks=("consumers",),
            services=(consumer.service,),
            against=consumer.label,
            example=inc.example,
            has_example=inc.has_example,
            advice=None
            if broken.read
            else f"{consumer.label} does not read {', '.join(broken.finding.pointers)}",
            consumers={
                "environment": advice.environment,
                "consumer": consumer.service,
                "consumerVersion": consumer.version,
                "reads": None if consumer.reads is None else list(consumer.reads),
                "pointers": list(broken.finding.pointers),
            },
            downgrade=not broken.read,
        )

    def parse_previous(
        self, result: SubjectResult, texts: Sequence[tuple[str, str]], schema_type: SchemaType
    ) -> list[tuple[str, ParsedSchema]]:
        """Parse earlier versions; ones that no longer parse are skipped and noted."""
        parsed: list[tuple[str, ParsedSchema]] = []
        for label, text in texts:
            try:
                parsed.append((label, get_format(schema_type).parse(text)))
            except InvalidInput as exc:
                result.detail = f"version at {label} does not parse, not compared: {exc.message}"
        return parsed


@dataclass(slots=True)
class _Side:
    path: str
    subject: str
    schema_type: SchemaType


def gate_against_git(ctx: GateContext, ref: str) -> GateReport:
    """Judge every schema file that differs between ``ref`` and the working tree."""
    repo = GitRepo.discover(ctx.schemas_dir)
    sha = repo.verify(ref)
    try:
        directory = ctx.schemas_dir.resolve().relative_to(repo.root.resolve()).as_posix()
    except ValueError:
        raise InvalidInput(f"{ctx.schemas_dir}: not inside the repository {repo.root}") from None
    walker = _GitWalk(ctx, repo, sha, ref, directory)
    report = GateReport(ref, "git", directory, ctx.fail_on, ctx.today)
    report.subjects = walker.run()
    return report


class _GitWalk:
    def __init__(self, ctx: GateContext, repo: GitRepo, sha: str, ref: str, directory: str) -> None:
        self.ctx, self.repo, self.sha, self.ref = ctx, repo, sha, ref
        self.directory = PurePosixPath(directory)
        self.judge = Judge(ctx)

    def side(self, path: str | None) -> _Side | None:
        if path is None:
            return None
        pure = PurePosixPath(path)
        schema_type = schema_type_for(Path(path))
        if schema_type is None or not pure.is_relative_to(self.directory):
            return None
        relative = pure.relative_to(self.directory)
        if any(part.startswith(".") for part in relative.parts):
            return None
        subject = subject_for(Path("/"), Path("/") / relative)
        return _Side(path, subject, schema_type)

    def run(self) -> list[SubjectResult]:
        if not (self.repo.root / self.directory).is_dir() and not self.repo.run(
            "ls-tree", "--name-only", self.sha, "--", str(self.directory)
        ):
            raise InvalidInput(f"{self.ctx.schemas_dir}: not a directory, here or at {self.ref}")
        old: dict[str, _Side] = {}
        new: dict[str, _Side] = {}
        renamed: dict[str, str] = {}
        for change in self.repo.changes(self.sha, str(self.directory)):
            before, after = self.side(change.old_path), self.side(change.new_path)
            if before:
                old[before.subject] = before
            if after:
                new[after.subject] = after
            if _is_rename(change, before, after):
                assert before is not None and after is not None
                renamed[after.subject] = before.subject
        results = [self.subject(s, old, new, renamed) for s in sorted(old.keys() | new.keys())]
        judged = [r for r in results if r is not None]
        return sorted(judged + self.unchanged({r.subject for r in judged}), key=_order)

    def subject(
        self, subject: str, old: dict[str, _Side], new: dict[str, _Side], renamed: dict[str, str]
    ) -> SubjectResult | None:
        after, before = new.get(subject), old.get(subject)
        if after is None:
            assert before is not None
            if any(src == subject and dst not in old for dst, src in renamed.items()):
                return None  # reported under the new subject
            return self.deleted(before)
        if before is None and subject in renamed and renamed[subject] not in new:
            return self.changed(after, old[renamed[subject]], moved=True)
        if before is None:
            return self.added(after)
        return self.changed(after, before, moved=False)

    def _result(self, side: _Side, status: SubjectStatus) -> SubjectResult:
        level, policy = self.judge.settings(side.subject)
        return SubjectResult(side.subject, side.path, status, side.schema_type, level, policy)

    def added(self, side: _Side) -> SubjectResult:
        result = self._result(side, SubjectStatus.NEW)
        self.judge.parse(result, _read(self.repo.root / side.path), side.schema_type)
        return result

    def deleted(self, side: _Side) -> SubjectResult:
        result = self._result(side, SubjectStatus.DELETED)
        self.judge.add(
            result,
            self.judge.finding(
                RULE_DELETED,
                side.subject,
                side.path,
                1,
                f"Subject '{side.subject}' was deleted ({side.path} exists at {self.ref})",
                breaks=BOTH,
                services=self.ctx.contracts.services(side.subject, BOTH),
                against=self.ref,
            ),
        )
        return result

    def changed(self, after: _Side, before: _Side, *, moved: bool) -> SubjectResult:
        status = SubjectStatus.RENAMED if moved else SubjectStatus.COMPATIBLE
        result = self._result(after, status)
        result.previous_file = before.path if before.path != after.path else None
        text = _read(self.repo.root / after.path)
        candidate = self.judge.parse(result, text, after.schema_type)
        if moved:
            self.judge.add(
                result,
                self.judge.finding(
                    RULE_RENAMED,
                    after.subject,
                    after.path,
                    1,
                    f"Subject '{before.subject}' was renamed to '{after.subject}' "
                    f"({before.path} moved to {after.path})",
                    breaks=BOTH,
                    against=self.ref,
                    services=self.ctx.contracts.services(before.subject, BOTH),
                ),
            )
        if candidate is None:
            return result
        if before.schema_type is not after.schema_type:
            self.judge.add(
                result,
                self.judge.finding(
                    RULE_TYPE_CHANGED,
                    after.subject,
                    after.path,
                    1,
                    f"Subject '{after.subject}' changed from {before.schema_type.value} "
                    f"to {after.schema_type.value}",
                    breaks=BOTH,
                    against=self.ref,
                    services=self.ctx.contracts.services(after.subject, BOTH),
                ),
            )
        else:
            previous = self.judge.parse_previous(
                result, self.texts(before, result), before.schema_type
            )
            if previous:
                self.judge.compare(result, text, candidate, previous)
        if any(f.blocking for f in result.findings):
            result.status = SubjectStatus.BREAKING
        return result

    def texts(self, before: _Side, result: SubjectResult) -> list[tuple[str, str]]:
        assert result.level is not None
        return result.level.versions_to_check(
            lambda: [(sha[:10], text) for sha, text in self.repo.history(self.sha, before.path)],
            lambda: (self.ref, self.repo.show(self.sha, before.path)),
        )

    def unchanged(self, judged: set[str]) -> list[SubjectResult]:
        root = self.repo.root / self.directory
        if not root.is_dir():
            return []
        results = []
        for item in load_tree(root):
            if item.subject not in judged:
                path = (self.directory / item.path.relative_to(root).as_posix()).as_posix()
                side = _Side(path, item.subject, item.schema_type)
                results.append(self._result(side, SubjectStatus.UNCHANGED))
        return results


def _is_rename(change: Change, before: _Side | None, after: _Side | None) -> bool:
    return (
        change.status == "R"
        and before is not None
        and after is not None
        and before.subject != after.subject
    )


def _order(result: SubjectResult) -> tuple[int, str]:
    return (result.status is SubjectStatus.UNCHANGED, result.subject)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not valid UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read ({exc.strerror})") from None
