"""What binds a captured message to a producer contract, and, when nothing does, what came close.

A message is bound by its transport's routing fields: the EventBridge bus, source and
detail-type; otherwise the target (topic, queue, stream, table, state machine, event hub, Service
Bus entity; a name, an ARN or a URL alike) and the message attributes the contract requires.
For a message no contract binds, :func:`sent` says what was actually sent and :func:`nearest`
finds the contract that differs least, with each difference spelled out.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from registry.contract_testing.messages import OutgoingMessage
from registry.contract_testing.model import Binding, ContractSet, Transport, short_name

NOUNS = {
    Transport.EVENTBRIDGE: "event bus",
    Transport.SNS: "topic",
    Transport.SQS: "queue",
    Transport.KINESIS: "stream",
    Transport.DYNAMODB: "table",
    Transport.STEPFUNCTIONS: "state machine",
    Transport.EVENTHUBS: "event hub",
    Transport.SERVICEBUS: "queue or topic",
    Transport.APIGATEWAY: "API",
}
ATTRIBUTES = {  # what a transport calls its attributes: one, several
    Transport.SNS: ("message attribute", "message attributes"),
    Transport.SQS: ("message attribute", "message attributes"),
    Transport.EVENTHUBS: ("property", "properties"),
    Transport.SERVICEBUS: ("application property", "application properties"),
}
NEAR_MISS = 0.8  # difflib ratio above which two names read as one mistyped


def binds(binding: Binding, message: OutgoingMessage) -> bool:
    """Whether a producer binding covers the message."""
    if binding.transport is not message.transport:
        return False
    if binding.target is None and binding.transport is not Transport.EVENTBRIDGE:
        return False
    return all(expected == actual for _, expected, actual in _fields(binding, message))


def destination(transport: Transport, target: str) -> str:
    """``topic arn:aws:sns:...:orders``, ``event bus 'default'``."""
    if transport is Transport.EVENTBRIDGE:
        return f"{NOUNS[transport]} '{target}'"
    return f"{NOUNS[transport]} {target}"


def sent(transport: Transport, attributes: dict[str, str], meta: dict[str, str]) -> str | None:
    """The routing fields sent besides the destination (None for transports that have none)."""
    if transport is Transport.EVENTBRIDGE:
        return f"source {meta.get('source')!r}, detail-type {meta.get('detail-type')!r}"
    if transport not in ATTRIBUTES:
        return None
    nouns = ATTRIBUTES[transport][1]
    if not attributes:
        return f"no {nouns}"
    return f"{nouns} " + ", ".join(f"{k}={v!r}" for k, v in sorted(attributes.items()))


@dataclass(frozen=True, slots=True)
class Near:
    """The producer contract closest to an unbound message, and how the message differs."""

    binding: Binding
    differences: tuple[str, ...]


def nearest(message: OutgoingMessage, contracts: ContractSet) -> Near | None:
    """The producer binding of the message's transport that differs least, when it is close.

    Close means: some routing field other than the EventBridge bus is the same (the same topic
    with other attributes, the same source with another detail-type), or every field that
    differs is a near miss (``orders-queue`` for ``order-queue``). Fewest differences win, then
    the most similar.
    """
    best: tuple[tuple[int, float], Binding, list[tuple[str, str, str | None]]] | None = None
    for binding in contracts.producers(message.transport):
        fields = _fields(binding, message)
        differ = [f for f in fields if f[1] != f[2]]
        meaningful = fields[1:] if message.transport is Transport.EVENTBRIDGE else fields
        same = any(expected == actual for _, expected, actual in meaningful)
        similarity = [_similarity(expected, actual) for _, expected, actual in differ]
        if not differ or not (same or all(s >= NEAR_MISS for s in similarity)):
            continue
        score = (len(differ), -sum(similarity))
        if best is None or score < best[0]:
            best = (score, binding, differ)
    if best is None:
        return None
    _, binding, differ = best
    return Near(binding, tuple(_difference(*field) for field in differ))


def _fields(binding: Binding, message: OutgoingMessage) -> list[tuple[str, str, str | None]]:
    """``(field, what the binding expects, what the message has)`` for each routing field."""
    if binding.transport is Transport.EVENTBRIDGE:
        options, meta = binding.options, message.meta
        return [
            (
                "event bus",
                short_name(str(options.get("event-bus") or "default")),
                short_name(meta.get("event-bus") or "default"),
            ),
            ("source", str(options.get("source")), meta.get("source")),
            ("detail-type", str(options.get("detail-type")), meta.get("detail-type")),
        ]
    noun = ATTRIBUTES.get(binding.transport, ("attribute", ""))[0]
    fields: list[tuple[str, str, str | None]] = [
        (NOUNS[binding.transport], short_name(binding.target or ""), short_name(message.target))
    ]
    fields += [
        (f"{noun} {name}", value, message.attributes.get(name))
        for name, value in binding.attributes.items()
    ]
    return fields


def _similarity(expected: str, actual: str | None) -> float:
    if actual is None:
        return 0.0
    return difflib.SequenceMatcher(None, expected.lower(), actual.lower()).ratio()


def _difference(field: str, expected: str, actual: str | None) -> str:
    if actual is None:
        return f"{field}: not sent; the contract expects {expected!r}"
    return f"{field}: sent {actual!r}; the contract expects {expected!r}"
