"""The CI gate against a live registry: every schema file judged as registering it would be.

For each file of the tree (subject from its path): a subject the registry does not know is
*new*; a schema the subject already has (``POST /subjects/{s}`` finds it) is *unchanged*, since
registering it again creates nothing; anything else is checked with the one engine against the
registered versions the level picks (``CompatibilityLevel.versions_to_check``), at the level from
``[tool.esr]``, else the registry's config for the subject, else BACKWARD. Registered versions
are fetched and parsed, references included, by the contract tests' ``SchemaResolver`` over a
``RegistrySource``: the gate and the pytest plugin read a registry the same way.
"""

from __future__ import annotations

from registry.cli.gate.judging import BOTH, GateContext, Judge
from registry.cli.gate.model import RULE_TYPE_CHANGED, GateReport, SubjectResult, SubjectStatus
from registry.client import RegistryClient
from registry.contract_testing.schemas import RegistrySource, SchemaResolver
from registry.domain import CompatibilityLevel, CompatibilityPolicy, SchemaInput, SchemaType
from registry.errors import NotFound, SubjectNotFound
from registry.formats.tree import SchemaFile, load_tree
from registry.wire import config_from_wire


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
        self.resolver = SchemaResolver(RegistrySource(client))

    def registry_settings(
        self, subject: str
    ) -> tuple[CompatibilityLevel | None, CompatibilityPolicy | None]:
        try:
            config = self.client.config(subject)
        except NotFound:
            config = self.client.config()
        settings = config_from_wire(config)
        return settings.compatibility, settings.policy

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
        previous = [
            (f"version {v}", self.resolver.resolve(item.subject, v).schema)
            for v in level.pick_versions(versions)
        ]
        types = {schema.schema_type for _, schema in previous}
        if types != {item.schema_type}:
            self.type_changed(result, types)
        else:
            self.judge.compare(result, text, candidate, previous)
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
