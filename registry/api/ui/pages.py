"""What every UI page shares: the services, the visitor, rendering, errors and form bodies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, ParamSpec
from urllib.parse import parse_qs, quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from registry import errors
from registry.api.errors import status_for
from registry.api.ui.render import environment
from registry.api.ui.session import UiAuth
from registry.domain import Action, Principal
from registry.service.catalogue import CatalogueService
from registry.service.core import RegistryService
from registry.service.deploys import DeployService

P = ParamSpec("P")
_ENV = environment()


@dataclass(frozen=True, slots=True)
class Ui:
    """The UI's view of the app: the same services as the REST API."""

    registry: RegistryService
    deploys: DeployService
    catalogue: CatalogueService
    auth: UiAuth


def ui_of(request: Request) -> Ui:
    """The app's UI state (built once by :func:`registry.api.ui.install`)."""
    found: Ui = request.app.state.ui
    return found


def subject_url(subject: str) -> str:
    """The subject page of ``subject`` (one percent-encoded path segment, ``/`` included)."""
    return f"/ui/subjects/{quote(subject, safe='')}"


def render(
    request: Request,
    template: str,
    principal: Principal | None,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page, with what the layout needs: the visitor, the form token, the navigation."""
    ui = ui_of(request)
    page = _ENV.get_template(template).render(
        request=request,
        principal=principal,
        auth_on=ui.auth.enabled(),
        can_write=principal is not None and principal.allows(Action.WRITE),
        is_admin=principal is not None and principal.allows(Action.ADMIN),
        csrf=ui.auth.csrf_token(request),
        subject_url=subject_url,
        **context,
    )
    return HTMLResponse(page, status_code=status)


def error_page(
    request: Request, principal: Principal | None, exc: errors.RegistryError
) -> Response:
    """A registry error as a page, with the API's status for it."""
    return render(
        request,
        "error.html",
        principal,
        status=status_for(type(exc)),
        message=exc.message,
        code=exc.error_code,
    )


View = Callable[[Request, Principal], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def page(action: Action = Action.READ) -> Callable[[View], Endpoint]:
    """Make a view an endpoint: the visitor must be logged in (when auth is on) and allowed
    ``action``, and registry errors become error pages with the API's status."""

    def decorate(view: View) -> Endpoint:
        @wraps(view)
        async def endpoint(request: Request) -> Response:
            ui = ui_of(request)
            principal = await run_in_threadpool(ui.auth.principal, request)
            if principal is None:
                here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/ui/login?next={quote(here, safe='')}", status_code=303)
            if not principal.allows(action):
                denied = errors.AccessDenied(f"Forbidden: this page needs the {_ROLE[action]} role")
                return error_page(request, principal, denied)
            try:
                return await view(request, principal)
            except errors.RegistryError as exc:
                return error_page(request, principal, exc)

        return endpoint

    return decorate


_ROLE = {Action.READ: "reader", Action.WRITE: "writer", Action.ADMIN: "admin"}


async def form(request: Request) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body (each field's first value)."""
    body = (await request.body()).decode("utf-8", "replace")
    return {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}


async def checked_form(request: Request) -> dict[str, str]:
    """A form body whose token says it came from this session's page."""
    fields = await form(request)
    ui_of(request).auth.check_csrf(request, fields.get("csrf"))
    return fields


def threaded(function: Callable[P, Any]) -> Callable[P, Awaitable[Any]]:
    """Run a blocking read on the thread pool."""

    async def call(*args: P.args, **kwargs: P.kwargs) -> Any:
        return await run_in_threadpool(function, *args, **kwargs)

    return call
