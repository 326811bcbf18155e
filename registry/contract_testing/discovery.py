"""Discovery: draft contracts and schemas from the messages no contract binds.

``pytest --esr-record DIR`` gives every captured message that matches no contract to a
:class:`Discovery`. At the end of the session the messages are grouped by where they went (the
routing fields a producer binding would name: EventBridge source and detail-type, a topic or
queue with the attribute that tells its event types apart), each group gets a schema inferred
from every payload captured for it (:func:`registry.formats.infer.infer_json_schema`: required
as the intersection, formats only when every value has one), and :meth:`Discovery.write` puts
a draft into DIR::

    DIR/contracts/<service>.yaml          a producer binding per group
    DIR/schemas/<service>/<Name>.json     the inferred schema (subject <service>.<Name>)
    DIR/samples/<service>/<Name>.jsonl    the payloads it was inferred from

Copy the schemas into the schemas tree and the bindings into the service's contract, and the
messages are contracted. The draft of a run replaces the files of the same names from an
earlier run; other files of DIR are left alone. Payloads that are not JSON (Avro, binary) are
counted, not drafted: their schema cannot be read off the bytes (nor is a payload that is not a
JSON object drafted: an event is an object).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from registry.contract_testing import routing
from registry.contract_testing.capture import CapturedEvent
from registry.contract_testing.model import Transport, short_name
from registry.errors import InvalidInput
from registry.formats.infer import infer_json_schema

#: Message attributes that name the event type of a message on a shared topic or queue, in the
#: order they are looked for. The first one a message has becomes its binding's attribute.
DISCRIMINATORS = (
    "eventType",
    "event-type",
    "event_type",
    "EventType",
    "messageType",
    "MessageType",
    "type",
    "cloudEvents:type",
    "cloudEvents_type",
)
#: The field of a producer binding that names the target, per transport.
TARGET_FIELDS = {
    Transport.SNS: "topic",
    Transport.SQS: "queue",
    Transport.KINESIS: "stream",
    Transport.DYNAMODB: "table",
    Transport.STEPFUNCTIONS: "state-machine",
    Transport.EVENTHUBS: "event-hub",
    Transport.SERVICEBUS: "queue",
}
#: An enum is proposed for a string place with at most this many distinct values (seen at
#: least twice as many times): the default of ``esr infer --enum-threshold`` would be none, but
#: a draft that names the values seen is easier to review than one that does not.
ENUM_THRESHOLD = 5
_WORDS = re.compile(r"[A-Za-z0-9]+")
_SERVICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True, order=True, slots=True)
class Route:
    """Where an unbound message went, as the producer binding drafted for it will say."""

    transport: str
    target: str
    source: str = ""
    detail_type: str = ""
    attribute: str = ""
    value: str = ""

    @classmethod
    def of(cls, event: CapturedEvent) -> Route:
        """The route of a captured message."""
        if event.transport is Transport.EVENTBRIDGE:
            return cls(
                event.transport.value,
                short_name(event.meta.get("event-bus") or "default"),
                event.meta.get("source", ""),
                event.meta.get("detail-type", ""),
            )
        name = next((n for n in DISCRIMINATORS if event.attributes.get(n)), "")
        value = event.attributes.get(name, "") if name else ""
        return cls(event.transport.value, short_name(event.target), attribute=name, value=value)

    @property
    def name(self) -> str:
        """The event type's name: ``OrderRefunded`` from a detail-type, attribute or target."""
        text = self.detail_type or self.value or self.target
        words = _WORDS.findall(text)
        name = "".join(w[:1].upper() + w[1:] for w in words) or "Event"
        return name if name[:1].isalpha() else f"Event{name}"

    def binding(self, subject: str) -> dict[str, Any]:
        """The producer binding of ``subject`` on this route, as a contract file writes it."""
        transport = Transport(self.transport)
        entry: dict[str, Any] = {"subject": subject, "transport": self.transport}
        if transport is Transport.EVENTBRIDGE:
            entry["source"], entry["detail-type"] = self.source, self.detail_type
            if self.target != "default":
                entry["event-bus"] = self.target
            return entry
        entry[TARGET_FIELDS[transport]] = self.target
        if self.attribute:
            entry["attributes"] = {self.attribute: self.value}
        return entry

    def where(self) -> str:
        """``topic orders-events, message attributes eventType='OrderRefunded'``."""
        transport = Transport(self.transport)
        where = routing.destination(transport, self.target)
        if transport is Transport.EVENTBRIDGE:
            return f"{where}, source {self.source!r}, detail-type {self.detail_type!r}"
        attributes = {self.attribute: self.value} if self.attribute else {}
        sent = routing.sent(transport, attributes, {})
        return f"{where}, {sent}" if sent and attributes else where


@dataclass(frozen=True, slots=True)
class Draft:
    """A drafted event type: its route, subject, inferred schema and the samples behind it."""

    route: Route
    subject: str
    name: str
    schema: dict[str, Any]
    samples: tuple[Any, ...]


@dataclass
class Discovery:
    """The unbound messages of a session, grouped by route, and the drafts made of them."""

    service: str
    samples: dict[Route, list[Any]] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)  # why not drafted -> how many

    def __post_init__(self) -> None:
        if not _SERVICE.fullmatch(self.service):
            raise InvalidInput(
                f"--service-name {self.service!r}: a draft's service must be letters, digits, "
                "'.', '_' or '-' (it names the draft's files)"
            )

    def add(self, event: CapturedEvent) -> None:
        """Keep an unbound message's payload under its route (bound ones are ignored)."""
        if event.matched:
            return
        try:
            if not isinstance(event.payload, dict):
                raise _NotJson
            payload = _plain(event.payload)
        except _NotJson:
            where = routing.destination(event.transport, event.target)
            reason = f"{where}: the payload is not a JSON object"
            self.skipped[reason] = self.skipped.get(reason, 0) + 1
            return
        self.samples.setdefault(Route.of(event), []).append(payload)

    def __len__(self) -> int:
        return sum(len(samples) for samples in self.samples.values())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form, for a pytest-xdist worker to hand to the controller."""
        return {
            "routes": [
                {"route": list(_route_fields(route)), "samples": samples}
                for route, samples in self.samples.items()
            ],
            "skipped": self.skipped,
        }

    def merge(self, data: dict[str, Any]) -> None:
        """Add what :meth:`to_dict` of another process holds."""
        for entry in data.get("routes", []):
            self.samples.setdefault(Route(*entry["route"]), []).extend(entry["samples"])
        for reason, count in dict(data.get("skipped", {})).items():
            self.skipped[reason] = self.skipped.get(reason, 0) + int(count)

    def drafts(self) -> list[Draft]:
        """A draft per route, named after it (``_2``, ``_3`` when two routes share a name)."""
        drafts: list[Draft] = []
        taken: set[str] = set()
        for route in sorted(self.samples):
            name, n = route.name, 2
            while name in taken:
                name, n = f"{route.name}_{n}", n + 1
            taken.add(name)
            samples = _unique(self.samples[route])
            inferred = infer_json_schema(samples, enum_threshold=ENUM_THRESHOLD, title=name)
            count = len(self.samples[route])
            description = (
                f"Drafted by pytest --esr-record from {count} captured message(s) to "
                f"{route.where()}. Review it: it is as tight as the samples, no tighter."
            )
            head = {k: inferred.pop(k) for k in ("$schema", "title")}
            schema = {**head, "description": description, **inferred, "examples": [samples[0]]}
            drafts.append(Draft(route, f"{self.service}.{name}", name, schema, tuple(samples)))
        return drafts

    def write(self, directory: Path) -> list[Path]:
        """Write the drafts into ``directory``; return the files written (none if no draft).

        Every file is written whole (a temporary file renamed into place), so an interrupted
        write leaves the earlier file, never half of one.
        """
        drafts = self.drafts()
        if not drafts:
            return []
        if directory.exists() and not directory.is_dir():
            raise InvalidInput(f"--esr-record {directory}: not a directory")
        files: list[tuple[Path, str]] = [
            (directory / "contracts" / f"{self.service}.yaml", self.contract_text(drafts))
        ]
        for draft in drafts:
            base = Path(self.service, draft.name)
            schema = json.dumps(draft.schema, indent=2, ensure_ascii=False) + "\n"
            lines = "".join(json.dumps(s, ensure_ascii=False) + "\n" for s in draft.samples)
            files.append((directory / "schemas" / base.with_suffix(".json"), schema))
            files.append((directory / "samples" / base.with_suffix(".jsonl"), lines))
        for path, text in files:
            _write(path, text)
        return [path for path, _ in files]

    def contract_text(self, drafts: Iterable[Draft]) -> str:
        """The draft contract file: a producer binding per drafted event type."""
        drafts = list(drafts)
        document = {
            "service": self.service,
            "description": "Drafted by pytest --esr-record from the messages the tests sent.",
            "produces": [draft.route.binding(draft.subject) for draft in drafts],
        }
        head = (
            f"# Drafted by `pytest --esr-record` from {len(self)} captured message(s) that no\n"
            "# contract bound. Review the schemas in schemas/, then move these bindings into\n"
            "# the service's contract (or add this file as it is) and the schemas into the\n"
            "# schemas tree.\n"
        )
        return head + yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def _route_fields(route: Route) -> tuple[str, ...]:
    return (
        route.transport,
        route.target,
        route.source,
        route.detail_type,
        route.attribute,
        route.value,
    )


def _unique(samples: list[Any]) -> list[Any]:
    """The distinct samples in a fixed order (by their canonical JSON), so that a draft does not
    depend on the order the tests ran in or the xdist workers finished in."""
    seen: dict[str, Any] = {}
    for sample in samples:
        seen.setdefault(json.dumps(sample, sort_keys=True), sample)
    return [seen[key] for key in sorted(seen)]


class _NotJson(Exception):
    pass


def _plain(value: Any) -> Any:
    """The payload as plain JSON values (DynamoDB numbers are Decimals); ``_NotJson`` if not."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise _NotJson


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
