"""Every output format of ``esr gate``: the same findings, and the shape each consumer expects."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from registry.cli.gate.model import GateFinding, GateReport, Severity, SubjectResult, SubjectStatus
from registry.cli.gate.render import FORMATS, render
from registry.cli.gate.render.github import escape_data, escape_property
from registry.compatibility import rule_catalogue
from tests.cli.conftest import (
    DATA,
    ORDER_BREAKING,
    ORDER_BREAKING_LINE,
    Project,
    avro_record,
)

ROOT = Path(__file__).resolve().parents[3]
RULE = "avro.field-added-without-default"
FILE = "schemas/orders/Order.avsc"


@pytest.fixture
def breaking(project: Project) -> Project:
    """A working tree with one breaking change in orders.Order."""
    project.write(FILE, ORDER_BREAKING)
    return project


@pytest.fixture
def eventful(project: Project) -> Project:
    """Breaking, waived, deleted, renamed and new subjects at once."""
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    project.write(
        "schemas/orders/Return.avsc", avro_record("Return", '{"name": "id", "type": "string"}')
    )
    project.write(
        "schemas/orders/Refund.avsc", avro_record("Refund", '{"name": "id", "type": "string"}')
    )
    project.commit("more")
    project.write(
        "pyproject.toml",
        "[[tool.esr.waivers]]\n"
        'subject = "orders.Refund"\n'
        'rule = "*"\n'
        'reason = "refunds are replayed from the outbox"\n'
        f"expires = {tomorrow}\n",
    )
    project.write(FILE, ORDER_BREAKING)
    project.write(
        "schemas/orders/Refund.avsc",
        avro_record("Refund", '{"name": "id", "type": "string"}', '{"name": "n", "type": "int"}'),
    )
    (project.root / "schemas/crm/Customer.json").unlink()
    project.move("schemas/orders/Return.avsc", "schemas/returns/Return.avsc")
    project.write(
        "schemas/orders/Invoice.avsc", avro_record("Invoice", '{"name": "id", "type": "long"}')
    )
    return project


def _sarif_results(text: str) -> list[dict]:
    return json.loads(text)["runs"][0]["results"]


def _located_in_text(out: str) -> bool:
    return f"{FILE}:{ORDER_BREAKING_LINE}" in out and RULE in out and "orders.Order" in out


def _located_in_json(out: str) -> bool:
    finding = next(f for f in json.loads(out)["findings"] if f["rule"] == RULE)
    return (finding["subject"], finding["file"], finding["line"]) == (
        "orders.Order",
        FILE,
        ORDER_BREAKING_LINE,
    )


def _located_in_github(out: str) -> bool:
    expected = f"::error file={FILE},line={ORDER_BREAKING_LINE},title={RULE} (orders.Order)::"
    return any(line.startswith(expected) for line in out.splitlines())


def _located_in_junit(out: str) -> bool:
    root = ET.fromstring(out)
    case = next(c for c in root.iter("testcase") if c.get("name", "").startswith("orders.Order "))
    failure = case.find("failure")
    return (
        case.get("file") == FILE
        and failure is not None
        and failure.get("type") == RULE
        and f"{FILE}:{ORDER_BREAKING_LINE}" in (failure.text or "")
    )


def _located_in_sarif(out: str) -> bool:
    result = next(r for r in _sarif_results(out) if r["ruleId"] == RULE)
    location = result["locations"][0]["physicalLocation"]
    return (
        location["artifactLocation"]["uri"] == FILE
        and location["region"]["startLine"] == ORDER_BREAKING_LINE
        and result["properties"]["subject"] == "orders.Order"
        and result["level"] == "error"
    )


LOCATED = {
    "text": _located_in_text,
    "json": _located_in_json,
    "github": _located_in_github,
    "markdown": _located_in_text,
    "junit": _located_in_junit,
    "sarif": _located_in_sarif,
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_names_rule_subject_file_and_line(breaking: Project, fmt: str) -> None:
    result = breaking.gate("--against", "HEAD", "--format", fmt)
    assert result.exit_code == 1
    assert LOCATED[fmt](result.stdout), result.stdout


def test_json_report_matches_its_published_schema(eventful: Project) -> None:
    schema = json.loads((ROOT / "docs" / "gate-output.schema.json").read_text())
    code, report = eventful.gate_json("--against", "HEAD")
    assert code == 1
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
        report
    )
    statuses = {s["subject"]: s["status"] for s in report["subjects"]}
    assert statuses == {
        "crm.Customer": "deleted",
        "orders.Invoice": "new",
        "orders.Order": "breaking",
        "orders.Refund": "compatible",
        "returns.Return": "renamed",
    }
    waived = [f for f in report["findings"] if f["waiver"]]
    assert waived and all(f["subject"] == "orders.Refund" and not f["blocking"] for f in waived)
    assert report["summary"]["waived"] == len(waived)


def test_json_report_for_an_invalid_file_matches_its_schema(project: Project) -> None:
    schema = json.loads((ROOT / "docs" / "gate-output.schema.json").read_text())
    project.write(FILE, "{")
    code, report = project.gate_json("--against", "HEAD")
    assert code == 2
    jsonschema.Draft202012Validator(schema).validate(report)


def test_sarif_validates_against_the_sarif_2_1_0_schema(eventful: Project) -> None:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    result = eventful.gate("--against", "HEAD", "--format", "sarif")
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(schema).validate(log)
    driver = log["runs"][0]["tool"]["driver"]
    ids = [rule["id"] for rule in driver["rules"]]
    assert set(rule_catalogue()) <= set(ids)
    assert {"gate.subject-deleted", "gate.subject-renamed", "gate.schema-invalid"} <= set(ids)
    assert all(rule["help"]["text"] and rule["fullDescription"]["text"] for rule in driver["rules"])
    for item in log["runs"][0]["results"]:
        assert ids[item["ruleIndex"]] == item["ruleId"]
    waived = [r for r in log["runs"][0]["results"] if "suppressions" in r]
    assert waived and all("outbox" in s["justification"] for r in waived for s in r["suppressions"])


def test_junit_has_one_testcase_per_subject(eventful: Project) -> None:
    result = eventful.gate("--against", "HEAD", "--format", "junit")
    root = ET.fromstring(result.stdout)
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == int(suite.get("tests", "-1")) == 5
    failed = {c.get("classname") for c in cases if c.find("failure") is not None}
    assert failed == {"esr.gate.orders.Order", "esr.gate.crm.Customer"}
    assert int(suite.get("failures", "-1")) == 2
    refund = next(c for c in cases if c.get("classname") == "esr.gate.orders.Refund")
    assert "waived until" in (refund.findtext("system-out") or "")


def test_junit_reports_an_unparsable_file_as_error(project: Project) -> None:
    project.write(FILE, "{")
    root = ET.fromstring(project.gate("--against", "HEAD", "--format", "junit").stdout)
    case = next(c for c in root.iter("testcase") if c.get("classname") == "esr.gate.orders.Order")
    assert case.find("error") is not None
    assert root.get("errors") == "1"


def test_github_properties_escape_comma_and_colon_in_paths(project: Project) -> None:
    path = "schemas/team,one/Ev:v1.avsc"
    project.write(path, avro_record("Ev", '{"name": "id", "type": "string"}'))
    project.commit("odd names")
    project.write(path, avro_record("Ev", '{"name": "id", "type": "int"}'))
    out = project.gate("--against", "HEAD", "--format", "github").stdout
    line = next(item for item in out.splitlines() if item.startswith("::error "))
    properties, message = line[len("::error ") :].split("::", 1)
    assert properties.startswith("file=schemas/team%2Cone/Ev%3Av1.avsc,line=6,title=")
    assert "(team%2Cone.Ev%3Av1)" in properties
    assert properties.count(",") == 2
    assert "team,one.Ev:v1" not in properties and message


def test_github_messages_escape_percent_and_line_breaks() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    finding = GateFinding(
        "gate.subject-deleted",
        "s:1,x",
        "f,1:2.avsc",
        3,
        Severity.ERROR,
        "line one\nline two 100%\r",
        blocking=True,
    )
    report = GateReport("HEAD", "git", "schemas", Severity.ERROR, dt.date.today())
    report.subjects = [
        SubjectResult("s:1,x", "f,1:2.avsc", SubjectStatus.DELETED, findings=[finding])
    ]
    lines = render(report, "github").splitlines()
    assert lines[0] == (
        "::error file=f%2C1%3A2.avsc,line=3,title=gate.subject-deleted (s%3A1%2Cx)"
        "::line one%0Aline two 100%25%0D"
    )
    assert len(lines) == 2


def test_step_summary_is_appended_for_the_github_format(breaking: Project, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    assert breaking.gate("--against", "HEAD", "--format", "github", env=env).exit_code == 1
    assert breaking.gate("--against", "HEAD", "--format", "text", env=env).exit_code == 1
    text = summary.read_text()
    assert text.startswith("earlier step\n")
    assert text.count("<!-- esr-gate-report -->") == 1
    assert RULE in text and "orders.Order" in text


def test_outputs_go_to_files_paired_by_position(breaking: Project) -> None:
    result = breaking.gate(
        "--against",
        "HEAD",
        "--format",
        "json",
        "--output",
        "reports/gate.json",
        "--format",
        "sarif=reports/gate.sarif",
        "--format",
        "text",
    )
    assert result.exit_code == 1
    assert json.loads((breaking.root / "reports/gate.json").read_text())["exitCode"] == 1
    assert _located_in_sarif((breaking.root / "reports/gate.sarif").read_text())
    assert _located_in_text(result.stdout)
    assert "\x1b[" not in result.stdout


def test_markdown_escapes_table_cells(project: Project) -> None:
    finding = GateFinding(
        "gate.subject-deleted",
        "a|b",
        "x.avsc",
        1,
        Severity.ERROR,
        "pipe | and <tag>",
        blocking=True,
    )
    report = GateReport("HEAD", "git", "schemas", Severity.ERROR, dt.date.today())
    report.subjects = [SubjectResult("a|b", "x.avsc", SubjectStatus.DELETED, findings=[finding])]
    out = render(report, "markdown")
    row = next(line for line in out.splitlines() if "gate.subject-deleted" in line)
    assert "pipe \\| and &lt;tag&gt;" in row
    assert row.count(" | ") == 5


def test_junit_stays_well_formed_with_control_characters() -> None:
    finding = GateFinding(
        "gate.subject-deleted", "s", "x.avsc", 1, Severity.ERROR, "bell \x07 and <&>", blocking=True
    )
    report = GateReport("HEAD", "git", "schemas", Severity.ERROR, dt.date.today())
    report.subjects = [SubjectResult("s", "x.avsc", SubjectStatus.DELETED, findings=[finding])]
    root = ET.fromstring(render(report, "junit"))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == "[gate.subject-deleted] bell \ufffd and <&>"
