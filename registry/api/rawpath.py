"""Routing on the path as the client encoded it, so that a subject may contain ``/``.

Confluent accepts any subject without control characters, ``test/Alias`` included, and its
clients send such a subject as one percent-encoded path segment (confluent-kafka quotes it with
``safe=''``: ``/subjects/test%2FAlias/versions``). The ASGI server decodes ``%2F`` before
routing, so the router would see four segments where the client sent three, and answer 404.

Two small pieces fix that:

* :class:`RawPathMiddleware` rebuilds ``scope["path"]`` from ``scope["raw_path"]`` when the
  raw path holds ``%2F`` or ``%25``, decoding every other escape and keeping those two
  (upper-cased), so the router splits segments where the client did;
* the ``segment`` path convertor (``{subject:segment}`` in a route) decodes the two kept
  escapes after matching, so handlers and permission checks see ``test/Alias``.

Without ``%2F`` or ``%25`` in the raw path, the server's own decoding cannot produce either
sequence, so the convertor has nothing to decode and the path is routed as it is: such a
request costs one search of its raw path. The hot read path (``registry.api.hotpath``) sits in
front of the middleware and never sees it.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from starlette.convertors import StringConvertor, register_url_convertor
from starlette.types import ASGIApp, Receive, Scope, Send

# The escapes that routing must not decode: a slash inside a segment, and the percent sign
# (so that ``%252F``, a literal ``%2F``, is not taken for a slash).
_KEPT = re.compile(r"(%2[Ff]|%25)")
_KEPT_BYTES = re.compile(rb"%2[Ff]|%25")
_ESCAPES = {"%2F": "/", "%2f": "/", "%25": "%"}


def routing_path(raw_path: bytes) -> str:
    """The path to route on: ``raw_path`` decoded, except ``%2F`` and ``%25`` (upper-cased)."""
    parts = _KEPT.split(raw_path.decode("latin-1"))
    return "".join(
        part.upper() if n % 2 else unquote(part, errors="replace") for n, part in enumerate(parts)
    )


def decode_segment(value: str) -> str:
    """A path segment from :func:`routing_path` as the client meant it (``%2F`` is ``/``)."""
    if "%" not in value:
        return value
    return _KEPT.sub(lambda match: _ESCAPES[match.group(0)], value)


class SegmentConvertor(StringConvertor):
    """A string path parameter, with the escapes :func:`routing_path` kept decoded."""

    def convert(self, value: str) -> str:
        """The parameter's value as the client encoded it."""
        return decode_segment(value)


register_url_convertor("segment", SegmentConvertor())


class RawPathMiddleware:
    """Route on the path as sent: see the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = scope.get("raw_path")
            if raw is not None:
                if b"%" in raw and _KEPT_BYTES.search(raw):
                    scope = {**scope, "path": routing_path(raw)}
            elif "%" in scope["path"]:
                # No raw path (an ASGI server that does not pass it): a slash was decoded and
                # is lost, but a literal % is kept escaped, as the convertor expects.
                scope = {**scope, "path": scope["path"].replace("%", "%25")}
        await self.app(scope, receive, send)
