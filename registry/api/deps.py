"""Request-scoped dependencies: the service, the caller and their permissions.

They are ``async`` so that FastAPI runs them on the event loop: a synchronous dependency costs a
thread-pool hop per request. Only authentication that needs the database or a password hash
(a caller not seen since the last refresh of users) goes to a worker thread.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from registry.api.hotpath import AnswerCache
from registry.domain import Action, Principal
from registry.security import Authenticator
from registry.service import Caller, RegistryService
from registry.service.deploys import DeployService


async def get_service(request: Request) -> RegistryService:
    """The app's service (built once by ``create_app``)."""
    service: RegistryService = request.app.state.service
    return service


async def get_deploy_service(request: Request) -> DeployService:
    """Deploy safety over the app's registry service (built on first use, then kept)."""
    found: DeployService | None = getattr(request.app.state, "deploys", None)
    if found is None:
        found = DeployService(request.app.state.service)
        request.app.state.deploys = found
    return found


async def get_answers(request: Request) -> AnswerCache:
    """The app's cache of immutable answers (shared with the hot read path)."""
    answers: AnswerCache = request.app.state.answers
    return answers


async def get_caller(request: Request) -> Caller:
    """Who is calling, as the auth layer identified them, and from where."""
    actor = getattr(request.state, "actor", None)
    remote = request.client.host if request.client else None
    return Caller(actor=actor, remote=remote)


def require(action: Action) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency that authenticates the caller and checks they may perform ``action``
    (on the path's subject, when the route has one)."""

    async def dependency(request: Request) -> Principal:
        authenticator: Authenticator = request.app.state.authenticator
        header = request.headers.get("authorization")
        principal = authenticator.principal_if_known(header)
        if principal is None:
            principal = await run_in_threadpool(authenticator.authenticate, header)
        authenticator.authorize(principal, action, request.path_params.get("subject"))
        request.state.actor = principal.name
        return principal

    return dependency


def auth_enabled(request: Request) -> bool:
    """Whether the registry had users at its last look (decides public or private caching)."""
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator.enabled_as_last_seen()


ServiceDep = Annotated[RegistryService, Depends(get_service)]
DeploysDep = Annotated[DeployService, Depends(get_deploy_service)]
AnswersDep = Annotated[AnswerCache, Depends(get_answers)]
CallerDep = Annotated[Caller, Depends(get_caller)]
READ = Depends(require(Action.READ))
WRITE = Depends(require(Action.WRITE))
ADMIN = Depends(require(Action.ADMIN))
