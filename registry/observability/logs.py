"""The request id and trace context of the request being handled, on every log record.

The application path (everything FastAPI answers) runs each request with its id in
:data:`REQUEST_ID`: the caller's ``X-Request-ID`` when it is a short token (at most
:data:`MAX_REQUEST_ID` characters of letters, digits and ``-._:/+=@``), a new random one
otherwise, so a header can never inject text into a log line. :class:`ContextFilter`, on the
server's log handlers, copies it onto every record emitted while the request runs (uvicorn's
access line included), with the current trace and span ids when tracing is on.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

REQUEST_ID_HEADER = b"x-request-id"
MAX_REQUEST_ID = 128
_SAFE = re.compile(rb"[A-Za-z0-9\-._:/+=@]{1,%d}" % MAX_REQUEST_ID)
REQUEST_ID: ContextVar[str | None] = ContextVar("esr_request_id", default=None)
# Set when tracing is on: the current (trace id, span id) in hex, or None outside a span.
_trace_ids: Callable[[], tuple[str, str] | None] | None = None


def request_id(header: bytes | None) -> str:
    """The caller's id when it is safe to log and echo, else a new one."""
    if header is not None and _SAFE.fullmatch(header):
        return header.decode("ascii")
    return uuid.uuid4().hex


def use_trace_ids(current: Callable[[], tuple[str, str] | None] | None) -> None:
    """Put trace and span ids on log records from now on (None: stop)."""
    global _trace_ids
    _trace_ids = current


class ContextFilter(logging.Filter):
    """Adds ``request_id`` (and ``trace_id``, ``span_id`` when tracing) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Annotate the record; never drops it."""
        rid = REQUEST_ID.get()
        if rid is not None:
            record.request_id = rid
        if _trace_ids is not None:
            ids = _trace_ids()
            if ids is not None:
                record.trace_id, record.span_id = ids
        return True
