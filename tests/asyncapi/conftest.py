"""Paths and fixtures shared by the AsyncAPI tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.asyncapi.specs import specs_dir

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"


@pytest.fixture
def asyncapi_specs() -> Path:
    """The unpacked ``@asyncapi/specs`` package; the test is skipped when it was not fetched."""
    found = specs_dir()
    if not (found / "package.json").is_file():
        pytest.skip(
            f"the AsyncAPI specs are not at {found}: run `make install` (the Makefile's "
            "asyncapi-specs rule fetches @asyncapi/specs into the venv)"
        )
    return found


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A copy of the example shop's contracts and schemas, to change at will."""
    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    return tmp_path
