"""/schemas: lookups by global id, listing and types."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from registry.api.deps import READ, AnswersDep, ServiceDep, auth_enabled
from registry.api.errors import MEDIA_TYPE
from registry.api.hotpath import Answer, immutable_headers
from registry.api.models import (
    ERRORS,
    ContextIdResponse,
    Flag,
    Integer,
    Limit,
    Offset,
    SchemaByIdResponse,
    SubjectVersionPair,
    SubjectVersionResponse,
    encode,
    immutable_body,
    page,
)
from registry.wire import VersionWire, schema_to_wire, version_to_wire

router = APIRouter(tags=["schemas"], responses=ERRORS)
SchemaId = Path(ge=1, le=2**63 - 1, description="Global schema id")


@router.get("/schemas/types", dependencies=[READ], response_model=list[str])
async def get_schema_types(service: ServiceDep) -> list[str]:
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
    deleted: Annotated[Flag, Query(description="Include soft-deleted versions")] = False,
    latestOnly: Annotated[Flag, Query(description="Only each subject's latest version")] = False,
    offset: Offset = 0,
    limit: Limit = -1,
) -> list[VersionWire]:
    """Every registered subject version."""
    items = service.list_schemas(
        prefix=subjectPrefix, deleted=deleted, latest_only=latestOnly, offset=offset, limit=limit
    )
    return [version_to_wire(i) for i in items]


IMMUTABLE = {
    "description": "Cacheable for a year: an id never changes meaning",
    "headers": {
        "ETag": {"schema": {"type": "string"}},
        "Cache-Control": {"schema": {"type": "string"}},
    },
}


def immutable(request: Request, answer: Answer, private: bool) -> Response:
    """An immutable answer, or 304 when the client's ``If-None-Match`` names it."""
    headers = immutable_headers(answer, private)
    tags = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
    if answer.etag.decode() in tags or "*" in tags:
        return Response(status_code=304, headers=headers)
    return Response(answer.body, media_type=MEDIA_TYPE, headers=headers)


@router.get(
    "/schemas/ids/{id}",
    dependencies=[READ],
    response_model=SchemaByIdResponse,
    response_model_exclude_none=True,
    responses={200: IMMUTABLE, 304: {"description": "Not modified (If-None-Match)"}},
)
def get_schema_by_id(
    request: Request,
    service: ServiceDep,
    answers: AnswersDep,
    id: Annotated[Integer, SchemaId],
    subject: str | None = Query(
        default=None, description="Accepted for compatibility: selects a context, never filters"
    ),
    format: str | None = Query(default=None, description="Accepted for compatibility"),
    fetchMaxId: Annotated[Flag, Query(description="Also answer the highest id (maxId)")] = False,
    private: bool = Depends(auth_enabled),
) -> Response:
    """The schema with a global id (served from memory once seen: ids never change meaning)."""
    stored = service.schema_by_id(id)
    if fetchMaxId:
        wire = schema_to_wire(stored) | {"maxId": service.max_schema_id()}
        return Response(encode(wire), media_type=MEDIA_TYPE)
    return immutable(request, answers.put(("id", id), immutable_body("id", stored)), private)


@router.get(
    "/schemas/ids/{id}/schema",
    dependencies=[READ],
    response_class=Response,
    responses={
        200: {"content": {MEDIA_TYPE: {"schema": {}}}, **IMMUTABLE},
        304: {"description": "Not modified (If-None-Match)"},
    },
)
def get_raw_schema_by_id(
    request: Request,
    service: ServiceDep,
    answers: AnswersDep,
    id: Annotated[Integer, SchemaId],
    subject: str | None = Query(default=None),
    format: str | None = Query(default=None),
    private: bool = Depends(auth_enabled),
) -> Response:
    """The raw schema text of a global id."""
    body = immutable_body("raw", service.schema_by_id(id))
    return immutable(request, answers.put(("raw", id), body), private)


Guid = Path(description="A schema's GUID")


@router.get(
    "/schemas/guids/{guid}",
    dependencies=[READ],
    response_model=SchemaByIdResponse,
    response_model_exclude_none=True,
)
def get_schema_by_guid(
    service: ServiceDep,
    guid: str = Guid,
    format: str | None = Query(default=None, description="Accepted for compatibility"),
) -> Response:
    """The schema with a GUID (Confluent 8): the same answer as its global id's."""
    return Response(encode(schema_to_wire(service.schema_by_guid(guid))), media_type=MEDIA_TYPE)


@router.get(
    "/schemas/guids/{guid}/ids", dependencies=[READ], response_model=list[ContextIdResponse]
)
def get_ids_by_guid(service: ServiceDep, guid: str = Guid) -> list[dict[str, Any]]:
    """The global ids of the schema with a GUID, in the default context (the only one here)."""
    return [{"context": ".", "id": schema_id} for schema_id in service.ids_by_guid(guid)]


@router.get("/schemas/ids/{id}/subjects", dependencies=[READ], response_model=list[str])
def get_subjects_by_schema_id(
    service: ServiceDep,
    id: Annotated[Integer, SchemaId],
    subject: str | None = Query(default=None),
    deleted: Annotated[Flag, Query()] = False,
    offset: Offset = 0,
    limit: Limit = -1,
) -> list[str]:
    """Subjects that use a schema id."""
    return page(service.subjects_of_schema(id, deleted=deleted, subject=subject), offset, limit)


@router.get(
    "/schemas/ids/{id}/versions", dependencies=[READ], response_model=list[SubjectVersionPair]
)
def get_versions_by_schema_id(
    service: ServiceDep,
    id: Annotated[Integer, SchemaId],
    subject: str | None = Query(default=None),
    deleted: Annotated[Flag, Query()] = False,
    offset: Offset = 0,
    limit: Limit = -1,
) -> list[dict[str, Any]]:
    """(subject, version) pairs that use a schema id."""
    pairs = [
        {"subject": s, "version": v}
        for s, v in service.versions_of_schema(id, deleted=deleted)
        if subject is None or s == subject
    ]
    return page(pairs, offset, limit)
