"""The OpenAPI document, made truthful about Confluent's wire format.

FastAPI documents ``application/json`` and its own validation-error body; this registry answers
``application/vnd.schemaregistry.v1+json`` with ``{error_code, message}`` bodies, accepts three
JSON media types in requests, and may answer any operation with the errors every request can
meet (malformed body, credentials, role, body too large, invalid input, store error).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from registry.api.errors import MEDIA_TYPE

REQUEST_MEDIA_TYPES = (
    "application/vnd.schemaregistry.v1+json",
    "application/vnd.schemaregistry+json",
    "application/json",
)
ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}
COMMON_ERRORS = {
    "401": "Credentials required (40101)",
    "403": "The caller's role does not allow this (40301)",
    "422": "Invalid input (42201-42210, 422)",
    "500": "Store error (50001)",
}
BODY_ERRORS = {
    "400": "Malformed request body (400)",
    "413": "Request body too large (41301)",
}
PATH_ERRORS = {"404": "Not found (40401-40409, 40403)"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {MEDIA_TYPE: {"schema": ERROR_REF}}}


def _fix_operation(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for response in responses.values():
        content = response.get("content")
        if content and "application/json" in content:
            content[MEDIA_TYPE] = content.pop("application/json")
    if "422" in responses:
        responses["422"] = _error(COMMON_ERRORS["422"])
    wanted = dict(COMMON_ERRORS)
    if "requestBody" in operation:
        wanted |= BODY_ERRORS
        body = operation["requestBody"].get("content", {})
        if "application/json" in body:
            schema = body.pop("application/json")
            for media_type in REQUEST_MEDIA_TYPES:
                body[media_type] = schema
    if "{" in path:
        wanted |= PATH_ERRORS
    for status, description in wanted.items():
        responses.setdefault(status, _error(description))
        responses[status] = _error(responses[status].get("description") or description)


def install_openapi(app: FastAPI) -> None:
    """Replace ``app.openapi`` with the corrected document (built once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas["ErrorResponse"] = {
                "type": "object",
                "required": ["error_code", "message"],
                "properties": {
                    "error_code": {"type": "integer"},
                    "message": {"type": "string"},
                },
            }
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
            for path, item in document.get("paths", {}).items():
                for operation in item.values():
                    _fix_operation(path, operation)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
