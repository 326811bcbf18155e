"""The OpenAPI document, made truthful about Confluent's wire format.

FastAPI documents ``application/json`` and its own validation-error body; this registry answers
``application/vnd.schemaregistry.v1+json`` with ``{error_code, message}`` bodies, accepts four
media types in requests, and may answer any operation with the errors every request can meet
(malformed body, credentials, role, media types, body too large, invalid input, store error).
The document also says how to authenticate (HTTP Basic or a bearer token, on every operation
but the open ones) and links operations to each other (a registration's ``id`` and ``version``
lead to the schema and the version), so that clients and fuzzers can chain them.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from registry.api.errors import MEDIA_TYPE

REQUEST_MEDIA_TYPES = (
    "application/vnd.schemaregistry.v1+json",
    "application/vnd.schemaregistry+json",
    "application/json",
    "application/octet-stream",
)
ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}
COMMON_ERRORS = {
    "406": "The Accept header allows none of the registry's media types (406)",
    "422": "Invalid input (42201-42210, 422)",
    "500": "Store error (50001)",
}
AUTH_ERRORS = {
    "401": "Credentials required (40101)",
    "403": "The caller's role does not allow this (40301)",
}
BODY_ERRORS = {
    "400": "Malformed request body (400)",
    "413": "Request body too large (41301)",
    "415": "The body is not JSON in a media type the registry reads (415)",
}
OPERATION_ERRORS = {
    "register_schema": {"409": "Incompatible with earlier versions under the level (409)"},
    "delete_subject": {"409": "A STRONG association owns the subject (40904)"},
}
SECURITY_SCHEMES = {
    "basic": {"type": "http", "scheme": "basic", "description": "A user of `esr users add`"},
    "bearer": {"type": "http", "scheme": "bearer", "description": "A token of `esr tokens`"},
}
# While a registry has no users every operation is open; once it has, these are the ways in.
SECURITY: list[dict[str, list[str]]] = [{"basic": []}, {"bearer": []}, {}]


PATH_ERRORS = {"404": "Not found (40401-40410)"}


def _link(operation: str, description: str, **parameters: str) -> dict[str, Any]:
    return {"operationId": operation, "parameters": parameters, "description": description}


_SUBJECT = "$request.path.subject"
_VERSION = "$response.body#/version"
_ID = "$response.body#/id"
_GUID = "$response.body#/guid"
SCHEMA_LINKS = {
    "GetSchemaByGuid": _link("get_schema_by_guid", "The schema under its GUID", guid=_GUID),
    "GetSchemaById": _link("get_schema_by_id", "The schema under its global id", id=_ID),
    "GetRawSchemaById": _link("get_raw_schema_by_id", "Its raw text", id=_ID),
    "GetSubjectsBySchemaId": _link("get_subjects_by_schema_id", "Subjects using that id", id=_ID),
    "GetVersionsBySchemaId": _link(
        "get_versions_by_schema_id", "Subject versions using that id", id=_ID
    ),
}
VERSION_LINKS = {
    "GetVersion": _link("get_version", "The version", subject=_SUBJECT, version=_VERSION),
    "GetRawVersionSchema": _link(
        "get_raw_version_schema", "Its raw schema", subject=_SUBJECT, version=_VERSION
    ),
    "GetReferencedBy": _link(
        "get_referenced_by", "Schemas referencing it", subject=_SUBJECT, version=_VERSION
    ),
    "DeleteVersion": _link("delete_version", "Soft-delete it", subject=_SUBJECT, version=_VERSION),
}
SUBJECT_LINKS = {
    "ListVersions": _link("list_versions", "The subject's versions", subject=_SUBJECT),
    "GetSubjectConfig": _link("get_subject_config", "Its config", subject=_SUBJECT),
    "DeleteSubject": _link("delete_subject", "Soft-delete the subject", subject=_SUBJECT),
}
# The same body again: is it registered, is it compatible.
BODY_LINKS = {
    "LookupSchema": {
        **_link("lookup_schema", "Look it up", subject=_SUBJECT),
        "requestBody": "$request.body",
    },
    "TestCompatibility": {
        **_link("test_compatibility", "Test it against the level", subject=_SUBJECT),
        "requestBody": "$request.body",
    },
}
LINKS = {
    "register_schema": SCHEMA_LINKS | VERSION_LINKS | SUBJECT_LINKS | BODY_LINKS,
    "lookup_schema": SCHEMA_LINKS | VERSION_LINKS | SUBJECT_LINKS,
    "get_version": SCHEMA_LINKS,
    "get_latest_with_metadata": SCHEMA_LINKS,
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {MEDIA_TYPE: {"schema": ERROR_REF}}}


def _fix_operation(path: str, operation: dict[str, Any], open_operation: bool) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    name = operation.get("operationId", "")
    if open_operation:
        operation["security"] = []
    for response in responses.values():
        content = response.get("content")
        if content and "application/json" in content:
            content[MEDIA_TYPE] = content.pop("application/json")
    if "422" in responses:
        responses["422"] = _error(COMMON_ERRORS["422"])
    wanted = dict(COMMON_ERRORS) | OPERATION_ERRORS.get(name, {})
    if not open_operation:
        wanted |= AUTH_ERRORS
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
    if name in LINKS and "200" in responses:
        responses["200"]["links"] = LINKS[name]


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):  # FastAPI keeps included routers as such
            found += _api_routes(route.original_router.routes)
    return found


def _open_operations(app: FastAPI) -> set[str]:
    """Names of the routes that need no credentials (no ``require`` dependency)."""
    found = set()
    for route in _api_routes(app.routes):
        calls = [d.call for d in route.dependant.dependencies]
        if not any(getattr(c, "__qualname__", "").startswith("require.") for c in calls):
            found.add(route.name)
    return found


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
            document["components"]["securitySchemes"] = SECURITY_SCHEMES
            document["security"] = SECURITY
            open_operations = _open_operations(app)
            for path, item in document.get("paths", {}).items():
                for operation in item.values():
                    open_operation = operation.get("operationId") in open_operations
                    _fix_operation(path, operation, open_operation)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
