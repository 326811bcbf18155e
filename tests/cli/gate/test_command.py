"""``esr gate`` against git refs: verdicts, exit codes, levels, policies, waivers, contracts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.cli.conftest import (
    CUSTOMER_OPEN_ADDITION,
    ORDER_BREAKING,
    ORDER_BREAKING_LINE,
    ORDER_V1,
    ORDER_WITH_DEFAULT,
    Project,
    avro_record,
)


def _finding(report: dict, rule: str) -> dict:
    matches = [f for f in report["findings"] if f["rule"] == rule]
    assert matches, f"no {rule} in {report['findings']}"
    return matches[0]


def _subject(report: dict, name: str) -> dict:
    return next(s for s in report["subjects"] if s["subject"] == name)


def test_compatible_change_exits_0(project: Project) -> None:
    project.write("schemas/orders/Order.avsc", ORDER_WITH_DEFAULT)
    code, report = project.gate_json("--against", "HEAD")
    assert code == 0, report
    assert report["result"] == "pass"
    assert _subject(report, "orders.Order")["status"] == "compatible"
    assert _subject(report, "crm.Customer")["status"] == "unchanged"
    assert report["findings"] == []


def test_breaking_change_exits_1_with_rule_subject_file_and_line(project: Project) -> None:
    project.write("schemas/orders/Order.avsc", ORDER_BREAKING)
    code, report = project.gate_json("--against", "HEAD")
    assert code == 1
    finding = _finding(report, "avro.field-added-without-default")
    assert finding["subject"] == "orders.Order"
    assert finding["file"] == "schemas/orders/Order.avsc"
    assert finding["line"] == ORDER_BREAKING_LINE
    assert finding["direction"] == "BACKWARD"
    assert finding["breaks"] == ["producers"]
    assert finding["blocking"] is True
    assert _subject(report, "orders.Order")["status"] == "breaking"


def test_committed_change_against_earlier_commit(project: Project) -> None:
    base = project.git("rev-parse", "HEAD")
    project.write("schemas/orders/Order.avsc", ORDER_BREAKING)
    project.commit("break it")
    assert project.gate("--against", "HEAD").exit_code == 0
    assert project.gate("--against", base).exit_code == 1
    assert project.gate("--against", "HEAD~1").exit_code == 1


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('{"type": "record", "name": "Order",\n  "fields": [,]}\n', id="bad-json"),
        pytest.param(avro_record("Order", '{"name": "id", "type": "strin"}'), id="bad-avro"),
    ],
)
def test_invalid_schema_exits_2(project: Project, text: str) -> None:
    project.write("schemas/orders/Order.avsc", text)
    code, report = project.gate_json("--against", "HEAD")
    assert code == 2
    assert report["result"] == "error"
    assert _subject(report, "orders.Order")["status"] == "invalid"
    finding = _finding(report, "gate.schema-invalid")
    assert finding["file"] == "schemas/orders/Order.avsc"
    assert finding["line"] == (2 if text.startswith('{"type"') else 1)


def test_new_invalid_file_exits_2_even_when_untracked(project: Project) -> None:
    project.write("schemas/orders/Refund.avsc", "not json")
    code, report = project.gate_json("--against", "HEAD")
    assert code == 2
    assert _subject(report, "orders.Refund")["status"] == "invalid"


def test_new_subject_is_reported_as_new(project: Project) -> None:
    project.write(
        "schemas/orders/Refund.avsc", avro_record("Refund", '{"name": "id", "type": "string"}')
    )
    code, report = project.gate_json("--against", "HEAD")
    assert code == 0
    assert _subject(report, "orders.Refund")["status"] == "new"


def test_deleted_subject_is_a_finding(project: Project) -> None:
    (project.root / "schemas/orders/Order.avsc").unlink()
    code, report = project.gate_json("--against", "HEAD")
    assert code == 1
    finding = _finding(report, "gate.subject-deleted")
    assert finding["subject"] == "orders.Order"
    assert finding["file"] == "schemas/orders/Order.avsc"
    assert finding["breaks"] == ["producers", "consumers"]
    assert _subject(report, "orders.Order")["status"] == "deleted"


def test_rename_is_a_warning_and_content_is_still_checked(project: Project) -> None:
    project.move("schemas/orders/Order.avsc", "schemas/sales/Order.avsc")
    code, report = project.gate_json("--against", "HEAD")
    assert code == 0
    result = _subject(report, "sales.Order")
    assert result["status"] == "renamed"
    assert result["previousFile"] == "schemas/orders/Order.avsc"
    assert _finding(report, "gate.subject-renamed")["severity"] == "warning"
    assert "orders.Order" not in {s["subject"] for s in report["subjects"]}
    assert project.gate("--against", "HEAD", "--fail-on", "warning").exit_code == 1

    project.write("schemas/sales/Order.avsc", ORDER_BREAKING)
    code, report = project.gate_json("--against", "HEAD")
    assert code == 1
    assert _finding(report, "avro.field-added-without-default")["subject"] == "sales.Order"


def test_schema_type_change_is_a_finding(project: Project) -> None:
    (project.root / "schemas/crm/Customer.json").unlink()
    project.write(
        "schemas/crm/Customer.avsc", avro_record("Customer", '{"name": "id", "type": "string"}')
    )
    code, report = project.gate_json("--against", "HEAD")
    assert code == 1
    assert _finding(report, "gate.schema-type-changed")["subject"] == "crm.Customer"


TRANSITIVE_V2 = avro_record(
    "Order",
    '{"name": "id", "type": "string"}',
    '{"name": "amount", "type": "double"}',
    '{"name": "currency", "type": "string", "default": "EUR"}',
)
TRANSITIVE_V3 = avro_record(
    "Order",
    '{"name": "id", "type": "string"}',
    '{"name": "amount", "type": "double"}',
    '{"name": "currency", "type": "string"}',
)


@pytest.mark.parametrize(("level", "expected"), [("BACKWARD", 0), ("BACKWARD_TRANSITIVE", 1)])
def test_transitive_level_checks_every_earlier_version(
    project: Project, level: str, expected: int
) -> None:
    project.write("schemas/orders/Order.avsc", TRANSITIVE_V2)
    project.commit("v2")
    project.write("pyproject.toml", f'[tool.esr.subjects."orders.*"]\ncompatibility = "{level}"\n')
    project.write("schemas/orders/Order.avsc", TRANSITIVE_V3)
    code, report = project.gate_json("--against", "HEAD")
    assert code == expected, report
    assert _subject(report, "orders.Order")["compatibility"] == level
    if expected:
        finding = _finding(report, "avro.field-added-without-default")
        first = project.git("rev-list", "--max-parents=0", "HEAD")
        assert finding["against"] == first[:10]


@pytest.mark.parametrize(("policy", "expected"), [("STRICT", 1), ("LENIENT", 0)])
def test_json_schema_policy_from_config(project: Project, policy: str, expected: int) -> None:
    project.write("pyproject.toml", f'[tool.esr]\npolicy = "{policy}"\n')
    project.write("schemas/crm/Customer.json", CUSTOMER_OPEN_ADDITION)
    code, report = project.gate_json("--against", "HEAD")
    assert code == expected, report
    assert _subject(report, "crm.Customer")["policy"] == policy
    if expected:
        finding = _finding(report, "json.property-added-to-open-model")
        assert (
            finding["line"]
            == CUSTOMER_OPEN_ADDITION.splitlines().index(
                next(line for line in CUSTOMER_OPEN_ADDITION.splitlines() if "nickname" in line)
            )
            + 1
        )


def test_level_none_from_config_accepts_anything(project: Project) -> None:
    project.write("pyproject.toml", '[tool.esr]\ncompatibility = "NONE"\n')
    project.write("schemas/orders/Order.avsc", ORDER_BREAKING)
    assert project.gate("--against", "HEAD").exit_code == 0


def _waiver(expires: dt.date, rule: str = "avro.field-added-without-default") -> str:
    return (
        "[[tool.esr.waivers]]\n"
        'subject = "orders.Order"\n'
        f'rule = "{rule}"\n'
        'reason = "all consumers upgraded in INC-42"\n'
        f"expires = {expires.isoformat()}\n"
    )


@pytest.mark.parametrize(
    ("days", "expected", "active"), [(30, 0, True), (0, 0, True), (-1, 1, False)]
)
def test_waiver_before_and_after_expiry(
    project: Project, days: int, expected: int, active: bool
) -> None:
    project.write("pyproject.toml", _waiver(dt.date.today() + dt.timedelta(days=days)))
    project.write("schemas/orders/Order.avsc", ORDER_BREAKING)
    code, report = project.gate_json("--against", "HEAD")
    assert code == expected
    finding = _finding(report, "avro.field-added-without-default")
    assert finding["waiver"]["active"] is active
    assert finding["waiver"]["reason"] == "all consumers upgraded in INC-42"
    assert finding["blocking"] is not active
    text = project.gate("--against", "HEAD").stdout
    assert ("waived until" if active else "waiver expired on") in text


@pytest.mark.parametrize(
    ("severity", "fail_on", "expected", "reported"),
    [
        ("warning", "error", 0, True),
        ("warning", "warning", 1, True),
        ("info", "warning", 0, True),
        ("off", "warning", 0, False),
    ],
)
def test_rule_severity_override(
    project: Project, severity: str, fail_on: str, expected: int, reported: bool
) -> None:
    project.write(
        "pyproject.toml",
        f'[tool.esr.rules]\n"avro.field-added-without-default" = "{severity}"\n',
    )
    project.write("schemas/orders/Order.avsc", ORDER_BREAKING)
    code, report = project.gate_json("--against", "HEAD", "--fail-on", fail_on)
    assert code == expected
    assert bool(report["findings"]) is reported


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('[tool.esr]\ncompatibilty = "FULL"\n', "unknown key"),
        ('[tool.esr]\ncompatibility = "SIDEWAYS"\n', "Invalid compatibility level"),
        ('[tool.esr.rules]\n"avro.no-such-rule" = "warning"\n', "unknown rule"),
        ('[tool.esr.rules]\n"avro.field-added-without-default" = "loud"\n', "invalid severity"),
        ('[[tool.esr.waivers]]\nsubject = "x"\nrule = "*"\nexpires = 2030-01-01\n', "reason"),
        (
            '[[tool.esr.waivers]]\nsubject = "x"\nrule = "*"\nreason = "r"\nexpires = "soon"\n',
            "date",
        ),
        ("[tool.esr\n", "not valid TOML"),
    ],
)
def test_bad_configuration_exits_2(project: Project, config: str, message: str) -> None:
    project.write("pyproject.toml", config)
    result = project.gate("--against", "HEAD")
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--against", "no-such-branch"],
        ["--against", "HEAD", "--format", "yaml"],
        ["--against", "HEAD", "--fail-on", "info"],
        ["--against", "HEAD", "--format", "json", "--output", "a", "--output", "b"],
        ["missing-dir", "--against", "HEAD"],
    ],
)
def test_usage_errors_exit_2(project: Project, args: list[str]) -> None:
    result = project.gate(*args)
    assert result.exit_code == 2, result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("against", "url"),
    [
        ("127.0.0.1:8081", "http://127.0.0.1:8081"),
        ("localhost:8081", "http://localhost:8081"),
        ("registry.internal:8081", "http://registry.internal:8081"),
        ("[::1]:8081", "http://[::1]:8081"),
        ("localhost", "http://localhost"),
        ("10.0.0.7", "http://10.0.0.7"),
    ],
)
def test_a_registry_address_without_a_scheme_gets_a_hint(
    project: Project, against: str, url: str
) -> None:
    result = project.gate("--against", against)

    assert result.exit_code == 2
    assert "looks like a registry address" in result.stderr
    assert f"--against {url}" in result.stderr


def test_a_host_and_port_get_the_hint_outside_a_git_repository_too(workdir: Path) -> None:
    (workdir / "schemas").mkdir()
    from typer.testing import CliRunner

    from registry.cli.main import app

    result = CliRunner().invoke(app, ["gate", "--against", "127.0.0.1:8081"])

    assert result.exit_code == 2
    assert "--against http://127.0.0.1:8081" in result.stderr


def test_an_unknown_ref_that_is_no_address_gets_no_registry_hint(project: Project) -> None:
    result = project.gate("--against", "origin/no-such-branch")

    assert result.exit_code == 2
    assert "unknown git ref 'origin/no-such-branch'" in result.stderr
    assert "registry" not in result.stderr


def test_outside_a_git_repository_exits_2(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "schemas").mkdir()
    monkeypatch.chdir(tmp_path)
    from typer.testing import CliRunner

    from registry.cli.main import app

    result = CliRunner().invoke(app, ["gate", "--against", "HEAD"])
    assert result.exit_code == 2
    assert "not inside a git repository" in result.stderr


def test_contracts_name_the_services_a_change_breaks(project: Project) -> None:
    project.write(
        "contracts/checkout.yaml",
        "service: checkout\nproduces:\n  - subject: orders.Order\n    transport: sns\n"
        "    topic: orders\n",
    )
    project.write(
        "contracts/billing.yaml",
        "service: billing\nconsumes:\n  - subject: orders.Order\n    transport: sqs\n",
    )
    project.write("schemas/orders/Order.avsc", ORDER_BREAKING)
    code, report = project.gate_json("--against", "HEAD")
    assert code == 1
    assert _finding(report, "avro.field-added-without-default")["services"] == ["checkout"]

    (project.root / "schemas/orders/Order.avsc").unlink()
    _, report = project.gate_json("--against", "HEAD")
    assert _finding(report, "gate.subject-deleted")["services"] == ["billing", "checkout"]


def test_a_malformed_contract_is_a_configuration_error(project: Project) -> None:
    project.write("contracts/billing.yaml", "service: billing\nconsumes:\n  - orders.Order\n")
    project.write("schemas/orders/Order.avsc", ORDER_BREAKING)
    result = project.gate("--against", "HEAD")
    assert result.exit_code == 2
    assert (
        "contracts/billing.yaml:3: consumes[0] must be a mapping with 'subject' and "
        "'transport', not the bare subject 'orders.Order'"
    ) in " ".join(result.stderr.split())


def test_forward_level_breaks_consumers(project: Project) -> None:
    project.write("pyproject.toml", '[tool.esr]\ncompatibility = "FORWARD"\n')
    removed = avro_record("Order", '{"name": "id", "type": "string"}')
    project.write("schemas/orders/Order.avsc", ORDER_BREAKING)
    project.commit("coupon without default")
    project.write("schemas/orders/Order.avsc", removed)
    code, report = project.gate_json("--against", "HEAD")
    assert code == 1, report
    assert all(f["direction"] == "FORWARD" for f in report["findings"])
    assert all(f["breaks"] == ["consumers"] for f in report["findings"])


def test_schemas_dir_and_config_path_from_pyproject(project: Project) -> None:
    project.git("mv", "schemas", "events")
    project.commit("move")
    project.write("pyproject.toml", '[tool.esr]\nschemas = "events"\n')
    project.write("events/orders/Order.avsc", ORDER_BREAKING)
    code, report = project.gate_json("--against", "HEAD")
    assert code == 1
    assert report["schemasDir"] == "events"
    assert (
        _finding(report, "avro.field-added-without-default")["file"] == "events/orders/Order.avsc"
    )


def test_unchanged_tree_passes_with_every_subject_listed(project: Project) -> None:
    code, report = project.gate_json("--against", "HEAD")
    assert code == 0
    assert {s["subject"]: s["status"] for s in report["subjects"]} == {
        "crm.Customer": "unchanged",
        "orders.Order": "unchanged",
    }


def test_json_output_is_stable_json(project: Project) -> None:
    project.write("schemas/orders/Order.avsc", ORDER_V1.replace('"double"', '"float"'))
    result = project.gate("--against", "HEAD", "--format", "json")
    data = json.loads(result.stdout)
    assert data["formatVersion"] == 1
    assert result.exit_code == data["exitCode"]
