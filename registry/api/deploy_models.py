"""Request and response bodies of ``/api/``: services, versions, contracts, verification
results, environments, deployments, the matrix and can-i-deploy (camelCase, as the rest)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from registry import errors
from registry.api.models import ErrorResponse, WireModel
from registry.service.deploy_judging import Verdict
from registry.service.deploys import VersionDetail
from registry.storage.deploy_repository import Contract, Deployment, Verification

Role = Literal["produces", "consumes"]
Reads = list[str] | None
READS = (
    "JSON pointers into the event the consumer reads, '*' for any array item; null or [] "
    "means unknown, read as everything"
)


class ContractModel(WireModel):
    """A subject the version produces or consumes, and the schema it was built against."""

    role: Role
    subject: str = Field(min_length=1, max_length=255)
    transport: str = Field(min_length=1, max_length=32)
    destination: str = Field(default="", max_length=2048, description="Topic, queue, bus...")
    schemaType: Literal["AVRO", "JSON"] = "AVRO"
    schema_: str = Field(alias="schema", min_length=1, description="The schema's text")
    reads: Reads = Field(default=None, description=READS)


class PublishRequest(WireModel):
    """A version's whole publication (it replaces an earlier one of the same version)."""

    branch: str | None = None
    contracts: list[ContractModel] = Field(min_length=1, max_length=1000)


class ContractResponse(BaseModel):
    """A published contract; ``schemaId`` when the registry holds the schema under it."""

    role: Role
    subject: str
    transport: str
    destination: str
    schemaType: str
    schema_: str = Field(alias="schema", serialization_alias="schema")
    schemaId: int | None = None
    reads: Reads = None


class VerificationModel(WireModel):
    """Pass or fail of one contract, as the pytest plugin reports it."""

    role: Role
    subject: str = Field(min_length=1, max_length=255)
    success: bool
    failure: str | None = Field(default=None, description="Why it failed")
    reads: Reads = Field(default=None, description="Recorded reads of a consumer; " + READS)


class PluginVerification(WireModel):
    """The verification of one contract in the pytest plugin's document."""

    status: Literal["passed", "failed", "not-run"]
    failures: list[dict[str, Any]] = Field(default_factory=list)


class PluginContract(WireModel):
    """One contract of the pytest plugin's document (``contract_testing.publication``)."""

    role: Role
    subject: str = Field(min_length=1, max_length=255)
    reads: Reads = Field(default=None, description=READS)
    verification: PluginVerification


class VerificationsRequest(WireModel):
    """Verification results of a version (created when new): either ``results`` or, as the
    pytest plugin's ``--registry-publish`` sends them, ``contracts`` with a ``verification``
    each (a contract whose status is ``not-run`` records nothing)."""

    service: str | None = Field(default=None, description="When given, the path's service")
    version: str | None = Field(default=None, description="When given, the path's version")
    branch: str | None = None
    results: list[VerificationModel] | None = Field(default=None, max_length=1000)
    contracts: list[PluginContract] | None = Field(default=None, max_length=1000)


class VerificationResponse(BaseModel):
    """A stored verification result."""

    role: Role
    subject: str
    success: bool
    failure: str | None = None
    reads: Reads = None
    verifiedAt: str | None = None


class DeploymentRequest(WireModel):
    """Record that a version now runs in an environment."""

    service: str = Field(min_length=1, max_length=255)
    version: str = Field(min_length=1, max_length=255)
    environment: str = Field(min_length=1, max_length=64)


class DeploymentResponse(BaseModel):
    """A version deployed to an environment since ``deployedAt``."""

    environment: str
    service: str
    version: str
    deployedAt: str
    undeployedAt: str | None = None


class VersionSummary(BaseModel):
    """A version of a service."""

    version: str
    branch: str | None = None
    createdAt: str


class ServiceResponse(BaseModel):
    """A service and its versions, oldest first."""

    name: str
    versions: list[VersionSummary]


class VersionResponse(VersionSummary):
    """A version with its contracts, verification results and current deployments."""

    service: str
    contracts: list[ContractResponse]
    verifications: list[VerificationResponse]
    deployments: list[DeploymentResponse]


class EnvironmentResponse(BaseModel):
    """An environment."""

    name: str


class DeployedConsumerModel(BaseModel):
    """A consumer deployed in an environment: the schema it reads with and what it reads."""

    service: str
    version: str
    subject: str
    schemaType: str
    schema_: str = Field(alias="schema")
    reads: list[str] | None = None


class FindingModel(BaseModel):
    """An incompatibility of a pair, with the event pointers it touches."""

    rule: str
    message: str
    readerPath: str
    writerPath: str
    pointers: list[str]
    example: Any = None


class MatrixRowModel(BaseModel):
    """A producer version and a consumer version of one subject."""

    subject: str
    producer: str
    producerVersion: str
    consumer: str
    consumerVersion: str
    answer: Literal["yes", "no", "unknown"]
    reads: Reads = None
    findings: list[FindingModel]
    ignored: list[FindingModel] = Field(description="Breaking, but outside what is read")


class VerdictResponse(BaseModel):
    """can-i-deploy's answer (``yes``, ``no`` or ``unknown``), the matrix and why."""

    service: str
    version: str
    environment: str
    answer: Literal["yes", "no", "unknown"]
    reasons: list[str]
    warnings: list[str]
    matrix: list[MatrixRowModel]
    verifications: list[dict[str, Any]]


DEPLOY_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {
        "model": ErrorResponse,
        "description": "Service (40480), version (40481) or environment (40482) not found",
    },
    422: {
        "model": ErrorResponse,
        "description": "Invalid publication, read pointer or name (42290), invalid input (422)",
    },
}


def _at(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def contract_model(c: Contract) -> ContractResponse:
    """A stored contract as the API answers it."""
    return ContractResponse.model_validate(
        {
            "role": c.role,
            "subject": c.subject,
            "transport": c.transport,
            "destination": c.destination,
            "schemaType": c.schema_type,
            "schema": c.schema,
            "schemaId": c.schema_id,
            "reads": None if c.reads is None else list(c.reads),
        }
    )


def contract_of(body: ContractModel) -> Contract:
    """A request's contract as the service takes it."""
    return Contract(
        body.role,
        body.subject,
        body.transport,
        body.destination,
        body.schemaType,
        body.schema_,
        None,
        None if body.reads is None else tuple(body.reads),
    )


def _failure(verification: PluginVerification) -> str | None:
    messages = [str(f.get("message", f)) for f in verification.failures]
    return "; ".join(messages) or None


def verifications_of(body: VerificationsRequest, service: str, version: str) -> list[Verification]:
    """A request's results as the service takes them, from either shape."""
    if (body.service or service) != service or (body.version or version) != version:
        raise errors.InvalidPublication(
            f"The document is for {body.service} {body.version}, the path for {service} {version}"
        )
    found = [
        Verification(
            r.role, r.subject, r.success, r.failure, None if r.reads is None else tuple(r.reads)
        )
        for r in body.results or []
    ]
    found += [
        Verification(
            c.role,
            c.subject,
            c.verification.status == "passed",
            _failure(c.verification),
            None if c.reads is None else tuple(c.reads),
        )
        for c in body.contracts or []
        if c.verification.status != "not-run"
    ]
    if not found:
        raise errors.InvalidPublication(
            "No verification results given: send 'results', or 'contracts' with at least one "
            "verification that ran"
        )
    return found


def deployment_model(d: Deployment) -> DeploymentResponse:
    """A deployment as the API answers it."""
    return DeploymentResponse(
        environment=d.environment,
        service=d.service,
        version=d.version,
        deployedAt=d.deployed_at.isoformat(),
        undeployedAt=_at(d.undeployed_at),
    )


def version_model(detail: VersionDetail) -> VersionResponse:
    """A version's detail as the API answers it."""
    v = detail.version
    return VersionResponse(
        service=v.service,
        version=v.version,
        branch=v.branch,
        createdAt=v.created_at.isoformat(),
        contracts=[contract_model(c) for c in detail.contracts],
        verifications=[
            VerificationResponse(
                role=r.role,
                subject=r.subject,
                success=r.success,
                failure=r.failure,
                reads=None if r.reads is None else list(r.reads),
                verifiedAt=_at(r.verified_at),
            )
            for r in detail.verifications
        ],
        deployments=[deployment_model(d) for d in detail.deployments],
    )


def verdict_model(verdict: Verdict) -> VerdictResponse:
    """can-i-deploy's answer as the API gives it."""
    return VerdictResponse.model_validate(verdict.as_dict())
