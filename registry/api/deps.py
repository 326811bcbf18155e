"""Request-scoped dependencies: the service and the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from registry.service import Caller, RegistryService


def get_service(request: Request) -> RegistryService:
    """The app's service (built once by ``create_app``)."""
    service: RegistryService = request.app.state.service
    return service


def get_caller(request: Request) -> Caller:
    """Who is calling, as the auth layer identified them."""
    actor = getattr(request.state, "actor", None)
    remote = request.client.host if request.client else None
    return Caller(actor=actor, remote=remote)


ServiceDep = Annotated[RegistryService, Depends(get_service)]
CallerDep = Annotated[Caller, Depends(get_caller)]
