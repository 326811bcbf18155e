"""Admin pages (admins only): users and tokens, the audit log, cloud sync; and logging in.

Every form that writes carries the session's form token; a new token is shown once, on the page
that created it, and never stored in clear.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from registry import errors
from registry.api.ui.pages import checked_form, error_page, form, page, render, threaded, ui_of
from registry.domain import Action, Principal

AUDIT_PAGE = 50


@page(Action.ADMIN)
async def users(request: Request, principal: Principal) -> Response:
    """``/ui/admin/``: users and their tokens; create a token (shown once), revoke one."""
    return await _users_page(request, principal)


async def _users_page(
    request: Request, principal: Principal, *, created: str | None = None, status: int = 200
) -> Response:
    auth = ui_of(request).auth.authenticator
    return render(
        request,
        "admin_users.html",
        principal,
        status=status,
        users=await threaded(auth.list_users)(),
        tokens=await threaded(auth.list_tokens)(),
        created=created,
    )


@page(Action.ADMIN)
async def create_token(request: Request, principal: Principal) -> Response:
    """``POST /ui/admin/tokens``: a new token for a user, shown once."""
    fields = await checked_form(request)
    days_text = fields.get("days", "").strip()
    try:
        days = int(days_text) if days_text else None
    except ValueError:
        raise errors.InvalidInput("Expiry must be a whole number of days") from None
    if days is not None and not 1 <= days <= 3650:
        raise errors.InvalidInput("Expiry must be between 1 and 3650 days")
    auth = ui_of(request).auth.authenticator
    value = await threaded(auth.create_token)(
        fields.get("user", ""),
        description=fields.get("description") or None,
        days=days,
        actor=principal.name,
    )
    return await _users_page(request, principal, created=value, status=201)


@page(Action.ADMIN)
async def revoke_token(request: Request, principal: Principal) -> Response:
    """``POST /ui/admin/tokens/revoke``: delete one token by its id."""
    fields = await checked_form(request)
    auth = ui_of(request).auth.authenticator
    await threaded(auth.revoke_token)(fields.get("token", ""), actor=principal.name)
    return RedirectResponse("/ui/admin/", status_code=303)


@page(Action.ADMIN)
async def audit(request: Request, principal: Principal) -> Response:
    """``/ui/admin/audit``: the audit log, newest first, filtered by subject, action, actor."""
    params = request.query_params
    try:
        number = max(1, int(params.get("page") or 1))
    except ValueError:
        raise errors.InvalidInput("The page must be a number") from None
    filters = {k: params.get(k) or None for k in ("subject", "action", "actor")}
    kept = {k: v for k, v in filters.items() if v}
    entries = await threaded(ui_of(request).registry.audit)(
        limit=AUDIT_PAGE + 1, offset=(number - 1) * AUDIT_PAGE, **filters
    )
    return render(
        request,
        "admin_audit.html",
        principal,
        entries=entries[:AUDIT_PAGE],
        more=len(entries) > AUDIT_PAGE,
        number=number,
        filters=filters,
        page_url=lambda n: "/ui/admin/audit?" + urlencode({**kept, "page": n}),
    )


@page(Action.ADMIN)
async def sync(request: Request, principal: Principal) -> Response:
    """``/ui/admin/sync``: each target's state per subject, and a button to sync now."""
    return await _sync_page(request, principal)


async def _sync_page(
    request: Request,
    principal: Principal,
    *,
    results: list[dict[str, object]] | None = None,
    target: str | None = None,
) -> Response:
    worker = request.app.state.sync_worker
    return render(
        request,
        "admin_sync.html",
        principal,
        targets=sorted(worker.targets) if worker is not None else [],
        states=await threaded(ui_of(request).registry.sync_states)(),
        results=results,
        target=target,
    )


@page(Action.ADMIN)
async def sync_now(request: Request, principal: Principal) -> Response:
    """``POST /ui/admin/sync/{target}``: push every subject to the target now."""
    await checked_form(request)
    target = str(request.path_params["target"])
    worker = request.app.state.sync_worker
    if worker is None or target not in worker.targets:
        raise errors.NotFound(f"Sync target '{target}' is not configured on this server")
    report = await threaded(worker.run_all)(target)
    results = [r.as_dict() for r in report.results]
    return await _sync_page(request, principal, results=results, target=target)


# --- logging in and out -----------------------------------------------------------------------


async def login_form(request: Request) -> Response:
    """``/ui/login``: the form (straight to the catalogue while auth is off)."""
    ui = ui_of(request)
    if not await threaded(ui.auth.enabled)():
        return RedirectResponse("/ui/", status_code=303)
    return render(request, "login.html", None, next=_next(request.query_params.get("next")))


async def login(request: Request) -> Response:
    """``POST /ui/login``: check the credentials, set the session, go where the visitor was."""
    ui = ui_of(request)
    fields = await form(request)
    target = _next(fields.get("next"))
    try:
        value = await threaded(ui.auth.login)(fields.get("user", ""), fields.get("password", ""))
    except errors.AuthenticationRequired:
        return render(
            request,
            "login.html",
            None,
            status=401,
            next=target,
            failed="Unknown user or wrong password",
            user=fields.get("user", ""),
        )
    except errors.RegistryError as exc:
        return error_page(request, None, exc)
    response = RedirectResponse(target, status_code=303)
    ui.auth.set_cookie(response, request, value)
    return response


async def logout(request: Request) -> Response:
    """``POST /ui/logout``: end the session."""
    ui = ui_of(request)
    fields = await form(request)
    try:
        ui.auth.check_csrf(request, fields.get("csrf"))
    except errors.RegistryError as exc:
        return error_page(request, None, exc)
    response = RedirectResponse("/ui/login", status_code=303)
    ui.auth.clear_cookie(response)
    return response


def _next(value: str | None) -> str:
    """Where to go after logging in: a path of the UI only (no open redirect)."""
    if value and value.startswith("/ui/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/ui/"
