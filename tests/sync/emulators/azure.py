"""An emulator of Azure Schema Registry's data plane (api-version 2022-10), over HTTPS.

Follows REFERENCE.md "Sync targets" section 3: the routes of the data plane; ``api-version``
required; register and ``:get-id`` answer 204 with ``Location``, ``Schema-Id``,
``Schema-Id-Location``, ``Schema-Group-Name``, ``Schema-Name`` and ``Schema-Version``; GETs
answer the raw text with the stored format's ``Content-Type``; lists are ``{"Value": [...]}``
with ``NextLink`` paging; errors are ``{"error": {"code", "message"}}`` plus ``x-ms-error-code``.
Groups are pre-seeded (the data plane cannot create them). Registering content identical to an
existing version answers that version. A bearer token is required (``token``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from tests.sync.emulators._http import Emulator, Request, Response

_CONTENT_TYPES = {
    "application/json;serialization=avro": "Avro",
    "application/json;serialization=json": "Json",
    "text/plain;charset=utf-8": "Custom",
}
_FORMAT_TYPES = {
    "Avro": "application/json; serialization=Avro",
    "Json": "application/json; serialization=Json",
    "Custom": "text/plain; charset=utf-8",
}
_CODES = {
    400: "InvalidRequest",
    401: "Unauthorized",
    404: "ItemNotFound",
    415: "InvalidSchemaType",
    429: "ServerBusy",
    500: "InternalServerError",
}


@dataclass
class StoredSchema:
    """One version of one schema."""

    id: str
    group: str
    name: str
    version: int
    format: str
    definition: str


@dataclass
class Group:
    """A schema group, as configured in the control plane."""

    name: str
    compatibility: str = "None"
    schemas: dict[str, list[StoredSchema]] = field(default_factory=dict)


class AzureSchemaRegistryEmulator(Emulator):
    """The state and the routes of one namespace."""

    def __init__(
        self,
        *,
        cert: Path,
        key: Path,
        groups: dict[str, str] | None = None,
        token: str = "test-token",
        page_size: int = 100,
    ) -> None:
        super().__init__(tls=(cert, key))
        self.token = token
        self.page_size = page_size
        self.groups = {n: Group(n, c) for n, c in (groups or {}).items()}
        self.by_id: dict[str, StoredSchema] = {}

    @property
    def namespace(self) -> str:
        """``127.0.0.1:PORT``: what ``SchemaRegistryClient`` takes (host[:port], no scheme)."""
        return f"127.0.0.1:{self.port}"

    # --- plumbing ----------------------------------------------------------------------------

    def error(self, status: int, kind: str, message: str) -> Response:
        """``{"error": {"code", "message"}}`` and ``x-ms-error-code``."""
        code = _CODES.get(status, "InternalServerError")
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        headers = {"Content-Type": "application/json", "x-ms-error-code": code}
        if status == 429:
            headers["Retry-After"] = "0"
        return Response(status, body, headers)

    def is_write(self, request: Request) -> bool:
        """Only PUT (register) writes; ``:get-id`` is a POST that reads."""
        return request.method == "PUT"

    def handle(self, request: Request) -> Response:
        """Check api-version and the bearer token, then route by path segments."""
        if not request.param("api-version"):
            return self.error(400, "bad", "The api-version query parameter is required.")
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return self.error(401, "auth", "Unauthorized. Access token is missing or invalid.")
        parts = [unquote(p) for p in request.path.strip("/").split("/")]
        if not parts or parts[0] != "$schemaGroups":
            return self.error(404, "missing", f"No route for {request.path}")
        route = (request.method, len(parts))
        if route == ("GET", 1):
            return self._list(request, sorted(self.groups), request.path)
        if route == ("GET", 3) and parts[1] == "$schemas":
            return self._content(self._by_id(parts[2]))
        if route == ("GET", 5) and parts[2] == "schemas" and parts[4] == "versions":
            numbers = [s.version for s in self._versions(parts[1], parts[3])]
            return self._list(request, numbers, request.path)
        if route == ("GET", 6) and parts[2] == "schemas" and parts[4] == "versions":
            return self._content(self._version(parts[1], parts[3], parts[5]))
        if route == ("PUT", 4) and parts[2] == "schemas":
            return self._register(request, parts[1], parts[3])
        if route == ("POST", 4) and parts[2] == "schemas" and parts[3].endswith(":get-id"):
            return self._get_id(request, parts[1], parts[3].removesuffix(":get-id"))
        return self.error(404, "missing", f"No route for {request.method} {request.path}")

    def _list(self, request: Request, items: list[Any], path: str) -> Response:
        skip = int(request.param("skip") or 0)
        page = items[skip : skip + self.page_size]
        data: dict[str, Any] = {"Value": page}
        if skip + self.page_size < len(items):
            data["NextLink"] = f"{path}?skip={skip + self.page_size}"
        return Response(200, json.dumps(data).encode(), {"Content-Type": "application/json"})

    def _headers(self, schema: StoredSchema) -> dict[str, str]:
        group, name = quote(schema.group, safe=""), quote(schema.name, safe="")
        location = f"/$schemaGroups/{group}/schemas/{name}/versions/{schema.version}"
        return {
            "Location": f"{location}?api-version=2022-10",
            "Schema-Id": schema.id,
            "Schema-Id-Location": f"/$schemaGroups/$schemas/{schema.id}?api-version=2022-10",
            "Schema-Group-Name": schema.group,
            "Schema-Name": schema.name,
            "Schema-Version": str(schema.version),
        }

    def _content(self, schema: StoredSchema) -> Response:
        headers = self._headers(schema)
        headers["Content-Type"] = _FORMAT_TYPES[schema.format]
        return Response(200, schema.definition.encode(), headers)

    def _group(self, name: str) -> Group:
        group = self.groups.get(name)
        if group is None:
            raise self.abort(404, "missing", f"Schema group {name} does not exist.")
        return group

    def _versions(self, group: str, name: str) -> list[StoredSchema]:
        versions = self._group(group).schemas.get(name)
        if not versions:
            raise self.abort(404, "missing", f"Schema {group}/{name} does not exist.")
        return versions

    def _version(self, group: str, name: str, number: str) -> StoredSchema:
        for schema in self._versions(group, name):
            if str(schema.version) == number:
                return schema
        raise self.abort(404, "missing", f"Version {number} of {group}/{name} does not exist.")

    def _by_id(self, schema_id: str) -> StoredSchema:
        schema = self.by_id.get(schema_id)
        if schema is None:
            raise self.abort(404, "missing", f"Schema id {schema_id} does not exist.")
        return schema

    def _format(self, request: Request) -> str:
        content_type = request.headers.get("content-type", "").replace(" ", "").lower()
        data_format = _CONTENT_TYPES.get(content_type)
        if data_format is None:
            raise self.abort(415, "type", f"Unsupported content type {content_type!r}.")
        return data_format

    def _register(self, request: Request, group_name: str, name: str) -> Response:
        group = self._group(group_name)
        data_format = self._format(request)
        definition = request.body.decode()
        if len(name) > 50 or any(c in name for c in "\\/$:"):
            raise self.abort(400, "bad", f"Invalid schema name {name!r}.")
        if data_format != "Custom":
            try:
                json.loads(definition)
            except ValueError:
                raise self.abort(400, "bad", "The schema is not valid JSON.") from None
        versions = group.schemas.setdefault(name, [])
        if versions and versions[-1].format != data_format:
            raise self.abort(400, "bad", "A schema's format cannot change between versions.")
        for existing in versions:
            if existing.definition == definition:
                return Response(204, b"", self._headers(existing))
        number = versions[-1].version + 1 if versions else 1
        schema = StoredSchema(uuid.uuid4().hex, group_name, name, number, data_format, definition)
        versions.append(schema)
        self.by_id[schema.id] = schema
        return Response(204, b"", self._headers(schema))

    def _get_id(self, request: Request, group: str, name: str) -> Response:
        definition = request.body.decode()
        for schema in self._versions(group, name):
            if schema.definition == definition:
                return Response(204, b"", self._headers(schema))
        raise self.abort(404, "missing", f"No version of {group}/{name} has this content.")

    # --- direct access for tests -------------------------------------------------------------

    def put_directly(self, group: str, name: str, definition: str, data_format: str) -> None:
        """Add a version behind the sync's back (drift), as another client would."""
        with self.lock:
            versions = self.groups[group].schemas.setdefault(name, [])
            number = versions[-1].version + 1 if versions else 1
            schema = StoredSchema(uuid.uuid4().hex, group, name, number, data_format, definition)
            versions.append(schema)
            self.by_id[schema.id] = schema

    def contents(self, group: str, name: str) -> list[str]:
        """The stored definitions, oldest version first."""
        with self.lock:
            return [s.definition for s in self.groups[group].schemas.get(name, [])]
