"""A fault-injecting HTTP proxy in front of moto's Glue (JSON protocol), on 127.0.0.1.

moto has no fault injection; this proxy forwards every request unchanged and adds the faults of
:class:`~tests.sync.emulators._http.Emulator` (429 throttling, writes failing after ``k``, down).
Errors use the AWS JSON protocol's shape: ``{"__type": code, "message": text}``.
"""

from __future__ import annotations

import json

import httpx

from tests.sync.emulators._http import Emulator, Request, Response

_GLUE_WRITES = ("Create", "Register", "Update", "Delete", "Put", "Remove", "Tag", "Untag")
_HOP_HEADERS = frozenset({"host", "content-length", "connection", "transfer-encoding"})


class GlueFaultProxy(Emulator):
    """Forwards to ``upstream`` (moto) unless a fault says otherwise."""

    def __init__(self, upstream: str) -> None:
        super().__init__()
        self.upstream = upstream.rstrip("/")
        self._http = httpx.Client(timeout=30, trust_env=False)

    @property
    def endpoint_url(self) -> str:
        """The URL to give boto3."""
        return f"http://127.0.0.1:{self.port}"

    def error(self, status: int, kind: str, message: str) -> Response:
        """The JSON protocol's error shape; throttling is a 400 ``ThrottlingException``."""
        code = {429: "ThrottlingException", 500: "InternalServiceException"}.get(
            status, "InternalServiceException"
        )
        body = json.dumps({"__type": code, "message": message}).encode()
        wire_status = 400 if status == 429 else status  # Glue throttles with a 400
        return Response(wire_status, body, {"Content-Type": "application/x-amz-json-1.1"})

    def is_write(self, request: Request) -> bool:
        """The operation from ``X-Amz-Target`` (``AWSGlue.CreateSchema``) changes state."""
        operation = request.headers.get("x-amz-target", "").rpartition(".")[2]
        return operation.startswith(_GLUE_WRITES)

    def handle(self, request: Request) -> Response:
        """Forward unchanged."""
        headers = {k: v for k, v in request.headers.items() if k not in _HOP_HEADERS}
        answer = self._http.request(
            request.method,
            self.upstream + request.path,
            params={k: v[0] for k, v in request.query.items()},
            content=request.body,
            headers=headers,
        )
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_HEADERS}
        kept.pop("content-encoding", None)
        return Response(answer.status_code, answer.content, kept)

    def close(self) -> None:
        """Stop and close the upstream connection pool."""
        self.stop()
        self._http.close()
