"""EventBridge Schema Registry target (boto3 ``schemas`` client).

* The registry is created when missing (``CreateRegistry``).
* Each subject becomes a schema named by :func:`eventbridge_name`; the subject is recorded in the
  schema's description and in the ``esr-subject`` tag.
* Each registry version, oldest first, becomes an EventBridge version: ``CreateSchema`` for the
  first, ``UpdateSchema`` for the others. An answer of 304 Not Modified means "already there".
* EventBridge stores ``JSONSchemaDraft4`` and ``OpenApi3`` only: JSON Schema is rewritten to
  draft-04 (:mod:`registry.sync.draft4`) and a subject with no draft-04 form is skipped with the
  reason. Avro subjects are skipped, or converted with ``avro_as_jsonschema``
  (:mod:`registry.sync.avro_to_jsonschema`).
* EventBridge checks no compatibility, so there is no compatibility to align.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Any, ClassVar

from registry.domain import CompatibilityLevel, SchemaType
from registry.errors import NotConvertible
from registry.formats.convert.avro_to_jsonschema import avro_to_jsonschema_text
from registry.formats.convert.draft4 import to_draft4_text
from registry.sync._aws import aws_errors, error_code, make_client
from registry.sync.base import (
    Converted,
    RemoteSchema,
    RemoteVersion,
    SourceVersion,
    refuse_references,
    sanitize_name,
)

SCHEMA_TYPE = "JSONSchemaDraft4"
MAX_CONTENT = 100_000
_NAME_CHARS = r"A-Za-z0-9@._\-"
_NAME_MAX = 256


def eventbridge_name(subject: str) -> str:
    """The schema name for a subject: letters, digits and ``@ . _ -``, at most 256 characters."""
    return sanitize_name(subject, allowed=_NAME_CHARS, max_length=_NAME_MAX)


@dataclass(frozen=True, slots=True)
class EventBridgeOptions:
    """How to reach the EventBridge schema registry, and what to do with Avro."""

    registry: str
    region: str | None = None
    endpoint_url: str | None = None
    avro_as_jsonschema: bool = False
    description: str = "Schemas synced from event-schema-registry"


class EventBridgeTarget:
    """The :class:`~registry.sync.base.SyncTarget` for EventBridge Schema Registry."""

    kind: ClassVar[str] = "eventbridge"

    def __init__(self, options: EventBridgeOptions, *, client: Any = None) -> None:
        self.options = options
        self.client = client or make_client(
            "schemas", region=options.region, endpoint_url=options.endpoint_url
        )

    @property
    def label(self) -> str:
        """``EventBridge registry 'name' (endpoint or region)``."""
        where = self.options.endpoint_url or self.client.meta.region_name
        return f"EventBridge registry '{self.options.registry}' ({where})"

    def _names(self, schema: str | None = None) -> dict[str, str]:
        names = {"RegistryName": self.options.registry}
        if schema is not None:
            names["SchemaName"] = schema
        return names

    def ensure_ready(self, *, create: bool) -> bool:
        """``DescribeRegistry``; ``CreateRegistry`` when it is missing and ``create``."""
        with aws_errors(f"DescribeRegistry {self.options.registry}"):
            try:
                self.client.describe_registry(**self._names())
                return True
            except self.client.exceptions.NotFoundException:
                if not create:
                    return False
        # ConflictException: someone created it meanwhile, which is what we wanted.
        conflict = self.client.exceptions.ConflictException
        with aws_errors(f"CreateRegistry {self.options.registry}"), suppress(conflict):
            self.client.create_registry(**self._names(), Description=self.options.description[:256])
        return True

    def remote_name(self, subject: str) -> str:
        """See :func:`eventbridge_name`."""
        return eventbridge_name(subject)

    def convert(self, version: SourceVersion) -> Converted:
        """Draft-04 JSON Schema text, or :class:`NotConvertible` with the reason."""
        refuse_references(version, "EventBridge")
        where = f"version {version.version}"
        if version.schema_type is SchemaType.AVRO:
            if not self.options.avro_as_jsonschema:
                raise NotConvertible(
                    "Avro is not supported by EventBridge (OpenApi3/JSONSchemaDraft4 only); "
                    "use --avro-as-jsonschema to push a converted JSON Schema"
                )
            content = avro_to_jsonschema_text(version.schema, subject=version.subject)
            note = "converted from Avro"
        elif version.schema_type is SchemaType.JSON:
            try:
                content = to_draft4_text(version.schema)
            except NotConvertible as exc:
                raise NotConvertible(f"{where} has no JSON Schema draft-04 form: {exc}") from None
            note = ""
        else:
            raise NotConvertible(f"{version.schema_type.value} is not supported by EventBridge")
        if len(content) > MAX_CONTENT:
            raise NotConvertible(f"{where} is {len(content)} characters; EventBridge takes 100000")
        return Converted(content, SCHEMA_TYPE, note)

    def read(self, name: str) -> RemoteSchema | None:
        """``ListSchemaVersions`` then ``DescribeSchema`` per version, oldest first."""
        labels: list[str] = []
        with aws_errors(f"ListSchemaVersions {name}"):
            try:
                pages = self.client.get_paginator("list_schema_versions").paginate(
                    **self._names(name)
                )
                for page in pages:
                    labels.extend(str(v["SchemaVersion"]) for v in page.get("SchemaVersions", []))
            except self.client.exceptions.NotFoundException:
                return None
        versions = []
        for label in sorted(labels, key=_version_key):
            with aws_errors(f"DescribeSchema {name} version {label}"):
                data = self.client.describe_schema(**self._names(name), SchemaVersion=label)
            versions.append(RemoteVersion(label, str(data.get("Content", ""))))
        return RemoteSchema(name, tuple(versions))

    def push(
        self, name: str, subject: str, converted: Converted, *, first: bool, compatibility: str
    ) -> str:
        """``CreateSchema`` (first) or ``UpdateSchema``; 304 answers the latest version."""
        if first:
            with aws_errors(f"CreateSchema {name}"):
                answer = self.client.create_schema(
                    **self._names(name),
                    Type=converted.format,
                    Content=converted.content,
                    Description=f"Synced from event-schema-registry subject {subject}"[:256],
                    Tags={"esr-subject": subject[:256]},
                )
            return str(answer["SchemaVersion"])
        with aws_errors(f"UpdateSchema {name}"):
            try:
                answer = self.client.update_schema(
                    **self._names(name), Type=converted.format, Content=converted.content
                )
            except self.client.exceptions.ClientError as exc:
                if error_code(exc) != "304":
                    raise
                return self._latest_label(name)
        return str(answer["SchemaVersion"])

    def _latest_label(self, name: str) -> str:
        with aws_errors(f"DescribeSchema {name}"):
            return str(self.client.describe_schema(**self._names(name))["SchemaVersion"])

    def compatibility_for(self, level: CompatibilityLevel) -> tuple[str, ...]:
        """EventBridge has no compatibility setting."""
        return ()

    def set_compatibility(self, name: str, value: str) -> bool:
        """EventBridge has no compatibility setting."""
        return False

    def list_names(self) -> list[str] | None:
        """``ListSchemas`` over every page."""
        names: list[str] = []
        with aws_errors(f"ListSchemas {self.options.registry}"):
            for page in self.client.get_paginator("list_schemas").paginate(**self._names()):
                names.extend(str(s["SchemaName"]) for s in page.get("Schemas", []))
        return names


def _version_key(label: str) -> tuple[int, str]:
    return (int(label), label) if label.isdigit() else (1 << 62, label)
