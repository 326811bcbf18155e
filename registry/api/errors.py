"""The only place that knows HTTP statuses: RegistryError categories -> status, Confluent bodies.

Bodies are always ``{"error_code": int, "message": str}``. Request-validation errors, unknown
routes and unexpected exceptions are translated here too, so no stack trace ever leaves.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from registry import errors

log = logging.getLogger("registry.api")

MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"

STATUS_BY_CATEGORY: tuple[tuple[type[errors.RegistryError], int], ...] = (
    (errors.MalformedRequest, 400),
    (errors.RequestTooLarge, 413),
    (errors.NotAcceptable, 406),
    (errors.UnsupportedMediaType, 415),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.InvalidInput, 422),
    (errors.OperationNotPermitted, 422),
    (errors.AuthenticationRequired, 401),
    (errors.AccessDenied, 403),
    (errors.UpstreamError, 502),
    (errors.StoreError, 500),
    (errors.RegistryError, 500),
)


def status_for(exc_type: type[errors.RegistryError]) -> int:
    """The HTTP status of an error class, found by walking its MRO."""
    for cls in exc_type.__mro__:
        for category, status in STATUS_BY_CATEGORY:
            if cls is category:
                return status
    return 500


def error_response(status: int, code: int, message: str, **headers: str) -> JSONResponse:
    """A Confluent-style error body."""
    return JSONResponse(
        {"error_code": code, "message": message},
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers or None,
    )


def registry_error_response(exc: errors.RegistryError) -> JSONResponse:
    """The response for one of our errors."""
    headers = {"WWW-Authenticate": 'Basic realm="registry", Bearer'}
    if isinstance(exc, errors.AuthenticationRequired):
        return error_response(status_for(type(exc)), exc.error_code, exc.message, **headers)
    return error_response(status_for(type(exc)), exc.error_code, exc.message)


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc if p != "body") or "body"


# Which error a request-validation problem is, by where it is: the first location that
# matches wins (``None`` matches any second part).
_VALIDATION_ERRORS: tuple[tuple[str, str | None, type[errors.RegistryError], str], ...] = (
    ("body", "schema", errors.InvalidSchema, "Invalid schema"),
    ("body", "ruleSet", errors.InvalidRuleSet, "Invalid ruleSet"),
    ("body", "compatibility", errors.InvalidCompatibilityLevel, "Invalid compatibility level"),
    ("body", "mode", errors.InvalidMode, "Invalid mode"),
    ("path", "version", errors.InvalidVersion, "Invalid version"),
    ("path", "id", errors.SchemaNotFound, "Schema not found"),
)


def validation_error_response(exc: RequestValidationError) -> JSONResponse:
    """Map FastAPI's validation errors to our error classes with a precise message."""
    problems = list(exc.errors())
    first: dict[str, Any] = (
        dict(problems[0]) if problems else {"loc": ("body",), "msg": "invalid request"}
    )
    loc = tuple(first.get("loc", ()))
    kind = str(first.get("type", ""))
    message = f"{_field(loc)}: {first.get('msg', 'invalid value')}"
    if kind == "json_invalid":
        ctx = first.get("ctx")
        detail = ctx.get("error", "") if isinstance(ctx, dict) else ""
        error: errors.RegistryError = errors.MalformedRequest(
            f"Malformed JSON request body: {detail}".strip()
        )
        return registry_error_response(error)
    if kind == "extra_forbidden" and loc[:1] == ("body",):
        return registry_error_response(
            errors.UnprocessableRequest(
                f"Unknown field '{_field(loc)}': this request does not take it (nothing was "
                "changed)"
            )
        )
    for where, name, cls, title in _VALIDATION_ERRORS:
        if loc[:1] == (where,) and len(loc) > 1 and loc[1] == name:
            return registry_error_response(cls(f"{title}: {message}"))
    if loc == ("body",):
        return registry_error_response(
            errors.MalformedRequest(f"Malformed request body: {message}")
        )
    return registry_error_response(errors.UnprocessableRequest(message))


def install(app: FastAPI) -> None:
    """Register the exception handlers on an app."""

    async def on_registry_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, errors.RegistryError)
        return registry_error_response(exc)

    async def on_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return validation_error_response(exc)

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 400:
            malformed = errors.MalformedRequest(f"Malformed request body: {exc.detail}")
            return registry_error_response(malformed)
        return error_response(
            exc.status_code, exc.status_code, f"HTTP {exc.status_code}: {exc.detail}"
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        internal = errors.RegistryError("Internal error in the registry; see the server log")
        return registry_error_response(internal)

    app.add_exception_handler(errors.RegistryError, on_registry_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
