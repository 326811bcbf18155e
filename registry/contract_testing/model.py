"""The contract model: which service produces or consumes which subject, over which transport.

A contract file (``contracts/<service>.yaml``) lists *bindings*: a subject, a transport and the
fields that bind a message on that transport to the subject (a topic, a queue, an EventBridge
source and detail-type...). :class:`TransportSpec` says, per transport, which field names the
target and which other fields are allowed, so the loader can reject anything else precisely.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class Transport(enum.StrEnum):
    """The transports a message can travel on, and so the envelopes a consumer can receive."""

    EVENTBRIDGE = "eventbridge"
    SNS = "sns"
    SQS = "sqs"
    KINESIS = "kinesis"
    DYNAMODB = "dynamodb"
    STEPFUNCTIONS = "stepfunctions"
    EVENTHUBS = "eventhubs"
    SERVICEBUS = "servicebus"
    APIGATEWAY = "apigateway"


class Role(enum.StrEnum):
    """Whether a service publishes messages of a subject or handles them."""

    PRODUCES = "produces"
    CONSUMES = "consumes"


@dataclass(frozen=True, slots=True)
class TransportSpec:
    """What a binding of one transport may say.

    ``targets`` are the field names that can name the target (one of them is required for a
    producer, optional for a consumer); ``required`` are further fields a producer must give;
    ``options`` are the other accepted fields. ``produce`` is False for transports that only
    deliver to consumers (API Gateway).
    """

    targets: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    produce: bool = True


TRANSPORTS: dict[Transport, TransportSpec] = {
    Transport.EVENTBRIDGE: TransportSpec(
        required=("source", "detail-type"), options=("event-bus",)
    ),
    Transport.SNS: TransportSpec(targets=("topic",), options=("attributes",)),
    Transport.SQS: TransportSpec(targets=("queue",), options=("attributes", "via")),
    Transport.KINESIS: TransportSpec(targets=("stream",), options=("encoding",)),
    Transport.DYNAMODB: TransportSpec(targets=("table",), options=("keys",)),
    Transport.STEPFUNCTIONS: TransportSpec(targets=("state-machine",)),
    Transport.EVENTHUBS: TransportSpec(targets=("event-hub",), options=("encoding", "attributes")),
    Transport.SERVICEBUS: TransportSpec(targets=("queue", "topic"), options=("attributes",)),
    Transport.APIGATEWAY: TransportSpec(options=("path", "method"), produce=False),
}

COMMON_FIELDS = ("subject", "transport", "version", "description")
CONSUMER_FIELDS = ("reads",)
VIA = {"sns", "eventbridge"}
ENCODINGS = {"json", "avro"}


def short_name(target: str) -> str:
    """The name in a target that may be written as a name, an ARN or a URL.

    ``arn:aws:sns:eu-west-1:123:orders-events`` and ``orders-events`` are the same topic;
    ``https://sqs.eu-west-1.amazonaws.com/123/q`` and ``q`` the same queue;
    ``arn:aws:states:...:stateMachine:checkout`` and ``checkout`` the same state machine;
    ``arn:aws:kinesis:...:stream/orders`` and ``orders`` the same stream.
    """
    name = target.rstrip("/")
    for separator in ("/", ":"):
        if separator in name:
            name = name.rsplit(separator, 1)[1]
    return name


@dataclass(frozen=True, slots=True)
class Binding:
    """One line of a contract: a subject on a transport, as produced or consumed by a service."""

    service: str
    role: Role
    subject: str
    transport: Transport
    file: Path
    line: int
    target: str | None = None
    version: int | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    reads: tuple[str, ...] | None = None  # declared JSON pointers a consumer reads (``reads:``)

    @property
    def location(self) -> str:
        """``file:line`` of the binding, for messages."""
        return f"{self.file}:{self.line}"

    @property
    def via(self) -> str | None:
        """For an SQS consumer, what delivers into the queue (``sns`` or ``eventbridge``)."""
        value = self.options.get("via")
        return str(value) if value is not None else None

    @property
    def attributes(self) -> dict[str, str]:
        """Message attributes the binding requires (name to exact value)."""
        return {str(k): str(v) for k, v in dict(self.options.get("attributes") or {}).items()}

    @property
    def encoding(self) -> str | None:
        """``json`` or ``avro`` when the contract says how the payload is encoded."""
        value = self.options.get("encoding")
        return str(value) if value is not None else None

    def describe(self) -> str:
        """A one-line description: ``orders produces orders.OrderPlaced on eventbridge``."""
        where = f" to {self.target}" if self.target else ""
        if self.transport is Transport.EVENTBRIDGE:
            source, detail_type = self.options.get("source"), self.options.get("detail-type")
            where = f" (source {source}, detail-type {detail_type})" if source else ""
        via = f" via {self.via}" if self.via else ""
        return (
            f"{self.service} {self.role.value} {self.subject} on {self.transport.value}{where}{via}"
        )


@dataclass(frozen=True, slots=True)
class ServiceContract:
    """One contract file: a service and its bindings."""

    service: str
    file: Path
    produces: tuple[Binding, ...] = ()
    consumes: tuple[Binding, ...] = ()
    description: str | None = None

    def bindings(self) -> Iterator[Binding]:
        """Every binding, producers first."""
        yield from self.produces
        yield from self.consumes


@dataclass(frozen=True, slots=True)
class ContractSet:
    """Every contract of a repository (``contracts/*.yaml``)."""

    contracts: tuple[ServiceContract, ...] = ()

    def bindings(self, role: Role | None = None) -> list[Binding]:
        """Every binding, optionally only of one role."""
        found = [b for c in self.contracts for b in c.bindings()]
        return [b for b in found if role is None or b.role is role]

    def producers(self, transport: Transport) -> list[Binding]:
        """The producer bindings of one transport."""
        return [b for b in self.bindings(Role.PRODUCES) if b.transport is transport]

    def consumers_of(self, subject: str) -> list[Binding]:
        """The consumer bindings of a subject."""
        return [b for b in self.bindings(Role.CONSUMES) if b.subject == subject]

    def subjects(self) -> list[str]:
        """Every subject named by some contract, sorted."""
        return sorted({b.subject for b in self.bindings()})

    def service(self, name: str) -> ServiceContract | None:
        """The contract of a service, if there is one."""
        return next((c for c in self.contracts if c.service == name), None)
