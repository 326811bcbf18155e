"""/api/: services, versions, contracts, verification results, environments, deployments, the
matrix and can-i-deploy (see ``docs/deploys.md``).

Readers read; writers publish contracts and verification results and record deployments;
admins create and delete environments and delete services and versions.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from registry.api.deploy_models import (
    DEPLOY_ERRORS,
    DeployedConsumerModel,
    DeploymentRequest,
    DeploymentResponse,
    EnvironmentResponse,
    PublishRequest,
    ServiceResponse,
    VerdictResponse,
    VerificationsRequest,
    VersionResponse,
    VersionSummary,
    contract_of,
    deployment_model,
    verdict_model,
    verifications_of,
    version_model,
)
from registry.api.deps import ADMIN, READ, WRITE, CallerDep, DeploysDep
from registry.api.models import Flag

router = APIRouter(prefix="/api", tags=["deploys"], responses=DEPLOY_ERRORS)


Service = Path(description="The service's name", max_length=255)
Version = Path(description="The service version (a git SHA, say)", max_length=255)
Environment = Path(description="The environment's name", max_length=64)
EnvironmentQuery = Annotated[str, Query(description="The environment", max_length=64)]


@router.get("/services", dependencies=[READ], response_model=list[str])
def list_services(service: DeploysDep) -> list[str]:
    """Every service that published contracts or verification results."""
    return service.services()


@router.get("/services/{service}", dependencies=[READ], response_model=ServiceResponse)
def get_service(deploys: DeploysDep, service: str = Service) -> ServiceResponse:
    """A service and its versions."""
    versions = deploys.versions(service)
    return ServiceResponse(
        name=service,
        versions=[
            VersionSummary(version=v.version, branch=v.branch, createdAt=v.created_at.isoformat())
            for v in versions
        ],
    )


@router.delete(
    "/services/{service}", dependencies=[ADMIN], status_code=204, response_class=Response
)
def delete_service(deploys: DeploysDep, caller: CallerDep, service: str = Service) -> Response:
    """Forget a service: its versions, contracts, results and deployments."""
    deploys.delete_service(service, caller=caller)
    return Response(status_code=204)


@router.get(
    "/services/{service}/versions/{version}", dependencies=[READ], response_model=VersionResponse
)
def get_service_version(
    deploys: DeploysDep, service: str = Service, version: str = Version
) -> VersionResponse:
    """A version with its contracts, verification results and where it runs."""
    return version_model(deploys.version(service, version))


@router.delete(
    "/services/{service}/versions/{version}",
    dependencies=[ADMIN],
    status_code=204,
    response_class=Response,
)
def delete_service_version(
    deploys: DeploysDep, caller: CallerDep, service: str = Service, version: str = Version
) -> Response:
    """Forget a version: its contracts, results and deployments."""
    deploys.delete_version(service, version, caller=caller)
    return Response(status_code=204)


@router.put(
    "/services/{service}/versions/{version}/contracts",
    dependencies=[WRITE],
    response_model=VersionResponse,
)
def publish_contracts(
    deploys: DeploysDep,
    caller: CallerDep,
    body: PublishRequest,
    service: str = Service,
    version: str = Version,
) -> VersionResponse:
    """Publish a version's contracts in one transaction (replacing an earlier publication)."""
    contracts = [contract_of(c) for c in body.contracts]
    detail = deploys.publish(service, version, contracts, branch=body.branch, caller=caller)
    return version_model(detail)


@router.post(
    "/services/{service}/versions/{version}/verifications",
    dependencies=[WRITE],
    response_model=VersionResponse,
)
def record_verifications(
    deploys: DeploysDep,
    caller: CallerDep,
    body: VerificationsRequest,
    service: str = Service,
    version: str = Version,
) -> VersionResponse:
    """Record verification results (pass or fail per contract, with recorded reads)."""
    results = verifications_of(body, service, version)
    detail = deploys.record_verifications(
        service, version, results, branch=body.branch, caller=caller
    )
    return version_model(detail)


@router.get(
    "/services/{service}/versions/{version}/matrix",
    dependencies=[READ],
    response_model=VerdictResponse,
)
def get_matrix(
    deploys: DeploysDep,
    environment: EnvironmentQuery,
    service: str = Service,
    version: str = Version,
) -> VerdictResponse:
    """The version against every counterpart deployed in the environment, pair by pair."""
    return verdict_model(deploys.can_i_deploy(service, version, environment))


@router.get("/can-i-deploy", dependencies=[READ], response_model=VerdictResponse)
def can_i_deploy(
    deploys: DeploysDep,
    service: Annotated[str, Query(description="The service", max_length=255)],
    version: Annotated[str, Query(description="Its version", max_length=255)],
    environment: EnvironmentQuery,
) -> VerdictResponse:
    """Whether the version can be deployed to the environment: yes, no or unknown."""
    return verdict_model(deploys.can_i_deploy(service, version, environment))


@router.get("/environments", dependencies=[READ], response_model=list[str])
def list_environments(deploys: DeploysDep) -> list[str]:
    """Every environment."""
    return deploys.environments()


@router.put("/environments/{environment}", dependencies=[ADMIN], response_model=EnvironmentResponse)
def create_environment(
    deploys: DeploysDep, caller: CallerDep, environment: str = Environment
) -> EnvironmentResponse:
    """Create an environment (idempotent)."""
    deploys.create_environment(environment, caller=caller)
    return EnvironmentResponse(name=environment)


@router.delete(
    "/environments/{environment}", dependencies=[ADMIN], status_code=204, response_class=Response
)
def delete_environment(
    deploys: DeploysDep, caller: CallerDep, environment: str = Environment
) -> Response:
    """Delete an environment and its deployment history."""
    deploys.delete_environment(environment, caller=caller)
    return Response(status_code=204)


@router.get(
    "/environments/{environment}/consumers",
    dependencies=[READ],
    response_model=list[DeployedConsumerModel],
    response_model_by_alias=True,
)
def list_consumers(
    deploys: DeploysDep,
    environment: str = Environment,
    subject: Annotated[str | None, Query(description="Only the consumers of this subject")] = None,
) -> list[dict[str, object]]:
    """The consumers deployed in the environment: for each subject each consumes, the schema it
    reads with and the JSON pointers it reads (``null``: unknown, read as everything). ``esr
    gate --consumers`` asks this."""
    return [c.as_dict() for c in deploys.consumers(environment, subject).consumers]


@router.post("/deployments", dependencies=[WRITE], response_model=DeploymentResponse)
def record_deployment(
    deploys: DeploysDep, caller: CallerDep, body: DeploymentRequest
) -> DeploymentResponse:
    """Record that a version runs in an environment (the service's previous one stops)."""
    found = deploys.record_deployment(body.service, body.version, body.environment, caller=caller)
    return deployment_model(found)


@router.get("/deployments", dependencies=[READ], response_model=list[DeploymentResponse])
def list_deployments(
    deploys: DeploysDep,
    environment: Annotated[str | None, Query(description="Only this environment")] = None,
    history: Annotated[Flag, Query(description="Undeployed ones too")] = False,
) -> list[DeploymentResponse]:
    """What runs where (with ``history``, what ran before too)."""
    return [deployment_model(d) for d in deploys.deployments(environment, history=history)]
