"""ARCHITECTURE.md's drawing of the layers is the import-linter contract that ``make test``
enforces: same layers, same order, same modules on each line, every module of ``registry`` on one
(the contract is exhaustive), and terminal libraries forbidden in the pure layers."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _contracts() -> list[dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _layers_contract() -> dict[str, Any]:
    (contract,) = [c for c in _contracts() if c["type"] == "layers"]
    return contract


def _line_modules(line: str) -> list[str]:
    return sorted(part.strip() for part in line.split("|"))


def _drawn_layers() -> list[list[str]]:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- layers: begin -->\n```\n(.*?)```\n<!-- layers: end -->", text, re.S)
    assert found, "ARCHITECTURE.md has no layers drawing between its markers"
    layers = []
    for line in found.group(1).splitlines():
        modules = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]  # the rest is a comment
        layers.append(_line_modules(modules))
    return layers


def test_the_drawing_is_the_contract() -> None:
    contract = _layers_contract()
    assert contract["containers"] == ["registry"]
    assert _drawn_layers() == [_line_modules(layer) for layer in contract["layers"]]


def test_every_module_of_the_package_is_in_a_layer() -> None:
    contract = _layers_contract()
    assert contract["exhaustive"] is True
    drawn = {module for layer in _drawn_layers() for module in layer}
    children = {
        path.stem if path.is_file() else path.name
        for path in (ROOT / "registry").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").is_file())
    }
    assert children == drawn


@pytest.mark.parametrize("library", ["typer", "rich", "yaml"])
def test_pure_layers_forbid_terminal_libraries(library: str) -> None:
    (pure,) = [c for c in _contracts() if c["name"].startswith("Pure layers")]
    assert library in pure["forbidden_modules"]
    for module in ("formats", "compatibility", "wire", "domain", "errors"):
        assert f"registry.{module}" in pure["source_modules"]
