"""/compatibility: test a schema without registering it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from registry.api.deps import WRITE, DeploysDep, ServiceDep
from registry.api.models import ERRORS, CompatibilityResponse, Flag, SchemaRequest
from registry.reads import advise
from registry.service.core import Judgement
from registry.service.deploys import DeployService
from registry.service.naming import VERSION_PATTERN

router = APIRouter(tags=["compatibility"], responses=ERRORS)


def _answer(
    judgement: Judgement,
    verbose: bool,
    subject: str,
    environment: str | None,
    deploys: DeployService,
) -> dict[str, Any]:
    result = judgement.result
    data: dict[str, Any] = {"is_compatible": result.is_compatible}
    if verbose:
        data["messages"] = result.messages()
    if environment is not None:
        view = deploys.consumers(environment, subject)
        advice = advise(view, subject, result.findings, judgement.candidate, judgement.earlier)
        data["consumers"] = advice.as_dict()
    return data


Consumers = Annotated[
    str | None,
    Query(
        description="An environment: also weigh the findings by what the consumers deployed "
        "there read (advice for CI; `is_compatible` stays the subject's level's verdict)",
        max_length=64,
    ),
]


@router.post(
    "/compatibility/subjects/{subject:segment}/versions/{version}",
    dependencies=[WRITE],
    response_model=CompatibilityResponse,
    response_model_exclude_none=True,
)
def test_compatibility_with_version(
    service: ServiceDep,
    deploys: DeploysDep,
    body: SchemaRequest,
    subject: str = Path(),
    version: str = Path(
        description="A version number (1 to 2^31-1), 'latest' or -1", pattern=VERSION_PATTERN
    ),
    normalize: Annotated[Flag | None, Query()] = None,
    verbose: Annotated[Flag, Query()] = False,
    consumers: Consumers = None,
) -> dict[str, Any]:
    """Can this schema and one version of the subject live together at the subject's level?"""
    judgement = service.judge_compatibility(subject, body.to_input(), version, normalize=normalize)
    return _answer(judgement, verbose, subject, consumers, deploys)


@router.post(
    "/compatibility/subjects/{subject:segment}/versions",
    dependencies=[WRITE],
    response_model=CompatibilityResponse,
    response_model_exclude_none=True,
)
def test_compatibility(
    service: ServiceDep,
    deploys: DeploysDep,
    body: SchemaRequest,
    subject: str = Path(),
    normalize: Annotated[Flag | None, Query()] = None,
    verbose: Annotated[Flag, Query()] = False,
    consumers: Consumers = None,
) -> dict[str, Any]:
    """Would registering this schema pass the subject's compatibility level?"""
    judgement = service.judge_compatibility(subject, body.to_input(), None, normalize=normalize)
    return _answer(judgement, verbose, subject, consumers, deploys)
