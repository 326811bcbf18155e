"""Azure Schema Registry target (``azure-schemaregistry``, an Event Hubs namespace).

* Schema groups live in Azure's control plane (ARM); the data plane can neither create them nor
  change their compatibility. A missing group is reported with how to create it.
* Each subject becomes a schema named by :func:`azure_name` (at most 50 characters, none of
  ``\\ / $ :``); Avro goes as ``Avro``, JSON Schema as ``Json``; versions in order.
* The group's compatibility (None / Backward / Forward) cannot be read from the data plane: give
  it as ``group_compatibility`` and a registry level that does not map to it is reported.
* Credentials: a static bearer token (``REGISTRY_SYNC__AZURE__TOKEN``, for CI systems that mint
  their own) overrides azure-identity's ``DefaultAzureCredential``, which is built with managed
  identity excluded unless asked for, so it never probes the instance-metadata address.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

from registry.domain import CompatibilityLevel, SchemaType
from registry.errors import (
    NotConvertible,
    TargetError,
    TargetMisconfigured,
    TargetThrottled,
    TargetUnreachable,
)
from registry.sync.base import (
    Converted,
    RemoteSchema,
    RemoteVersion,
    SourceVersion,
    refuse_references,
    sanitize_name,
)

TOKEN_ENV = "REGISTRY_SYNC__AZURE__TOKEN"
SCOPE = "https://eventhubs.azure.net/.default"
_FORMATS = {SchemaType.AVRO: "Avro", SchemaType.JSON: "Json"}
_LEVELS = {
    CompatibilityLevel.NONE: ("None",),
    CompatibilityLevel.BACKWARD: ("Backward",),
    CompatibilityLevel.BACKWARD_TRANSITIVE: ("Backward",),
    CompatibilityLevel.FORWARD: ("Forward",),
    CompatibilityLevel.FORWARD_TRANSITIVE: ("Forward",),
    # Azure has no FULL: either one-directional check is weaker than ours, never stricter.
    CompatibilityLevel.FULL: ("Backward", "Forward"),
    CompatibilityLevel.FULL_TRANSITIVE: ("Backward", "Forward"),
}


def azure_name(subject: str) -> str:
    """The schema name for a subject: ``^[A-Za-z0-9][^\\\\/$:]*$``, at most 50 characters."""
    return sanitize_name(subject, allowed=r"A-Za-z0-9._@#\-", max_length=50, first="A-Za-z0-9")


@dataclass(frozen=True, slots=True)
class AzureOptions:
    """How to reach the namespace, which group, and how to authenticate."""

    namespace: str
    group: str
    ca_cert: str | None = None
    token: str | None = None
    group_compatibility: str | None = None
    use_managed_identity: bool = False
    timeout: float = 30.0


class StaticTokenCredential:
    """A ``TokenCredential`` that always answers the same bearer token."""

    def __init__(self, token: str) -> None:
        self._token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        """The token, valid for an hour from now."""
        from azure.core.credentials import AccessToken

        return AccessToken(self._token, int(time.time()) + 3600)


def make_credential(options: AzureOptions) -> Any:
    """The static token if one is set (option, else env), else ``DefaultAzureCredential``."""
    token = options.token or os.environ.get(TOKEN_ENV)
    if token:
        return StaticTokenCredential(token)
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError:  # pragma: no cover - depends on the installation
        raise TargetMisconfigured(
            f"azure-identity is not installed; install it or set {TOKEN_ENV}"
        ) from None
    return DefaultAzureCredential(
        exclude_managed_identity_credential=not options.use_managed_identity,
        exclude_interactive_browser_credential=True,
    )


@contextmanager
def azure_errors(what: str) -> Iterator[None]:
    """Translate azure-core errors raised inside the block into the sync error tree."""
    from azure.core import exceptions as ax

    try:
        yield
    except ax.ClientAuthenticationError as exc:
        raise TargetMisconfigured(f"{what}: authentication failed: {_message(exc)}") from None
    except (ax.ServiceRequestError, ax.ServiceResponseError) as exc:
        raise TargetUnreachable(f"{what}: {exc}") from None
    except ax.HttpResponseError as exc:
        if exc.status_code == 429:
            raise TargetThrottled(f"{what}: throttled (429)") from None
        raise TargetError(f"{what}: HTTP {exc.status_code}: {_message(exc)}") from None
    except ax.AzureError as exc:
        raise TargetError(f"{what}: {exc}") from None


def _message(exc: Any) -> str:
    error = getattr(exc, "error", None)
    if error is not None and getattr(error, "code", None):
        return f"{error.code}: {error.message}"
    return str(getattr(exc, "message", exc)).splitlines()[0]


class AzureTarget:
    """The :class:`~registry.sync.base.SyncTarget` for Azure Schema Registry."""

    kind: ClassVar[str] = "azure"

    def __init__(self, options: AzureOptions, *, client: Any = None) -> None:
        self.options = options
        if "://" in options.namespace:
            raise TargetMisconfigured(
                f"--namespace takes HOST[:PORT] without a scheme, not {options.namespace!r}"
            )
        self.client = client or self._client()

    def _client(self) -> Any:
        try:
            from azure.schemaregistry import SchemaRegistryClient
        except ImportError:  # pragma: no cover - depends on the installation
            raise TargetMisconfigured(
                "azure-schemaregistry is not installed: pip install 'event-schema-registry[cloud]'"
            ) from None
        kwargs: dict[str, Any] = {
            "retry_total": 0,
            "connection_timeout": 5,
            "read_timeout": self.options.timeout,
        }
        if self.options.ca_cert:
            kwargs["connection_verify"] = self.options.ca_cert
        return SchemaRegistryClient(self.options.namespace, make_credential(self.options), **kwargs)

    @property
    def label(self) -> str:
        """``Azure group 'g' in namespace 'ns'``."""
        return f"Azure schema group '{self.options.group}' in {self.options.namespace}"

    def ensure_ready(self, *, create: bool) -> bool:
        """The group must exist already: groups are created in the control plane, not here."""
        with azure_errors(f"list schema groups of {self.options.namespace}"):
            groups = list(self.client._generated_client.list_schema_groups())
        if self.options.group not in groups:
            raise TargetMisconfigured(
                f"schema group '{self.options.group}' does not exist in {self.options.namespace} "
                "(or you may not read it). Schema groups are created in Azure's control plane: "
                "az eventhubs namespace schema-registry create --namespace-name NS "
                f"--resource-group RG --name {self.options.group} --schema-compatibility "
                "Backward --schema-type Avro (or the portal, ARM, Bicep, Terraform)"
            )
        return True

    def remote_name(self, subject: str) -> str:
        """See :func:`azure_name`."""
        return azure_name(subject)

    def convert(self, version: SourceVersion) -> Converted:
        """Avro as ``Avro``, JSON Schema as ``Json``; the text unchanged."""
        refuse_references(version, "Azure Schema Registry")
        data_format = _FORMATS.get(version.schema_type)
        if data_format is None:
            raise NotConvertible(f"{version.schema_type.value} is not synced to Azure")
        if len(version.schema.encode()) > 1024 * 1024:
            raise NotConvertible(f"version {version.version} is larger than Azure's 1 MB")
        return Converted(version.schema, data_format)

    def read(self, name: str) -> RemoteSchema | None:
        """List the versions (generated client), then get each by group, name and version.

        A schema Azure does not have comes back with no versions but with the group's
        compatibility, which applies to it as soon as it is registered.
        """
        from azure.core.exceptions import ResourceNotFoundError

        group = self.options.group
        with azure_errors(f"list versions of {group}/{name}"):
            try:
                numbers = sorted(self.client._generated_client.list_schema_versions(group, name))
            except ResourceNotFoundError:
                numbers = []
        versions = []
        for number in numbers:
            with azure_errors(f"get {group}/{name} version {number}"):
                schema = self.client.get_schema(group_name=group, name=name, version=number)
            versions.append(RemoteVersion(str(number), str(schema.definition)))
        return RemoteSchema(name, tuple(versions), self.options.group_compatibility)

    def push(
        self, name: str, subject: str, converted: Converted, *, first: bool, compatibility: str
    ) -> str:
        """``register_schema``: a new version, or the existing one for identical content."""
        group = self.options.group
        with azure_errors(f"register {group}/{name}"):
            properties = self.client.register_schema(
                group, name, converted.content, converted.format
            )
        return str(properties.version)

    def compatibility_for(self, level: CompatibilityLevel) -> tuple[str, ...]:
        """Azure's group levels that fit a registry level (None/Backward/Forward)."""
        return _LEVELS[level]

    def set_compatibility(self, name: str, value: str) -> bool:
        """Group compatibility is set in the control plane only."""
        return False

    def list_names(self) -> list[str] | None:
        """The data plane cannot list the schemas of a group."""
        return None

    def close(self) -> None:
        """Close the HTTP pipeline."""
        self.client.close()
