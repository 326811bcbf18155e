"""/associations: which subject a topic uses for its keys and values (Confluent 8.2).

Readers read; writers create and update (an association may register a schema, under the
writer's subjects only); admins delete. ``confluent-kafka``'s default subject-name strategy
asks ``GET /associations/resources/{namespace}/{name}`` before it serializes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from registry.api.association_models import (
    ASSOCIATION_ERRORS,
    AssociationCreateResponse,
    AssociationRequestModel,
    AssociationResponseModel,
)
from registry.api.deps import ADMIN, READ, WRITE, CallerDep, ServiceDep
from registry.api.models import ERRORS, Flag, Limit, Offset, page
from registry.domain import Action, Association, Lifecycle, Principal
from registry.security import Authenticator
from registry.service.associations import TOPIC, AssociationRequest, AssociationResult
from registry.wire import (
    AssociationResponseWire,
    AssociationWire,
    association_info_to_wire,
    association_to_wire,
)

router = APIRouter(tags=["associations"], responses=ERRORS | ASSOCIATION_ERRORS)

ResourceType = Annotated[str, Query(description="The resource type (topic)")]
AssociationTypes = Annotated[
    list[str] | None, Query(description="Only these association types (key, value)")
]
LifecycleQuery = Annotated[str | None, Query(description="Only this lifecycle (STRONG, WEAK)")]
ResourceId = Path(description="The resource's id (a topic id)")
DryRun = Annotated[Flag, Query(description="Check the request, change nothing")]


def _listed(found: Sequence[Association], offset: int, limit: int) -> list[AssociationWire]:
    return page([association_to_wire(a) for a in found], offset, limit)


def _lifecycle(value: str | None) -> Lifecycle | None:
    return Lifecycle.parse(value) if value else None


@router.get(
    "/associations/subjects/{subject:segment}",
    dependencies=[READ],
    response_model=list[AssociationResponseModel],
)
def get_associations_by_subject(
    service: ServiceDep,
    subject: str = Path(description="Subject name"),
    resourceType: ResourceType = TOPIC,
    associationType: AssociationTypes = None,
    lifecycle: LifecycleQuery = None,
    offset: Offset = 0,
    limit: Limit = -1,
) -> list[AssociationWire]:
    """The associations that use a subject."""
    found = service.associations_by_subject(
        subject, resourceType, associationType or (), _lifecycle(lifecycle)
    )
    return _listed(found, offset, limit)


@router.get(
    "/associations/resources/{resourceNamespace:segment}/{resourceName:segment}",
    dependencies=[READ],
    response_model=list[AssociationResponseModel],
)
def get_associations_by_resource_name(
    service: ServiceDep,
    resourceNamespace: str = Path(description="The Kafka cluster id; '-' for any"),
    resourceName: str = Path(description="The topic's name"),
    resourceType: ResourceType = TOPIC,
    associationType: AssociationTypes = None,
    lifecycle: LifecycleQuery = None,
    offset: Offset = 0,
    limit: Limit = -1,
) -> list[AssociationWire]:
    """The associations of a topic by name (none: an empty list)."""
    found = service.associations_by_resource_name(
        resourceName, resourceNamespace, resourceType, associationType or (), _lifecycle(lifecycle)
    )
    return _listed(found, offset, limit)


@router.get(
    "/associations/resources/{resourceId:segment}",
    dependencies=[READ],
    response_model=list[AssociationResponseModel],
)
def get_associations_by_resource_id(
    service: ServiceDep,
    resourceId: str = ResourceId,
    resourceType: ResourceType = TOPIC,
    associationType: AssociationTypes = None,
    lifecycle: LifecycleQuery = None,
    offset: Offset = 0,
    limit: Limit = -1,
) -> list[AssociationWire]:
    """The associations of a topic by its id."""
    found = service.associations_by_resource_id(
        resourceId, resourceType, associationType or (), _lifecycle(lifecycle)
    )
    return _listed(found, offset, limit)


def _answer(
    request: AssociationRequest, results: list[AssociationResult]
) -> AssociationResponseWire:
    return {
        "resourceName": request.resource_name,
        "resourceNamespace": request.resource_namespace,
        "resourceId": request.resource_id,
        "resourceType": request.resource_type,
        "associations": [association_info_to_wire(r.association, r.version) for r in results],
    }


def _authorized(principal: Principal, request: AssociationRequest) -> AssociationRequest:
    for subject in request.subjects:
        Authenticator.authorize(principal, Action.WRITE, subject)
    return request


@router.post(
    "/associations",
    response_model=AssociationCreateResponse,
    response_model_exclude_none=True,
)
def create_association(
    principal: Annotated[Principal, WRITE],
    service: ServiceDep,
    caller: CallerDep,
    body: AssociationRequestModel,
    dryRun: DryRun = False,
) -> AssociationResponseWire:
    """Associate a topic with subjects, registering the schemas given (40903 when the topic
    already has an association of a type for another subject)."""
    request = _authorized(principal, body.to_request().resolved(dry_run=dryRun))
    results = service.put_associations(request, dry_run=dryRun, caller=caller)
    return _answer(request, results)


@router.put(
    "/associations/resources/{resourceId:segment}",
    response_model=AssociationCreateResponse,
    response_model_exclude_none=True,
)
def create_or_update_association(
    principal: Annotated[Principal, WRITE],
    service: ServiceDep,
    caller: CallerDep,
    body: AssociationRequestModel,
    resourceId: str = ResourceId,
    dryRun: DryRun = False,
) -> AssociationResponseWire:
    """Create a topic's associations, or change their lifecycle, frozen state or schema."""
    request = _authorized(principal, body.to_request(resourceId).resolved(dry_run=dryRun))
    results = service.put_associations(request, update=True, dry_run=dryRun, caller=caller)
    return _answer(request, results)


@router.delete(
    "/associations/resources/{resourceId:segment}",
    dependencies=[ADMIN],
    status_code=204,
    response_class=Response,
)
def delete_associations(
    service: ServiceDep,
    caller: CallerDep,
    resourceId: str = ResourceId,
    resourceType: ResourceType = TOPIC,
    associationType: AssociationTypes = None,
    cascadeLifecycle: Annotated[
        Flag, Query(description="Also delete, for good, the subjects of STRONG associations")
    ] = False,
    dryRun: DryRun = False,
) -> Response:
    """Delete a topic's associations (40410 when it has none)."""
    service.delete_associations(
        resourceId,
        resource_type=resourceType,
        association_types=associationType or (),
        cascade=cascadeLifecycle,
        dry_run=dryRun,
        caller=caller,
    )
    return Response(status_code=204)
