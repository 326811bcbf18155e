"""Slow and oversized clients do not stop the registry serving everyone else."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.server import ServerProcess, running_server


@pytest.fixture
def server(sqlite_url: str) -> Iterator[ServerProcess]:
    with running_server(sqlite_url, REGISTRY_MAX_REQUEST_BYTES="65536") as process:
        yield process


def test_slow_clients_do_not_block_others(server: ServerProcess) -> None:
    idle: list[socket.socket] = []
    try:
        for _ in range(50):  # slowloris: half-sent headers, never finished
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            sock.sendall(
                b"POST /subjects/s/versions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
            )
            idle.append(sock)
        for _ in range(10):  # bodies announced and never sent
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            sock.sendall(
                b"POST /subjects/s/versions HTTP/1.1\r\nHost: x\r\n"
                b'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"sch'
            )
            idle.append(sock)
        started = time.monotonic()
        for _ in range(20):
            assert httpx.get(f"{server.url}/subjects", timeout=5).status_code == 200
        assert time.monotonic() - started < 5
    finally:
        for sock in idle:
            sock.close()


def test_streamed_body_over_the_limit_is_cut_off(server: ServerProcess) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"schema": "'
        for _ in range(200):
            yield b"x" * 1024
        yield b'"}'

    response = httpx.post(
        f"{server.url}/subjects/s/versions",
        content=chunks(),
        timeout=10,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error_code"] == 41301
    assert httpx.get(f"{server.url}/subjects", timeout=5).json() == []
