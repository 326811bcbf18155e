"""Captured messages, matched to their contracts and validated.

:func:`match` finds the producer bindings a message belongs to (same transport, same target
written as a name, ARN or URL, same EventBridge source and detail-type, the required message
attributes), decodes the payload as the binding says and validates it with the subject's
format. When several bindings fit (one SNS topic carrying several event types, say), the first
whose schema the payload conforms to wins; otherwise the first one is reported. A message no
contract binds keeps what was sent and the nearest contract (:mod:`routing`), for its message.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from registry.contract_testing import render, routing
from registry.contract_testing.messages import OutgoingMessage
from registry.contract_testing.model import Binding, ContractSet, Transport
from registry.contract_testing.payloads import (
    PayloadError,
    avro_decode,
    azure_unframe,
    confluent_unframe,
    from_dynamodb_item,
    from_json,
)
from registry.contract_testing.schemas import ResolvedSubject
from registry.domain import SchemaType
from registry.formats import Violation


class ContractViolation(AssertionError):
    """A payload, a producer or a consumer broke a contract (a test failure, not bad input)."""

    def __init__(self, message: str, violations: list[Violation] | None = None) -> None:
        super().__init__(message)
        self.violations = violations or []


@dataclass
class CapturedEvent:
    """One message a producer sent during a test, and what its contract says about it.

    ``subject`` is None when no contract binds the message, and ``nearest`` then names the
    producer contract that came close, if one did; ``violations`` lists how the payload breaks
    its schema (a payload that could not be decoded has one violation at the root saying why).
    ``meta`` holds the other routing fields sent (EventBridge ``source``, ``detail-type``,
    ``event-bus``; a ``content-type``).
    """

    transport: Transport
    target: str
    operation: str
    payload: Any
    attributes: dict[str, str] = field(default_factory=dict)
    subject: str | None = None
    version: int | None = None
    binding: Binding | None = None
    label: str = ""
    violations: list[Violation] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    nearest: routing.Near | None = field(default=None, repr=False)

    @property
    def matched(self) -> bool:
        """Whether a contract binds the message."""
        return self.binding is not None

    @property
    def conforms(self) -> bool:
        """Whether the message is bound and its payload conforms."""
        return self.matched and not self.violations

    def explain(self) -> str:
        """A multi-line description of what is wrong with the message (empty if nothing)."""
        if self.binding is None:
            return self._explain_unbound()
        if not self.violations:
            return ""
        lines = [render.binding_header(self.binding, self.label)]
        lines += render.violation_lines(self.violations)
        lines.append(f"    payload: {render.shorten(self.payload)}")
        lines.append(f"    {render.HINT_VIOLATION}")
        return "\n".join(lines)

    def _explain_unbound(self) -> str:
        where = routing.destination(self.transport, self.target)
        lines = [
            f"{self.transport.value} message to {where} ({self.operation}) matches no contract"
        ]
        sent = routing.sent(self.transport, self.attributes, self.meta)
        if sent is not None:
            lines.append(f"    sent: {sent}")
        if self.nearest is not None:
            near = self.nearest.binding
            lines.append(f"    nearest contract: {near.location}: {near.describe()}")
            lines += [f"      {difference}" for difference in self.nearest.differences]
        lines.append(f"    payload: {render.shorten(self.payload)}")
        lines.append(f"    {render.HINT_UNMATCHED}")
        return "\n".join(lines)


class CapturedEvents(list[CapturedEvent]):
    """The messages captured during one test (the ``captured_events`` fixture)."""

    def __init__(self, *, strict: bool = True) -> None:
        super().__init__()
        self.strict = strict

    def of(self, subject: str) -> list[CapturedEvent]:
        """The captured messages bound to ``subject``."""
        return [e for e in self if e.subject == subject]

    @property
    def payloads(self) -> list[Any]:
        """Every captured payload, in order."""
        return [e.payload for e in self]

    def problems(self, *, strict: bool | None = None) -> list[CapturedEvent]:
        """Messages that break their schema, and (when strict) messages bound to no contract."""
        strict = self.strict if strict is None else strict
        return [e for e in self if e.violations or (strict and not e.matched)]

    def assert_conform(self, *, strict: bool | None = None) -> None:
        """Fail listing every message that breaks its schema or (strict) matches no contract."""
        __tracebackhide__ = True
        bad = self.problems(strict=strict)
        if bad:
            body = "\n".join(e.explain() for e in bad)
            count = f"{len(bad)} of {len(self)} captured message(s)"
            raise ContractViolation(f"{count} break their contracts:\n{body}")


def _decode_bytes(binding: Binding, subject: ResolvedSubject, message: OutgoingMessage) -> Any:
    data: bytes = message.body
    avro = binding.encoding == "avro" or (
        binding.encoding is None and subject.schema_type is SchemaType.AVRO
    )
    if message.transport is Transport.KINESIS:
        if avro and (binding.encoding == "avro" or data[:1] == b"\x00"):
            _, body = confluent_unframe(data)
            return avro_decode(subject.schema, body)
        return from_json(data, "the record data")
    content_type = message.meta.get("content-type")
    if avro and (binding.encoding == "avro" or (content_type or "").startswith("avro/")):
        _, body = azure_unframe(data, content_type)
        return avro_decode(subject.schema, body)
    return from_json(data, "the event body")


def decode(binding: Binding, subject: ResolvedSubject, message: OutgoingMessage) -> Any:
    """The payload of a message as its binding describes it; ``PayloadError`` if it cannot be."""
    body = message.body
    if message.transport is Transport.DYNAMODB:
        return from_dynamodb_item(body)
    if isinstance(body, bytes) and message.transport in (Transport.KINESIS, Transport.EVENTHUBS):
        return _decode_bytes(binding, subject, message)
    return from_json(body, "the message body")


def best_effort(message: OutgoingMessage) -> Any:
    """The payload of an unbound message, decoded as far as possible (for messages)."""
    body = message.body
    if message.transport is Transport.DYNAMODB:
        try:
            return from_dynamodb_item(body)
        except PayloadError:
            return body
    try:
        return json.loads(body)
    except (ValueError, TypeError, UnicodeDecodeError):
        return body


Resolve = Callable[[Binding], ResolvedSubject]


def match(message: OutgoingMessage, contracts: ContractSet, resolve: Resolve) -> CapturedEvent:
    """Bind a captured message to its contract, decode it and validate it."""
    event = CapturedEvent(
        message.transport, message.target, message.operation, None, dict(message.attributes)
    )
    event.meta = dict(message.meta)
    candidates = [b for b in contracts.producers(message.transport) if routing.binds(b, message)]
    if not candidates:
        event.payload = best_effort(message)
        event.nearest = routing.nearest(message, contracts)
        return event
    first: tuple[Binding, ResolvedSubject, Any, list[Violation]] | None = None
    for binding in candidates:
        subject = resolve(binding)
        try:
            payload = decode(binding, subject, message)
            violations = subject.format.validate(subject.schema, payload)
        except PayloadError as exc:
            payload, violations = best_effort(message), [Violation("", str(exc))]
        if first is None:
            first = (binding, subject, payload, violations)
        if not violations:
            first = (binding, subject, payload, violations)
            break
    assert first is not None
    binding, subject, event.payload, event.violations = first
    event.binding, event.subject, event.version = binding, binding.subject, subject.version
    event.label = subject.label
    return event
