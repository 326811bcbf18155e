"""/api/asyncapi: the catalogue of published contracts as an AsyncAPI 3.0.0 document
(see ``docs/asyncapi.md``); ``?service=NAME`` for one service (40480 when it is unknown; an
empty ``service`` is no filter, as an empty ``subjectPrefix`` is on ``/schemas``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from registry.api.deploy_models import DEPLOY_ERRORS
from registry.api.deps import READ, DeploysDep
from registry.asyncapi.catalogue import catalogue_document

router = APIRouter(prefix="/api", tags=["deploys"], responses=DEPLOY_ERRORS)

ServiceQuery = Annotated[
    str | None,
    Query(description="Only this service's operations (empty: every service)", max_length=255),
]


@router.get("/asyncapi", dependencies=[READ], response_model=dict[str, Any])
def get_asyncapi(deploys: DeploysDep, service: ServiceQuery = None) -> dict[str, Any]:
    """The AsyncAPI 3.0.0 document of every service's newest published contracts, with the
    latest registered schema of each subject."""
    return catalogue_document(deploys, service or None)
