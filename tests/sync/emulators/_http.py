"""A tiny threaded HTTP(S) server on 127.0.0.1 with fault injection, shared by the emulators.

Each emulator implements :meth:`Emulator.handle` (one request in, one :class:`Response` out) and
:meth:`Emulator.error` (its service's error shape). Faults, for the sync tests:

* :meth:`throttle` - answer the next ``n`` requests with the service's 429;
* :meth:`fail_writes_after` - after ``k`` more successful writes, every write fails with a 500;
* :meth:`drop_writes_after` - after ``k`` more writes, writes get no answer (the connection is
  closed): an outage in the middle of a run;
* :meth:`stop` / :meth:`start` - the target is down (connection refused) and comes back on the
  same port.
"""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

WRITE_METHODS = frozenset({"POST", "PUT", "DELETE"})


@dataclass
class Request:
    """One request as the emulator saw it (path still percent-encoded)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def param(self, name: str) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Response:
    """What the emulator answers."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class Emulator:
    """Base class: lifecycle, request log and faults; subclasses implement the API."""

    def __init__(self, *, tls: tuple[Path, Path] | None = None) -> None:
        self.tls = tls
        self.lock = threading.RLock()
        self.requests: list[Request] = []
        self.port = 0
        self._throttle = 0
        self._writes_left: int | None = None
        self._answered_writes_left: int | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Emulator:
        """Listen on 127.0.0.1 (the same port again after :meth:`stop`)."""
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                split = urlsplit(self.path)
                request = Request(
                    self.command,
                    split.path,
                    parse_qs(split.query, keep_blank_values=True),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                response = emulator.dispatch(request)
                if response is None:
                    self.close_connection = True
                    return
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                # No keep-alive: after stop() a client must not reach us on an old connection.
                self.send_header("Connection", "close")
                self.close_connection = True
                self.end_headers()
                if response.body:
                    self.wfile.write(response.body)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        if self.tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(self.tls[0]), str(self.tls[1]))
            server.socket = context.wrap_socket(server.socket, server_side=True)
        self.port = int(server.server_address[1])
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: clients now get 'connection refused'."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    # --- faults ------------------------------------------------------------------------------

    def throttle(self, times: int) -> None:
        """Answer the next ``times`` requests with 429."""
        with self.lock:
            self._throttle = times

    def fail_writes_after(self, writes: int | None) -> None:
        """Let ``writes`` more writes succeed, then fail every write (None: heal)."""
        with self.lock:
            self._writes_left = writes

    def drop_writes_after(self, writes: int | None) -> None:
        """Answer ``writes`` more writes, then close the connection on every write (None: heal)."""
        with self.lock:
            self._answered_writes_left = writes

    # --- dispatch ----------------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response | None:
        """Record, apply faults, then :meth:`handle`; None means 'answer nothing'."""
        with self.lock:
            self.requests.append(request)
            if self._throttle > 0:
                self._throttle -= 1
                return self.error(429, "throttled", "Rate exceeded")
            is_write = request.method in WRITE_METHODS and self.is_write(request)
            if is_write and self._answered_writes_left is not None:
                if self._answered_writes_left <= 0:
                    return None
                self._answered_writes_left -= 1
            if is_write and self._writes_left is not None:
                if self._writes_left <= 0:
                    return self.error(500, "internal", "Injected failure")
                self._writes_left -= 1
            try:
                return self.handle(request)
            except _Abort as abort:
                return abort.response

    def is_write(self, request: Request) -> bool:
        """Whether a request changes state (some POSTs only read)."""
        return True

    def handle(self, request: Request) -> Response:
        """Answer one request (subclasses)."""
        raise NotImplementedError

    def error(self, status: int, kind: str, message: str) -> Response:
        """The service's error answer (subclasses); ``kind`` is a generic word."""
        raise NotImplementedError

    def abort(self, status: int, kind: str, message: str) -> _Abort:
        """An exception that makes :meth:`dispatch` answer with :meth:`error`."""
        return _Abort(self.error(status, kind, message))


class _Abort(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response
