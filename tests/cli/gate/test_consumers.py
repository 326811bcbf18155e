"""``esr gate --consumers ENV``: findings weighed by what the consumers deployed in ENV read.

A real ``esr serve`` knows one consumer deployed in ``prod``: billing b1, which reads the order
with ``Order`` version 1 (``id``, ``amount``) and reads only ``/amount``. The schemas repository
changes ``orders.Order`` against its git base, and the gate asks the registry for the deployed
consumers only.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from tests.cli.conftest import ORDER_BREAKING, ORDER_V1, Project, avro_record
from tests.support.server import ServerProcess, running_server

WITHOUT_AMOUNT = avro_record("Order", '{"name": "id", "type": "string"}')
AMOUNT_AS_STRING = avro_record(
    "Order", '{"name": "id", "type": "string"}', '{"name": "amount", "type": "string"}'
)
REPORT_SCHEMA = json.loads(
    (Path(__file__).parents[3] / "docs" / "gate-output.schema.json").read_text()
)
FORMATS = ("text", "json", "github", "markdown", "junit", "sarif")


def _ok(response: httpx.Response) -> Any:
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """``esr serve`` where billing b1 (reads /amount of orders.Order) runs in prod, and
    nothing runs in staging."""
    database = tmp_path_factory.mktemp("deployed") / "registry.db"
    with running_server(f"sqlite:///{database}") as server:
        api = f"{server.url}/api"
        for environment in ("prod", "staging"):
            _ok(httpx.put(f"{api}/environments/{environment}"))
        contract = {
            "role": "consumes",
            "subject": "orders.Order",
            "transport": "sqs",
            "destination": "billing-orders",
            "schemaType": "AVRO",
            "schema": ORDER_V1,
            "reads": ["/amount"],
        }
        _ok(
            httpx.put(
                f"{api}/services/billing/versions/b1/contracts", json={"contracts": [contract]}
            )
        )
        deployment = {"service": "billing", "version": "b1", "environment": "prod"}
        _ok(httpx.post(f"{api}/deployments", json=deployment))
        yield server


def _gate(project: Project, server: ServerProcess, *args: str) -> tuple[int, dict[str, Any]]:
    return project.gate_json(
        "--against", "main", "--consumers", "prod", "--registry", server.url, *args
    )


def _order(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["subject"] == "orders.Order"]


def test_a_level_finding_no_deployed_consumer_reads_is_a_warning(
    project: Project, deployed: ServerProcess
) -> None:
    """A field added without a default breaks BACKWARD, but billing does not read it."""
    project.write("schemas/orders/Order.avsc", ORDER_BREAKING)
    code, _ = project.gate_json("--against", "main")
    assert code == 1
    code, report = _gate(project, deployed)
    assert code == 0, report
    (finding,) = _order(report)
    assert finding["rule"] == "avro.field-added-without-default"
    assert (finding["severity"], finding["blocking"], finding["downgraded"]) == (
        "warning",
        False,
        True,
    )
    assert finding["consumers"] == {
        "environment": "prod",
        "pointers": ["/coupon"],
        "readers": [],
        "considered": ["billing b1"],
        "downgraded": True,
    }
    assert report["consumers"] == {"environment": "prod", "registry": deployed.url}
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)
    assert report["summary"]["downgraded"] == 1
    # --fail-on warning still fails on it: the downgrade is visible, not hidden.
    code, _ = _gate(project, deployed, "--fail-on", "warning")
    assert code == 1


def test_a_change_to_a_field_a_deployed_consumer_reads_stays_an_error(
    project: Project, deployed: ServerProcess
) -> None:
    project.write("schemas/orders/Order.avsc", AMOUNT_AS_STRING)
    code, report = _gate(project, deployed)
    assert code == 1
    level = [f for f in _order(report) if f["direction"] == "BACKWARD"]
    assert level and all(f["blocking"] and not f["downgraded"] for f in level)
    assert all(f["consumers"]["readers"] == ["billing b1"] for f in level)
    assert level[0]["advice"] == "read by billing b1 deployed in prod"


def test_removing_a_field_the_level_allows_breaks_the_consumer_reading_it(
    project: Project, deployed: ServerProcess
) -> None:
    """BACKWARD lets a field go; billing b1 reads it with a schema that requires it."""
    project.write("schemas/orders/Order.avsc", WITHOUT_AMOUNT)
    code, plain = project.gate_json("--against", "main")
    assert code == 0 and not _order(plain)
    code, report = _gate(project, deployed)
    assert code == 1
    (finding,) = [f for f in _order(report) if f["blocking"]]
    assert finding["services"] == ["billing"]
    assert finding["against"] == "billing b1"
    assert "billing b1 (deployed in prod) reads /amount" in finding["message"]
    assert finding["consumers"]["pointers"] == ["/amount"]
    assert finding["consumers"]["reads"] == ["/amount"]
    assert "example" in finding and "amount" not in finding["example"]
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)


def test_every_output_format_says_it(
    project: Project, deployed: ServerProcess, tmp_path: Path
) -> None:
    project.write("schemas/orders/Order.avsc", WITHOUT_AMOUNT)
    project.write(
        "schemas/crm/Customer.json", project.root.joinpath("schemas/crm/Customer.json").read_text()
    )
    outputs = {fmt: tmp_path / f"gate.{fmt}" for fmt in FORMATS}
    args = [item for fmt in FORMATS for item in ("--format", f"{fmt}={outputs[fmt]}")]
    result = project.gate(
        "--against", "main", "--consumers", "prod", "--registry", deployed.url, *args
    )
    assert result.exit_code == 1, result.output
    texts = {fmt: path.read_text() for fmt, path in outputs.items()}
    for fmt, text in texts.items():
        assert "billing b1 (deployed in prod) reads /amount" in text, fmt
    assert "consumers deployed in prod" in texts["text"]
    assert "consumers deployed in prod" in texts["markdown"]
    ET.fromstring(texts["junit"])
    sarif = json.loads(texts["sarif"])
    assert any("billing b1" in r["message"]["text"] for r in sarif["runs"][0]["results"])
    # The downgraded finding, in every format too.
    project.write("schemas/orders/Order.avsc", ORDER_BREAKING)
    result = project.gate(
        "--against", "main", "--consumers", "prod", "--registry", deployed.url, *args
    )
    assert result.exit_code == 0, result.output
    for fmt, path in outputs.items():
        text = path.read_text()
        assert "no consumer deployed in prod reads /coupon" in text, fmt
        assert "downgraded" in text, fmt


def test_no_consumer_deployed_downgrades_every_level_finding(
    project: Project, deployed: ServerProcess
) -> None:
    project.write("schemas/orders/Order.avsc", ORDER_BREAKING)
    code, report = project.gate_json(
        "--against", "main", "--consumers", "staging", "--registry", deployed.url
    )
    assert code == 0
    (finding,) = _order(report)
    assert finding["downgraded"] and finding["consumers"]["considered"] == []
    assert finding["advice"] == (
        "no consumer deployed in staging reads /coupon (consumers considered: none)"
    )


def test_settings_from_pyproject_and_the_environment(
    project: Project, deployed: ServerProcess
) -> None:
    project.write("schemas/orders/Order.avsc", ORDER_BREAKING)
    project.write(
        "pyproject.toml",
        f'[tool.esr]\nconsumers = "prod"\nregistry = "{deployed.url}"\n',
    )
    code, report = project.gate_json("--against", "main")
    assert code == 0 and report["consumers"]["environment"] == "prod"
    project.write("pyproject.toml", '[tool.esr]\nconsumers = "prod"\n')
    result = project.gate(
        "--against", "main", "--format", "json", env={"ESR_REGISTRY_URL": deployed.url}
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["consumers"]["registry"] == deployed.url


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--consumers", "prod"], "say which registry knows the deployments"),
        (["--consumers", "nowhere", "--registry", "{url}"], "Environment 'nowhere' not found"),
        (["--consumers", "prod", "--registry", "registry:8081"], "give the registry's URL"),
    ],
)
def test_bad_input_exits_2(
    project: Project, deployed: ServerProcess, args: list[str], message: str
) -> None:
    project.write("schemas/orders/Order.avsc", ORDER_BREAKING)
    filled = [a.replace("{url}", deployed.url) for a in args]
    result = project.gate("--against", "main", *filled, env={"ESR_REGISTRY_URL": ""})
    assert result.exit_code == 2, result.output
    assert message in result.output
