"""What an AsyncAPI document is built from and read back into: a catalogue of contract entries.

An :class:`Entry` is one line of a contract file as written (``subject``, ``transport``, the
target field, the options, ``version``, ``reads``), with its service and role. It keeps the name
of the target field, which :class:`~registry.contract_testing.Binding` drops (a Service Bus
binding names a ``queue`` or a ``topic``), so that an export can be imported back into the same
contract files. :func:`load_catalogue` reads ``contracts/`` with the plugin's loader (so it
refuses what the plugin refuses) and the schemas of the subjects from a ``schemas/`` tree, each
checked by its format alone: a tree has no references between subjects, so a schema that needs
another file (``"$ref": "Money.json"``) is refused rather than exported into a document that
``esr asyncapi import`` could not read back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from registry.contract_testing.loading import load_contracts
from registry.contract_testing.model import TRANSPORTS, Binding, Role, Transport
from registry.contract_testing.schemas import LocalTreeSource, unknown_subject
from registry.domain import SchemaType
from registry.errors import InvalidInput, SubjectNotFound
from registry.formats import get_format


def field_order(transport: Transport) -> tuple[str, ...]:
    """The fields of an entry of ``transport`` after subject and transport, in file order."""
    spec = TRANSPORTS[transport]
    return (*spec.targets, *spec.required, *spec.options, "version", "reads")


@dataclass(frozen=True, slots=True)
class Entry:
    """One contract entry: ``service`` produces or consumes ``subject`` on ``transport``.

    ``fields`` are the entry's other keys as a contract file writes them (a target such as
    ``topic``, options such as ``attributes``, ``version``, ``reads``), in file order.
    """

    service: str
    role: Role
    subject: str
    transport: Transport
    fields: Mapping[str, Any] = field(default_factory=dict)

    @property
    def target_key(self) -> str | None:
        """The field that names the target (``topic``, ``queue``...), when the entry has one."""
        return next((k for k in TRANSPORTS[self.transport].targets if k in self.fields), None)

    @property
    def target(self) -> str | None:
        """The target's name as written (a name, an ARN or a URL), when given."""
        key = self.target_key
        return str(self.fields[key]) if key is not None else None

    def as_contract(self) -> dict[str, Any]:
        """The entry as a contract file writes it."""
        return {"subject": self.subject, "transport": self.transport.value, **self.fields}

    def sort_key(self) -> tuple[str, str, str, str, str]:
        """Entries sort by service, role, subject, transport, then fields."""
        fields = json.dumps(self.fields, sort_keys=True, default=str)
        return (self.service, self.role.value, self.subject, self.transport.value, fields)


def entry(service: str, role: Role, subject: str, transport: Transport, **given: Any) -> Entry:
    """An entry with its fields put in file order (unset ones left out)."""
    order = field_order(transport)
    unknown = sorted(set(given) - set(order))
    if unknown:
        raise InvalidInput(f"{transport.value} entries take no {', '.join(unknown)}")
    fields = {key: given[key] for key in order if given.get(key) is not None}
    return Entry(service, role, subject, transport, fields)


def entry_of(binding: Binding, target_key: str | None = None) -> Entry:
    """The entry of a loaded binding; ``target_key`` says which target field it was written in
    (needed only for Service Bus, whose target is a ``queue`` or a ``topic``)."""
    given: dict[str, Any] = dict(binding.options)
    if binding.target is not None:
        given[target_key or TRANSPORTS[binding.transport].targets[0]] = binding.target
    if binding.version is not None:
        given["version"] = binding.version
    if binding.reads is not None:
        given["reads"] = list(binding.reads)
    return entry(binding.service, binding.role, binding.subject, binding.transport, **given)


@dataclass(frozen=True, slots=True)
class SubjectSchema:
    """A subject's schema: its type and the parsed document (JSON), with its registered version
    and global id when it comes from a registry."""

    subject: str
    schema_type: SchemaType
    document: Any
    version: int | None = None
    schema_id: int | None = None


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """A service's description and, from a registry, the version its contracts come from."""

    description: str | None = None
    version: str | None = None


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Services, their contract entries and the schemas of the subjects the entries name."""

    services: Mapping[str, ServiceInfo]
    entries: tuple[Entry, ...]
    schemas: Mapping[str, SubjectSchema]


def parse_schema_text(subject: str, schema_type: SchemaType, text: str, where: str) -> Any:
    """A schema's text as JSON (Avro and JSON Schema are both JSON documents)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        kind = "Avro schema" if schema_type is SchemaType.AVRO else "JSON Schema"
        raise InvalidInput(
            f"{where}: the {kind} of '{subject}' is not JSON: {exc.msg} (line {exc.lineno})"
        ) from None


def load_catalogue(contracts: Path, schemas: Path) -> Catalogue:
    """Every contract under ``contracts`` with the schemas of its subjects from ``schemas``.

    An empty contracts directory, a contract the plugin would refuse, a subject without a
    schema file and a schema its format refuses on its own (one referring to another file, say)
    are all ``InvalidInput``.
    """
    if not contracts.is_dir():
        raise InvalidInput(f"{contracts}: not a directory of contracts")
    found = load_contracts(contracts)
    if not found.contracts:
        raise InvalidInput(f"{contracts}: no contracts (*.yaml, *.yml) to export")
    entries: list[Entry] = []
    for contract in found.contracts:
        keys = _target_keys(contract.file)
        for role, bindings in (
            (Role.PRODUCES, contract.produces),
            (Role.CONSUMES, contract.consumes),
        ):
            entries += [entry_of(b, keys.get((role, i))) for i, b in enumerate(bindings)]
    services = {c.service: ServiceInfo(c.description) for c in found.contracts}
    if not schemas.is_dir():
        raise InvalidInput(f"{schemas}: no schemas directory (give --schemas DIR)")
    source = LocalTreeSource(schemas, label=str(schemas))
    documents: dict[str, SubjectSchema] = {}
    for subject in sorted({e.subject for e in entries}):
        try:
            raw = source(subject, None)
        except SubjectNotFound:
            raise InvalidInput(unknown_subject(subject, source)) from None
        try:
            get_format(raw.schema_type).parse(raw.text)
        except InvalidInput as exc:
            raise InvalidInput(
                f"{raw.origin}: the schema of '{subject}' cannot be exported: {exc.message} "
                "(each schema goes into the document alone; references to other schema files "
                "are not bundled)"
            ) from None
        document = parse_schema_text(subject, raw.schema_type, raw.text, raw.origin)
        documents[subject] = SubjectSchema(subject, raw.schema_type, document)
    return Catalogue(services, tuple(sorted(entries, key=Entry.sort_key)), documents)


def _target_keys(file: Path) -> dict[tuple[Role, int], str]:
    """Which target field each entry of a (valid) contract file was written with."""
    raw = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    found: dict[tuple[Role, int], str] = {}
    for role in Role:
        for index, item in enumerate(raw.get(role.value) or []):
            transport = Transport(str(item["transport"]).lower())
            key = next((k for k in TRANSPORTS[transport].targets if k in item), None)
            if key is not None:
                found[(role, index)] = key
    return found
