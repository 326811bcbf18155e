"""``esr gate --against URL``: files judged against what a live ``esr serve`` has registered."""

from __future__ import annotations

from pathlib import Path

import httpx
from typer.testing import CliRunner

from registry.cli.main import app
from tests.cli.conftest import (
    ORDER_BREAKING,
    ORDER_BREAKING_LINE,
    ORDER_V1,
    ORDER_WITH_DEFAULT,
    avro_record,
    gate_tree,
    write_tree,
)
from tests.support.server import ServerProcess, free_port

CONTENT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}


def _register(server: ServerProcess, subject: str, text: str) -> None:
    response = httpx.post(
        f"{server.url}/subjects/{subject}/versions", json={"schema": text}, headers=CONTENT
    )
    assert response.status_code == 200, response.text


def _config(server: ServerProcess, subject: str, level: str) -> None:
    response = httpx.put(
        f"{server.url}/config/{subject}", json={"compatibility": level}, headers=CONTENT
    )
    assert response.status_code == 200, response.text


def test_breaking_unchanged_and_new_subjects(live_registry: ServerProcess, workdir: Path) -> None:
    _register(live_registry, "r1.Order", ORDER_V1)
    _register(live_registry, "r1.Same", ORDER_V1)
    write_tree(
        workdir,
        {
            "r1/Order.avsc": ORDER_BREAKING,
            "r1/Same.avsc": ORDER_V1,
            "r1/Fresh.avsc": avro_record("Fresh", '{"name": "id", "type": "string"}'),
        },
    )
    code, report = gate_tree(workdir, live_registry.url)
    assert code == 1
    statuses = {s["subject"]: s["status"] for s in report["subjects"]}
    assert statuses == {"r1.Fresh": "new", "r1.Order": "breaking", "r1.Same": "unchanged"}
    (finding,) = report["findings"]
    assert finding["rule"] == "avro.field-added-without-default"
    assert finding["against"] == "version 1"
    assert finding["file"] == "schemas/r1/Order.avsc"
    assert finding["line"] == ORDER_BREAKING_LINE
    assert report["against"] == {"kind": "registry", "value": live_registry.url}


def test_compatible_change_passes(live_registry: ServerProcess, workdir: Path) -> None:
    _register(live_registry, "r2.Order", ORDER_V1)
    write_tree(workdir, {"r2/Order.avsc": ORDER_WITH_DEFAULT})
    code, report = gate_tree(workdir, live_registry.url)
    assert code == 0
    assert report["subjects"][0]["status"] == "compatible"


def test_level_comes_from_the_registry_unless_pyproject_says(
    live_registry: ServerProcess, workdir: Path
) -> None:
    _register(live_registry, "r3.Order", ORDER_V1)
    _config(live_registry, "r3.Order", "NONE")
    write_tree(workdir, {"r3/Order.avsc": ORDER_BREAKING})
    code, report = gate_tree(workdir, live_registry.url)
    assert code == 0
    assert report["subjects"][0]["compatibility"] == "NONE"

    (workdir / "pyproject.toml").write_text('[tool.esr]\ncompatibility = "BACKWARD"\n')
    code, report = gate_tree(workdir, live_registry.url)
    assert code == 1
    assert report["subjects"][0]["compatibility"] == "BACKWARD"


def test_transitive_level_checks_every_registered_version(
    live_registry: ServerProcess, workdir: Path
) -> None:
    v2 = avro_record(
        "Order",
        '{"name": "id", "type": "string"}',
        '{"name": "amount", "type": "double"}',
        '{"name": "coupon", "type": "string", "default": ""}',
    )
    _register(live_registry, "r4.Order", ORDER_V1)
    _register(live_registry, "r4.Order", v2)
    write_tree(workdir, {"r4/Order.avsc": ORDER_BREAKING})
    _config(live_registry, "r4.Order", "BACKWARD")
    assert gate_tree(workdir, live_registry.url)[0] == 0
    _config(live_registry, "r4.Order", "BACKWARD_TRANSITIVE")
    code, report = gate_tree(workdir, live_registry.url)
    assert code == 1
    assert {f["against"] for f in report["findings"]} == {"version 1"}


def test_invalid_file_exits_2_against_a_registry(
    live_registry: ServerProcess, workdir: Path
) -> None:
    write_tree(workdir, {"r5/Order.avsc": "{"})
    code, report = gate_tree(workdir, live_registry.url)
    assert code == 2
    assert report["subjects"][0]["status"] == "invalid"


def test_unreachable_registry_exits_3(workdir: Path) -> None:
    write_tree(workdir, {"r6/Order.avsc": ORDER_V1})
    url = f"http://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(
        app, ["gate", "schemas", "--against", url, "--timeout", "2"], catch_exceptions=False
    )
    assert result.exit_code == 3
    assert "unreachable" in result.stderr


def test_references_of_registered_versions_are_resolved_from_the_registry(
    live_registry: ServerProcess, workdir: Path
) -> None:
    customer = '{"name": "customer", "type": "com.shop.Customer"}'
    inlined = (
        '{"name": "customer", "type": {"type": "record", "name": "Customer", '
        '"fields": [{"name": "id", "type": "string"}]}}'
    )
    _register(
        live_registry, "r7.Customer", avro_record("Customer", '{"name": "id", "type": "string"}')
    )
    reference = {"name": "com.shop.Customer", "subject": "r7.Customer", "version": 1}
    response = httpx.post(
        f"{live_registry.url}/subjects/r7.Order/versions",
        json={"schema": avro_record("Order", customer), "references": [reference]},
        headers=CONTENT,
    )
    assert response.status_code == 200, response.text
    write_tree(
        workdir,
        {"r7/Order.avsc": avro_record("Order", inlined, '{"name": "coupon", "type": "string"}')},
    )
    code, report = gate_tree(workdir, live_registry.url)
    assert code == 1, report
    (finding,) = report["findings"]
    assert finding["rule"] == "avro.field-added-without-default"
    assert finding["against"] == "version 1"
