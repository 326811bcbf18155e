"""/dek-registry/v1: KEKs and DEKs for client-side field-level encryption (Confluent's API).

Readers read; writers create KEKs and DEKs; admins update, delete and undelete them. The DEK
routes' ``{subject}`` takes part in subject permissions like every other subject route; the
older create route that carries the subject in its body checks it the same way.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from registry.api.dek_models import (
    CONFLICT,
    DEK_LINKS,
    KEK_LINKS,
    KEY_ERRORS,
    Algorithm,
    CreateDekRequest,
    CreateKekRequest,
    DekResponse,
    KekResponse,
    UpdateKekRequest,
    dek_wire,
    kek_wire,
)
from registry.api.deps import ADMIN, READ, WRITE, CallerDep
from registry.api.models import Flag
from registry.domain import Action, Principal
from registry.security import Authenticator
from registry.service import Caller
from registry.service.dek import DekRegistryService
from registry.service.dek_keys import KekRequest
from registry.service.naming import VERSION_PATTERN

router = APIRouter(prefix="/dek-registry/v1", tags=["dek-registry"], responses=KEY_ERRORS)


async def get_dek_service(request: Request) -> DekRegistryService:
    """The app's DEK registry (built once by ``create_app``)."""
    service: DekRegistryService = request.app.state.deks
    return service


DekServiceDep = Annotated[DekRegistryService, Depends(get_dek_service)]
Name = Path(description="Name of the KEK")
Subject = Path(description="Subject of the DEK")
Version = Path(description="A version number, 'latest' or -1", pattern=VERSION_PATTERN)
Deleted = Annotated[Flag, Query(description="Include soft-deleted keys")]
Permanent = Annotated[Flag, Query(description="Remove a soft-deleted key for good")]
AlgorithmQuery = Annotated[Algorithm | None, Query(description="Algorithm (AES256_GCM)")]
Context = Annotated[str | None, Query(description="Only the default context '.' exists")]


# --- keks -----------------------------------------------------------------------------------


@router.get("/keks", dependencies=[READ], response_model=list[str])
def list_keks(service: DekServiceDep, deleted: Deleted = False) -> list[str]:
    """KEK names."""
    return service.list_keks(deleted=deleted)


@router.post(
    "/keks",
    dependencies=[WRITE],
    response_model=KekResponse,
    response_model_exclude_none=True,
    responses=CONFLICT | KEK_LINKS,
)
def create_kek(
    service: DekServiceDep,
    caller: CallerDep,
    body: CreateKekRequest,
    context: Context = None,
) -> KekResponse:
    """Create a KEK (or bring back a soft-deleted one by creating it again)."""
    request = KekRequest(
        body.name, body.kmsType, body.kmsKeyId, body.kmsProps, body.doc, body.shared, body.deleted
    )
    kek = service.create_kek(request, context=context, caller=caller)
    return KekResponse.model_validate(kek_wire(kek))


@router.get(
    "/keks/{name:segment}",
    dependencies=[READ],
    response_model=KekResponse,
    response_model_exclude_none=True,
)
def get_kek(
    service: DekServiceDep, name: str = Name, deleted: Deleted = False, context: Context = None
) -> KekResponse:
    """One KEK."""
    return KekResponse.model_validate(
        kek_wire(service.get_kek(name, deleted=deleted, context=context))
    )


@router.put(
    "/keks/{name:segment}",
    dependencies=[ADMIN],
    response_model=KekResponse,
    response_model_exclude_none=True,
)
def update_kek(
    service: DekServiceDep, caller: CallerDep, body: UpdateKekRequest, name: str = Name
) -> KekResponse:
    """Change a KEK's kmsProps, doc or shared flag."""
    kek = service.update_kek(
        name, kms_props=body.kmsProps, doc=body.doc, shared=body.shared, caller=caller
    )
    return KekResponse.model_validate(kek_wire(kek))


@router.delete(
    "/keks/{name:segment}", dependencies=[ADMIN], status_code=204, response_class=Response
)
def delete_kek(
    service: DekServiceDep, caller: CallerDep, name: str = Name, permanent: Permanent = False
) -> Response:
    """Soft-delete a KEK, or remove a soft-deleted one for good."""
    service.delete_kek(name, permanent=permanent, caller=caller)
    return Response(status_code=204)


@router.post(
    "/keks/{name:segment}/undelete", dependencies=[ADMIN], status_code=204, response_class=Response
)
def undelete_kek(service: DekServiceDep, caller: CallerDep, name: str = Name) -> Response:
    """Bring back a soft-deleted KEK."""
    service.undelete_kek(name, caller=caller)
    return Response(status_code=204)


# --- deks -----------------------------------------------------------------------------------


@router.get("/keks/{name:segment}/deks", dependencies=[READ], response_model=list[str])
def list_dek_subjects(
    service: DekServiceDep, name: str = Name, deleted: Deleted = False
) -> list[str]:
    """Subjects with DEKs under a KEK."""
    return service.list_dek_subjects(name, deleted=deleted)


@router.post(
    "/keks/{name:segment}/deks",
    response_model=DekResponse,
    response_model_exclude_none=True,
    responses=CONFLICT | DEK_LINKS,
)
def create_dek(
    principal: Annotated[Principal, WRITE],
    service: DekServiceDep,
    caller: CallerDep,
    body: CreateDekRequest,
    name: str = Name,
) -> DekResponse:
    """Store a DEK (the older route: the subject is in the body)."""
    if body.subject is not None:
        Authenticator.authorize(principal, Action.WRITE, body.subject)
    return _create_dek(service, caller, name, body.subject, body, rewrap=False)


@router.post(
    "/keks/{name:segment}/deks/{subject:segment}",
    dependencies=[WRITE],
    response_model=DekResponse,
    response_model_exclude_none=True,
    responses=CONFLICT | DEK_LINKS,
)
def create_dek_for_subject(
    service: DekServiceDep,
    caller: CallerDep,
    body: CreateDekRequest,
    name: str = Name,
    subject: str = Subject,
    rewrap: Annotated[Flag, Query(description="Rewrap with the KMS (needs KMS access)")] = False,
) -> DekResponse:
    """Store a DEK for the subject of the path (a subject in the body must be the same)."""
    return _create_dek(service, caller, name, subject, body, rewrap=rewrap)


def _create_dek(
    service: DekRegistryService,
    caller: Caller,
    name: str,
    subject: str | None,
    body: CreateDekRequest,
    *,
    rewrap: bool,
) -> DekResponse:
    dek = service.create_dek(
        name,
        subject,
        body_subject=body.subject,
        version=body.version,
        algorithm=body.algorithm,
        encrypted_key_material=body.encryptedKeyMaterial,
        deleted=body.deleted,
        rewrap=rewrap,
        caller=caller,
    )
    return DekResponse.model_validate(dek_wire(dek))


@router.get(
    "/keks/{name:segment}/deks/{subject:segment}",
    dependencies=[READ],
    response_model=DekResponse,
    response_model_exclude_none=True,
)
def get_dek(
    service: DekServiceDep,
    name: str = Name,
    subject: str = Subject,
    algorithm: AlgorithmQuery = None,
    deleted: Deleted = False,
) -> DekResponse:
    """Version 1 of a subject's DEK."""
    dek = service.get_dek(name, subject, algorithm=algorithm, deleted=deleted)
    return DekResponse.model_validate(dek_wire(dek))


@router.delete(
    "/keks/{name:segment}/deks/{subject:segment}",
    dependencies=[ADMIN],
    status_code=204,
    response_class=Response,
)
def delete_dek_versions(
    service: DekServiceDep,
    caller: CallerDep,
    name: str = Name,
    subject: str = Subject,
    algorithm: AlgorithmQuery = None,
    permanent: Permanent = False,
) -> Response:
    """Soft-delete every version of a subject's DEK, or remove soft-deleted ones for good."""
    service.delete_dek(name, subject, algorithm=algorithm, permanent=permanent, caller=caller)
    return Response(status_code=204)


@router.post(
    "/keks/{name:segment}/deks/{subject:segment}/undelete",
    dependencies=[ADMIN],
    status_code=204,
    response_class=Response,
)
def undelete_dek_versions(
    service: DekServiceDep,
    caller: CallerDep,
    name: str = Name,
    subject: str = Subject,
    algorithm: AlgorithmQuery = None,
) -> Response:
    """Bring back every soft-deleted version of a subject's DEK."""
    service.undelete_dek(name, subject, algorithm=algorithm, caller=caller)
    return Response(status_code=204)


@router.get(
    "/keks/{name:segment}/deks/{subject:segment}/versions",
    dependencies=[READ],
    response_model=list[int],
)
def list_dek_versions(
    service: DekServiceDep,
    name: str = Name,
    subject: str = Subject,
    algorithm: AlgorithmQuery = None,
    deleted: Deleted = False,
) -> list[int]:
    """The versions of a subject's DEK."""
    return service.list_dek_versions(name, subject, algorithm=algorithm, deleted=deleted)


@router.get(
    "/keks/{name:segment}/deks/{subject:segment}/versions/{version}",
    dependencies=[READ],
    response_model=DekResponse,
    response_model_exclude_none=True,
)
def get_dek_version(
    service: DekServiceDep,
    name: str = Name,
    subject: str = Subject,
    version: str = Version,
    algorithm: AlgorithmQuery = None,
    deleted: Deleted = False,
) -> DekResponse:
    """One version of a subject's DEK ('latest' or -1 for the newest)."""
    dek = service.get_dek(name, subject, version, algorithm=algorithm, deleted=deleted)
    return DekResponse.model_validate(dek_wire(dek))


@router.delete(
    "/keks/{name:segment}/deks/{subject:segment}/versions/{version}",
    dependencies=[ADMIN],
    status_code=204,
    response_class=Response,
)
def delete_dek_version(
    service: DekServiceDep,
    caller: CallerDep,
    name: str = Name,
    subject: str = Subject,
    version: str = Version,
    algorithm: AlgorithmQuery = None,
    permanent: Permanent = False,
) -> Response:
    """Soft-delete one version of a subject's DEK, or remove a soft-deleted one for good."""
    service.delete_dek(
        name, subject, version, algorithm=algorithm, permanent=permanent, caller=caller
    )
    return Response(status_code=204)


@router.post(
    "/keks/{name:segment}/deks/{subject:segment}/versions/{version}/undelete",
    dependencies=[ADMIN],
    status_code=204,
    response_class=Response,
)
def undelete_dek_version(
    service: DekServiceDep,
    caller: CallerDep,
    name: str = Name,
    subject: str = Subject,
    version: str = Version,
    algorithm: AlgorithmQuery = None,
) -> Response:
    """Bring back one soft-deleted version of a subject's DEK."""
    service.undelete_dek(name, subject, version, algorithm=algorithm, caller=caller)
    return Response(status_code=204)
