"""Azure SDK producers and consumers: capture of sends, and the messages a consumer receives.

While a capture runs, ``EventHubProducerClient.send_event``/``send_batch``/``create_batch`` and
``ServiceBusSender.send_messages``/``create_message_batch`` (and the sender's link opening) are
patched: the messages are captured and, unless passthrough is on, nothing is sent and no AMQP
connection is opened. The patches are removed when the capture ends.

For consumers, :func:`received_event_data` and :func:`received_service_bus_message` build the
objects the SDKs hand to a handler (``azure.eventhub.EventData`` with its broker annotations,
``azure.servicebus.ServiceBusReceivedMessage`` decoded from AMQP bytes, as Azure Functions do);
when the SDK is not installed, :class:`ReceivedMessage` is a faithful stand-in with the same
attribute names.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from registry.contract_testing.messages import ACTIVE, OutgoingMessage, short_circuit
from registry.contract_testing.model import Transport

MAX_BATCH_BYTES = 1024 * 1024


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _body_bytes(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    try:
        return b"".join(_body_bytes(part) for part in body)
    except TypeError:
        return str(body).encode()


def _properties(raw: Any) -> dict[str, str]:
    return {_text(k): _text(v) for k, v in dict(raw or {}).items()}


def _event_messages(hub: str, events: Any, operation: str) -> list[OutgoingMessage]:
    found = []
    for event in events if isinstance(events, list | tuple) else [events]:
        content_type = getattr(event, "content_type", None)
        meta = {"content-type": str(content_type)} if content_type else {}
        found.append(
            OutgoingMessage(
                Transport.EVENTHUBS,
                hub,
                operation,
                _body_bytes(event.body),
                _properties(getattr(event, "properties", None)),
                meta,
            )
        )
    return found


def _bus_messages(entity: str, messages: Any) -> list[OutgoingMessage]:
    found = []
    for message in messages if isinstance(messages, list | tuple) else [messages]:
        meta = {}
        for name in ("content_type", "subject"):
            value = getattr(message, name, None)
            if value:
                meta[name.replace("_", "-")] = str(value)
        found.append(
            OutgoingMessage(
                Transport.SERVICEBUS,
                entity,
                "send_messages",
                _body_bytes(message.body),
                _properties(getattr(message, "application_properties", None)),
                meta,
            )
        )
    return found


@dataclass
class _Patches:
    applied: list[tuple[Any, str, Any]] = field(default_factory=list)

    def patch(self, owner: Any, name: str, make: Callable[[Any], Any]) -> None:
        own = owner.__dict__.get(name)
        self.applied.append((owner, name, own))
        setattr(owner, name, make(getattr(owner, name)))

    def undo(self) -> None:
        while self.applied:
            owner, name, own = self.applied.pop()
            if own is None:
                delattr(owner, name)
            else:
                setattr(owner, name, own)


_PATCHES = _Patches()


def _patch_eventhubs() -> None:
    try:
        from azure.eventhub import EventDataBatch, EventHubProducerClient
    except ImportError:
        return

    def send_event(original: Any) -> Any:
        def wrapper(self: Any, event_data: Any, **kwargs: Any) -> Any:
            for message in _event_messages(self.eventhub_name, event_data, "send_event"):
                ACTIVE.emit(message)
            return None if short_circuit() else original(self, event_data, **kwargs)

        return wrapper

    def send_batch(original: Any) -> Any:
        def wrapper(self: Any, batch: Any, **kwargs: Any) -> Any:
            events = batch._internal_events if isinstance(batch, EventDataBatch) else list(batch)
            for message in _event_messages(self.eventhub_name, events, "send_batch"):
                ACTIVE.emit(message)
            return None if short_circuit() else original(self, batch, **kwargs)

        return wrapper

    def create_batch(original: Any) -> Any:
        def wrapper(self: Any, **kwargs: Any) -> Any:
            if not short_circuit():
                return original(self, **kwargs)
            return EventDataBatch(
                max_size_in_bytes=kwargs.get("max_size_in_bytes") or MAX_BATCH_BYTES,
                partition_id=kwargs.get("partition_id"),
                partition_key=kwargs.get("partition_key"),
            )

        return wrapper

    _PATCHES.patch(EventHubProducerClient, "send_event", send_event)
    _PATCHES.patch(EventHubProducerClient, "send_batch", send_batch)
    _PATCHES.patch(EventHubProducerClient, "create_batch", create_batch)


def _patch_servicebus() -> None:
    try:
        from azure.servicebus import ServiceBusMessageBatch, ServiceBusSender
    except ImportError:
        return

    def send_messages(original: Any) -> Any:
        def wrapper(self: Any, message: Any, **kwargs: Any) -> Any:
            items = message._messages if isinstance(message, ServiceBusMessageBatch) else message
            for captured in _bus_messages(self.entity_name, items):
                ACTIVE.emit(captured)
            return None if short_circuit() else original(self, message, **kwargs)

        return wrapper

    def create_message_batch(original: Any) -> Any:
        def wrapper(self: Any, max_size_in_bytes: int | None = None) -> Any:
            if not short_circuit():
                return original(self, max_size_in_bytes)
            return ServiceBusMessageBatch(max_size_in_bytes=max_size_in_bytes or MAX_BATCH_BYTES)

        return wrapper

    def open_with_retry(original: Any) -> Any:
        def wrapper(self: Any) -> Any:
            return None if short_circuit() else original(self)

        return wrapper

    _PATCHES.patch(ServiceBusSender, "send_messages", send_messages)
    _PATCHES.patch(ServiceBusSender, "create_message_batch", create_message_batch)
    _PATCHES.patch(ServiceBusSender, "_open_with_retry", open_with_retry)


def install() -> None:
    """Patch the Azure SDK producers that are installed (no-op for missing SDKs)."""
    if not _PATCHES.applied:
        _patch_eventhubs()
        _patch_servicebus()


def uninstall() -> None:
    """Remove the patches."""
    _PATCHES.undo()


# --- what consumers receive --------------------------------------------------------------------


@dataclass
class ReceivedMessage:
    """Stand-in for EventData / ServiceBusReceivedMessage when the SDK is not installed."""

    body_bytes: bytes
    content_type: str | None = None
    properties: dict[str, str] = field(default_factory=dict)
    message_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    sequence_number: int = 1
    enqueued_time: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    subject: str | None = None

    @property
    def body(self) -> Iterator[bytes]:
        """The body as the SDKs give it: an iterator of data sections."""
        return iter([self.body_bytes])

    @property
    def application_properties(self) -> dict[str, str]:
        """Service Bus's name for the properties."""
        return self.properties

    @property
    def enqueued_time_utc(self) -> dt.datetime:
        """Service Bus's name for the enqueued time."""
        return self.enqueued_time

    def body_as_str(self, encoding: str = "UTF-8") -> str:
        """The body decoded as text."""
        return self.body_bytes.decode(encoding)

    def __str__(self) -> str:
        return self.body_bytes.decode("utf-8", "replace")


def received_event_data(
    body: bytes, content_type: str | None, properties: dict[str, str], sequence: int
) -> Any:
    """The ``EventData`` an Event Hubs consumer's ``on_event`` receives."""
    try:
        from azure.eventhub import EventData
    except ImportError:
        return ReceivedMessage(body, content_type, properties, sequence_number=sequence)
    event = EventData(body)
    if content_type:
        event.content_type = content_type
    event.properties = dict(properties.items())
    event._raw_amqp_message.annotations = {
        b"x-opt-sequence-number": sequence,
        b"x-opt-offset": str(sequence * 1024),
        b"x-opt-enqueued-time": int(time.time() * 1000),
    }
    return event


def received_service_bus_message(
    body: bytes, content_type: str | None, properties: dict[str, str], sequence: int
) -> Any:
    """The ``ServiceBusReceivedMessage`` a Service Bus receiver (or Azure Function) gets."""
    try:
        from azure.servicebus import ServiceBusMessage, ServiceBusReceivedMessage
        from azure.servicebus._pyamqp._encode import encode_payload
        from azure.servicebus._pyamqp.types import TYPE, VALUE, AMQPTypes
        from azure.servicebus._transport._pyamqp_transport import PyamqpTransport
    except ImportError:
        return ReceivedMessage(body, content_type, properties, sequence_number=sequence)
    application: dict[str | bytes, Any] = dict(properties.items())
    outgoing = ServiceBusMessage(
        body, content_type=content_type, application_properties=application or None
    )
    outgoing.message_id = str(uuid.uuid4())
    now = int(time.time() * 1000)
    amqp = PyamqpTransport.to_outgoing_amqp_message(outgoing._raw_amqp_message)
    amqp = amqp._replace(
        message_annotations={
            b"x-opt-enqueued-time": {TYPE: AMQPTypes.timestamp, VALUE: now},
            b"x-opt-sequence-number": {TYPE: AMQPTypes.long, VALUE: sequence},
            b"x-opt-locked-until": {TYPE: AMQPTypes.timestamp, VALUE: now + 60_000},
        },
        delivery_annotations={b"x-opt-lock-token": {TYPE: AMQPTypes.uuid, VALUE: uuid.uuid4()}},
    )
    return ServiceBusReceivedMessage.from_bytes(bytes(encode_payload(bytearray(), amqp)))
