"""The first admin of a container: ``REGISTRY_BOOTSTRAP_ADMIN_PASSWORD_FILE`` with ``esr serve``.

The image serves on 0.0.0.0, where ``esr serve`` refuses to run with no users. With the password
file (a mounted secret), the first start creates the admin and serves; later starts change
nothing; without it, the refusal says how to proceed and exits 2.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx

from tests.support.server import ESR, free_port


def _serve(database_url: str, **env: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")},
        "REGISTRY_DATABASE_URL": database_url,
        "REGISTRY_LOG_LEVEL": "info",
        **env,
    }
    command = [str(ESR), "serve", "--host", "0.0.0.0", "--port", str(port)]
    return subprocess.Popen(command, env=environment, stderr=subprocess.PIPE), port


def _wait_ready(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("esr serve did not start")


def test_first_start_creates_the_admin_and_later_starts_change_nothing(
    sqlite_url: str, tmp_path: Path
) -> None:
    secret = tmp_path / "admin-password"
    secret.write_text("first-admin-password\n")
    process, port = _serve(sqlite_url, REGISTRY_BOOTSTRAP_ADMIN_PASSWORD_FILE=str(secret))
    with process:  # closes its stderr pipe on the way out
        try:
            _wait_ready(process, port)
            url = f"http://127.0.0.1:{port}/subjects"
            assert httpx.get(url).status_code == 401
            assert httpx.get(url, auth=("admin", "first-admin-password")).status_code == 200
        finally:
            process.terminate()
            process.wait(20)
    secret.write_text("another-password\n")  # ignored from now on: a user exists
    process, port = _serve(
        sqlite_url,
        REGISTRY_BOOTSTRAP_ADMIN_PASSWORD_FILE=str(secret),
        REGISTRY_BOOTSTRAP_ADMIN="root",
    )
    with process:
        try:
            _wait_ready(process, port)
            url = f"http://127.0.0.1:{port}/subjects"
            assert httpx.get(url, auth=("admin", "first-admin-password")).status_code == 200
            assert httpx.get(url, auth=("root", "another-password")).status_code == 401
        finally:
            process.terminate()
            process.wait(20)


def test_without_users_or_a_password_file_the_server_refuses(sqlite_url: str) -> None:
    process, _ = _serve(sqlite_url)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2
    assert b"REGISTRY_BOOTSTRAP_ADMIN_PASSWORD_FILE" in stderr


def test_a_short_password_in_the_file_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    secret = tmp_path / "admin-password"
    secret.write_text("short\n")
    process, _ = _serve(sqlite_url, REGISTRY_BOOTSTRAP_ADMIN_PASSWORD_FILE=str(secret))
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2
    assert str(secret).encode() in stderr and b"too short" in stderr
