"""/subjects: registration, lookup, versions and deletes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from registry.api.deps import ADMIN, READ, WRITE, AnswersDep, CallerDep, ServiceDep
from registry.api.errors import MEDIA_TYPE
from registry.api.models import (
    ERRORS,
    Flag,
    Limit,
    Offset,
    RegisterResponse,
    SchemaRequest,
    SubjectVersionResponse,
    encode,
    page,
    version_bytes,
)
from registry.service.naming import VERSION_PATTERN
from registry.wire import schema_to_wire, version_to_wire

router = APIRouter(tags=["subjects"], responses=ERRORS)
Subject = Path(description="Subject name")
Version = Path(
    description="A version number (1 to 2^31-1), 'latest' or -1", pattern=VERSION_PATTERN
)


@router.get("/subjects", dependencies=[READ], response_model=list[str])
def list_subjects(
    service: ServiceDep,
    subjectPrefix: str = Query(default=""),
    deleted: Annotated[Flag, Query()] = False,
    deletedOnly: Annotated[Flag, Query()] = False,
    offset: Offset = 0,
    limit: Limit = -1,
) -> list[str]:
    """Subject names."""
    names = service.list_subjects(prefix=subjectPrefix, deleted=deleted, deleted_only=deletedOnly)
    return page(names, offset, limit)


@router.post(
    "/subjects/{subject:segment}",
    dependencies=[READ],
    response_model=SubjectVersionResponse,
    response_model_exclude_none=True,
)
def lookup_schema(
    service: ServiceDep,
    body: SchemaRequest,
    subject: str = Subject,
    normalize: Annotated[Flag | None, Query()] = None,
    deleted: Annotated[Flag, Query()] = False,
) -> Response:
    """Is this schema registered under the subject? Which version?"""
    found = service.lookup(subject, body.to_input(), normalize=normalize, deleted=deleted)
    return Response(encode(version_to_wire(found)), media_type=MEDIA_TYPE)


@router.get(
    "/subjects/{subject:segment}/metadata",
    dependencies=[READ],
    response_model=SubjectVersionResponse,
    response_model_exclude_none=True,
)
def get_latest_with_metadata(
    service: ServiceDep,
    subject: str = Subject,
    key: Annotated[list[str] | None, Query(description="A metadata property (repeated)")] = None,
    value: Annotated[list[str] | None, Query(description="Its value, paired by position")] = None,
    deleted: Annotated[Flag, Query(description="Include soft-deleted versions")] = False,
    format: str | None = Query(default=None, description="Accepted for compatibility"),
) -> Response:
    """The latest version whose metadata properties hold every key/value pair given (pairs
    beyond the shorter list are ignored, as by Confluent)."""
    pairs = dict(zip(key or [], value or [], strict=False))
    found = service.latest_with_metadata(subject, pairs, deleted=deleted)
    return Response(encode(version_to_wire(found)), media_type=MEDIA_TYPE)


@router.delete("/subjects/{subject:segment}", dependencies=[ADMIN], response_model=list[int])
def delete_subject(
    service: ServiceDep,
    caller: CallerDep,
    subject: str = Subject,
    permanent: Annotated[Flag, Query()] = False,
) -> list[int]:
    """Soft-delete a subject, or remove a soft-deleted one for good."""
    return service.delete_subject(subject, permanent=permanent, caller=caller)


@router.get("/subjects/{subject:segment}/versions", dependencies=[READ], response_model=list[int])
def list_versions(
    service: ServiceDep,
    subject: str = Subject,
    deleted: Annotated[Flag, Query()] = False,
    deletedOnly: Annotated[Flag, Query()] = False,
    offset: Offset = 0,
    limit: Limit = -1,
) -> list[int]:
    """Version numbers of a subject."""
    versions = service.list_versions(subject, deleted=deleted, deleted_only=deletedOnly)
    return page(versions, offset, limit)


@router.post(
    "/subjects/{subject:segment}/versions",
    dependencies=[WRITE],
    response_model=RegisterResponse,
    response_model_exclude_none=True,
)
def register_schema(
    service: ServiceDep,
    caller: CallerDep,
    body: SchemaRequest,
    subject: str = Subject,
    normalize: Annotated[Flag | None, Query()] = None,
) -> Response:
    """Register a schema under a subject (or return the version that has it)."""
    result = service.register(
        subject,
        body.to_input(),
        normalize=normalize,
        schema_id=body.id,
        version=body.version,
        guid=body.guid,
        caller=caller,
    )
    answer = {"id": result.id, "version": result.version, "guid": result.schema.guid}
    return Response(encode(answer), media_type=MEDIA_TYPE)


@router.get(
    "/subjects/{subject:segment}/versions/{version}",
    dependencies=[READ],
    response_model=SubjectVersionResponse,
    response_model_exclude_none=True,
)
def get_version(
    service: ServiceDep,
    answers: AnswersDep,
    subject: str = Subject,
    version: str = Version,
    deleted: Annotated[Flag, Query()] = False,
    format: str | None = Query(default=None),
) -> Response:
    """One version of a subject."""
    found = service.get_version(subject, version, deleted=deleted)
    key = ("id", found.schema.id)
    schema = answers.get(key) or answers.put(key, encode(schema_to_wire(found.schema)))
    return Response(version_bytes(found, schema.body), media_type=MEDIA_TYPE)


@router.get(
    "/subjects/{subject:segment}/versions/{version}/schema",
    dependencies=[READ],
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {"schema": {}}}, "description": "The raw schema"}},
)
def get_raw_version_schema(
    service: ServiceDep,
    subject: str = Subject,
    version: str = Version,
    deleted: Annotated[Flag, Query()] = False,
) -> Response:
    """The raw schema text of a version."""
    return Response(
        service.get_version(subject, version, deleted=deleted).schema.schema, media_type=MEDIA_TYPE
    )


@router.get(
    "/subjects/{subject:segment}/versions/{version}/referencedby",
    dependencies=[READ],
    response_model=list[int],
)
def get_referenced_by(
    service: ServiceDep,
    subject: str = Subject,
    version: str = Version,
    offset: Offset = 0,
    limit: Limit = -1,
) -> list[int]:
    """Ids of schemas that reference this version."""
    return page(service.referenced_by(subject, version), offset, limit)


@router.delete(
    "/subjects/{subject:segment}/versions/{version}", dependencies=[ADMIN], response_model=int
)
def delete_version(
    service: ServiceDep,
    caller: CallerDep,
    subject: str = Subject,
    version: str = Version,
    permanent: Annotated[Flag, Query()] = False,
) -> int:
    """Soft-delete a version, or remove a soft-deleted one for good."""
    return service.delete_version(subject, version, permanent=permanent, caller=caller)
