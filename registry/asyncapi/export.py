"""A catalogue of contracts as an AsyncAPI 3.0.0 document.

- **Channels** are destinations: an EventBridge bus with a detail-type, an SNS topic, an SQS
  queue, a Kinesis stream, a DynamoDB table's stream, a Step Functions state machine, an Event
  Hub, a Service Bus queue or topic, an API Gateway route. SNS and SQS carry AsyncAPI's channel
  bindings (``sns`` 0.1.0, ``sqs`` 0.2.0); every channel says its transport and destination in
  ``x-esr-transport`` and ``x-esr-<field>`` (``x-esr-detail-type``, ``x-esr-stream``...), as
  AsyncAPI has no binding for the others. A consumer that names no destination (an EventBridge
  rule, say) is put on the channels its subject's producers use on that transport, or on a
  channel of unknown address (``null``) when nobody produces it there.
- **Messages** are subjects (``components/messages``), with the schema as a multi-format schema
  object: ``application/schema+json;version=<draft>`` for JSON Schema (its local ``$ref`` made
  document-relative, see :mod:`registry.asyncapi.refs`), ``application/vnd.apache.avro+json;
  version=1.9.0`` for Avro.
- **Operations** are contract entries: ``send`` for a producer, ``receive`` for a consumer, with
  ``x-esr-service`` and ``x-esr-contract`` (the entry exactly as its contract file writes it, so
  that ``esr asyncapi import`` gives the same contract back).

Everything is sorted by key, so the same catalogue always gives the same bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from registry.asyncapi.model import Catalogue, Entry, SubjectSchema
from registry.asyncapi.refs import pointer, relocate
from registry.contract_testing.model import Role, Transport, short_name
from registry.domain import SchemaType
from registry.errors import InvalidInput, ServiceNotFound
from registry.formats.jsonschema.drafts import Draft, draft_of

ASYNCAPI_VERSION = "3.0.0"
AVRO_FORMAT = "application/vnd.apache.avro+json;version=1.9.0"
JSON_FORMAT = "application/schema+json;version={draft}"
DRAFT_LABELS: dict[Draft, str] = {
    Draft.DRAFT4: "draft-04",
    Draft.DRAFT6: "draft-06",
    Draft.DRAFT7: "draft-07",
    Draft.DRAFT2019_09: "2019-09",
    Draft.DRAFT2020_12: "2020-12",
}
SNS_BINDING = "0.1.0"
SQS_BINDING = "0.2.0"
HTTP_BINDING = "0.3.0"
DEFAULT_BUS = "default"
ACTIONS = {Role.PRODUCES: "send", Role.CONSUMES: "receive"}
_KEY = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True, order=True, slots=True)
class ChannelId:
    """A destination: the transport and the fields that name it (``None`` address: unknown)."""

    transport: str
    fields: tuple[tuple[str, str], ...]
    address: str | None


def key_of(*parts: str) -> str:
    """A component key (``[A-Za-z0-9_.-]``, as AsyncAPI's component names) from parts."""
    return ".".join(_KEY.sub("_", part).strip("_") or "_" for part in parts)


def channel_of(entry: Entry) -> ChannelId | None:
    """The destination an entry names, or None when it names none (a consumer may not)."""
    t = entry.transport
    if t is Transport.EVENTBRIDGE:
        detail_type = entry.fields.get("detail-type")
        if detail_type is None:
            return None
        bus = short_name(str(entry.fields.get("event-bus") or DEFAULT_BUS))
        fields = (("event-bus", bus), ("detail-type", str(detail_type)))
        return ChannelId(t.value, fields, str(detail_type))
    if t is Transport.APIGATEWAY:
        path = entry.fields.get("path")
        if path is None:
            return None
        method = entry.fields.get("method")
        named: tuple[tuple[str, str], ...] = (("method", str(method)),) if method else ()
        return ChannelId(t.value, (*named, ("path", str(path))), str(path))
    key, target = entry.target_key, entry.target
    if key is None or target is None:
        return None
    name = short_name(target)
    return ChannelId(t.value, ((key, name),), name)


def _channel_key(channel: ChannelId) -> str:
    if channel.address is None:
        return key_of(channel.transport, "unnamed", *(v for _, v in channel.fields))
    if channel.transport == Transport.SERVICEBUS.value:
        return key_of(channel.transport, *(part for pair in channel.fields for part in pair))
    return key_of(channel.transport, *(v for _, v in channel.fields))


def _unique(ids: Iterable[Any], name: Any) -> dict[Any, str]:
    """Keys for sorted ids; a key two ids share gets ``-2``, ``-3``... on the later ones."""
    keys: dict[Any, str] = {}
    taken: set[str] = set()
    for found in sorted(set(ids)):
        base = name(found)
        key, number = base, 1
        while key in taken:
            number += 1
            key = f"{base}-{number}"
        taken.add(key)
        keys[found] = key
    return keys


def _placements(entries: tuple[Entry, ...]) -> list[tuple[Entry, ChannelId]]:
    """Each entry with each channel it goes on."""
    produced: dict[tuple[str, Transport], set[ChannelId]] = {}
    for e in entries:
        found = channel_of(e)
        if found is not None and e.role is Role.PRODUCES:
            produced.setdefault((e.subject, e.transport), set()).add(found)
    placed: list[tuple[Entry, ChannelId]] = []
    for e in entries:
        own = channel_of(e)
        if own is not None:
            placed.append((e, own))
            continue
        shared = sorted(produced.get((e.subject, e.transport), ()))
        unknown = ChannelId(e.transport.value, (("subject", e.subject),), None)
        placed += [(e, channel) for channel in shared or [unknown]]
    return placed


def _channel(channel: ChannelId, messages: Iterable[str]) -> dict[str, Any]:
    body: dict[str, Any] = {"address": channel.address}
    body["messages"] = {m: {"$ref": pointer("components", "messages", m)} for m in sorted(messages)}
    name = channel.address
    if channel.transport == Transport.SNS.value and name:
        body["bindings"] = {"sns": {"name": name, "bindingVersion": SNS_BINDING}}
    elif channel.transport == Transport.SQS.value and name:
        queue = {"name": name, "fifoQueue": name.endswith(".fifo")}
        body["bindings"] = {"sqs": {"queue": queue, "bindingVersion": SQS_BINDING}}
    body["x-esr-transport"] = channel.transport
    for field, value in channel.fields:
        if channel.address is not None:
            body[f"x-esr-{field}"] = value
    return body


def schema_format(schema: SubjectSchema) -> str:
    """The multi-format schema object's ``schemaFormat`` for a subject's schema."""
    if schema.schema_type is SchemaType.AVRO:
        return AVRO_FORMAT
    if schema.schema_type is SchemaType.JSON:
        return JSON_FORMAT.format(draft=DRAFT_LABELS[draft_of(schema.document)])
    raise InvalidInput(f"'{schema.subject}': {schema.schema_type.value} has no AsyncAPI form")


def _message(key: str, schema: SubjectSchema) -> dict[str, Any]:
    document = schema.document
    body: dict[str, Any] = {"name": schema.subject}
    title = None
    if isinstance(document, dict):
        title = document.get("title") if schema.schema_type is SchemaType.JSON else None
        title = title or document.get("name")
    if isinstance(title, str) and title:
        body["title"] = title
    if schema.schema_type is SchemaType.JSON:
        body["contentType"] = "application/json"
        document = relocate(document, pointer("components", "messages", key, "payload", "schema"))
    body["payload"] = {"schemaFormat": schema_format(schema), "schema": document}
    if schema.version is not None:
        body["x-esr-schema-version"] = schema.version
    if schema.schema_id is not None:
        body["x-esr-schema-id"] = schema.schema_id
    return body


def _operation(entry: Entry, channel: str, message: str) -> dict[str, Any]:
    action = ACTIONS[entry.role]
    body: dict[str, Any] = {
        "action": action,
        "channel": {"$ref": pointer("channels", channel)},
        "summary": f"{entry.service} {entry.role.value} {entry.subject} on {entry.transport.value}",
        "messages": [{"$ref": pointer("channels", channel, "messages", message)}],
    }
    method = entry.fields.get("method")
    if entry.transport is Transport.APIGATEWAY and method:
        body["bindings"] = {"http": {"method": method, "bindingVersion": HTTP_BINDING}}
    body["x-esr-service"] = entry.service
    body["x-esr-contract"] = entry.as_contract()
    return body


def build_document(
    catalogue: Catalogue,
    *,
    service: str | None = None,
    title: str | None = None,
    version: str = "1.0.0",
) -> dict[str, Any]:
    """The AsyncAPI 3.0.0 document of the catalogue, or of one service's operations.

    Consumers are placed on their producers' channels over the whole catalogue, so a service's
    document shows the channels it shares with the others. An unknown ``service`` is
    ``ServiceNotFound``; a subject without a schema is ``InvalidInput``.
    """
    if service is not None and service not in catalogue.services:
        known = ", ".join(sorted(catalogue.services)) or "none"
        raise ServiceNotFound(f"Service '{service}' not found (services: {known})")
    placed = [(e, c) for e, c in _placements(catalogue.entries) if service in (None, e.service)]
    missing = sorted({e.subject for e, _ in placed} - set(catalogue.schemas))
    if missing:
        raise InvalidInput(f"no schema for subject(s) {', '.join(missing)}")
    messages = _unique({e.subject for e, _ in placed}, key_of)
    channels = _unique({c for _, c in placed}, _channel_key)
    on_channel: dict[ChannelId, set[str]] = {}
    for e, c in placed:
        on_channel.setdefault(c, set()).add(messages[e.subject])
    operations = _operations(placed, channels, messages)
    services = {s: i for s, i in catalogue.services.items() if service in (None, s)}
    info: dict[str, Any] = {"title": title or service or "Event contracts", "version": version}
    description = catalogue.services[service].description if service is not None else None
    if description:
        info["description"] = description
    document: dict[str, Any] = {"asyncapi": ASYNCAPI_VERSION, "info": info}
    document["channels"] = {
        channels[c]: _channel(c, on_channel[c]) for c in sorted(channels, key=channels.__getitem__)
    }
    document["operations"] = dict(sorted(operations.items()))
    document["components"] = {
        "messages": {
            key: _message(key, catalogue.schemas[subject])
            for subject, key in sorted(messages.items(), key=lambda pair: pair[1])
        }
    }
    document["x-esr-services"] = {
        name: _service_info(info_) for name, info_ in sorted(services.items())
    }
    return document


def _service_info(info: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    if info.description:
        found["description"] = info.description
    if info.version:
        found["version"] = info.version
    return found


def _operations(
    placed: list[tuple[Entry, ChannelId]],
    channels: Mapping[ChannelId, str],
    messages: Mapping[str, str],
) -> dict[str, dict[str, Any]]:
    """One operation per entry and channel; keys ``service.action.message`` (with the channel
    when the same service does the same to one subject on several channels)."""
    bases = [key_of(e.service, ACTIONS[e.role], messages[e.subject]) for e, _ in placed]
    counts: dict[str, int] = {}
    for base in bases:
        counts[base] = counts.get(base, 0) + 1
    named = [
        base if counts[base] == 1 else f"{base}.{channels[c]}"
        for base, (_, c) in zip(bases, placed, strict=True)
    ]
    order = sorted(
        range(len(placed)), key=lambda i: (named[i], json.dumps(placed[i][0].as_contract()))
    )
    found: dict[str, dict[str, Any]] = {}
    for index in order:
        key, number = named[index], 1
        while key in found:
            number += 1
            key = f"{named[index]}-{number}"
        e, c = placed[index]
        found[key] = _operation(e, channels[c], messages[e.subject])
    return found


def render(document: dict[str, Any], fmt: str) -> str:
    """The document as YAML or JSON text (``fmt`` ``yaml`` or ``json``), ending in a newline."""
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    text: str = yaml.safe_dump(
        document, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )
    return text
