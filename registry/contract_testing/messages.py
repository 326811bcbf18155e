"""What capture hands to verification: one outgoing message, before any contract is applied.

The AWS and Azure capture modules turn SDK calls into :class:`OutgoingMessage` values and give
them to whichever :class:`Sink` is active; only one is active at a time (one test).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from registry.contract_testing.model import Transport


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One message a producer sent, as the SDK call described it.

    ``body`` is the payload as sent (text, bytes, or a typed DynamoDB item); ``attributes``
    are the message attributes or application properties; ``meta`` holds what else binds the
    message (EventBridge ``source``/``detail-type``/``event-bus``, a ``content-type``).
    """

    transport: Transport
    target: str
    operation: str
    body: Any
    attributes: dict[str, str] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)


Sink = Callable[[OutgoingMessage], None]


class _Active:
    """The sink of the running test and whether calls continue to the real endpoint."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sink: Sink | None = None
        self.passthrough = False

    def emit(self, message: OutgoingMessage) -> None:
        sink = self.sink
        if sink is not None:
            sink(message)


ACTIVE = _Active()


def capturing() -> bool:
    """Whether a capture is running."""
    return ACTIVE.sink is not None


def short_circuit() -> bool:
    """Whether captured calls are answered in memory (capture on, no passthrough)."""
    return ACTIVE.sink is not None and not ACTIVE.passthrough


@contextmanager
def activate(sink: Sink, *, passthrough: bool = False) -> Iterator[None]:
    """Route every captured message to ``sink`` until the block ends.

    Captures nest: an inner one (a test's own ``capture()`` inside the whole-test recording of
    ``--esr-record``) takes the messages until it ends, then the outer one has them again.
    """
    with ACTIVE.lock:
        outer = ACTIVE.sink, ACTIVE.passthrough
        ACTIVE.sink, ACTIVE.passthrough = sink, passthrough
    try:
        yield
    finally:
        with ACTIVE.lock:
            ACTIVE.sink, ACTIVE.passthrough = outer
