"""``esr export FILE`` and ``esr import [FILE | --from URL]``: move a registry, schema ids included.

Both commands speak only the Confluent REST API, so the source of an export (or of
``import --from``) can be Confluent, Karapace, Apicurio's ccompat API or this registry.

*Export* reads every subject (soft-deleted ones too), every version with its schema id, type,
references, metadata and rule set, the global and per-subject config and mode, and the schema
ids no version uses any more (orphans left by permanent deletes, found by probing the gaps in
the id range). The document's format is described in ``docs/backup-format.md``.

*Import* switches the target to IMPORT mode (global, ``force=true``), registers every version
with its original ``id`` and ``version`` in an order where each reference is registered before
the schemas that use it, soft-deletes again what was soft-deleted, restores configs and subject
modes, and finally puts the target's previous global mode back (even when the import fails).
Versions the target already holds with the same id are skipped, so re-runs are harmless.

Exit codes: 0 done, 1 some items were refused (listed), 2 unreadable or invalid backup file or
usage error, 3 a registry is unreachable.
"""

from __future__ import annotations

import heapq
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from registry import __version__, errors
from registry.cli.errors import EXIT_BREAKING, EXIT_OK
from registry.cli.gate_cli import basic_auth, exit_on_registry_error
from registry.cli.options import DEFAULT_REGISTRY, AliasedCommand, Registry, Timeout, Token, User
from registry.client import RegistryClient

FORMAT_NAME = "esr-backup"
FORMAT_VERSION = 1
ORPHAN_SUBJECT = "_esr_import_orphaned_schemas"
MAX_ID_PROBES = 10_000
IMPORT = "IMPORT"

VersionKey = tuple[str, int]


def register(app: typer.Typer) -> None:
    """Add ``esr export`` and ``esr import`` to the CLI."""
    app.command(name="export", cls=AliasedCommand)(export_command)
    app.command(name="import", cls=AliasedCommand)(import_command)


# --- the commands ---------------------------------------------------------------------------


def export_command(
    file: Annotated[str, typer.Argument(help="Where to write the backup ('-' for stdout).")],
    registry: Registry = DEFAULT_REGISTRY,
    probe_orphans: Annotated[
        bool,
        typer.Option("--probe-orphans/--no-probe-orphans", help="Look for ids no version uses."),
    ] = True,
    timeout: Timeout = 30.0,
    user: User = None,
    token: Token = None,
) -> None:
    """Write every subject, version, schema id, config and mode of a registry to FILE."""
    err = Console(stderr=True)
    with exit_on_registry_error():
        client = RegistryClient(registry, timeout=timeout, auth=basic_auth(user), token=token)
        with client:
            document = export_registry(client, err, probe_orphans=probe_orphans)
        text = json.dumps(document, indent=2, sort_keys=False) + "\n"
        if file == "-":
            sys.stdout.write(text)
        else:
            try:
                Path(file).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise errors.InvalidInput(f"{file}: cannot write the backup: {exc}") from exc
    versions = sum(len(s["versions"]) for s in document["subjects"])
    err.print(
        f"exported {len(document['subjects'])} subjects, {versions} versions, "
        f"{len(document['schemas'])} schema ids ({len(document['orphans'])} orphaned) "
        f"to {file}",
        highlight=False,
    )


def import_command(
    file: Annotated[Path | None, typer.Argument(help="A backup written by 'esr export'.")] = None,
    source: Annotated[
        str | None,
        typer.Option("--from", help="Import straight from this Confluent-compatible registry URL."),
    ] = None,
    registry: Registry = DEFAULT_REGISTRY,
    source_global_mode: Annotated[
        bool,
        typer.Option(
            "--source-global-mode",
            help="End with the backup's global mode instead of the target's previous one.",
        ),
    ] = False,
    timeout: Timeout = 30.0,
    user: User = None,
    token: Token = None,
    from_user: Annotated[
        str | None, typer.Option("--from-user", help="USER:PASSWORD for --from.")
    ] = None,
    from_token: Annotated[
        str | None, typer.Option("--from-token", help="Bearer token for --from.")
    ] = None,
) -> None:
    """Load a backup FILE (or a live registry, --from URL) into a registry, keeping every id."""
    err = Console(stderr=True)
    with exit_on_registry_error():
        if (file is None) == (source is None):
            raise errors.InvalidInput("give either a backup FILE or --from URL, not both")
        if file is not None:
            document = load_document(file)
        else:
            assert source is not None
            auth = basic_auth(from_user)
            with RegistryClient(source, timeout=timeout, auth=auth, token=from_token) as origin:
                document = export_registry(origin, err)
        client = RegistryClient(registry, timeout=timeout, auth=basic_auth(user), token=token)
        with client:
            report = import_document(client, document, err, source_global_mode=source_global_mode)
    Console().print(report.table())
    for failure in report.failures:
        err.print(f"[red]refused:[/red] {failure}", highlight=False)
    raise typer.Exit(EXIT_BREAKING if report.failures else EXIT_OK)


# --- export ---------------------------------------------------------------------------------


def export_registry(
    client: RegistryClient, console: Console, *, probe_orphans: bool = True
) -> dict[str, Any]:
    """Read a whole registry into a backup document (format ``esr-backup`` version 1)."""
    names = client.subjects(deleted=True)
    schemas: dict[int, dict[str, Any]] = {}
    subjects: list[dict[str, Any]] = []
    with _progress(console, "exporting", len(names)) as advance:
        for name in names:
            subjects.append(_export_subject(client, name, schemas))
            advance(name)
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


def _export_subject(
    client: RegistryClient, name: str, schemas: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    every = _every(client, name)
    live = _live(client, name)
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


def _every(client: RegistryClient, name: str) -> list[int]:
    try:
        return client.version_numbers(name, deleted=True)
    except errors.SubjectNotFound:
        return []


def _live(client: RegistryClient, name: str) -> set[int]:
    try:
        return set(client.version_numbers(name))
    except errors.SubjectNotFound:
        return set()


def _schema_entry(schema_id: int, data: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": schema_id,
        "schemaType": str(data.get("schemaType") or "AVRO"),
        "schema": data["schema"],
        "references": [
            {"name": r["name"], "subject": r["subject"], "version": int(r["version"])}
            for r in data.get("references") or []
        ],
    }
    for key in ("metadata", "ruleSet"):
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


# --- the document ---------------------------------------------------------------------------


def load_document(path: Path) -> dict[str, Any]:
    """Read and check a backup file; any defect is an ``InvalidInput`` naming the spot."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise errors.InvalidInput(f"{path}: cannot read the backup: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise errors.InvalidInput(f"{path}: not a JSON backup: {exc}") from exc
    try:
        return validate_document(data)
    except errors.InvalidInput as exc:
        raise errors.InvalidInput(f"{path}: {exc.message}") from exc


def _need(condition: bool, where: str, what: str) -> None:
    if not condition:
        raise errors.InvalidInput(f"{where}: {what}")


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def validate_document(data: Any) -> dict[str, Any]:
    """Check the shape of a backup document (see ``docs/backup-format.md``) and return it."""
    _need(isinstance(data, dict), "backup", "expected a JSON object")
    _need(data.get("format") == FORMAT_NAME, "format", f"expected '{FORMAT_NAME}'")
    version = data.get("formatVersion")
    _need(version == FORMAT_VERSION, "formatVersion", f"{version!r} is not supported (1 is)")
    _need(isinstance(data.get("config"), dict), "config", "expected an object")
    _need(isinstance(data.get("mode"), str), "mode", "expected a string")
    for key in ("schemas", "subjects", "orphans"):
        _need(isinstance(data.get(key), list), key, "expected a list")
    ids: set[int] = set()
    for n, entry in enumerate(data["schemas"]):
        where = f"schemas[{n}]"
        _need(isinstance(entry, dict), where, "expected an object")
        _need(_is_id(entry.get("id")), f"{where}.id", "expected a positive integer")
        _need(entry["id"] not in ids, f"{where}.id", f"id {entry['id']} appears twice")
        _need(isinstance(entry.get("schema"), str), f"{where}.schema", "expected a string")
        _need(isinstance(entry.get("schemaType"), str), f"{where}.schemaType", "expected a string")
        _check_references(entry.get("references"), f"{where}.references")
        ids.add(entry["id"])
    for n, orphan in enumerate(data["orphans"]):
        _need(orphan in ids, f"orphans[{n}]", f"{orphan!r} is not among the schemas")
    for n, subject in enumerate(data["subjects"]):
        _check_subject(subject, f"subjects[{n}]", ids)
    return dict(data)


def _check_references(refs: Any, where: str) -> None:
    _need(isinstance(refs, list), where, "expected a list")
    for n, ref in enumerate(refs):
        ok = isinstance(ref, dict) and isinstance(ref.get("name"), str)
        ok = ok and isinstance(ref.get("subject"), str) and _is_id(ref.get("version"))
        _need(ok, f"{where}[{n}]", "expected {name, subject, version}")


def _check_subject(subject: Any, where: str, ids: set[int]) -> None:
    _need(isinstance(subject, dict), where, "expected an object")
    _need(isinstance(subject.get("subject"), str), f"{where}.subject", "expected a string")
    _need(subject.get("config") is None or isinstance(subject["config"], dict), where, "config")
    _need(subject.get("mode") is None or isinstance(subject["mode"], str), where, "mode")
    _need(isinstance(subject.get("versions"), list), f"{where}.versions", "expected a list")
    for n, item in enumerate(subject["versions"]):
        spot = f"{where}.versions[{n}]"
        _need(isinstance(item, dict) and _is_id(item.get("version")), spot, "bad version")
        _need(item.get("id") in ids, f"{spot}.id", f"{item.get('id')!r} is not among the schemas")
        _need(isinstance(item.get("deleted"), bool), f"{spot}.deleted", "expected true or false")


def registration_order(document: dict[str, Any]) -> list[VersionKey]:
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


# --- import ---------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did."""

    registered: int = 0
    present: int = 0
    soft_deleted: int = 0
    orphans: int = 0
    configs: int = 0
    modes: int = 0
    failures: list[str] = field(default_factory=list)

    def table(self) -> Table:
        """A rich summary table."""
        table = Table(title="esr import", show_header=True)
        table.add_column("what")
        table.add_column("count", justify="right")
        rows = (
            ("versions registered", self.registered),
            ("versions already present", self.present),
            ("versions soft-deleted again", self.soft_deleted),
            ("orphaned schema ids restored", self.orphans),
            ("configs restored", self.configs),
            ("subject modes restored", self.modes),
            ("refused", len(self.failures)),
        )
        for label, count in rows:
            table.add_row(label, str(count), style="red" if label == "refused" and count else "")
        return table


def import_document(
    client: RegistryClient,
    document: dict[str, Any],
    console: Console,
    *,
    source_global_mode: bool = False,
) -> ImportReport:
    """Load a backup document into the registry behind ``client``, keeping ids and versions."""
    validate_document(document)
    previous = client.mode(None)
    if previous != IMPORT:
        client.set_mode(None, IMPORT, force=True)
    report = ImportReport()
    try:
        _Importer(client, document, report).run(console)
    finally:
        final = str(document["mode"]) if source_global_mode else previous
        if final != IMPORT:
            client.set_mode(None, final, force=True)
    return report


def _registration_body(schema: dict[str, Any], version: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {"schema": schema["schema"], "schemaType": schema["schemaType"]}
    if schema["references"]:
        body["references"] = schema["references"]
    for key in ("metadata", "ruleSet"):
        if schema.get(key) is not None:
            body[key] = schema[key]
    body["id"] = schema["id"]
    if version is not None:
        body["version"] = version
    return body


def _config_body(config: dict[str, Any]) -> dict[str, Any]:
    body = dict(config)
    if "compatibilityLevel" in body:
        body["compatibility"] = body.pop("compatibilityLevel")
    return body


@contextmanager
def _progress(console: Console, label: str, total: int) -> Iterator[Any]:
    with Progress(console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task(label, total=total)

        def advance(description: str) -> None:
            progress.update(task, description=description, advance=1)

        yield advance


class _Importer:
    """One import run: the target's state as found, and what is still to do."""

    def __init__(
        self, client: RegistryClient, document: dict[str, Any], report: ImportReport
    ) -> None:
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

    def run(self, console: Console) -> None:
        order = registration_order(self.doc)
        for name in self.subjects:
            self._look_at(name)
        with _progress(console, "importing", len(order)) as advance:
            for key in order:
                self._register(key)
                advance(f"{key[0]} v{key[1]}")
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
        self.target[name] = {
            v: v not in _live(self.client, name) for v in _every(self.client, name)
        }
        own = self.client.own_mode(name)
        if own is not None and own != IMPORT:
            self.client.set_mode(name, IMPORT, force=True)
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
