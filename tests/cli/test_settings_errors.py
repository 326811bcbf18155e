"""A setting that does not parse stops every command with exit code 2 and one line naming the
variable, never a traceback and never the value (it may be a secret)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from registry.cli.errors import EXIT_USAGE
from registry.config import Settings
from registry.errors import InvalidInput

ESR = str(Path(sys.executable).with_name("esr"))


@pytest.mark.parametrize(
    ("variable", "value", "command", "expected"),
    [
        ("REGISTRY_PORT", "abc", ["serve"], "REGISTRY_PORT: Input should be a valid integer"),
        ("REGISTRY_WORKERS", "0", ["serve"], "REGISTRY_WORKERS: Input should be greater"),
        (
            "REGISTRY_SYNC__EVENTBRIDGE",
            "{not json",
            ["serve"],
            "REGISTRY_SYNC__EVENTBRIDGE",
        ),
        ("REGISTRY_PORT", "abc", ["users", "list"], "REGISTRY_PORT"),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_2(
    tmp_path: Path, variable: str, value: str, command: list[str], expected: str
) -> None:
    env = {**os.environ, variable: value, "REGISTRY_DATABASE_URL": f"sqlite:///{tmp_path}/r.db"}
    done = subprocess.run(
        [ESR, *command], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )
    assert done.returncode == EXIT_USAGE, done.stderr
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
    assert value not in done.stderr


def test_a_secret_value_is_never_echoed() -> None:
    with pytest.raises(InvalidInput) as caught:
        Settings.load(bootstrap_admin_password_file=["s3cr3t-value"])
    assert "REGISTRY_BOOTSTRAP_ADMIN_PASSWORD_FILE" in caught.value.message
    assert "s3cr3t-value" not in caught.value.message
