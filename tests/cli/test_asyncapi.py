"""``esr asyncapi export|import``: output formats, files, exit codes (0 ok, 2 bad input)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from registry.cli.main import app
from tests.asyncapi.specs import problems
from tests.support.server import ESR

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "asyncapi" / "data"


def esr(*args: str) -> Result:
    return CliRunner().invoke(app, ["asyncapi", *args], catch_exceptions=False)


def test_export_writes_yaml_to_stdout_that_validates() -> None:
    result = esr("export", str(ROOT / "contracts"))

    assert result.exit_code == 0, result.stderr
    document = yaml.safe_load(result.stdout)
    assert problems(document) == []
    assert document["info"] == {"title": "Event contracts", "version": "1.0.0"}


def test_export_to_a_json_file_by_its_extension_with_title_and_version(tmp_path: Path) -> None:
    output = tmp_path / "shop.json"

    result = esr(
        "export", str(ROOT / "contracts"), "-o", str(output),
        "--title", "Shop", "--info-version", "2.0.0",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "13 channels, 19 operations, 10 messages" in result.stderr
    document = json.loads(output.read_text())
    assert document["info"] == {"title": "Shop", "version": "2.0.0"}


def test_format_json_to_stdout_and_one_service() -> None:
    result = esr("export", str(ROOT / "contracts"), "--format", "json", "--service", "payments")

    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert problems(document) == []
    assert document["info"]["description"] == "Talks to the payment provider and keeps the ledger."
    assert {op["x-esr-service"] for op in document["operations"].values()} == {"payments"}


def test_the_schemas_default_to_the_tree_next_to_the_contracts() -> None:
    done = subprocess.run(
        [str(ESR), "asyncapi", "export"], cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout == esr("export", str(ROOT / "contracts")).stdout


def test_export_then_import_round_trips_through_the_command_line(tmp_path: Path) -> None:
    exported = tmp_path / "shop.yaml"
    assert esr("export", str(ROOT / "contracts"), "-o", str(exported)).exit_code == 0

    result = esr("import", str(exported), "-o", str(tmp_path / "out"))

    assert result.exit_code == 0, result.stderr
    assert f"wrote {tmp_path / 'out' / 'contracts' / 'orders.yaml'}" in result.stdout
    assert "4 services, 19 contract entries, 10 schemas" in result.stderr
    again = esr("export", str(tmp_path / "out" / "contracts"), "-o", str(tmp_path / "again.yaml"))
    assert again.exit_code == 0, again.stderr
    assert (tmp_path / "again.yaml").read_bytes() == exported.read_bytes()


def test_import_of_a_2_6_document_into_the_current_directory(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(ESR), "asyncapi", "import", str(DATA / "billing-2.6.yaml")],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert (tmp_path / "contracts" / "billing-service.yaml").is_file()
    assert (tmp_path / "schemas" / "billing" / "InvoicePaid.avsc").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "{root}/contracts", "--service", "billing"], "Service 'billing' not found"),
        (["export", "{tmp}/empty"], "no contracts (*.yaml, *.yml) to export"),
        (["export", "{tmp}/missing"], "not a directory of contracts"),
        (["export", "{root}/contracts", "--schemas", "{tmp}"], "unknown subject"),
        (["export", "{root}/contracts", "--format", "xml"], "--format: use yaml or json"),
        (["import", "{tmp}/nothing.yaml"], "cannot read"),
        (["import", "{tmp}/notes.txt"], "no 'asyncapi' field: not an AsyncAPI document"),
        (["import", "{tmp}/old.yaml"], "unsupported AsyncAPI version '1.2.0'"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("just: some yaml\n")
    (tmp_path / "old.yaml").write_text("asyncapi: 1.2.0\n")
    given = [a.format(root=ROOT, tmp=tmp_path) for a in args]

    result = esr(*given, "-o", str(tmp_path / "out"))

    assert result.exit_code == 2, result.stdout
    assert message in result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_an_invalid_document_writes_nothing(tmp_path: Path) -> None:
    document = yaml.safe_load((DATA / "fulfilment-3.0.yaml").read_text())
    del document["components"]["messages"]["OrderShipped"]["payload"]
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(document))

    result = esr("import", str(tmp_path / "bad.yaml"), "-o", str(tmp_path / "out"))

    assert result.exit_code == 2
    assert "message 'orders.OrderShipped' has no payload" in result.stderr
    assert not (tmp_path / "out").exists()


def test_import_says_why_it_cannot_read_without_the_raw_exception(tmp_path: Path) -> None:
    missing = tmp_path / "x.yaml"

    result = esr("import", str(missing), "-o", str(tmp_path / "out"))

    assert result.exit_code == 2
    assert result.stderr == f"error: {missing}: cannot read (No such file or directory)\n"


def test_numeric_keys_exit_2_with_one_line(tmp_path: Path) -> None:
    source = tmp_path / "n.yaml"
    source.write_text(
        "asyncapi: 3.0.0\ninfo: {title: A, version: '1'}\noperations: {5: {}, a: {}}\n"
    )

    result = esr("import", str(source), "-o", str(tmp_path / "out"))

    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {source}: #/operations: the key 5 is a int, not a string (quote it: '5')\n"
    )


def test_import_into_a_tree_with_a_file_in_the_way_writes_nothing(tmp_path: Path) -> None:
    exported = tmp_path / "shop.yaml"
    assert esr("export", str(ROOT / "contracts"), "-o", str(exported)).exit_code == 0
    (tmp_path / "pw" / "schemas").mkdir(parents=True)
    (tmp_path / "pw" / "schemas" / "orders").write_text("x\n")

    result = esr("import", str(exported), "-o", str(tmp_path / "pw"))

    assert result.exit_code == 2
    blocker = tmp_path / "pw" / "schemas" / "orders"
    assert result.stderr == f"error: {blocker}: cannot write (Not a directory)\n"
    assert sorted(p.name for p in (tmp_path / "pw").rglob("*")) == ["orders", "schemas"]


def test_export_replaces_the_output_by_renaming_a_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "shop.yaml"
    output.write_text("old\n")
    renamed: list[tuple[str, str]] = []
    real_replace = os.replace

    def replace(source: Any, target: Any) -> None:
        renamed.append((Path(source).parent.name, Path(target).name))
        assert output.read_text() == "old\n"  # untouched until the rename
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)

    result = esr("export", str(ROOT / "contracts"), "-o", str(output))

    assert result.exit_code == 0, result.stderr
    assert renamed == [(tmp_path.name, "shop.yaml")]
    assert output.read_text().startswith("asyncapi: 3.0.0\n")
    assert [p.name for p in tmp_path.iterdir()] == ["shop.yaml"]


def test_export_that_cannot_write_says_why(tmp_path: Path) -> None:
    output = tmp_path / "missing" / "shop.yaml"

    result = esr("export", str(ROOT / "contracts"), "-o", str(output))

    assert result.exit_code == 2
    assert result.stderr == f"error: {output}: cannot write (No such file or directory)\n"
