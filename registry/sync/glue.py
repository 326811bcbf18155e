"""AWS Glue Schema Registry target (boto3 ``glue`` client).

* The registry is created when missing (``CreateRegistry``).
* Each subject becomes a schema (name: letters, digits and ``- _ $ # .``, at most 255), created
  with the first version by ``CreateSchema``; later versions by ``RegisterSchemaVersion``, which
  answers the existing version for a definition Glue already has.
* Data format: Avro as ``AVRO``; JSON Schema as ``JSON``. Glue validates JSON Schema draft-04,
  06 and 07, so 2019-09 and 2020-12 documents are rewritten to draft-04 first (skipped with the
  reason when that is impossible).
* Compatibility: the registry's level, with ``*_TRANSITIVE`` as Glue's ``*_ALL``; an existing
  schema whose level differs is updated (``UpdateSchema``).
* Versions are read with ``GetSchema`` (latest number) and ``GetSchemaVersion`` by number, which
  every Glue implementation has (moto has no ``ListSchemaVersions``). A version still
  ``PENDING`` (Glue checking compatibility) is polled until ``AVAILABLE`` or ``FAILURE``.
"""

from __future__ import annotations

import json
import time
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, ClassVar

from registry.domain import CompatibilityLevel, SchemaType
from registry.errors import NotConvertible, TargetError
from registry.formats.convert.draft4 import dialect_of, to_draft4
from registry.sync._aws import aws_errors, make_client
from registry.sync.base import (
    Converted,
    RemoteSchema,
    RemoteVersion,
    SourceVersion,
    refuse_references,
    sanitize_name,
)

MAX_DEFINITION = 170_000
_NAME_CHARS = r"A-Za-z0-9\-_$#."
_LEVELS = {
    CompatibilityLevel.NONE: "NONE",
    CompatibilityLevel.BACKWARD: "BACKWARD",
    CompatibilityLevel.BACKWARD_TRANSITIVE: "BACKWARD_ALL",
    CompatibilityLevel.FORWARD: "FORWARD",
    CompatibilityLevel.FORWARD_TRANSITIVE: "FORWARD_ALL",
    CompatibilityLevel.FULL: "FULL",
    CompatibilityLevel.FULL_TRANSITIVE: "FULL_ALL",
}


def glue_name(subject: str) -> str:
    """The Glue schema name for a subject (``^[a-zA-Z0-9-_$#.]{1,255}$``)."""
    return sanitize_name(subject, allowed=_NAME_CHARS, max_length=255)


@dataclass(frozen=True, slots=True)
class GlueOptions:
    """How to reach the Glue schema registry."""

    registry: str
    region: str | None = None
    endpoint_url: str | None = None
    description: str = "Schemas synced from event-schema-registry"
    pending_timeout: float = 30.0


class GlueTarget:
    """The :class:`~registry.sync.base.SyncTarget` for the AWS Glue Schema Registry."""

    kind: ClassVar[str] = "glue"

    def __init__(self, options: GlueOptions, *, client: Any = None) -> None:
        self.options = options
        self.client = client or make_client(
            "glue", region=options.region, endpoint_url=options.endpoint_url
        )

    @property
    def label(self) -> str:
        """``Glue registry 'name' (endpoint or region)``."""
        where = self.options.endpoint_url or self.client.meta.region_name
        return f"Glue registry '{self.options.registry}' ({where})"

    def _schema_id(self, name: str) -> dict[str, str]:
        return {"RegistryName": self.options.registry, "SchemaName": name}

    def ensure_ready(self, *, create: bool) -> bool:
        """``GetRegistry``; ``CreateRegistry`` when it is missing and ``create``."""
        registry = {"RegistryName": self.options.registry}
        with aws_errors(f"GetRegistry {self.options.registry}"):
            try:
                self.client.get_registry(RegistryId=registry)
                return True
            except self.client.exceptions.EntityNotFoundException:
                if not create:
                    return False
        exists = self.client.exceptions.AlreadyExistsException
        with aws_errors(f"CreateRegistry {self.options.registry}"), suppress(exists):
            self.client.create_registry(
                RegistryName=self.options.registry, Description=self.options.description[:2048]
            )
        return True

    def remote_name(self, subject: str) -> str:
        """See :func:`glue_name`."""
        return glue_name(subject)

    def convert(self, version: SourceVersion) -> Converted:
        """Avro as is; JSON Schema as is for draft-04/06/07, else rewritten to draft-04."""
        refuse_references(version, "Glue")
        if version.schema_type is SchemaType.AVRO:
            content, data_format, note = version.schema, "AVRO", ""
        elif version.schema_type is SchemaType.JSON:
            content, data_format, note = self._json(version)
        else:
            raise NotConvertible(f"{version.schema_type.value} is not synced to Glue")
        if len(content) > MAX_DEFINITION:
            raise NotConvertible(
                f"version {version.version} is {len(content)} characters; Glue takes 170000"
            )
        return Converted(content, data_format, note)

    @staticmethod
    def _json(version: SourceVersion) -> tuple[str, str, str]:
        try:
            document = json.loads(version.schema)
        except ValueError as exc:
            raise NotConvertible(f"version {version.version} is not JSON: {exc}") from None
        if dialect_of(document) <= 7:
            return version.schema, "JSON", ""
        try:
            rewritten = to_draft4(document)
        except NotConvertible as exc:
            raise NotConvertible(
                f"version {version.version}: Glue validates draft-04/06/07 only and this "
                f"schema has no draft-04 form: {exc.message}"
            ) from None
        return json.dumps(rewritten, indent=2), "JSON", "rewritten to draft-04 for Glue"

    def read(self, name: str) -> RemoteSchema | None:
        """``GetSchema`` then ``GetSchemaVersion`` for numbers 1..latest (gaps are deleted)."""
        with aws_errors(f"GetSchema {name}"):
            try:
                schema = self.client.get_schema(SchemaId=self._schema_id(name))
            except self.client.exceptions.EntityNotFoundException:
                return None
        latest = int(schema.get("LatestSchemaVersion") or 0)
        versions = []
        for number in range(1, latest + 1):
            with aws_errors(f"GetSchemaVersion {name} {number}"):
                try:
                    data = self.client.get_schema_version(
                        SchemaId=self._schema_id(name),
                        SchemaVersionNumber={"VersionNumber": number},
                    )
                except self.client.exceptions.EntityNotFoundException:
                    continue
            if data.get("Status") in ("AVAILABLE", "PENDING"):
                versions.append(RemoteVersion(str(number), str(data["SchemaDefinition"])))
        return RemoteSchema(name, tuple(versions), schema.get("Compatibility"))

    def push(
        self, name: str, subject: str, converted: Converted, *, first: bool, compatibility: str
    ) -> str:
        """``CreateSchema`` (first) or ``RegisterSchemaVersion``; waits out ``PENDING``."""
        if first:
            with aws_errors(f"CreateSchema {name}"):
                answer = self.client.create_schema(
                    RegistryId={"RegistryName": self.options.registry},
                    SchemaName=name,
                    DataFormat=converted.format,
                    Compatibility=compatibility or "NONE",
                    SchemaDefinition=converted.content,
                    Description=f"Synced from event-schema-registry subject {subject}"[:2048],
                    Tags={"esr-subject": subject[:256]},
                )
        else:
            with aws_errors(f"RegisterSchemaVersion {name}"):
                answer = self.client.register_schema_version(
                    SchemaId=self._schema_id(name), SchemaDefinition=converted.content
                )
        status = answer.get("SchemaVersionStatus") or answer.get("Status")
        if status == "PENDING":
            status = self._wait(str(answer["SchemaVersionId"]))
        if status == "FAILURE":
            raise TargetError(f"Glue rejected the version of {name} (status FAILURE)")
        return str(answer.get("VersionNumber") or answer.get("LatestSchemaVersion") or "")

    def _wait(self, version_id: str) -> str:
        deadline = time.monotonic() + self.options.pending_timeout
        status = "PENDING"
        while status == "PENDING" and time.monotonic() < deadline:
            time.sleep(0.5)
            with aws_errors(f"GetSchemaVersion {version_id}"):
                status = str(self.client.get_schema_version(SchemaVersionId=version_id)["Status"])
        return status

    def compatibility_for(self, level: CompatibilityLevel) -> tuple[str, ...]:
        """Glue's word for the level (``*_TRANSITIVE`` is ``*_ALL``)."""
        return (_LEVELS[level],)

    def set_compatibility(self, name: str, value: str) -> bool:
        """``UpdateSchema(Compatibility=...)``."""
        with aws_errors(f"UpdateSchema {name}"):
            self.client.update_schema(SchemaId=self._schema_id(name), Compatibility=value)
        return True

    def list_names(self) -> list[str] | None:
        """``ListSchemas``; None where it is not implemented (moto answers 500)."""
        names: list[str] = []
        try:
            with aws_errors(f"ListSchemas {self.options.registry}"):
                pages = self.client.get_paginator("list_schemas").paginate(
                    RegistryId={"RegistryName": self.options.registry}
                )
                for page in pages:
                    names.extend(str(s["SchemaName"]) for s in page.get("Schemas", []))
        except TargetError:
            return None
        return names
