"""A small HTTP client for any Confluent-compatible schema registry (ours included).

Used by the CLI (`esr push`, `esr gate --against URL`, `esr sync`, `esr import`) and the pytest
plugin's ``--registry-url``. Errors are translated at this one boundary: an unreachable server
raises :class:`RegistryUnreachable`; an error answer raises the :class:`RegistryError` subclass
whose ``error_code`` the server sent (or a generic one carrying the code and message). Bodies
are shaped, and answers read, by :mod:`registry.wire`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import httpx

from registry import errors
from registry.domain import SchemaInput
from registry.wire import schema_to_wire

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


def _error_classes() -> dict[int, type[errors.RegistryError]]:
    found: dict[int, type[errors.RegistryError]] = {}
    stack: list[type[errors.RegistryError]] = [errors.RegistryError]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        found.setdefault(cls.error_code, cls)
    return found


class RegistryClient:
    """Blocking client; one instance per base URL. Use as a context manager to close it."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        auth: tuple[str, str] | None = None,
        token: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Accept": CONTENT_TYPE, "Content-Type": CONTENT_TYPE}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            auth=auth,
            headers=headers,
            transport=transport,
            trust_env=False,
        )
        self._codes = _error_classes()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    # --- low level -------------------------------------------------------------------------

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send one request; return the decoded JSON body or raise a ``RegistryError``."""
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise errors.RegistryUnreachable(
                f"Registry at {self.base_url} is unreachable: {exc}"
            ) from exc
        if response.status_code >= 400:
            self._raise(response)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            return response.text

    def _raise(self, response: httpx.Response) -> None:
        try:
            body = response.json()
            code = int(body.get("error_code", response.status_code))
            message = str(body.get("message", response.text))
        except (ValueError, AttributeError, TypeError):
            code, message = response.status_code, response.text or response.reason_phrase
        cls = self._codes.get(code)
        if cls is not None and cls not in (
            errors.RegistryError,
            errors.NotFound,
            errors.Conflict,
            errors.InvalidInput,
        ):
            exc = cls.__new__(cls)
            errors.RegistryError.__init__(exc, message)
            raise exc
        raise errors.RemoteError(response.status_code, code, message)

    @staticmethod
    def _s(subject: str) -> str:
        return quote(subject, safe="")

    # --- reads -----------------------------------------------------------------------------

    def subjects(self, prefix: str | None = None, *, deleted: bool = False) -> list[str]:
        """Names of the subjects (optionally with a prefix)."""
        params: dict[str, Any] = {"deleted": str(deleted).lower()}
        if prefix:
            params["subjectPrefix"] = prefix
        return list(self.request("GET", "/subjects", params=params))

    def versions(self, subject: str) -> list[int]:
        """Live version numbers of a subject, ascending."""
        return list(self.request("GET", f"/subjects/{self._s(subject)}/versions"))

    def version(self, subject: str, version: int | str = "latest") -> dict[str, Any]:
        """One version: ``{subject, version, id, schema, schemaType?, references?...}``."""
        data = self.request("GET", f"/subjects/{self._s(subject)}/versions/{version}")
        return dict(data)

    def schema_by_id(self, schema_id: int) -> dict[str, Any]:
        """The schema registered under a global id."""
        return dict(self.request("GET", f"/schemas/ids/{schema_id}"))

    def config(
        self, subject: str | None = None, *, default_to_global: bool = True
    ) -> dict[str, Any]:
        """Compatibility config, of a subject (falling back to global) or global."""
        path = "/config" if subject is None else f"/config/{self._s(subject)}"
        params = {"defaultToGlobal": "true"} if subject is not None and default_to_global else {}
        return dict(self.request("GET", path, params=params))

    def mode(self, subject: str | None = None) -> str:
        """The mode in force."""
        path = "/mode" if subject is None else f"/mode/{self._s(subject)}"
        return str(self.request("GET", path, params={"defaultToGlobal": "true"})["mode"])

    # --- writes ----------------------------------------------------------------------------

    @staticmethod
    def _body(schema: SchemaInput, **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = dict(schema_to_wire(schema))
        body.update({k: v for k, v in extra.items() if v is not None})
        return body

    def register(
        self,
        subject: str,
        schema: SchemaInput,
        *,
        normalize: bool = False,
        schema_id: int | None = None,
        version: int | None = None,
    ) -> int:
        """Register a schema under a subject; return its global id."""
        data = self.request(
            "POST",
            f"/subjects/{self._s(subject)}/versions",
            params={"normalize": str(normalize).lower()},
            json=self._body(schema, id=schema_id, version=version),
        )
        return int(data["id"])

    def lookup(self, subject: str, schema: SchemaInput) -> dict[str, Any] | None:
        """The registered version of this exact schema under the subject, or None."""
        try:
            return dict(
                self.request("POST", f"/subjects/{self._s(subject)}", json=self._body(schema))
            )
        except (errors.SubjectNotFound, errors.SchemaNotFound):
            return None

    def test_compatibility(
        self, subject: str, schema: SchemaInput, version: int | str | None = None
    ) -> dict[str, Any]:
        """``{is_compatible, messages}`` against a version or every version the level needs."""
        path = f"/compatibility/subjects/{self._s(subject)}/versions"
        if version is not None:
            path += f"/{version}"
        return dict(self.request("POST", path, params={"verbose": "true"}, json=self._body(schema)))

    def set_config(self, subject: str | None, **fields: Any) -> dict[str, Any]:
        """PUT /config or /config/{subject}."""
        path = "/config" if subject is None else f"/config/{self._s(subject)}"
        return dict(self.request("PUT", path, json=fields))

    def set_mode(self, subject: str | None, mode: str, *, force: bool = False) -> dict[str, Any]:
        """PUT /mode or /mode/{subject}."""
        path = "/mode" if subject is None else f"/mode/{self._s(subject)}"
        return dict(
            self.request("PUT", path, params={"force": str(force).lower()}, json={"mode": mode})
        )

    # --- backup and migration (``esr export`` / ``esr import``) ---------------------------

    def version_numbers(self, subject: str, *, deleted: bool = False) -> list[int]:
        """Version numbers of a subject; with ``deleted``, soft-deleted ones too."""
        return [
            int(v)
            for v in self.request(
                "GET",
                f"/subjects/{self._s(subject)}/versions",
                params={"deleted": str(deleted).lower()},
            )
        ]

    def version_of(self, subject: str, version: int, *, deleted: bool = False) -> dict[str, Any]:
        """One version as the registry answers it; with ``deleted``, soft-deleted ones too."""
        return dict(
            self.request(
                "GET",
                f"/subjects/{self._s(subject)}/versions/{version}",
                params={"deleted": str(deleted).lower()},
            )
        )

    def own_config(self, subject: str) -> dict[str, Any] | None:
        """A subject's own config (no fallback to global), or None when it has none."""
        try:
            return dict(self.request("GET", f"/config/{self._s(subject)}"))
        except errors.NotFound:
            return None
        except errors.RemoteError as exc:
            if exc.status == 404:
                return None
            raise

    def own_mode(self, subject: str) -> str | None:
        """A subject's own mode (no fallback to global), or None when it has none."""
        try:
            return str(self.request("GET", f"/mode/{self._s(subject)}")["mode"])
        except errors.NotFound:
            return None
        except errors.RemoteError as exc:
            if exc.status == 404:
                return None
            raise

    def register_raw(
        self, subject: str, body: dict[str, Any], *, normalize: bool = False
    ) -> dict[str, Any]:
        """POST a registration body exactly as given (``id``/``version`` in IMPORT mode)."""
        return dict(
            self.request(
                "POST",
                f"/subjects/{self._s(subject)}/versions",
                params={"normalize": str(normalize).lower()},
                json=body,
            )
        )

    def delete_version(self, subject: str, version: int, *, permanent: bool = False) -> int:
        """Soft-delete a version (or, ``permanent``, remove a soft-deleted one)."""
        return int(
            self.request(
                "DELETE",
                f"/subjects/{self._s(subject)}/versions/{version}",
                params={"permanent": str(permanent).lower()},
            )
        )

    def delete_subject(self, subject: str, *, permanent: bool = False) -> list[int]:
        """Soft-delete a subject (or, ``permanent``, remove a soft-deleted one)."""
        return [
            int(v)
            for v in self.request(
                "DELETE",
                f"/subjects/{self._s(subject)}",
                params={"permanent": str(permanent).lower()},
            )
        ]

    # --- deploy safety (/api/; see docs/deploys.md) ----------------------------------------

    @staticmethod
    def _version_path(service: str, version: str) -> str:
        return f"/api/services/{quote(service, safe='')}/versions/{quote(version, safe='')}"

    def publish_contracts(
        self,
        service: str,
        version: str,
        contracts: list[dict[str, Any]],
        *,
        branch: str | None = None,
    ) -> dict[str, Any]:
        """Publish a service version's contracts (one transaction; replaces an earlier one)."""
        body = {"branch": branch, "contracts": contracts}
        found: dict[str, Any] = self.request(
            "PUT", f"{self._version_path(service, version)}/contracts", json=body
        )
        return found

    def record_verifications(
        self, service: str, version: str, document: dict[str, Any]
    ) -> dict[str, Any]:
        """Post verification results (``results``, or the plugin's ``contracts`` document)."""
        found: dict[str, Any] = self.request(
            "POST", f"{self._version_path(service, version)}/verifications", json=document
        )
        return found

    def create_environment(self, name: str) -> dict[str, Any]:
        """Create an environment (idempotent; admins only)."""
        found: dict[str, Any] = self.request("PUT", f"/api/environments/{quote(name, safe='')}")
        return found

    def record_deployment(self, service: str, version: str, environment: str) -> dict[str, Any]:
        """Record that a version runs in an environment."""
        body = {"service": service, "version": version, "environment": environment}
        found: dict[str, Any] = self.request("POST", "/api/deployments", json=body)
        return found

    def deployments(
        self, environment: str | None = None, *, history: bool = False
    ) -> list[dict[str, Any]]:
        """What runs where (with ``history``, what ran before too)."""
        params: dict[str, str] = {"history": str(history).lower()}
        if environment is not None:
            params["environment"] = environment
        found: list[dict[str, Any]] = self.request("GET", "/api/deployments", params=params)
        return found

    def deployed_consumers(
        self, environment: str, subject: str | None = None
    ) -> list[dict[str, Any]]:
        """The consumers deployed in an environment, each with its reader schema and reads."""
        params = {"subject": subject} if subject is not None else {}
        found: list[dict[str, Any]] = self.request(
            "GET", f"/api/environments/{quote(environment, safe='')}/consumers", params=params
        )
        return found

    def can_i_deploy(self, service: str, version: str, environment: str) -> dict[str, Any]:
        """can-i-deploy's verdict (``answer``: yes, no or unknown) with the matrix."""
        params = {"service": service, "version": version, "environment": environment}
        found: dict[str, Any] = self.request("GET", "/api/can-i-deploy", params=params)
        return found


@contextmanager
def open_client(url: str, **kwargs: Any) -> Iterator[RegistryClient]:
    """A client closed on exit."""
    client = RegistryClient(url, **kwargs)
    try:
        yield client
    finally:
        client.close()
