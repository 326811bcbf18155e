"""Request-scoped dependencies: the service, the caller and their permissions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from registry.domain import Action, Principal
from registry.security import Authenticator
from registry.service import Caller, RegistryService


def get_service(request: Request) -> RegistryService:
    """The app's service (built once by ``create_app``)."""
    service: RegistryService = request.app.state.service
    return service


def get_caller(request: Request) -> Caller:
    """Who is calling, as the auth layer identified them, and from where."""
    actor = getattr(request.state, "actor", None)
    remote = request.client.host if request.client else None
    return Caller(actor=actor, remote=remote)


def require(action: Action) -> Callable[[Request], Principal]:
    """A dependency that authenticates the caller and checks they may perform ``action``
    (on the path's subject, when the route has one)."""

    def dependency(request: Request) -> Principal:
        authenticator: Authenticator = request.app.state.authenticator
        principal = authenticator.authenticate(request.headers.get("authorization"))
        authenticator.authorize(principal, action, request.path_params.get("subject"))
        request.state.actor = principal.name
        return principal

    return dependency


ServiceDep = Annotated[RegistryService, Depends(get_service)]
CallerDep = Annotated[Caller, Depends(get_caller)]
READ = Depends(require(Action.READ))
WRITE = Depends(require(Action.WRITE))
ADMIN = Depends(require(Action.ADMIN))
