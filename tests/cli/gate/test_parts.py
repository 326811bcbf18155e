"""The gate's small parts: pointer-to-line mapping, ``[tool.esr]`` matching, contracts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from registry.cli.gate.config import load_config
from registry.cli.gate.contracts import load_contracts
from registry.domain import CompatibilityLevel, CompatibilityPolicy
from registry.errors import InvalidInput
from registry.formats.lines import line_for, pointer_lines, syntax_error_line

DOCUMENT = """{
  "a/b": {"x~y": 1},
  "text": "braces { [ inside \\" a string",
  "list": [
    {"k": 1},
    [2,
     3]
  ],
  "empty": {}, "e2": []
}"""


@pytest.mark.parametrize(
    ("pointer", "line"),
    [
        ("", 1),
        ("/a~1b", 2),
        ("/a~1b/x~0y", 2),
        ("/text", 3),
        ("/list", 4),
        ("/list/0", 5),
        ("/list/0/k", 5),
        ("/list/1/1", 7),
        ("/empty", 9),
        ("/e2", 9),
        ("/list/0/gone/deeper", 5),
        ("#/list/1", 6),
        ("/nothing", 1),
    ],
)
def test_line_for_pointer(pointer: str, line: int) -> None:
    assert json.loads(DOCUMENT)  # the fixture is valid JSON
    assert line_for(DOCUMENT, pointer) == line


@pytest.mark.parametrize("text", ["{", "[1, 2", '{"a" 1}', "nul", "[" * 300 + "]" * 300])
def test_unscannable_text_falls_back_to_line_1(text: str) -> None:
    assert pointer_lines(text) == {}
    assert line_for(text, "/a/b") == 1


def test_syntax_error_line() -> None:
    assert syntax_error_line('{\n  "a": 1,\n  oops\n}') == 3
    assert syntax_error_line("{}") == 1


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(text)
    return path


def test_subject_overrides_exact_name_wins_over_pattern(tmp_path: Path) -> None:
    config = load_config(
        _config(
            tmp_path,
            '[tool.esr.subjects."orders.*"]\ncompatibility = "FULL"\n'
            '[tool.esr.subjects."orders.OrderPlaced"]\npolicy = "lenient"\n',
        )
    )
    exact = config.override_for("orders.OrderPlaced")
    assert exact is not None
    assert (exact.compatibility, exact.policy) == (None, CompatibilityPolicy.LENIENT)
    pattern = config.override_for("orders.OrderShipped")
    assert pattern is not None and pattern.compatibility is CompatibilityLevel.FULL
    assert config.override_for("payments.PaymentFailed") is None


def test_waivers_match_patterns_and_wildcard_rules(tmp_path: Path) -> None:
    config = load_config(
        _config(
            tmp_path,
            "[[tool.esr.waivers]]\n"
            'subject = "orders.*"\nrule = "*"\nreason = "migration"\nexpires = "2030-01-31"\n',
        )
    )
    waiver = config.waiver_for("orders.OrderPlaced", "json.required-added")
    assert waiver is not None and waiver.expires == dt.date(2030, 1, 31)
    assert waiver.active(dt.date(2030, 1, 31)) and not waiver.active(dt.date(2030, 2, 1))
    assert config.waiver_for("payments.PaymentFailed", "json.required-added") is None


def test_missing_file_or_table_means_defaults(tmp_path: Path) -> None:
    assert load_config(None).compatibility is None
    config = load_config(_config(tmp_path, "[project]\nname = 'x'\n"))
    assert config.source is not None and config.subjects == ()


def test_contracts_index_producers_and_consumers(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "service: a\nproduces: [{subject: s1, transport: sns, topic: t}]\n"
        "consumes: [{subject: s2, transport: sqs}]\n"
    )
    (tmp_path / "b.yaml").write_text("service: b\nconsumes: [{subject: s1, transport: sqs}]\n")
    index = load_contracts(tmp_path)
    assert index.services("s1", ["producers"]) == ("a",)
    assert index.services("s1", ["producers", "consumers"]) == ("a", "b")
    assert index.services("s2", ["consumers"]) == ("a",)
    assert load_contracts(tmp_path / "missing").services("s1", ["producers"]) == ()


@pytest.mark.parametrize(
    "text",
    [
        "produces: []\n",
        "service: a\nproduces: {s: 1}\n",
        "service: a\nconsumes: [{}]\n",
        "[",
        "service: a\nconsumes: [s1]\n",
        "service: a\nconsumes: [{subject: s1}]\n",
        "service: a\n---\nservice: b\n",
    ],
)
def test_malformed_contracts_are_invalid_input(tmp_path: Path, text: str) -> None:
    (tmp_path / "bad.yml").write_text(text)
    with pytest.raises(InvalidInput, match=r"bad\.yml"):
        load_contracts(tmp_path)
