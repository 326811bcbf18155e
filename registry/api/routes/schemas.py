"""/schemas: lookups by global id, listing and types."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from registry.api.deps import READ, ServiceDep
from registry.api.errors import MEDIA_TYPE
from registry.api.models import (
    ERRORS,
    SchemaByIdResponse,
    SubjectVersionPair,
    SubjectVersionResponse,
    page,
    schema_wire,
    version_wire,
)

router = APIRouter(tags=["schemas"], responses=ERRORS)
SchemaId = Path(ge=1, le=2**63 - 1, description="Global schema id")


@router.get("/schemas/types", dependencies=[READ], response_model=list[str])
def get_schema_types(service: ServiceDep) -> list[str]:
    """Schema types this registry accepts."""
    return service.schema_types()


@router.get(
    "/schemas",
    dependencies=[READ],
    response_model=list[SubjectVersionResponse],
    response_model_exclude_none=True,
)
def list_schemas(
    service: ServiceDep,
    subjectPrefix: str = Query(default="", description="Only subjects starting with this"),
    deleted: bool = Query(default=False, description="Include soft-deleted versions"),
    latestOnly: bool = Query(default=False, description="Only each subject's latest version"),
    offset: int = Query(default=0, ge=0),
    limit: int = Query(default=-1, ge=-1),
) -> list[dict[str, Any]]:
    """Every registered subject version."""
    items = service.list_schemas(
        prefix=subjectPrefix, deleted=deleted, latest_only=latestOnly, offset=offset, limit=limit
    )
    return [version_wire(i) for i in items]


@router.get(
    "/schemas/ids/{id}",
    dependencies=[READ],
    response_model=SchemaByIdResponse,
    response_model_exclude_none=True,
)
def get_schema_by_id(
    service: ServiceDep,
    id: int = SchemaId,
    subject: str | None = Query(default=None, description="Only if registered under it"),
    format: str | None = Query(default=None, description="Accepted for compatibility"),
    fetchMaxId: bool = Query(default=False, description="Accepted for compatibility"),
) -> dict[str, Any]:
    """The schema with a global id."""
    return schema_wire(service.schema_by_id(id, subject=subject))


@router.get(
    "/schemas/ids/{id}/schema",
    dependencies=[READ],
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {"schema": {}}}, "description": "The raw schema"}},
)
def get_raw_schema_by_id(
    service: ServiceDep,
    id: int = SchemaId,
    subject: str | None = Query(default=None),
    format: str | None = Query(default=None),
) -> Response:
    """The raw schema text of a global id."""
    return Response(service.schema_by_id(id, subject=subject).schema, media_type=MEDIA_TYPE)


@router.get("/schemas/ids/{id}/subjects", dependencies=[READ], response_model=list[str])
def get_subjects_by_schema_id(
    service: ServiceDep,
    id: int = SchemaId,
    subject: str | None = Query(default=None),
    deleted: bool = Query(default=False),
    offset: int = Query(default=0, ge=0),
    limit: int = Query(default=-1, ge=-1),
) -> list[str]:
    """Subjects that use a schema id."""
    return page(service.subjects_of_schema(id, deleted=deleted, subject=subject), offset, limit)


@router.get(
    "/schemas/ids/{id}/versions", dependencies=[READ], response_model=list[SubjectVersionPair]
)
def get_versions_by_schema_id(
    service: ServiceDep,
    id: int = SchemaId,
    subject: str | None = Query(default=None),
    deleted: bool = Query(default=False),
    offset: int = Query(default=0, ge=0),
    limit: int = Query(default=-1, ge=-1),
) -> list[dict[str, Any]]:
    """(subject, version) pairs that use a schema id."""
    pairs = [
        {"subject": s, "version": v}
        for s, v in service.versions_of_schema(id, deleted=deleted)
        if subject is None or s == subject
    ]
    return page(pairs, offset, limit)
