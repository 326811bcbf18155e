"""Start real ``esr serve`` processes for end-to-end tests, and stop them."""

from __future__ import annotations

import itertools
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
ESR = Path(sys.executable).with_name("esr")


# Each xdist worker hands out ports from its own block below the kernel's ephemeral range, and
# never the same one twice: a port from bind(0) could be handed to another worker's server in
# the moment between our check and the server binding it, and our health check would then be
# answered by their server.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_BLOCK = 1000
_FIRST = 20_000 + _BLOCK * (_WORKER % 12)
_given: set[int] = set()
_next = itertools.count(random.randrange(_BLOCK))


def free_port() -> int:
    """A port nobody listens on right now, never handed out before in this process."""
    for _ in range(_BLOCK):
        port = _FIRST + next(_next) % _BLOCK
        if port in _given:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _given.add(port)
        return port
    raise RuntimeError(f"no free port left in {_FIRST}-{_FIRST + _BLOCK - 1}")


class ServerProcess:
    """One ``esr serve`` child process on a port of its own; ``env`` adds environment
    variables (``REGISTRY_...``) to the child's."""

    def __init__(self, database_url: str, **env: str) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.log = ROOT / ".pytest-server-logs" / f"esr-{self.port}.log"

    def start(self, timeout: float = 30.0) -> ServerProcess:
        """Start and wait until ``/health`` answers."""
        self.log.parent.mkdir(exist_ok=True)
        env = {**os.environ, "REGISTRY_LOG_LEVEL": "warning", **self.env}
        command = [
            str(ESR),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--database-url",
            self.database_url,
        ]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=log, cwd=ROOT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"esr serve exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1.0).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"esr serve did not start in {timeout}s: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL: no chance to clean up."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        """Graceful stop (SIGTERM), then kill if needed."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def running_server(database_url: str, **env: str) -> Iterator[ServerProcess]:
    """A started server, stopped on exit."""
    server = ServerProcess(database_url, **env).start()
    try:
        yield server
    finally:
        server.stop()
