"""``esr check`` offline, and ``esr push`` (and ``--dry-run``) against a live server."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner, Result

from registry.cli.main import app
from registry.formats.tree import load_tree
from tests.cli.conftest import (
    CUSTOMER_OPEN_ADDITION,
    CUSTOMER_V1,
    ORDER_BREAKING,
    ORDER_V1,
    ORDER_WITH_DEFAULT,
    avro_record,
)
from tests.support.server import ServerProcess, free_port


def _esr(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _files(tmp_path: Path, **texts: str) -> dict[str, str]:
    paths = {}
    for name, text in texts.items():
        path = tmp_path / name.replace("_", ".")
        path.write_text(text)
        paths[name] = str(path)
    return paths


def test_check_compatible_exits_0(tmp_path: Path) -> None:
    f = _files(tmp_path, v1_avsc=ORDER_V1, v2_avsc=ORDER_WITH_DEFAULT)
    result = _esr("check", f["v1_avsc"], f["v2_avsc"])
    assert result.exit_code == 0
    assert result.stdout.startswith("compatible (BACKWARD, STRICT)")


def test_check_incompatible_exits_1_with_rule_ids_in_json(tmp_path: Path) -> None:
    f = _files(tmp_path, v1_avsc=ORDER_V1, v2_avsc=ORDER_BREAKING)
    result = _esr("check", f["v1_avsc"], f["v2_avsc"], "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["compatible"] is False
    assert data["schemaType"] == "AVRO"
    assert [x["rule"] for x in data["findings"]] == ["avro.field-added-without-default"]
    assert data["findings"][0]["file"] == f["v1_avsc"]
    assert data["findings"][0]["breaks"] == "producers"


@pytest.mark.parametrize(("mode", "expected"), [("BACKWARD", 1), ("FORWARD", 0), ("FULL", 1)])
def test_check_modes(tmp_path: Path, mode: str, expected: int) -> None:
    f = _files(tmp_path, v1_avsc=ORDER_V1, v2_avsc=ORDER_BREAKING)
    assert _esr("check", f["v1_avsc"], f["v2_avsc"], "--mode", mode).exit_code == expected


@pytest.mark.parametrize(("mode", "expected"), [("BACKWARD", 0), ("BACKWARD_TRANSITIVE", 1)])
def test_check_transitive_uses_previous_versions(tmp_path: Path, mode: str, expected: int) -> None:
    v2 = avro_record(
        "Order",
        '{"name": "id", "type": "string"}',
        '{"name": "amount", "type": "double"}',
        '{"name": "coupon", "type": "string", "default": ""}',
    )
    f = _files(tmp_path, v1_avsc=ORDER_V1, v2_avsc=v2, v3_avsc=ORDER_BREAKING)
    result = _esr("check", "--previous", f["v1_avsc"], f["v2_avsc"], f["v3_avsc"], "--mode", mode)
    assert result.exit_code == expected
    if expected:
        assert f["v1_avsc"] in result.stdout


@pytest.mark.parametrize(("policy", "expected"), [("STRICT", 1), ("LENIENT", 0)])
def test_check_json_schema_policy(tmp_path: Path, policy: str, expected: int) -> None:
    f = _files(tmp_path, v1_json=CUSTOMER_V1, v2_json=CUSTOMER_OPEN_ADDITION)
    assert _esr("check", f["v1_json"], f["v2_json"], "--policy", policy).exit_code == expected


def test_check_type_option_overrides_the_extension(tmp_path: Path) -> None:
    f = _files(tmp_path, v1_txt=ORDER_V1, v2_txt=ORDER_WITH_DEFAULT)
    assert _esr("check", f["v1_txt"], f["v2_txt"]).exit_code == 2
    assert _esr("check", f["v1_txt"], f["v2_txt"], "--type", "avro").exit_code == 0


@pytest.mark.parametrize(
    ("texts", "args", "message"),
    [
        ({"v1_avsc": ORDER_V1, "v2_avsc": "{"}, [], "v2.avsc"),
        ({"v1_avsc": ORDER_V1, "v2_json": CUSTOMER_V1}, [], "mix"),
        ({"v1_avsc": ORDER_V1, "v2_avsc": ORDER_V1}, ["--mode", "SIDEWAYS"], "compatibility level"),
        ({"v1_avsc": ORDER_V1, "v2_avsc": ORDER_V1}, ["--policy", "LAX"], "policy"),
        ({"v1_avsc": ORDER_V1, "v2_avsc": ORDER_V1}, ["--type", "PROTOBUF"], "PROTOBUF"),
        ({"v1_avsc": ORDER_V1, "v2_avsc": ORDER_V1}, ["--format", "xml"], "--format"),
    ],
)
def test_check_bad_input_exits_2(
    tmp_path: Path, texts: dict[str, str], args: list[str], message: str
) -> None:
    f = _files(tmp_path, **texts)
    first, second = f.values()
    result = _esr("check", first, second, *args)
    assert result.exit_code == 2
    assert message in result.stderr


ORDER_WITHOUT_AMOUNT = avro_record("Order", '{"name": "id", "type": "string"}')


def test_check_with_a_read_set_downgrades_what_is_not_read(tmp_path: Path) -> None:
    """A field added without a default breaks BACKWARD; a consumer reading /amount only does
    not care."""
    f = _files(tmp_path, v1_avsc=ORDER_V1, v2_avsc=ORDER_BREAKING)
    result = _esr("check", f["v1_avsc"], f["v2_avsc"], "--reads", "/amount")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("compatible (BACKWARD, STRICT, for a consumer reading /amount)")
    assert "[avro.field-added-without-default]" in result.stdout
    assert "[warning: not read]" in result.stdout
    result = _esr("check", f["v1_avsc"], f["v2_avsc"], "--reads", "/id,/coupon")
    assert result.exit_code == 1


def test_check_with_a_read_set_catches_a_removal_the_level_allows(tmp_path: Path) -> None:
    f = _files(tmp_path, v1_avsc=ORDER_V1, v2_avsc=ORDER_WITHOUT_AMOUNT)
    assert _esr("check", f["v1_avsc"], f["v2_avsc"]).exit_code == 0
    result = _esr("check", f["v1_avsc"], f["v2_avsc"], "--reads", "/amount", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["compatible"], data["levelCompatible"]) == (False, True)
    (broken,) = data["consumerFindings"]
    assert broken["blocking"] and broken["pointers"] == ["/amount"]
    assert "amount" not in broken["example"]
    assert _esr("check", f["v1_avsc"], f["v2_avsc"], "--reads", "/id").exit_code == 0


@pytest.mark.parametrize("reads", ["amount", "/bad~2", ","])
def test_check_malformed_reads_exit_2(tmp_path: Path, reads: str) -> None:
    f = _files(tmp_path, v1_avsc=ORDER_V1, v2_avsc=ORDER_BREAKING)
    result = CliRunner().invoke(app, ["check", f["v1_avsc"], f["v2_avsc"], "--reads", reads])
    assert result.exit_code == 2
    assert "pointer" in result.output.lower()


def test_check_missing_file_exits_2(tmp_path: Path) -> None:
    f = _files(tmp_path, v1_avsc=ORDER_V1)
    result = _esr("check", f["v1_avsc"], str(tmp_path / "nope.avsc"))
    assert result.exit_code == 2
    assert "nope.avsc" in result.stderr


# --- esr push ---------------------------------------------------------------------------------


def _tree(root: Path, **schemas: str) -> Path:
    for name, text in schemas.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _versions(server: ServerProcess, subject: str) -> list[int]:
    response = httpx.get(f"{server.url}/subjects/{subject}/versions")
    return response.json() if response.status_code == 200 else []


def test_push_dry_run_changes_nothing_and_push_registers(
    live_registry: ServerProcess, tmp_path: Path
) -> None:
    first = _tree(
        tmp_path / "v1", **{"shop/Order.avsc": ORDER_V1, "shop/Customer.json": CUSTOMER_V1}
    )
    result = _esr("push", str(first), "--registry", live_registry.url, "--dry-run")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.count("new subject") == 3  # two rows and the counts line
    assert _versions(live_registry, "shop.Order") == []

    assert _esr("push", str(first), "--registry", live_registry.url).exit_code == 0
    assert _versions(live_registry, "shop.Order") == [1]

    second = _tree(
        tmp_path / "v2",
        **{
            "shop/Order.avsc": ORDER_BREAKING,
            "shop/Customer.json": CUSTOMER_V1,
            "shop/Refund.avsc": avro_record("Refund", '{"name": "id", "type": "string"}'),
            "shop/Broken.avsc": "{",
        },
    )
    result = _esr("push", str(second), "--registry", live_registry.url, "--dry-run")
    assert result.exit_code == 1
    rows = {line.split()[1]: line for line in result.stdout.splitlines() if "shop." in line}
    assert "rejected" in rows["shop.Order"]
    assert "unchanged" in rows["shop.Customer"]
    assert "new subject" in rows["shop.Refund"]
    assert "rejected" in rows["shop.Broken"] and "invalid AVRO schema" in rows["shop.Broken"]
    assert _versions(live_registry, "shop.Order") == [1]
    assert _versions(live_registry, "shop.Refund") == []

    third = _tree(tmp_path / "v3", **{"shop/Order.avsc": ORDER_WITH_DEFAULT})
    dry = _esr("push", str(third), "--registry", live_registry.url, "--dry-run")
    assert dry.exit_code == 0 and "new version" in dry.stdout
    assert _esr("push", str(third), "--registry", live_registry.url).exit_code == 0
    assert _versions(live_registry, "shop.Order") == [1, 2]


def test_push_unreachable_registry_exits_3(tmp_path: Path) -> None:
    tree = _tree(tmp_path, **{"shop/Order.avsc": ORDER_V1})
    url = f"http://127.0.0.1:{free_port()}"
    result = _esr("push", str(tree), "--registry", url, "--timeout", "2")
    assert result.exit_code == 3
    assert "unreachable" in result.stderr


def test_push_missing_directory_exits_2(tmp_path: Path) -> None:
    result = _esr("push", str(tmp_path / "none"), "--registry", "http://127.0.0.1:9")
    assert result.exit_code == 2


def test_push_dry_run_on_the_example_catalogue(live_registry: ServerProcess) -> None:
    catalogue = Path(__file__).resolve().parents[2] / "schemas"
    if not catalogue.is_dir():
        pytest.skip("the example catalogue schemas/ is not in this checkout")
    count = len(load_tree(catalogue))
    dry = _esr("push", str(catalogue), "--registry", live_registry.url, "--dry-run")
    assert dry.exit_code == 0, dry.stdout
    assert f"{count} new subject, 0 new version, 0 unchanged, 0 rejected" in dry.stdout
