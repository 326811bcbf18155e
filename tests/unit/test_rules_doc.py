"""``docs/rules.md`` is ``esr rules --format markdown``, and every output of the command works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from registry.cli.main import app
from registry.cli.rules import REGENERATE
from registry.compatibility import rule_catalogue
from registry.formats.jsonschema.differences import CONFLUENT_DIFFERENCES

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
RUNNER = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = RUNNER.invoke(app, ["rules", *args])
    return result.exit_code, result.stdout


@pytest.fixture(scope="module")
def markdown() -> str:
    code, out = run("--format", "markdown")
    assert code == 0
    return out


def test_docs_rules_md_is_current(markdown: str) -> None:
    current = DOC.read_text(encoding="utf-8") if DOC.is_file() else ""
    assert current == markdown, f"docs/rules.md is out of date: regenerate it with `{REGENERATE}`"


def test_the_document_shows_every_rule_with_its_finding(markdown: str) -> None:
    for rule_id in rule_catalogue():
        section = markdown.split(f"### {rule_id}\n", 1)[1].split("\n### ", 1)[0]
        assert f"[{rule_id}] BACKWARD" in section, rule_id
    for difference in CONFLUENT_DIFFERENCES:
        assert difference.case in markdown


def test_json_output_lists_every_rule_with_findings_and_examples() -> None:
    code, out = run("--format", "json")
    data = json.loads(out)
    assert code == 0
    assert [r["id"] for r in data["rules"]] == list(rule_catalogue())
    with_example = [r["id"] for r in data["rules"] if any("example" in f for f in r["findings"])]
    assert all(r["findings"][0]["rule"] == r["id"] for r in data["rules"])
    assert set(rule_catalogue()) - set(with_example) <= {"json.undecidable", "schema.type-changed"}
    assert len(data["confluentDifferences"]) == len(CONFLUENT_DIFFERENCES)


def test_text_output_is_the_default() -> None:
    code, out = run()
    assert code == 0
    assert all(f"{rule_id}: " in out for rule_id in rule_catalogue())


def test_an_unknown_format_is_a_usage_error() -> None:
    code, _ = run("--format", "yaml")
    assert code == 2
