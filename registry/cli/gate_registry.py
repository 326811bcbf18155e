"""The CI gate against a live registry: every schema file judged as registering it would be.

For each file of the tree (subject from its path): a subject the registry does not know is
*new*; a schema the subject already has (``POST /subjects/{s}`` finds it) is *unchanged*, since
registering it again creates nothing; anything else is checked with the one engine against the
registered versions (the latest, or all live ones for transitive levels), at the level from
``[tool.esr]``, else the registry's config for the subject, else BACKWARD. References of
registered schemas are fetched from the registry and resolved before parsing.
"""

from __future__ import annotations

from typing import Any

from registry.cli.gate_model import RULE_TYPE_CHANGED, GateReport, SubjectResult, SubjectStatus
from registry.cli.gating import BOTH, GateContext, Judge
from registry.client import RegistryClient
from registry.domain import CompatibilityLevel, CompatibilityPolicy, SchemaInput, SchemaType
from registry.errors import InvalidInput, NotFound, SubjectNotFound
from registry.formats import get_format
from registry.formats.base import ParsedSchema, ResolvedReference
from registry.formats.tree import SchemaFile, load_tree
from registry.wire import references_from_wire


def gate_against_registry(
    ctx: GateContext,
    url: str,
    *,
    timeout: float = 10.0,
    auth: tuple[str, str] | None = None,
    token: str | None = None,
) -> GateReport:
    """Judge every schema file of ``ctx.schemas_dir`` against the registry at ``url``."""
    report = GateReport(url, "registry", ctx.rel(ctx.schemas_dir), ctx.fail_on, ctx.today)
    files = load_tree(ctx.schemas_dir)
    with RegistryClient(url, timeout=timeout, auth=auth, token=token) as client:
        walker = _RegistryWalk(ctx, client)
        report.subjects = [walker.subject(item) for item in files]
    return report


class _RegistryWalk:
    def __init__(self, ctx: GateContext, client: RegistryClient) -> None:
        self.ctx = ctx
        self.client = client
        self.judge = Judge(ctx)
        self.parsed: dict[tuple[str, int], tuple[dict[str, Any], ParsedSchema]] = {}

    def registry_settings(
        self, subject: str
    ) -> tuple[CompatibilityLevel | None, CompatibilityPolicy | None]:
        try:
            config = self.client.config(subject)
        except NotFound:
            config = self.client.config()
        level = config.get("compatibilityLevel") or config.get("compatibility")
        policy = config.get("compatibilityPolicy")
        return (
            CompatibilityLevel.parse(level) if level else None,
            CompatibilityPolicy.parse(policy) if policy else None,
        )

    def subject(self, item: SchemaFile) -> SubjectResult:
        level, policy = self.judge.settings(item.subject, *self.registry_settings(item.subject))
        file = self.ctx.rel(item.path)
        result = SubjectResult(
            item.subject, file, SubjectStatus.COMPATIBLE, item.schema_type, level, policy
        )
        text = item.read_text()
        candidate = self.judge.parse(result, text, item.schema_type)
        if candidate is None:
            return result
        try:
            versions = self.client.versions(item.subject)
        except SubjectNotFound:
            versions = []
        if not versions:
            result.status = SubjectStatus.NEW
            result.detail = "not registered yet"
            return result
        found = self.client.lookup(item.subject, SchemaInput(text, item.schema_type))
        if found is not None:
            result.status = SubjectStatus.UNCHANGED
            result.detail = f"registered as version {found.get('version')}, id {found.get('id')}"
            return result
        targets = versions if level.transitive else versions[-1:]
        previous = [self.version(item.subject, v) for v in targets]
        types = {schema.schema_type for _, schema in previous}
        if types != {item.schema_type}:
            self.type_changed(result, types)
        else:
            labelled = [
                (f"version {v}", schema) for v, (_, schema) in zip(targets, previous, strict=True)
            ]
            self.judge.compare(result, text, candidate, labelled)
        return result

    def type_changed(self, result: SubjectResult, types: set[SchemaType]) -> None:
        registered = ", ".join(sorted(t.value for t in types))
        assert result.schema_type is not None
        self.judge.add(
            result,
            self.judge.finding(
                RULE_TYPE_CHANGED,
                result.subject,
                result.file,
                1,
                f"Subject '{result.subject}' is registered as {registered}; the file is "
                f"{result.schema_type.value}",
                breaks=BOTH,
                against=self.client.base_url,
                services=self.ctx.contracts.services(result.subject, BOTH),
            ),
        )
        result.status = SubjectStatus.BREAKING if result.findings[-1].blocking else result.status

    def version(self, subject: str, version: int) -> tuple[int, ParsedSchema]:
        """A registered version, parsed with its references resolved from the registry."""
        return version, self._parsed(subject, version, depth=0)[1]

    def _parsed(
        self, subject: str, version: int, depth: int
    ) -> tuple[dict[str, Any], ParsedSchema]:
        key = (subject, version)
        if key in self.parsed:
            return self.parsed[key]
        if depth > 32:
            raise InvalidInput(f"references of {subject} version {version} nest too deeply")
        data = self.client.version(subject, version)
        references = tuple(
            ResolvedReference(
                ref.name,
                ref.subject,
                ref.version,
                self._parsed(ref.subject, ref.version, depth + 1)[1],
            )
            for ref in references_from_wire(data.get("references"))
        )
        schema_type = SchemaType.parse(data.get("schemaType"))
        try:
            parsed = get_format(schema_type).parse(str(data["schema"]), references)
        except InvalidInput as exc:
            raise InvalidInput(
                f"registered {subject} version {version} does not parse here: {exc.message}"
            ) from None
        self.parsed[key] = (data, parsed)
        return self.parsed[key]
