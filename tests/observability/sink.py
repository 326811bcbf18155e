"""A small HTTP sink on 127.0.0.1 that keeps every request it is sent (telemetry exporters).

It answers Azure Monitor's ingestion (``/v2.1/track``: every item accepted) and OTLP over HTTP
(``/v1/traces``, ``/v1/metrics``, ``/v1/logs``: an empty success), and anything else with 200.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    """One request the sink got."""

    path: str
    headers: dict[str, str]
    body: bytes

    def azure_items(self) -> list[dict[str, Any]]:
        """The envelopes of an Azure Monitor ``track`` call (a JSON array or JSON lines)."""
        text = self.body.decode("utf-8").strip()
        if text.startswith("["):
            return list(json.loads(text))
        return [json.loads(line) for line in text.splitlines() if line.strip()]


class Sink:
    """The server, started on a free port and stopped on exit."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                if self.headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                with sink._lock:
                    sink.received.append(Received(self.path, dict(self.headers), body))
                answer = b""
                if self.path.endswith("/track"):
                    count = len(Received(self.path, {}, body).azure_items())
                    answer = json.dumps(
                        {"itemsReceived": count, "itemsAccepted": count, "errors": []}
                    ).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_PUT = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Sink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def requests(self, path_suffix: str) -> list[Received]:
        """What arrived at paths ending with ``path_suffix``."""
        with self._lock:
            return [r for r in self.received if r.path.endswith(path_suffix)]

    def wait_for(self, found: Callable[[], bool], timeout: float = 30.0) -> None:
        """Wait until ``found()`` holds."""
        deadline = time.monotonic() + timeout
        while not found():
            if time.monotonic() > deadline:
                paths = sorted({r.path for r in self.received})
                raise AssertionError(f"the sink never got it; it got requests to {paths}")
            time.sleep(0.1)
