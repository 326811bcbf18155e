"""/compatibility: test a schema without registering it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from registry.api.deps import WRITE, ServiceDep
from registry.api.models import ERRORS, CompatibilityResponse, Flag, SchemaRequest
from registry.compatibility import CompatibilityResult
from registry.service.naming import VERSION_PATTERN

router = APIRouter(tags=["compatibility"], responses=ERRORS)


def _answer(result: CompatibilityResult, verbose: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"is_compatible": result.is_compatible}
    if verbose:
        data["messages"] = result.messages()
    return data


@router.post(
    "/compatibility/subjects/{subject:segment}/versions/{version}",
    dependencies=[WRITE],
    response_model=CompatibilityResponse,
    response_model_exclude_none=True,
)
def test_compatibility_with_version(
    service: ServiceDep,
    body: SchemaRequest,
    subject: str = Path(),
    version: str = Path(
        description="A version number (1 to 2^31-1), 'latest' or -1", pattern=VERSION_PATTERN
    ),
    normalize: Annotated[Flag | None, Query()] = None,
    verbose: Annotated[Flag, Query()] = False,
) -> dict[str, Any]:
    """Can this schema and one version of the subject live together at the subject's level?"""
    result = service.test_compatibility(subject, body.to_input(), version, normalize=normalize)
    return _answer(result, verbose)


@router.post(
    "/compatibility/subjects/{subject:segment}/versions",
    dependencies=[WRITE],
    response_model=CompatibilityResponse,
    response_model_exclude_none=True,
)
def test_compatibility(
    service: ServiceDep,
    body: SchemaRequest,
    subject: str = Path(),
    normalize: Annotated[Flag | None, Query()] = None,
    verbose: Annotated[Flag, Query()] = False,
) -> dict[str, Any]:
    """Would registering this schema pass the subject's compatibility level?"""
    result = service.test_compatibility(subject, body.to_input(), None, normalize=normalize)
    return _answer(result, verbose)
