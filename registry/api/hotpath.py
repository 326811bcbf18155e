"""The hot read path: immutable answers from pre-serialized bytes, in front of the framework.

When a fleet restarts, every consumer asks for every schema id it meets. A global id never
changes meaning here (schema rows are never updated, deleted or reused), so the answers of
``GET /schemas/ids/{id}`` and ``GET /schemas/ids/{id}/schema`` are built once, kept as bytes in a
bounded cache and served by :class:`HotPath`, an ASGI layer that sits in front of FastAPI: no
routing, no dependency injection, no thread-pool hop and no model building.

It answers a caller the authenticator knows from memory (``Authenticator.principal_if_known``):
from the cache, or, on a miss, by loading the schema itself (one thread-pool hop, one database
read). Everything else (an unknown or wrong credential, a query it does not understand, an id
that does not exist, any other route) goes to the application unchanged, which answers with its
usual error bodies.

Content negotiation applies to every request, here and in the application: the response's media
type is the best of the three Confluent's clients ask for that the ``Accept`` header allows (406
when it allows none), and a request body must be JSON in one of those types or
``application/octet-stream``, which Confluent also reads as JSON (415 otherwise).

Immutable answers carry a strong ``ETag`` and are cacheable for a year (``public`` while the
registry has no users, ``private`` once it has: a shared cache must not hand an authenticated
answer to somebody else), and ``If-None-Match`` gets 304.

Every response the hot path sends itself is counted in plain ints (``RequestStats``: one
increment and one bucket index), which ``/metrics`` reads later; no metrics library runs here.
With tracing on, each answer gets a server span, and only cached answers are served here: a
miss goes to the application, which traces its database read. Answers of the hot path carry
no ``X-Request-ID`` (the application's responses do).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.api.errors import registry_error_response
from registry.domain import Action, Principal
from registry.errors import NotAcceptable, UnsupportedMediaType
from registry.stats import UNMATCHED, RequestStats

if TYPE_CHECKING:
    from registry.observability.otel import HotPathTracer

MEDIA_TYPE = b"application/vnd.schemaregistry.v1+json"
# What the registry can answer with, best first, with the server-side quality Confluent gives each.
MEDIA_TYPES: tuple[tuple[bytes, float], ...] = (
    (MEDIA_TYPE, 1.0),
    (b"application/vnd.schemaregistry+json", 0.9),
    (b"application/json", 0.5),
)
# Request bodies Confluent's REST API reads as JSON.
OCTET_STREAM = b"application/octet-stream"
REQUEST_MEDIA_TYPES = frozenset({*(m for m, _ in MEDIA_TYPES), OCTET_STREAM})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
IMMUTABLE_PUBLIC = b"public, max-age=31536000, immutable"
IMMUTABLE_PRIVATE = b"private, max-age=31536000, immutable"
IDS_PREFIX = "/schemas/ids/"
# Query parameters that do not change the answer of a schema by id: ``subject`` only selects a
# context in Confluent (never restricts the answer) and ``format`` only matters for Protobuf.
NEUTRAL_QUERY = frozenset({"subject", "format"})
# Route templates of the two answers, as the application names them (metrics, spans).
ROUTES = {"id": "/schemas/ids/{id}", "raw": "/schemas/ids/{id}/schema"}


@dataclass(frozen=True, slots=True)
class Answer:
    """One immutable answer: its body and its entity tag."""

    body: bytes
    etag: bytes

    @classmethod
    def of(cls, body: bytes) -> Answer:
        """An answer whose tag is a hash of its bytes."""
        return cls(body, b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"')


class AnswerCache:
    """A thread-safe LRU of immutable answers, bounded by the bytes it holds (0 disables it)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._data: OrderedDict[tuple[str, int], Answer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[str, int]) -> Answer | None:
        """The cached answer, or None."""
        with self._lock:
            answer = self._data.get(key)
            if answer is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return answer

    def put(self, key: tuple[str, int], body: bytes) -> Answer:
        """Remember ``body`` under ``key`` (evicting the least recently used beyond the bound)."""
        answer = Answer.of(body)
        if len(body) > self.max_bytes:
            return answer
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._data[key] = answer
            self._bytes += len(body)
            while self._bytes > self.max_bytes:
                _, evicted = self._data.popitem(last=False)
                self._bytes -= len(evicted.body)
        return answer

    def offer(self, key: tuple[str, int], body: bytes) -> bool:
        """Remember ``body`` if it fits without evicting anything; whether it was kept."""
        with self._lock:
            if key in self._data:
                return True
            if self._bytes + len(body) > self.max_bytes:
                return False
            self._data[key] = Answer.of(body)
            self._data.move_to_end(key, last=False)  # warm entries are the first to go
            self._bytes += len(body)
            return True

    def __len__(self) -> int:
        return len(self._data)

    @property
    def size_bytes(self) -> int:
        """Bytes of bodies held."""
        return self._bytes


def negotiate(accept: bytes | None) -> bytes | None:
    """The media type to answer with for an ``Accept`` header; None when none is acceptable.

    Quality values are honoured (client q times the server's own preference, as Jersey does for
    Confluent); a missing or empty header, ``*/*`` and ``application/*`` accept the default.
    """
    if not accept or accept == MEDIA_TYPE or accept == b"*/*":
        return MEDIA_TYPE
    best: bytes | None = None
    best_score = 0.0
    for part in accept.split(b","):
        kind, _, params = part.partition(b";")
        kind = kind.strip().lower()
        quality = 1.0
        for param in params.split(b";"):
            name, _, value = param.partition(b"=")
            if name.strip().lower() == b"q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
        for media_type, preference in MEDIA_TYPES:
            if kind in (media_type, b"*/*", b"application/*"):
                score = quality * preference
                if score > best_score:
                    best, best_score = media_type, score
    return best


class HotPath:
    """ASGI layer answering immutable resources itself; everything else passes through.

    ``principal_of(authorization)`` returns the caller when it is known from memory (None:
    let the application authenticate); ``auth_enabled()`` says whether users exist;
    ``load(kind, id)`` builds the answer of a resource that is not cached yet (run on a worker
    thread; None when it does not exist, so that the application answers the error).
    ``requests`` counts the responses sent here; ``tracer`` (tracing on) makes their spans.
    ``own_media_types`` are paths that answer in their own media type (``/metrics``), left
    out of content negotiation; paths under ``own_prefixes`` (the web UI's ``/ui``, HTML and
    HTML forms) go straight to the application.
    """

    def __init__(
        self,
        app: ASGIApp,
        cache: AnswerCache,
        principal_of: Callable[[str | None], Principal | None],
        auth_enabled: Callable[[], bool],
        load: Callable[[str, int], bytes | None],
        *,
        requests: RequestStats | None = None,
        tracer: HotPathTracer | None = None,
        own_media_types: frozenset[str] = frozenset(),
        own_prefixes: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.cache = cache
        self.principal_of = principal_of
        self.auth_enabled = auth_enabled
        self.load = load
        self.requests = requests if requests is not None else RequestStats()
        self.tracer = tracer
        self.own_media_types = own_media_types
        self.own_prefixes = own_prefixes
        self._answers = {
            (kind, status): self.requests.series_for("GET", route, status)
            for kind, route in ROUTES.items()
            for status in (200, 304)
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.own_prefixes):
            await self.app(scope, receive, send)
            return
        start = perf_counter()
        accept = authorization = if_none_match = content_type = None
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value
            elif name == b"authorization":
                authorization = value
            elif name == b"if-none-match":
                if_none_match = value
            elif name == b"content-type":
                content_type = value
        media_type = negotiate(accept)
        if media_type is None:
            if scope["path"] in self.own_media_types:
                await self.app(scope, receive, send)
                return
            response = registry_error_response(NotAcceptable())
            await response(scope, receive, send)
            self.requests.observe(scope["method"], UNMATCHED, 406, perf_counter() - start)
            return
        if scope["method"] in BODY_METHODS and _has_body(scope):
            request_type = (content_type or b"").split(b";")[0].strip().lower()
            if request_type not in REQUEST_MEDIA_TYPES:
                sent = request_type.decode("latin-1") or "none"
                refused = UnsupportedMediaType(
                    f"Unsupported Media Type ({sent}): send the body as JSON with Content-Type "
                    "application/vnd.schemaregistry.v1+json (or application/json)"
                )
                response = registry_error_response(refused)
                await response(scope, receive, send)
                self.requests.observe(scope["method"], UNMATCHED, 415, perf_counter() - start)
                return
            if request_type == OCTET_STREAM:  # Confluent reads it as JSON; so does FastAPI here
                scope = _as_json(scope)
        if scope["method"] == "GET" and scope["path"].startswith(IDS_PREFIX):
            key = _immutable_key(scope)
            if key is not None and self._may_read(authorization):
                answer = self.cache.get(key)
                if answer is None and self.tracer is None:
                    body = await run_in_threadpool(self.load, *key)
                    answer = None if body is None else self.cache.put(key, body)
                if answer is not None:
                    sending = self._answer(send, answer, media_type, if_none_match)
                    if self.tracer is None:
                        status = await sending
                    else:
                        status = await self.tracer.around(scope, ROUTES[key[0]], sending)
                    self._answers[key[0], status].observe(perf_counter() - start)
                    return
        if media_type is not MEDIA_TYPE:
            send = _with_media_type(send, media_type)
        await self.app(scope, receive, send)

    def _may_read(self, authorization: bytes | None) -> bool:
        principal = self.principal_of(authorization.decode("latin-1") if authorization else None)
        return principal is not None and principal.allows(Action.READ)

    async def _answer(
        self, send: Send, answer: Answer, media_type: bytes, if_none_match: bytes | None
    ) -> int:
        cache_control = IMMUTABLE_PRIVATE if self.auth_enabled() else IMMUTABLE_PUBLIC
        headers = [
            (b"etag", answer.etag),
            (b"cache-control", cache_control),
            (b"vary", b"Accept"),
        ]
        if if_none_match is not None and _matches(if_none_match, answer.etag):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return 304
        headers.append((b"content-type", media_type))
        headers.append((b"content-length", str(len(answer.body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})
        return 200


def _has_body(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return value.strip() not in (b"0", b"")
        if name == b"transfer-encoding":
            return True
    return False


def _as_json(scope: Scope) -> Scope:
    headers = [
        (name, b"application/json" if name == b"content-type" else value)
        for name, value in scope["headers"]
    ]
    return {**scope, "headers": headers}


def _immutable_key(scope: Scope) -> tuple[str, int] | None:
    """``("id", n)`` for ``/schemas/ids/n``, ``("raw", n)`` for ``/schemas/ids/n/schema``, when
    the query does not change the answer; None otherwise."""
    rest = scope["path"][len(IDS_PREFIX) :]
    kind = "id"
    if rest.endswith("/schema"):
        rest, kind = rest[:-7], "raw"
    if not rest.isdigit() or len(rest) > 18 or int(rest) < 1:
        return None
    query = scope["query_string"]
    if query and any(k not in NEUTRAL_QUERY for k, _ in parse_qsl(query.decode("latin-1"))):
        return None
    return kind, int(rest)


def immutable_headers(answer: Answer, auth_enabled: bool) -> dict[str, str]:
    """The caching headers of an immutable answer, for the application's own responses."""
    control = IMMUTABLE_PRIVATE if auth_enabled else IMMUTABLE_PUBLIC
    return {"etag": answer.etag.decode(), "cache-control": control.decode(), "vary": "Accept"}


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    candidates = [c.strip() for c in if_none_match.split(b",")]
    return b"*" in candidates or etag in candidates or b"W/" + etag in candidates


def _with_media_type(send: Send, media_type: bytes) -> Send:
    """A ``send`` that relabels the registry's JSON answers with the negotiated media type."""

    async def relabel(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [
                (name, media_type if name == b"content-type" and value == MEDIA_TYPE else value)
                for name, value in message.get("headers", ())
            ]
        await send(message)

    return relabel
