"""An emulator of EventBridge Schema Registry's REST API (``schemas`` 2019-12-02), for boto3.

Follows the service model (botocore ``schemas/2019-12-02/service-2.json``) as summarised in
REFERENCE.md "Sync targets" section 1: rest-json, PascalCase members except ``tags``, 201 for
Create*, 204 for Delete*, errors ``{"Code", "Message"}`` with ``x-amzn-ErrorType``, paging with
``limit``/``nextToken``, versions as strings, UpdateSchema with the latest content -> 304.
Only what sync needs: registries, schemas, versions, tags.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from tests.sync.emulators._http import Emulator, Request, Response

ACCOUNT = "123456789012"
_ERRORS = {
    400: "BadRequestException",
    401: "UnauthorizedException",
    403: "ForbiddenException",
    404: "NotFoundException",
    409: "ConflictException",
    429: "TooManyRequestsException",
    500: "InternalServerErrorException",
    503: "ServiceUnavailableException",
}
_TYPES = ("OpenApi3", "JSONSchemaDraft4")
_SEG = r"([^/]+)"
_ROUTES: list[tuple[str, re.Pattern[str]]] = [
    ("registries", re.compile(r"^/v1/registries$")),
    ("registry", re.compile(rf"^/v1/registries/name/{_SEG}$")),
    ("schemas", re.compile(rf"^/v1/registries/name/{_SEG}/schemas$")),
    ("schema", re.compile(rf"^/v1/registries/name/{_SEG}/schemas/name/{_SEG}$")),
    ("versions", re.compile(rf"^/v1/registries/name/{_SEG}/schemas/name/{_SEG}/versions$")),
    ("version", re.compile(rf"^/v1/registries/name/{_SEG}/schemas/name/{_SEG}/version/{_SEG}$")),
    ("tags", re.compile(r"^/tags/(.+)$")),
]


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class StoredVersion:
    """One schema version."""

    label: str
    content: str
    type: str
    created: str = field(default_factory=_now)


@dataclass
class StoredSchema:
    """One schema and its versions."""

    name: str
    arn: str
    description: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    versions: list[StoredVersion] = field(default_factory=list)
    next_version: int = 1
    modified: str = field(default_factory=_now)


@dataclass
class StoredRegistry:
    """One registry."""

    name: str
    arn: str
    description: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    schemas: dict[str, StoredSchema] = field(default_factory=dict)


class EventBridgeSchemasEmulator(Emulator):
    """The state and the routes; ``page_size`` caps every page (default 100, as a limit would)."""

    def __init__(self, *, region: str = "us-east-1", page_size: int = 100) -> None:
        super().__init__()
        self.region = region
        self.page_size = page_size
        self.registries: dict[str, StoredRegistry] = {}

    @property
    def endpoint_url(self) -> str:
        """The URL to give boto3."""
        return f"http://127.0.0.1:{self.port}"

    # --- plumbing ----------------------------------------------------------------------------

    def error(self, status: int, kind: str, message: str) -> Response:
        """``{"Code", "Message"}`` and ``x-amzn-ErrorType``."""
        code = _ERRORS.get(status, "InternalServerErrorException")
        body = json.dumps({"Code": code, "Message": message}).encode()
        return Response(
            status, body, {"Content-Type": "application/json", "x-amzn-ErrorType": code}
        )

    @staticmethod
    def _json(status: int, data: dict[str, Any]) -> Response:
        return Response(status, json.dumps(data).encode(), {"Content-Type": "application/json"})

    def is_write(self, request: Request) -> bool:
        """Every POST/PUT/DELETE of this API writes."""
        return True

    def handle(self, request: Request) -> Response:
        """Route by path and method."""
        if not request.headers.get("authorization", "").startswith("AWS4-HMAC-SHA256"):
            return self.error(403, "forbidden", "Missing Authentication Token")
        for name, pattern in _ROUTES:
            match = pattern.match(request.path)
            if match:
                args = [unquote(g) for g in match.groups()]
                method = getattr(self, f"_{name}_{request.method.lower()}", None)
                if method is None:
                    return self.error(400, "bad", f"{request.method} not allowed on {name}")
                result: Response = method(request, *args)
                return result
        return self.error(404, "not found", f"No route for {request.path}")

    def _body(self, request: Request) -> dict[str, Any]:
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            raise self.abort(400, "bad", "Body is not JSON") from None
        if not isinstance(data, dict):
            raise self.abort(400, "bad", "Body is not a JSON object")
        return data

    def _page(self, request: Request, items: list[Any]) -> tuple[list[Any], str | None]:
        limit = min(int(request.param("limit") or self.page_size), self.page_size)
        token = request.param("nextToken")
        start = int(base64.b64decode(token).decode()) if token else 0
        end = start + limit
        following = base64.b64encode(str(end).encode()).decode() if end < len(items) else None
        return items[start:end], following

    def _registry(self, name: str) -> StoredRegistry:
        registry = self.registries.get(name)
        if registry is None:
            raise self.abort(404, "not found", f"Registry {name} does not exist.")
        return registry

    def _schema(self, registry: str, name: str) -> StoredSchema:
        schema = self._registry(registry).schemas.get(name)
        if schema is None:
            raise self.abort(404, "not found", f"Schema {name} does not exist.")
        return schema

    # --- registries --------------------------------------------------------------------------

    def _registry_view(self, registry: StoredRegistry) -> dict[str, Any]:
        return {
            "RegistryName": registry.name,
            "RegistryArn": registry.arn,
            "Description": registry.description,
            "tags": registry.tags,
        }

    def _registries_get(self, request: Request) -> Response:
        prefix = request.param("registryNamePrefix") or ""
        items = [r for n, r in sorted(self.registries.items()) if n.startswith(prefix)]
        page, token = self._page(request, items)
        data: dict[str, Any] = {
            "Registries": [
                {"RegistryName": r.name, "RegistryArn": r.arn, "tags": r.tags} for r in page
            ]
        }
        if token:
            data["NextToken"] = token
        return self._json(200, data)

    def _registry_get(self, request: Request, name: str) -> Response:
        return self._json(200, self._registry_view(self._registry(name)))

    def _registry_post(self, request: Request, name: str) -> Response:
        body = self._body(request)
        if name in self.registries:
            raise self.abort(409, "conflict", f"Registry {name} already exists.")
        arn = f"arn:aws:schemas:{self.region}:{ACCOUNT}:registry/{name}"
        registry = StoredRegistry(name, arn, body.get("Description", ""), body.get("tags", {}))
        self.registries[name] = registry
        return self._json(201, self._registry_view(registry))

    def _registry_delete(self, request: Request, name: str) -> Response:
        self._registry(name)
        del self.registries[name]
        return Response(204)

    # --- schemas -----------------------------------------------------------------------------

    def _schema_view(self, schema: StoredSchema, version: StoredVersion) -> dict[str, Any]:
        return {
            "SchemaName": schema.name,
            "SchemaArn": schema.arn,
            "SchemaVersion": version.label,
            "Type": version.type,
            "Content": version.content,
            "Description": schema.description,
            "LastModified": schema.modified,
            "VersionCreatedDate": version.created,
            "tags": schema.tags,
        }

    def _schemas_get(self, request: Request, registry: str) -> Response:
        prefix = request.param("schemaNamePrefix") or ""
        items = [
            s for n, s in sorted(self._registry(registry).schemas.items()) if n.startswith(prefix)
        ]
        page, token = self._page(request, items)
        data: dict[str, Any] = {
            "Schemas": [
                {
                    "SchemaName": s.name,
                    "SchemaArn": s.arn,
                    "LastModified": s.modified,
                    "VersionCount": len(s.versions),
                    "tags": s.tags,
                }
                for s in page
            ]
        }
        if token:
            data["NextToken"] = token
        return self._json(200, data)

    def _validated(self, body: dict[str, Any], *, type_required: bool) -> tuple[str, str | None]:
        content = body.get("Content")
        if not isinstance(content, str) or not 1 <= len(content) <= 100_000:
            raise self.abort(400, "bad", "Content must be 1 to 100000 characters.")
        kind = body.get("Type")
        if kind is None and type_required:
            raise self.abort(400, "bad", "Type is required.")
        if kind is not None and kind not in _TYPES:
            raise self.abort(400, "bad", f"Type must be one of {', '.join(_TYPES)}.")
        try:
            json.loads(content)
        except ValueError:
            raise self.abort(400, "bad", "Content is not valid JSON.") from None
        return content, kind

    def _schema_post(self, request: Request, registry: str, name: str) -> Response:
        body = self._body(request)
        content, kind = self._validated(body, type_required=True)
        holder = self._registry(registry)
        if name in holder.schemas:
            raise self.abort(409, "conflict", f"Schema {name} already exists.")
        arn = f"arn:aws:schemas:{self.region}:{ACCOUNT}:schema/{registry}/{name}"
        schema = StoredSchema(name, arn, body.get("Description", ""), body.get("tags", {}))
        version = StoredVersion("1", content, str(kind))
        schema.versions.append(version)
        schema.next_version = 2
        holder.schemas[name] = schema
        return self._json(201, self._schema_view(schema, version))

    def _schema_put(self, request: Request, registry: str, name: str) -> Response:
        body = self._body(request)
        schema = self._schema(registry, name)
        if "Content" not in body:
            if "Description" in body:
                schema.description = body["Description"]
            return self._json(200, self._schema_view(schema, schema.versions[-1]))
        content, kind = self._validated(body, type_required=False)
        latest = schema.versions[-1] if schema.versions else None
        if latest is not None and latest.content == content and kind in (None, latest.type):
            return Response(304)
        kind = kind or (latest.type if latest else "JSONSchemaDraft4")
        version = StoredVersion(str(schema.next_version), content, kind)
        schema.next_version += 1
        schema.versions.append(version)
        schema.modified = _now()
        return self._json(200, self._schema_view(schema, version))

    def _schema_get(self, request: Request, registry: str, name: str) -> Response:
        schema = self._schema(registry, name)
        wanted = request.param("schemaVersion")
        if wanted is None:
            if not schema.versions:
                raise self.abort(404, "not found", f"Schema {name} has no versions.")
            return self._json(200, self._schema_view(schema, schema.versions[-1]))
        for version in schema.versions:
            if version.label == wanted:
                return self._json(200, self._schema_view(schema, version))
        raise self.abort(404, "not found", f"Version {wanted} of schema {name} does not exist.")

    def _schema_delete(self, request: Request, registry: str, name: str) -> Response:
        self._schema(registry, name)
        del self.registries[registry].schemas[name]
        return Response(204)

    def _versions_get(self, request: Request, registry: str, name: str) -> Response:
        schema = self._schema(registry, name)
        page, token = self._page(request, schema.versions)
        data: dict[str, Any] = {
            "SchemaVersions": [
                {
                    "SchemaArn": schema.arn,
                    "SchemaName": schema.name,
                    "SchemaVersion": v.label,
                    "Type": v.type,
                }
                for v in page
            ]
        }
        if token:
            data["NextToken"] = token
        return self._json(200, data)

    def _version_delete(self, request: Request, registry: str, name: str, label: str) -> Response:
        schema = self._schema(registry, name)
        remaining = [v for v in schema.versions if v.label != label]
        if len(remaining) == len(schema.versions):
            raise self.abort(404, "not found", f"Version {label} does not exist.")
        schema.versions = remaining
        return Response(204)

    # --- tags --------------------------------------------------------------------------------

    def _tagged(self, arn: str) -> StoredRegistry | StoredSchema:
        for registry in self.registries.values():
            if registry.arn == arn:
                return registry
            for schema in registry.schemas.values():
                if schema.arn == arn:
                    return schema
        raise self.abort(404, "not found", f"Resource {arn} does not exist.")

    def _tags_get(self, request: Request, arn: str) -> Response:
        return self._json(200, {"tags": self._tagged(arn).tags})

    def _tags_post(self, request: Request, arn: str) -> Response:
        self._tagged(arn).tags.update(self._body(request).get("tags", {}))
        return Response(204)

    def _tags_delete(self, request: Request, arn: str) -> Response:
        tagged = self._tagged(arn)
        for key in request.query.get("tagKeys", []):
            tagged.tags.pop(key, None)
        return Response(204)

    # --- direct access for tests -------------------------------------------------------------

    def contents(self, registry: str, name: str) -> list[str]:
        """The stored contents of a schema, oldest version first."""
        with self.lock:
            return [v.content for v in self.registries[registry].schemas[name].versions]
