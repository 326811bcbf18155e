"""Processes the server benchmarks drive: ``esr serve``, the bare ASGI baseline, wrk, databases.

Everything runs on 127.0.0.1. The registry is started the way users start it (the ``esr``
console script of this interpreter's environment, settings from ``REGISTRY_*``), and the
baseline is served by the same uvicorn options ``esr serve`` uses (``bench/bare.py``), so the
two differ only in the application.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
ESR = Path(sys.executable).with_name("esr")
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Process:
    """A child process serving HTTP on 127.0.0.1:``port``, ready once ``ready_path`` answers."""

    def __init__(self, command: list[str], env: dict[str, str], port: int, log: Path) -> None:
        self.command = command
        self.env = env
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, ready_path: str = "/", timeout: float = 60.0) -> Process:
        """Start and wait until ``ready_path`` answers anything."""
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=log, stderr=log, cwd=ROOT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.command[:2]} exited: {self.log.read_text()[-2000:]}")
            try:
                httpx.get(self.url + ready_path, timeout=1.0)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.command[:2]} did not start in {timeout}s")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after ten seconds."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def server_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of an ``esr serve`` child: the caller's, quiet logs, these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env.update(
        REGISTRY_DATABASE_URL=database_url,
        REGISTRY_LOG_LEVEL="warning",
        REGISTRY_ACCESS_LOG="false",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    env.update({f"REGISTRY_{k.upper()}": v for k, v in settings.items()})
    return env


@contextmanager
def esr_serve(database_url: str, workdir: Path, **settings: str) -> Iterator[Process]:
    """A running ``esr serve`` on a free port."""
    port = free_port()
    env = server_env(database_url, **settings)
    command = [str(ESR), "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = Process(command, env, port, workdir / f"esr-{port}.log").start("/health")
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def bare_serve(body: bytes, workdir: Path, **settings: str) -> Iterator[Process]:
    """The baseline: a bare ASGI callable answering ``body``, run like ``esr serve`` runs."""
    port = free_port()
    body_file = workdir / f"body-{port}.json"
    body_file.write_bytes(body)
    env = server_env("sqlite://", **settings)
    command = [sys.executable, "-m", "bench.bare", "--port", str(port), str(body_file)]
    server = Process(command, env, port, workdir / f"bare-{port}.log").start("/")
    try:
        yield server
    finally:
        server.stop()


def add_user(database_url: str, name: str, password: str, role: str = "reader") -> str:
    """Create a user with ``esr users add``; return the Basic ``Authorization`` header value."""
    subprocess.run(
        [str(ESR), "users", "add", name, "--role", role, "--password-stdin", "--force"],
        env=server_env(database_url),
        input=password + "\n",
        text=True,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()


@dataclass(frozen=True, slots=True)
class WrkResult:
    """What one wrk run measured."""

    requests_per_second: float
    latency_p50_ms: float
    latency_p99_ms: float
    non_2xx: int


def wrk_available() -> bool:
    """Whether the wrk load generator is on PATH."""
    return shutil.which("wrk") is not None


def wrk(
    url: str, *, seconds: float, connections: int, headers: dict[str, str] | None = None
) -> WrkResult:
    """One ``wrk -t1 -c<connections> -d<seconds>s --latency`` run."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if rps is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return WrkResult(
        float(rps.group(1)),
        _wrk_latency(out, "50%"),
        _wrk_latency(out, "99%"),
        int(errors.group(1)) if errors else 0,
    )


def _wrk_latency(out: str, percentile: str) -> float:
    found = re.search(rf"^\s+{re.escape(percentile)}\s+([\d.]+)(us|ms|s)\b", out, re.MULTILINE)
    if found is None:
        return float("nan")
    value, unit = float(found.group(1)), found.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def postgres_admin_url() -> str:
    """The maintenance database the benchmarks create their databases from."""
    return os.environ.get(
        "REGISTRY_BENCH_POSTGRES_URL",
        os.environ.get("REGISTRY_TEST_POSTGRES_URL", DEFAULT_POSTGRES),
    )


def postgres_reachable() -> str | None:
    """None when PostgreSQL answers, else why not."""
    import psycopg

    try:
        with psycopg.connect(postgres_admin_url(), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return None
    except psycopg.Error as exc:
        return f"PostgreSQL at {postgres_admin_url()} is unreachable ({exc.__class__.__name__})"


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards."""
    import psycopg

    admin = postgres_admin_url()
    name = f"esr_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    """A fresh database URL of ``kind`` (``sqlite`` or ``postgres``)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(dir=workdir) as folder:
            yield f"sqlite:///{folder}/registry.db"
    else:
        with postgres_database() as url:
            yield url


def on_each_database(
    measure_one: Callable[..., dict[str, Any]],
    *,
    postgres: bool,
    workdir: Path | None = None,
    notes: list[str] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """``measure_one(kind, workdir=..., **options)`` on SQLite and, when asked for and
    reachable, PostgreSQL (else a note says why not): ``{"runs": [...], "notes": [...]}``."""
    kinds = ["sqlite"]
    found_notes = list(notes or [])
    if postgres:
        reason = postgres_reachable()
        if reason is None:
            kinds.append("postgres")
        else:
            found_notes.append(reason)
    with tempfile.TemporaryDirectory(prefix="esr-bench-") as folder:
        where = workdir or Path(folder)
        runs = [measure_one(kind, workdir=where, **options) for kind in kinds]
    return {"runs": runs, "notes": found_notes}
