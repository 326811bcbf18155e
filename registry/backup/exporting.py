"""Export: read a whole registry into a backup document, over the Confluent REST API only.

Every subject is read, soft-deleted ones too, and every version with its schema id, type,
references, metadata and rule set; then the global and per-subject config and mode, and the
schema ids no version uses any more (orphans left by permanent deletes), found by probing the
gaps in the id range. Nothing is written to the source.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from registry import __version__, errors
from registry.backup.document import FORMAT_NAME, FORMAT_VERSION, Document
from registry.backup.progress import Phase, ProgressCallback, no_progress, tracked
from registry.client import RegistryClient
from registry.domain import SchemaType
from registry.wire import references_from_wire, references_to_wire

#: Above this many gaps below the highest known id, only the ids above it are probed.
MAX_ID_PROBES = 10_000


def export_registry(
    client: RegistryClient,
    *,
    probe_orphans: bool = True,
    progress: ProgressCallback = no_progress,
) -> Document:
    """Read the registry behind ``client`` into a backup document (``esr-backup`` version 1).

    ``progress`` hears of each subject read (phase ``exporting``). A ``RegistryError`` from the
    source (unreachable, refused credentials...) ends the export; nothing is half written.
    """
    names = client.subjects(deleted=True)
    schemas: dict[int, dict[str, Any]] = {}
    subjects = [
        _export_subject(client, name, schemas)
        for name in tracked(names, Phase.EXPORTING, progress, str)
    ]
    orphans = _probe_orphans(client, schemas) if probe_orphans and schemas else []
    return {
        "format": FORMAT_NAME,
        "formatVersion": FORMAT_VERSION,
        "exportedAt": datetime.now(UTC).isoformat(timespec="seconds"),
        "exportedBy": f"esr {__version__}",
        "source": _without_credentials(client.base_url),
        "config": client.config(None),
        "mode": client.mode(None),
        "schemas": [schemas[i] for i in sorted(schemas)],
        "orphans": sorted(orphans),
        "subjects": subjects,
    }


def every_version(client: RegistryClient, name: str) -> list[int]:
    """The subject's version numbers, soft-deleted ones included (none for an unknown subject)."""
    try:
        return client.version_numbers(name, deleted=True)
    except errors.SubjectNotFound:
        return []


def live_versions(client: RegistryClient, name: str) -> set[int]:
    """The subject's version numbers that are not soft-deleted."""
    try:
        return set(client.version_numbers(name))
    except errors.SubjectNotFound:
        return set()


def _export_subject(
    client: RegistryClient, name: str, schemas: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    every = every_version(client, name)
    live = live_versions(client, name)
    versions = []
    for number in every:
        data = client.version_of(name, number, deleted=True)
        schema_id = int(data["id"])
        schemas.setdefault(schema_id, _schema_entry(schema_id, data))
        versions.append({"version": number, "id": schema_id, "deleted": number not in live})
    return {
        "subject": name,
        "config": client.own_config(name),
        "mode": client.own_mode(name),
        "versions": versions,
    }


def _schema_entry(schema_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """A document's schema entry from a Confluent version or schema answer (with its
    ``guid`` when the source has GUIDs: Confluent 8, or this registry).

    The type is kept as the source spelled it (absent: AVRO), not parsed: a backup carries
    schemas of types this registry does not serve, for a target that does.
    """
    entry: dict[str, Any] = {
        "id": schema_id,
        "schemaType": str(data.get("schemaType") or SchemaType.AVRO.value),
        "schema": data["schema"],
        "references": references_to_wire(references_from_wire(data.get("references"))),
    }
    for key in ("metadata", "ruleSet", "guid"):
        if data.get(key) is not None:
            entry[key] = data[key]
    return entry


def _probe_orphans(client: RegistryClient, schemas: dict[int, dict[str, Any]]) -> list[int]:
    """Ids that answer on ``/schemas/ids/{id}`` although no version uses them.

    Ids below the highest known one are probed (when there are at most ``MAX_ID_PROBES``
    gaps), then the ids just above it until the first miss.
    """
    top = max(schemas)
    gaps = [i for i in range(1, top) if i not in schemas]
    found: list[int] = []
    candidates: Iterable[int] = gaps if len(gaps) <= MAX_ID_PROBES else []
    for schema_id in candidates:
        if _fetch_orphan(client, schema_id, schemas):
            found.append(schema_id)
    above = top + 1
    while _fetch_orphan(client, above, schemas):
        found.append(above)
        above += 1
    return found


def _fetch_orphan(client: RegistryClient, schema_id: int, schemas: dict[int, Any]) -> bool:
    try:
        data = client.schema_by_id(schema_id)
    except errors.RegistryUnreachable:
        raise
    except errors.RegistryError:
        return False
    schemas[schema_id] = _schema_entry(schema_id, data)
    return True


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
