"""Deploy safety: services, their versions and contracts, verifications, deployments, and
can-i-deploy (Pact's broker model, with schemas; see ``docs/deploys.md``).

A service version publishes its contracts: each subject it produces or consumes, the transport
and destination, the schema it was built against (by content: the registry resolves it to the
global id it holds under the subject, when it holds it, and registers nothing) and, for a
consumer, the JSON pointers it reads. The plugin reports verification results per contract.
Environments are created explicitly; recording a deployment of a version undeploys the previous
version of that service there. Every public method opens one transaction, so a publication is
all or nothing; writes take the registry-wide lock and record an audit entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from registry import errors
from registry.domain import AuditEntry, SchemaInput, SchemaType
from registry.reads import ConsumerView, DeployedConsumer, check_reads
from registry.service.core import RegistryService
from registry.service.deploy_judging import (
    Answer,
    MatrixRow,
    Verdict,
    judge_pair,
    parse_contract_schema,
)
from registry.service.naming import ANONYMOUS, Caller
from registry.storage import deploy_repository as repo
from registry.storage.deploy_repository import Contract, Deployment, ServiceVersion, Verification
from registry.storage.repository import record

ROLES = ("produces", "consumes")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+-]{0,254}")
_ENVIRONMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def check_name(kind: str, value: str, pattern: re.Pattern[str] = _NAME) -> str:
    """A service name, version, branch or environment, or a clear 422."""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise errors.InvalidPublication(
            f"Invalid {kind} {value!r}: use letters, digits and . _ - (and : @ + except in "
            f"environments), starting with a letter or digit, at most "
            f"{64 if pattern is _ENVIRONMENT else 255} characters"
        )
    return value


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise errors.InvalidPublication(f"Invalid role {role!r}: use 'produces' or 'consumes'")
    return role


@dataclass(frozen=True, slots=True)
class VersionDetail:
    """A service version with what it published, its results and where it runs."""

    version: ServiceVersion
    contracts: tuple[Contract, ...]
    verifications: tuple[Verification, ...]
    deployments: tuple[Deployment, ...]


@dataclass(frozen=True, slots=True)
class Party:
    """A service's newest published contract for one subject, and where the service runs."""

    service: str
    version: str
    role: str
    subject: str
    transport: str
    destination: str
    deployed: tuple[tuple[str, str], ...] = ()


class DeployService:
    """Use cases of deploy safety over the registry's database."""

    def __init__(self, registry: RegistryService) -> None:
        self.registry = registry
        self.db = registry.db

    # --- services and versions --------------------------------------------------------------

    def services(self) -> list[str]:
        """Every service that published something."""
        with self.db.read() as session:
            return repo.services(session)

    def versions(self, service: str) -> list[ServiceVersion]:
        """A service's versions, oldest first (40480 for an unknown service)."""
        with self.db.read() as session:
            self._service(session, service)
            return repo.versions(session, service)

    def version(self, service: str, version: str) -> VersionDetail:
        """One version with its contracts, verification results and deployments."""
        with self.db.read() as session:
            found = self._version(session, service, version)
            return VersionDetail(
                found,
                tuple(repo.contracts(session, found.id)),
                tuple(repo.verifications(session, found.id)),
                tuple(d for vid, d in repo.deployments(session) if vid == found.id),
            )

    def publish(
        self,
        service: str,
        version: str,
        contracts: Sequence[Contract],
        *,
        branch: str | None = None,
        caller: Caller = ANONYMOUS,
    ) -> VersionDetail:
        """Publish a version's contracts, replacing any earlier publication of that version.

        Each schema is parsed (an invalid one is refused) and resolved to the global id the
        registry holds under the contract's subject, when it holds it; nothing is registered.
        """
        check_name("service name", service)
        check_name("version", version)
        if branch is not None:
            check_name("branch", branch)
        resolved = [self._resolved(c) for c in contracts]
        keys = [(c.role, c.subject, c.transport, c.destination) for c in resolved]
        if len(set(keys)) != len(keys):
            raise errors.InvalidPublication(
                "A subject appears twice with the same role, transport and destination"
            )
        with self.db.write() as session:
            version_id = repo.ensure_version(session, service, version, branch)
            repo.replace_contracts(session, version_id, resolved)
            detail = {"service": service, "version": version, "contracts": len(resolved)}
            self._record(session, "publish_contracts", caller, detail)
        return self.version(service, version)

    def _resolved(self, contract: Contract) -> Contract:
        _check_role(contract.role)
        if not contract.subject or len(contract.subject) > 255:
            raise errors.InvalidPublication("Every contract needs a subject (at most 255 chars)")
        if not contract.transport or len(contract.transport) > 32:
            raise errors.InvalidPublication(
                f"Contract '{contract.subject}' needs a transport (at most 32 characters)"
            )
        parse_contract_schema(contract)
        reads = check_reads(contract.reads)
        if reads is not None and contract.role != "consumes":
            raise errors.InvalidPublication(
                f"Only consumers read: '{contract.subject}' is produced, it has no reads"
            )
        schema_id: int | None = None
        try:
            found = self.registry.lookup(
                contract.subject, SchemaInput(contract.schema, SchemaType(contract.schema_type))
            )
            schema_id = found.schema.id
        except errors.NotFound:
            schema_id = None
        return Contract(
            contract.role,
            contract.subject,
            contract.transport,
            contract.destination,
            contract.schema_type,
            contract.schema,
            schema_id,
            reads,
        )

    def record_verifications(
        self,
        service: str,
        version: str,
        results: Sequence[Verification],
        *,
        branch: str | None = None,
        caller: Caller = ANONYMOUS,
    ) -> VersionDetail:
        """Record verification results (the version is created when new, as Pact does); a
        result replaces an earlier one for the same role and subject."""
        check_name("service name", service)
        check_name("version", version)
        if branch is not None:
            check_name("branch", branch)
        if not results:
            raise errors.InvalidPublication("No verification results given")
        checked = []
        for r in results:
            _check_role(r.role)
            if not r.subject:
                raise errors.InvalidPublication("Every verification result needs a subject")
            checked.append(
                Verification(r.role, r.subject, r.success, r.failure, check_reads(r.reads))
            )
        with self.db.write() as session:
            version_id = repo.ensure_version(session, service, version, branch)
            for result in checked:
                repo.put_verification(session, version_id, result)
            detail = {"service": service, "version": version, "results": len(checked)}
            self._record(session, "record_verifications", caller, detail)
        return self.version(service, version)

    def delete_service(self, service: str, *, caller: Caller = ANONYMOUS) -> None:
        """A service with its versions, contracts, results and deployments."""
        with self.db.write() as session:
            self._service(session, service)
            repo.delete_service(session, service)
            self._record(session, "delete_service", caller, {"service": service})

    def delete_version(self, service: str, version: str, *, caller: Caller = ANONYMOUS) -> None:
        """One version with its contracts, results and deployments."""
        with self.db.write() as session:
            found = self._version(session, service, version)
            repo.delete_version(session, found.id)
            detail = {"service": service, "version": version}
            self._record(session, "delete_service_version", caller, detail)

    # --- environments and deployments -------------------------------------------------------

    def environments(self) -> list[str]:
        """Every environment."""
        with self.db.read() as session:
            return repo.environments(session)

    def create_environment(self, name: str, *, caller: Caller = ANONYMOUS) -> bool:
        """Create an environment (idempotent: False when it existed)."""
        check_name("environment", name, _ENVIRONMENT)
        with self.db.write() as session:
            created = repo.add_environment(session, name)
            if created:
                self._record(session, "create_environment", caller, {"environment": name})
            return created

    def delete_environment(self, name: str, *, caller: Caller = ANONYMOUS) -> None:
        """An environment and its deployment history."""
        with self.db.write() as session:
            self._environment(session, name)
            repo.delete_environment(session, name)
            self._record(session, "delete_environment", caller, {"environment": name})

    def record_deployment(
        self, service: str, version: str, environment: str, *, caller: Caller = ANONYMOUS
    ) -> Deployment:
        """``version`` of ``service`` runs in ``environment`` now; the previous one stops."""
        with self.db.write() as session:
            self._environment(session, environment)
            found = self._version(session, service, version)
            repo.record_deployment(session, environment, found.id)
            detail = {"service": service, "version": version, "environment": environment}
            self._record(session, "record_deployment", caller, detail)
            return next(
                d
                for vid, d in repo.deployments(session, environment)
                if vid == found.id and d.service == service
            )

    def deployments(
        self, environment: str | None = None, *, history: bool = False
    ) -> list[Deployment]:
        """What runs where (and, with ``history``, what ran before)."""
        with self.db.read() as session:
            if environment is not None:
                self._environment(session, environment)
            return [d for _, d in repo.deployments(session, environment, current=not history)]

    def parties(self) -> list[Party]:
        """Who produces and consumes what: the contracts of each service's newest published
        version, with where that service runs now (for the catalogue and the services page)."""
        with self.db.read() as session:
            running: dict[str, list[tuple[str, str]]] = {}
            for _, d in repo.deployments(session, None):
                running.setdefault(d.service, []).append((d.environment, d.version))
            found: list[Party] = []
            for service in repo.services(session):
                deployed = tuple(sorted(running.get(service, [])))
                for newest in reversed(repo.versions(session, service)):
                    contracts = repo.contracts(session, newest.id)
                    if contracts:  # the newest version that published any
                        found += [
                            Party(service, newest.version, c.role, c.subject, c.transport,
                                  c.destination, deployed)
                            for c in contracts
                        ]  # fmt: skip
                        break
        return found

    # --- the matrix and can-i-deploy --------------------------------------------------------

    def consumers(self, environment: str, subject: str | None = None) -> ConsumerView:
        """The consumers deployed in ``environment`` (of ``subject``, when given): each with
        the schema it reads with and what it reads (declared, else recorded; None: unknown)."""
        with self.db.read() as session:
            self._environment(session, environment)
            found: list[DeployedConsumer] = []
            for vid, d in repo.deployments(session, environment):
                recorded = _reads_by_subject(repo.verifications(session, vid))
                found += [
                    DeployedConsumer(
                        d.service,
                        d.version,
                        c.subject,
                        c.schema_type,
                        c.schema,
                        c.reads if c.reads is not None else recorded.get(c.subject),
                    )
                    for c in repo.contracts(session, vid)
                    if c.role == "consumes" and subject in (None, c.subject)
                ]
        found.sort(key=lambda c: (c.subject, c.service, c.version))
        return ConsumerView(environment, tuple(found))

    def can_i_deploy(self, service: str, version: str, environment: str) -> Verdict:
        """Whether ``version`` of ``service`` can join what runs in ``environment``.

        Yes when every deployed consumer of what it produces, and every deployed producer of
        what it consumes, get on with it (restricted to what the consumer reads) and its own
        verification results all pass; no when a pair is broken or a result failed; unknown
        when the version never published, has no results, or a counterpart has no contract.
        """
        with self.db.read() as session:
            self._environment(session, environment)
            found = repo.version(session, service, version)
            if found is None:
                reason = f"{service} {version} has never been published"
                return Verdict(service, version, environment, Answer.UNKNOWN, reasons=(reason,))
            mine = repo.contracts(session, found.id)
            results = repo.verifications(session, found.id)
            deployed = [
                (vid, d)
                for vid, d in repo.deployments(session, environment)
                if d.service != service
            ]
            others = {vid: repo.contracts(session, vid) for vid, _ in deployed}
            reads = {
                vid: _reads_by_subject(repo.verifications(session, vid)) for vid, _ in deployed
            }
        own_reads = _reads_by_subject(results)
        rows: list[MatrixRow] = []
        unknown: list[str] = []
        for vid, d in deployed:
            if not others[vid]:
                unknown.append(f"{d.service} {d.version} (deployed) has published no contract")
                continue
            for c in mine:
                role = "consumes" if c.role == "produces" else "produces"
                for o in (o for o in others[vid] if o.role == role and o.subject == c.subject):
                    if c.role == "produces":
                        rows.append(
                            _row(c, (service, version), o, (d.service, d.version), reads[vid])
                        )
                    else:
                        rows.append(
                            _row(o, (d.service, d.version), c, (service, version), own_reads)
                        )
        return _verdict(service, version, environment, mine, results, rows, unknown)

    # --- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _service(session: Session, service: str) -> int:
        found = repo.service_id(session, service)
        if found is None:
            raise errors.ServiceNotFound(f"Service '{service}' not found")
        return found

    def _version(self, session: Session, service: str, version: str) -> ServiceVersion:
        self._service(session, service)
        found = repo.version(session, service, version)
        if found is None:
            raise errors.ServiceVersionNotFound(f"Service '{service}' has no version '{version}'")
        return found

    @staticmethod
    def _environment(session: Session, name: str) -> None:
        if not repo.has_environment(session, name):
            raise errors.EnvironmentNotFound(f"Environment '{name}' not found")

    @staticmethod
    def _record(
        session: Session, action: str, caller: Caller, detail: Mapping[str, object]
    ) -> None:
        record(
            session, AuditEntry(action, None, None, None, caller.actor, caller.remote, dict(detail))
        )


def _reads_by_subject(results: Sequence[Verification]) -> dict[str, tuple[str, ...] | None]:
    return {r.subject: r.reads for r in results if r.role == "consumes"}


def _row(
    writer: Contract,
    producer: tuple[str, str],
    reader: Contract,
    consumer: tuple[str, str],
    recorded: Mapping[str, tuple[str, ...] | None],
) -> MatrixRow:
    reads = reader.reads if reader.reads is not None else recorded.get(reader.subject)
    blocking, ignored = judge_pair(reader, writer, reads)
    return MatrixRow(
        reader.subject,
        producer[0],
        producer[1],
        consumer[0],
        consumer[1],
        Answer.NO if blocking else Answer.YES,
        reads,
        blocking,
        ignored,
    )


def _verdict(
    service: str,
    version: str,
    environment: str,
    mine: Sequence[Contract],
    results: Sequence[Verification],
    rows: Sequence[MatrixRow],
    unknown: Sequence[str],
) -> Verdict:
    reasons = list(unknown)
    failed = [r for r in results if not r.success]
    blocked = [row for row in rows if row.answer is Answer.NO]
    if not results:
        reasons.append(f"{service} {version} has no verification results")
    verified = {(r.role, r.subject) for r in results}
    reasons += [
        f"{c.role} '{c.subject}' has no verification result"
        for c in mine
        if results and (c.role, c.subject) not in verified
    ]
    if failed or blocked:
        answer = Answer.NO
        reasons = (
            [
                f"verification of {r.role} '{r.subject}' failed: {r.failure or 'no detail'}"
                for r in failed
            ]
            + [
                f"{row.consumer} {row.consumer_version} cannot read what {row.producer} "
                f"{row.producer_version} writes to '{row.subject}'"
                for row in blocked
            ]
            + reasons
        )
    else:
        answer = Answer.UNKNOWN if reasons else Answer.YES
    warnings = [
        f"'{row.subject}': {row.producer} {row.producer_version} changes "
        f"{', '.join(sorted({p or '/' for f in row.ignored for p in f.pointers}))}, which "
        f"{row.consumer} {row.consumer_version} does not read (consumers considered: "
        f"{_considered(rows, row.subject)})"
        for row in rows
        if row.ignored and row.answer is Answer.YES
    ]
    return Verdict(
        service,
        version,
        environment,
        answer,
        tuple(rows),
        tuple(results),
        tuple(reasons),
        tuple(warnings),
    )


def _considered(rows: Sequence[MatrixRow], subject: str) -> str:
    names = sorted({f"{r.consumer} {r.consumer_version}" for r in rows if r.subject == subject})
    return ", ".join(names)
