"""Import: load a backup document into a registry, keeping every schema id and version number.

The target is switched to IMPORT mode (global, ``force=true``); every version is registered with
its original ``id`` and ``version``, in an order where each reference is registered before the
schemas that use it; what was soft-deleted is soft-deleted again; configs and subject modes are
restored; and finally the target's previous global mode is put back, even when the import fails.
Versions the target already holds with the same id are skipped, so re-runs are harmless. An item
the target refuses is recorded in the :class:`ImportReport` and the import goes on; an
unreachable target ends it.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

from registry import errors
from registry.backup.document import Document, validate_document
from registry.backup.exporting import every_version, live_versions
from registry.backup.progress import Phase, ProgressCallback, no_progress, tracked
from registry.client import RegistryClient
from registry.domain import Mode, SchemaInput, SchemaType
from registry.wire import references_from_wire, schema_to_wire

#: The scratch subject orphaned schema ids are registered under, then permanently deleted from.
ORPHAN_SUBJECT = "_esr_import_orphaned_schemas"

VersionKey = tuple[str, int]


@dataclass
class ImportReport:
    """What an import did: counts, and one line for each item the target refused."""

    registered: int = 0
    present: int = 0
    soft_deleted: int = 0
    orphans: int = 0
    configs: int = 0
    modes: int = 0
    failures: list[str] = field(default_factory=list)

    def rows(self) -> list[tuple[str, int]]:
        """Each count with its label, in the order a summary lists them."""
        return [
            ("versions registered", self.registered),
            ("versions already present", self.present),
            ("versions soft-deleted again", self.soft_deleted),
            ("orphaned schema ids restored", self.orphans),
            ("configs restored", self.configs),
            ("subject modes restored", self.modes),
            ("refused", len(self.failures)),
        ]


def import_document(
    client: RegistryClient,
    document: Document,
    *,
    source_global_mode: bool = False,
    progress: ProgressCallback = no_progress,
) -> ImportReport:
    """Load a backup document into the registry behind ``client``, keeping ids and versions.

    The document is checked first (an ``InvalidInput`` before anything is written). The target
    ends in its previous global mode, or in the document's with ``source_global_mode``.
    ``progress`` hears of each version registered (phase ``importing``).
    """
    validate_document(document)
    previous = client.mode(None)
    if previous != Mode.IMPORT:
        client.set_mode(None, Mode.IMPORT, force=True)
    report = ImportReport()
    try:
        _Importer(client, document, report).run(progress)
    finally:
        final = str(document["mode"]) if source_global_mode else previous
        if final != Mode.IMPORT:
            client.set_mode(None, final, force=True)
    return report


def registration_order(document: Document) -> list[VersionKey]:
    """Every (subject, version) of the backup, references first, else by id then subject."""
    schemas = {s["id"]: s for s in document["schemas"]}
    ids = {
        (s["subject"], v["version"]): v["id"] for s in document["subjects"] for v in s["versions"]
    }
    needs = {
        key: {(r["subject"], r["version"]) for r in schemas[i]["references"]} & ids.keys()
        for key, i in ids.items()
    }
    users: dict[VersionKey, list[VersionKey]] = {key: [] for key in ids}
    for key, deps in needs.items():
        for dep in deps:
            users[dep].append(key)
    waiting = {key: len(deps) for key, deps in needs.items()}
    ready = [(ids[k], k) for k, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order: list[VersionKey] = []
    while ready:
        _, key = heapq.heappop(ready)
        order.append(key)
        for user in users[key]:
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, (ids[user], user))
    # a reference cycle cannot be registered anywhere; keep its members so each is reported
    order.extend(sorted(set(ids) - set(order), key=lambda k: (ids[k], k)))
    return order


def _registration_body(schema: dict[str, Any], version: int | None) -> dict[str, Any]:
    """The Confluent registration body for a document's schema entry, with its id and GUID
    (IMPORT).

    A type the registry does not know is an ``InvalidSchema``, reported as that item refused.
    """
    schema_input = SchemaInput(
        schema=schema["schema"],
        schema_type=SchemaType.parse(schema["schemaType"]),
        references=references_from_wire(schema["references"]),
        metadata=schema.get("metadata"),
        rule_set=schema.get("ruleSet"),
    )
    body: dict[str, Any] = dict(schema_to_wire(schema_input))
    body["id"] = schema["id"]
    if version is not None:
        body["version"] = version
    if schema.get("guid") is not None:
        body["guid"] = schema["guid"]  # this registry keeps it in IMPORT mode; Confluent ignores it
    return body


def _config_body(config: dict[str, Any]) -> dict[str, Any]:
    """A config as read (``compatibilityLevel``) turned into the body that sets it.

    Every other field passes through as read, not through :mod:`registry.wire`'s config
    shapes: a Confluent source's config has fields (``alias``, default and override metadata and
    rule sets...) that this registry does not model and a Confluent target keeps.
    """
    body = dict(config)
    if "compatibilityLevel" in body:
        body["compatibility"] = body.pop("compatibilityLevel")
    return body


class _Importer:
    """One import run: the target's state as found, and what is still to do."""

    def __init__(self, client: RegistryClient, document: Document, report: ImportReport) -> None:
        self.client = client
        self.doc = document
        self.report = report
        self.schemas = {s["id"]: s for s in document["schemas"]}
        self.subjects = {s["subject"]: s for s in document["subjects"]}
        self.wanted = {
            (s["subject"], v["version"]): v for s in document["subjects"] for v in s["versions"]
        }
        self.target: dict[str, dict[int, bool]] = {}  # subject -> version -> deleted
        self.unlocked: dict[str, str] = {}

    def run(self, progress: ProgressCallback) -> None:
        order = registration_order(self.doc)
        for name in self.subjects:
            self._look_at(name)
        for key in tracked(order, Phase.IMPORTING, progress, lambda k: f"{k[0]} v{k[1]}"):
            self._register(key)
        self._restore_orphans()
        for key in reversed(order):
            if self.wanted[key]["deleted"]:
                self._soft_delete(key)
        self._restore_configs()
        self._restore_modes()

    def _refuse(self, what: str, exc: errors.RegistryError) -> None:
        if isinstance(exc, errors.RegistryUnreachable):
            raise exc
        self.report.failures.append(f"{what}: {exc.message}")

    def _look_at(self, name: str) -> None:
        """Record the subject's versions in the target; lift a subject mode that blocks writes."""
        every = every_version(self.client, name)
        live = live_versions(self.client, name) if every else set()
        self.target[name] = {v: v not in live for v in every}
        own = self.client.own_mode(name)
        if own is not None and own != Mode.IMPORT:
            self.client.set_mode(name, Mode.IMPORT, force=True)
            self.unlocked[name] = own

    def _register(self, key: VersionKey) -> None:
        subject, version = key
        schema_id = self.wanted[key]["id"]
        what = f"{subject} version {version} (id {schema_id})"
        try:
            if version in self.target[subject]:
                found = int(self.client.version_of(subject, version, deleted=True)["id"])
                if found != schema_id:
                    raise errors.IdMismatch(f"the target holds id {found} there")
                self.report.present += 1
                return
            self._make_room(subject, schema_id)
            body = _registration_body(self.schemas[schema_id], version)
            answer = self.client.register_raw(subject, body, normalize=False)
            got = (int(answer["id"]), int(answer.get("version", version)))
            if got != (schema_id, version):
                raise errors.IdMismatch(f"the target answered id {got[0]} version {got[1]}")
            self.target[subject][version] = False
            self.report.registered += 1
        except errors.RegistryError as exc:
            self._refuse(what, exc)

    def _make_room(self, subject: str, schema_id: int) -> None:
        """Soft-delete, ahead of time, a to-be-deleted version holding the same schema id.

        A registry answers a registration with the live version that already has the schema,
        so a schema re-registered after its first version was deleted needs that version
        deleted first, as it was in the source.
        """
        for version, deleted in self.target[subject].items():
            entry = self.wanted.get((subject, version))
            if not deleted and entry and entry["deleted"] and entry["id"] == schema_id:
                self._soft_delete((subject, version))

    def _soft_delete(self, key: VersionKey) -> None:
        subject, version = key
        if self.target[subject].get(version, True):
            return
        try:
            self.client.delete_version(subject, version)
            self.target[subject][version] = True
            self.report.soft_deleted += 1
        except errors.RegistryError as exc:
            self._refuse(f"soft-deleting {subject} version {version}", exc)

    def _restore_orphans(self) -> None:
        """Ids no version uses: register each under a scratch subject, then remove it for good."""
        todo = []
        for schema_id in self.doc["orphans"]:
            try:
                self.client.schema_by_id(schema_id)
                self.report.present += 1
            except errors.NotFound:
                todo.append(schema_id)
        if not todo:
            return
        try:
            for version, schema_id in enumerate(todo, start=1):
                body = _registration_body(self.schemas[schema_id], version)
                self.client.register_raw(ORPHAN_SUBJECT, body, normalize=False)
                self.report.orphans += 1
            self.client.delete_subject(ORPHAN_SUBJECT)
            self.client.delete_subject(ORPHAN_SUBJECT, permanent=True)
        except errors.RegistryError as exc:
            self._refuse(f"orphaned schema ids {todo}", exc)

    def _restore_configs(self) -> None:
        targets: list[tuple[str | None, dict[str, Any]]] = [(None, self.doc["config"])]
        targets += [(n, s["config"]) for n, s in self.subjects.items() if s["config"]]
        for subject, config in targets:
            try:
                self.client.set_config(subject, **_config_body(config))
                self.report.configs += 1
            except errors.RegistryError as exc:
                self._refuse(f"config of {subject or 'the registry'}", exc)

    def _restore_modes(self) -> None:
        for name, subject in self.subjects.items():
            mode = subject["mode"] or self.unlocked.get(name)
            if mode is None:
                continue
            try:
                self.client.set_mode(name, mode, force=True)
                self.report.modes += 1
            except errors.RegistryError as exc:
                self._refuse(f"mode of {name}", exc)
