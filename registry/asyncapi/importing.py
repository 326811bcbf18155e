"""Contracts and schemas from an AsyncAPI 2.x (up to 2.6.0) or 3.0.0 document.

A 3.0 operation is a contract entry (``send``: the service produces, ``receive``: it consumes)
for each of its messages; in 2.x, a channel's ``subscribe`` is what the application produces and
its ``publish`` what it consumes. The entry comes from the operation's ``x-esr-contract`` when
it has one (documents ``esr asyncapi export`` wrote); otherwise from the channel: its
``x-esr-transport`` and ``x-esr-<field>`` extensions, else its ``sns`` or ``sqs`` binding, with
the address as the destination. The service is the operation's ``x-esr-service``, else the
document's, else the document's title in lower case with dashes.

A message's subject is its ``x-esr-subject``, else its ``name``, else its key; its payload is
JSON Schema (an AsyncAPI schema, or ``application/schema+json``, whose ``version=`` names the
draft of a payload without ``$schema``) or Avro (``application/vnd.apache.avro...``). Mapping
keys must be strings (YAML's ``5:`` is a number): anything else is an error naming where.
Everything is read and checked before anything is written: each contract is parsed by the
plugin's own loader and each schema by its format, and every target path is checked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from registry.asyncapi.model import Entry, SubjectSchema, entry
from registry.asyncapi.refs import check_refs, deref, escape, localize, pointer
from registry.contract_testing.loading import parse_contract
from registry.contract_testing.model import TRANSPORTS, Role, Transport
from registry.domain import SchemaType
from registry.errors import InvalidInput
from registry.formats import get_format
from registry.formats.jsonschema.drafts import Draft, draft_of

SUBJECT = re.compile(r"^[A-Za-z0-9._\-:]{1,255}$")
JSON_FORMATS = (
    "application/vnd.aai.asyncapi",
    "application/schema+json",
    "application/schema+yaml",
)
AVRO_FORMATS = ("application/vnd.apache.avro",)
VERBS_2 = {"subscribe": Role.PRODUCES, "publish": Role.CONSUMES}
ACTIONS_3 = {"send": Role.PRODUCES, "receive": Role.CONSUMES}
SCHEMA_JSON = ("application/schema+json", "application/schema+yaml")
DRAFTS: dict[str, Draft] = {
    "draft-04": Draft.DRAFT4,
    "draft-06": Draft.DRAFT6,
    "draft-07": Draft.DRAFT7,
    "2019-09": Draft.DRAFT2019_09,
    "2020-12": Draft.DRAFT2020_12,
}
MAX_DEPTH = 256


@dataclass(frozen=True, slots=True)
class Imported:
    """What a document holds: services (name to description), entries and schemas."""

    services: dict[str, str | None]
    entries: tuple[Entry, ...]
    schemas: dict[str, SubjectSchema]


def read_document(text: str, origin: str) -> dict[str, Any]:
    """The document of a YAML or JSON text, with a supported ``asyncapi`` version."""
    try:
        document = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{origin}:{exc.lineno}: not YAML or JSON: {exc.msg}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InvalidInput(f"{origin}{line}: not YAML or JSON: {problem}") from None
    if not isinstance(document, dict):
        raise InvalidInput(f"{origin}: not an AsyncAPI document (no mapping at the top)")
    version = document.get("asyncapi")
    if version is None:
        raise InvalidInput(f"{origin}: no 'asyncapi' field: not an AsyncAPI document")
    if not isinstance(version, str) or not _supported(version):
        raise InvalidInput(
            f"{origin}: unsupported AsyncAPI version {version!r}: esr reads 2.0.0 to 2.6.0 and "
            "3.0.0"
        )
    return document


def _check_keys(document: Any, where: str, origin: str) -> None:
    """Every mapping key is a string (YAML reads ``5:`` and ``true:`` as a number and a bool);
    the first that is not is an error naming where it is."""
    stack: list[tuple[Any, str, int]] = [(document, where, 0)]
    while stack:
        node, at, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidInput(f"{origin}: {at}: nests deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            for key, value in node.items():
                if not isinstance(key, str):
                    raise InvalidInput(
                        f"{origin}: {at}: the key {key!r} is a {type(key).__name__}, not a "
                        f"string (quote it: '{key}')"
                    )
                stack.append((value, f"{at}/{escape(key)}", depth + 1))
        elif isinstance(node, list):
            stack += [(item, f"{at}/{index}", depth + 1) for index, item in enumerate(node)]


def _supported(version: str) -> bool:
    found = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", version)
    if found is None:
        return False
    major, minor = int(found.group(1)), int(found.group(2))
    return (major == 2 and minor <= 6) or (major, minor) == (3, 0)


def import_document(document: dict[str, Any], origin: str) -> Imported:
    """The services, entries and schemas of a document :func:`read_document` accepted."""
    _check_keys(document, "#", origin)
    check_refs(document, origin)
    reader = _Reader(document, origin)
    if document["asyncapi"].startswith("3."):
        found = list(reader.operations_3())
    else:
        found = list(reader.operations_2())
    if not found:
        raise InvalidInput(f"{origin}: no operations: nothing says who sends or receives what")
    services: dict[str, str | None] = dict(reader.services())
    info = reader.mapping(document.get("info"), "info")
    described = info.get("description") if not services else None
    for e in found:
        services.setdefault(e.service, str(described) if described else None)
    entries = sorted(_distinct(found), key=Entry.sort_key)
    return Imported(services, tuple(entries), reader.schemas)


def _distinct(entries: list[Entry]) -> Iterator[Entry]:
    seen: set[str] = set()
    for e in entries:
        key = json.dumps([*e.sort_key()])
        if key not in seen:
            seen.add(key)
            yield e


class _Reader:
    """Reads operations, channels and messages of one document."""

    def __init__(self, document: dict[str, Any], origin: str) -> None:
        self.document = document
        self.origin = origin
        self.schemas: dict[str, SubjectSchema] = {}
        self._from: dict[str, str] = {}

    def fail(self, where: str, message: str) -> InvalidInput:
        return InvalidInput(f"{self.origin}: {where}: {message}")

    def mapping(self, node: Any, where: str) -> dict[str, Any]:
        if node is None:
            return {}
        if not isinstance(node, dict):
            raise self.fail(where, f"must be a mapping, not {type(node).__name__}")
        return node

    def deref(self, node: Any, where: str) -> tuple[Any, str]:
        return deref(self.document, node, where, self.origin)

    def services(self) -> Iterator[tuple[str, str | None]]:
        listed = self.mapping(self.document.get("x-esr-services"), "x-esr-services")
        for name, info in sorted(listed.items()):
            description = self.mapping(info, f"x-esr-services.{name}").get("description")
            yield str(name), str(description) if description else None

    def default_service(self) -> str:
        named = self.document.get("x-esr-service")
        if isinstance(named, str) and named.strip():
            return named
        title = self.mapping(self.document.get("info"), "info").get("title")
        slug = re.sub(r"[^a-z0-9]+", "-", str(title or "").lower()).strip("-")
        if not slug:
            raise self.fail("info.title", "no title to name the service after (x-esr-service)")
        return slug

    # --- 3.0 --------------------------------------------------------------------------------

    def operations_3(self) -> Iterator[Entry]:
        operations = self.mapping(self.document.get("operations"), "operations")
        for key in sorted(operations):
            where = pointer("operations", key)
            operation, where = self.deref(operations[key], where)
            operation = self.mapping(operation, where)
            action = operation.get("action")
            if action not in ACTIONS_3:
                raise self.fail(where, f"action must be send or receive, not {action!r}")
            if "channel" not in operation:
                raise self.fail(where, "no channel")
            channel, at = self.deref(operation["channel"], f"{where}/channel")
            channel = self.mapping(channel, at)
            refs = operation.get("messages")
            if refs is None:
                refs = list(self.mapping(channel.get("messages"), f"{at}/messages").values())
            if not isinstance(refs, list) or not refs:
                raise self.fail(where, "no messages")
            for index, ref in enumerate(refs):
                message, spot = self.deref(ref, f"{where}/messages/{index}")
                subject = self.message(message, spot, payload_key="payload", version=3)
                yield self.entry(operation, channel, at, ACTIONS_3[action], subject)

    # --- 2.x --------------------------------------------------------------------------------

    def operations_2(self) -> Iterator[Entry]:
        channels = self.mapping(self.document.get("channels"), "channels")
        for name in sorted(channels):
            at = pointer("channels", name)
            channel, at = self.deref(channels[name], at)
            channel = {"address": name, **self.mapping(channel, at)}
            for verb, role in VERBS_2.items():
                if verb not in channel:
                    continue
                where = f"{at}/{verb}"
                operation = self.mapping(channel[verb], where)
                if "message" not in operation:
                    raise self.fail(where, "no message")
                message, spot = self.deref(operation["message"], f"{where}/message")
                if isinstance(message, dict) and "oneOf" in message:
                    listed = message["oneOf"]
                    if not isinstance(listed, list) or not listed:
                        raise self.fail(spot, "oneOf must list messages")
                    found = [self.deref(m, f"{spot}/oneOf/{i}") for i, m in enumerate(listed)]
                else:
                    found = [(message, spot)]
                for item, place in found:
                    subject = self.message(item, place, payload_key="payload", version=2)
                    yield self.entry(operation, channel, at, role, subject)

    # --- shared -----------------------------------------------------------------------------

    def message(self, message: Any, where: str, *, payload_key: str, version: int) -> str:
        """Read a message's schema into ``self.schemas``; return its subject."""
        message = self.mapping(message, where)
        name = message.get("x-esr-subject") or message.get("name") or where.rsplit("/", 1)[-1]
        subject = str(name)
        if not SUBJECT.match(subject):
            raise self.fail(where, f"message name {subject!r} is not a subject name")
        if payload_key not in message:
            raise self.fail(where, f"message '{subject}' has no payload")
        payload, at = self.deref(message[payload_key], f"{where}/{payload_key}")
        fmt = message.get("schemaFormat") if version == 2 else None
        if version == 3 and isinstance(payload, dict) and "schema" in payload:
            fmt = payload.get("schemaFormat")
            payload, at = self.deref(payload["schema"], f"{at}/schema")
        schema = self.schema(subject, fmt, payload, at)
        known = self.schemas.get(subject)
        if known is not None and known.document != schema.document:
            raise self.fail(
                where, f"subject '{subject}' has another schema at {self._from[subject]}"
            )
        self.schemas[subject] = schema
        self._from.setdefault(subject, where)
        return subject

    def schema(self, subject: str, fmt: Any, payload: Any, at: str) -> SubjectSchema:
        name = str(fmt) if fmt is not None else "application/vnd.aai.asyncapi"
        if name.startswith(AVRO_FORMATS):
            if not isinstance(payload, dict | list | str):
                raise self.fail(at, f"the Avro schema of '{subject}' is not a schema")
            return SubjectSchema(subject, SchemaType.AVRO, payload)
        if not name.startswith(JSON_FORMATS):
            raise self.fail(
                at, f"schemaFormat '{name}' of '{subject}': esr reads JSON Schema and Avro"
            )
        if not isinstance(payload, dict | bool):
            raise self.fail(at, f"the JSON Schema of '{subject}' is not a schema")
        named = self.named_draft(name, subject, at)
        if named not in (None, Draft.DRAFT7) and isinstance(payload, dict):
            # A payload naming no draft takes this one (none reads as draft-07 already).
            payload = {"$schema": named.uri, **payload} if "$schema" not in payload else payload
        try:
            modern = draft_of(payload) in (Draft.DRAFT2019_09, Draft.DRAFT2020_12)
        except InvalidInput as exc:
            raise self.fail(at, exc.message) from None
        defs = "$defs" if modern else "definitions"
        document = localize(self.document, payload, at, defs, self.origin)
        return SubjectSchema(subject, SchemaType.JSON, document)

    def named_draft(self, name: str, subject: str, at: str) -> Draft | None:
        """The draft ``application/schema+json;version=...`` names (None: it names none)."""
        if not name.startswith(SCHEMA_JSON):
            return None
        parameters = {
            k.strip().lower(): v.strip().strip('"')
            for k, _, v in (part.partition("=") for part in name.split(";")[1:])
        }
        version = parameters.get("version")
        if version is None:
            return None
        found = DRAFTS.get(version)
        if found is None:
            known = ", ".join(DRAFTS)
            raise self.fail(
                at, f"schemaFormat '{name}' of '{subject}': version must be one of {known}"
            )
        return found

    def entry(
        self, operation: dict[str, Any], channel: dict[str, Any], at: str, role: Role, subject: str
    ) -> Entry:
        service = operation.get("x-esr-service") or self.default_service()
        written = operation.get("x-esr-contract")
        if written is not None:
            fields = dict(self.mapping(written, "x-esr-contract"))
            fields.pop("subject", None)
            name = fields.pop("transport", None)
        else:
            name, fields = self.channel_fields(operation, channel, at)
        transport = self.transport(name, at)
        try:
            return entry(str(service), role, subject, transport, **fields)
        except InvalidInput as exc:
            raise self.fail(at, exc.message) from None

    def transport(self, name: Any, at: str) -> Transport:
        try:
            return Transport(str(name).lower())
        except ValueError:
            known = ", ".join(t.value for t in Transport)
            raise self.fail(
                at,
                f"cannot tell the transport (x-esr-transport {name!r}; no sns or sqs binding); "
                f"esr contracts know {known}",
            ) from None

    def channel_fields(
        self, operation: dict[str, Any], channel: dict[str, Any], at: str
    ) -> tuple[Any, dict[str, Any]]:
        """The transport and entry fields an operation's ``x-esr-<field>`` extensions and its
        channel (extensions, bindings, address) describe."""
        bindings = self.mapping(channel.get("bindings"), f"{at}/bindings")
        given = {**channel, **{k: v for k, v in operation.items() if k.startswith("x-esr-")}}
        name = given.get("x-esr-transport")
        if name is None:
            name = next((b for b in ("sns", "sqs") if b in bindings), None)
        transport = self.transport(name, at)
        spec = TRANSPORTS[transport]
        fields = {
            key: given[f"x-esr-{key}"]
            for key in (*spec.targets, *spec.required, *spec.options)
            if f"x-esr-{key}" in given
        }
        address = channel.get("address")
        if transport is Transport.SNS and "topic" not in fields:
            fields["topic"] = self.mapping(bindings.get("sns"), at).get("name") or address
        if transport is Transport.SQS and "queue" not in fields:
            queue = self.mapping(self.mapping(bindings.get("sqs"), at).get("queue"), at)
            fields["queue"] = queue.get("name") or address
        if spec.targets and not any(k in fields for k in spec.targets) and address:
            fields[spec.targets[0]] = address
        if transport is Transport.APIGATEWAY and "path" not in fields and address:
            fields["path"] = address
        return transport.value, {k: v for k, v in fields.items() if v is not None}


def contract_text(service: str, description: str | None, entries: list[Entry]) -> str:
    """A contract file for one service, in the order the loader's messages refer to."""
    document: dict[str, Any] = {"service": service}
    if description:
        document["description"] = description
    for role in Role:
        found = [e.as_contract() for e in entries if e.role is role]
        if found:
            document[role.value] = found
    text: str = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return text


def schema_path(subject: str, schema_type: SchemaType, origin: str) -> str:
    """``schemas/orders/OrderPlaced.json`` for ``orders.OrderPlaced`` (JSON Schema)."""
    parts = subject.split(".")
    if any(part in ("", "..", ".") for part in parts):
        raise InvalidInput(f"{origin}: subject '{subject}' cannot be a path under schemas/")
    suffix = ".avsc" if schema_type is SchemaType.AVRO else ".json"
    return "/".join(("schemas", *parts)) + suffix


def files_of(imported: Imported, origin: str) -> dict[str, str]:
    """Every file to write (relative path to text), each checked by its own reader."""
    files: dict[str, str] = {}
    for service, description in sorted(imported.services.items()):
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", service).strip("-.") or "service"
        path = f"contracts/{name}.yaml"
        if path in files:
            raise InvalidInput(f"{origin}: services '{service}' and another share the file {path}")
        entries = [e for e in imported.entries if e.service == service]
        text = contract_text(service, description, entries)
        try:
            parse_contract(text, Path(path))
        except InvalidInput as exc:
            raise InvalidInput(
                f"{origin}: the contract of service '{service}' would be invalid: {exc.message}"
            ) from None
        files[path] = text
    for subject, schema in sorted(imported.schemas.items()):
        text = json.dumps(schema.document, indent=2, ensure_ascii=False) + "\n"
        try:
            get_format(schema.schema_type).parse(text)
        except InvalidInput as exc:
            raise InvalidInput(
                f"{origin}: the schema of '{subject}' is invalid: {exc.message}"
            ) from None
        files[schema_path(subject, schema.schema_type, origin)] = text
    return files


def write_files(files: dict[str, str], directory: Path) -> list[Path]:
    """Write the files under ``directory``: every target path checked first (no folder on the
    way is a file, no target is a folder), all written into a temporary directory, then each
    moved into place, so that a failure leaves nothing half written."""
    targets = [directory / relative for relative in sorted(files)]
    _check_targets(directory, targets)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".esr-import-", dir=directory))
    except OSError as exc:
        raise InvalidInput(f"{exc.filename or directory}: cannot write ({exc.strerror})") from None
    try:
        for relative, text in files.items():
            staged = staging / relative
            staged.parent.mkdir(parents=True, exist_ok=True)
            staged.write_text(text, encoding="utf-8")
        for relative in sorted(files):
            target = directory / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / relative, target)
    except OSError as exc:
        raise InvalidInput(f"{exc.filename or directory}: cannot write ({exc.strerror})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return targets


def _check_targets(directory: Path, targets: list[Path]) -> None:
    """Each target can be written: it is not a folder, and every folder on its way under (and
    including) ``directory`` is one or does not exist yet."""
    folders: set[Path] = set()
    for target in targets:
        if target.is_dir():
            raise InvalidInput(f"{target}: cannot write (Is a directory)")
        parent = target.parent
        while parent not in folders:
            folders.add(parent)
            if parent == directory or parent == parent.parent:
                break
            parent = parent.parent
    for ancestor in [*directory.parents, *sorted(folders)]:
        if ancestor.exists() and not ancestor.is_dir():
            raise InvalidInput(f"{ancestor}: cannot write (Not a directory)")
