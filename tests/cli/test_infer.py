"""``esr infer``: schemas from sample events on files or stdin, and widenings of an existing one."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import fastavro
import pytest
from typer.testing import CliRunner, Result

from registry.cli.main import app
from registry.compatibility import check_compatibility
from registry.domain import CompatibilityLevel, SchemaType
from registry.formats import get_format
from registry.formats.base import ParsedSchema
from tests.support.server import ESR

ROOT = Path(__file__).resolve().parents[2]
ORDER_PLACED = ROOT / "schemas" / "orders" / "OrderPlaced.json"
JSON = get_format(SchemaType.JSON)
EVENTS = [
    {"id": "0b6f3c1e-4d8a-4f6e-9a51-2f0d3c7b9e10", "channel": "web", "total": 10},
    {"id": "123e4567-e89b-12d3-a456-426614174000", "total": 12.5},
]
CUSTOMER = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["id"],
    "properties": {"id": {"type": "string"}, "tier": {"enum": ["gold", "silver"]}},
}


def esr(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, ["infer", *args], input=stdin, catch_exceptions=False)


def lines(events: list[Any]) -> str:
    return "".join(json.dumps(event) + "\n" for event in events)


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_json_lines_give_a_draft_2020_12_schema_on_stdout(tmp_path: Path) -> None:
    result = esr(write(tmp_path, "events.jsonl", lines(EVENTS)))
    assert result.exit_code == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["id", "total"]
    assert schema["properties"]["id"] == {"type": "string", "format": "uuid"}
    assert schema["properties"]["total"] == {"type": "number"}


@pytest.mark.parametrize(
    ("files", "stdin"),
    [
        ({"all.json": json.dumps(EVENTS, indent=2)}, None),
        ({"a.json": json.dumps(EVENTS[0]), "b.json": json.dumps(EVENTS[1], indent=2)}, None),
        ({"events.ndjson": lines(EVENTS)}, None),
        ({"events.txt": lines(EVENTS)}, None),
        ({}, json.dumps(EVENTS)),
        ({}, lines(EVENTS)),
        ({"-": ""}, lines(EVENTS)),
    ],
    ids=["json-array", "json-files", "ndjson", "sniffed", "stdin-array", "stdin-lines", "dash"],
)
def test_every_input_shape_reads_the_same_events(
    tmp_path: Path, files: dict[str, str], stdin: str | None
) -> None:
    paths = [name if name == "-" else write(tmp_path, name, text) for name, text in files.items()]
    result = esr(*paths, stdin=stdin)
    assert result.exit_code == 0, result.stderr
    expected = esr(write(tmp_path, "expected.jsonl", lines(EVENTS)))
    assert json.loads(result.stdout) == json.loads(expected.stdout)


def test_avro_goes_to_the_output_file_and_encodes_the_events(tmp_path: Path) -> None:
    events = write(tmp_path, "order-placed.jsonl", lines(EVENTS))
    target = tmp_path / "OrderPlaced.avsc"
    result = esr(events, "--type", "avro", "--namespace", "shop.orders", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    schema = json.loads(target.read_text(encoding="utf-8"))
    assert (schema["name"], schema["namespace"]) == ("OrderPlaced", "shop.orders")  # the stem
    buffer = io.BytesIO()
    fastavro.writer(buffer, fastavro.parse_schema(schema), EVENTS)
    assert len(list(fastavro.reader(io.BytesIO(buffer.getvalue())))) == 2


def test_options_shape_the_schema(tmp_path: Path) -> None:
    events = write(tmp_path, "e.jsonl", lines([{"c": c, "at": "2024-01-02"} for c in "abab"]))
    schema = json.loads(esr(events, "--enum-threshold", "2", "--no-formats").stdout)
    assert schema["properties"] == {
        "c": {"type": "string", "enum": ["a", "b"]},
        "at": {"type": "string"},
    }
    avro = json.loads(esr(events, "-t", "AVRO", "--name", "E", "--enum-threshold", "2").stdout)
    assert avro["fields"][0]["type"] == {"type": "enum", "name": "C", "symbols": ["a", "b"]}
    closed = json.loads(esr(events, "--closed", "--name", "Seen").stdout)
    assert (closed["title"], closed["additionalProperties"]) == ("Seen", False)


@pytest.mark.parametrize(
    ("files", "args", "message"),
    [
        ({"e.jsonl": "\n\n"}, [], "no samples: "),
        ({"e.jsonl": '{"a": 1}\n{"a": 2\n'}, [], "e.jsonl:2: malformed JSON"),
        ({"e.json": '{\n  "a": 1,\n  "b":\n}'}, [], "e.json:4: malformed JSON"),
        ({"e.jsonl": lines(EVENTS)}, ["--type", "protobuf"], "--type: use json or avro"),
        ({"e.jsonl": lines([{"a": {"x": 1}}, {"a": 2}])}, ["-t", "avro"], "/a is an object"),
        ({"e.jsonl": lines([{"a": 1}, [1]])}, ["-t", "avro"], "sample 1 is a JSON array"),
        ({"e.jsonl": lines(EVENTS)}, ["-t", "avro", "--name", "my event"], "not a valid Avro"),
        ({"e.jsonl": lines(EVENTS)}, ["missing.jsonl"], "missing.jsonl: cannot read"),
        ({"e.jsonl": lines(EVENTS)}, ["--level", "SIDEWAYS"], "compatibility level"),
        ({"e.jsonl": lines(EVENTS)}, ["--format", "xml"], "--format: use text or json"),
        ({"e.jsonl": lines(EVENTS), "s.yaml": "{}"}, ["--existing"], "cannot tell the schema"),
        ({"e.jsonl": lines(EVENTS), "s.json": "{"}, ["--existing"], "s.json: "),
    ],
)
def test_bad_input_exits_2(
    tmp_path: Path, files: dict[str, str], args: list[str], message: str
) -> None:
    paths = [write(tmp_path, name, text) for name, text in files.items()]
    if args[-1:] == ["--existing"]:
        args = [*args, paths.pop()]
    result = esr(*paths, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_an_enum_threshold_below_one_is_a_usage_error(tmp_path: Path) -> None:
    result = esr(write(tmp_path, "e.jsonl", lines(EVENTS)), "--enum-threshold", "0")
    assert result.exit_code == 2


# --- --existing -----------------------------------------------------------------------------


def test_an_existing_schema_that_accepts_every_event_is_written_back_and_exits_0(
    tmp_path: Path,
) -> None:
    existing = write(tmp_path, "customer.json", json.dumps(CUSTOMER, indent=2) + "\n")
    events = write(tmp_path, "e.jsonl", lines([{"id": "a"}, {"id": "b", "tier": "gold"}]))
    result = esr(events, "--existing", existing)
    assert result.exit_code == 0
    assert result.stdout == Path(existing).read_text(encoding="utf-8")
    assert "accepts all 2 samples" in result.stderr
    assert "compatible with" in result.stderr


def test_rejected_events_exit_1_with_the_proposal_written_and_a_text_report(
    tmp_path: Path,
) -> None:
    existing = write(tmp_path, "customer.json", json.dumps(CUSTOMER))
    events = write(tmp_path, "e.jsonl", lines([{"id": "a"}, {"id": 7, "tier": "bronze"}]))
    target = tmp_path / "proposal.json"
    result = esr(events, "--existing", existing, "--output", str(target))
    assert result.exit_code == 1
    report = result.stdout
    assert f"{existing} rejects 1 of 2 samples:" in report
    assert f"  sample 1 ({events}:2):" in report
    assert "    /id: 7 is not of type 'string'" in report
    assert '  /properties/tier: enum also allows "bronze" (sample 1)' in report
    assert f"compatible with {existing} (BACKWARD, STRICT)" in report
    proposal = JSON.parse(target.read_text(encoding="utf-8"))
    assert proposal.document["properties"]["id"]["type"] == ["string", "integer"]


def test_the_json_report_has_every_rejection_change_and_the_verdict(tmp_path: Path) -> None:
    existing = write(tmp_path, "customer.json", json.dumps(CUSTOMER))
    events = write(tmp_path, "e.jsonl", lines([{"id": "a"}, {"tier": "gold"}]))
    result = esr(events, "--existing", existing, "-o", "-", "-f", "json", "--level", "FULL")
    assert result.exit_code == 1
    report = json.loads(result.stderr)
    assert report["accepted"] is False
    assert report["samples"] == 2
    assert report["rejected"] == [
        {
            "index": 1,
            "source": f"{events}:2",
            "violations": [
                {"path": "", "message": "'id' is a required property", "schemaPath": "/required"}
            ],
        }
    ]
    assert report["changes"] == ["/: no longer requires id (sample 1)"]
    assert (report["compatible"], report["level"], report["proposal"]) == (False, "FULL", "stdout")
    assert [f["rule"] for f in report["findings"]] == ["json.required-added"]
    assert "required" not in json.loads(result.stdout)


def test_an_avro_schema_is_widened_through_the_cli(tmp_path: Path) -> None:
    schema = {"type": "record", "name": "E", "fields": [{"name": "n", "type": "int"}]}
    existing = write(tmp_path, "e.avsc", json.dumps(schema))
    events = write(tmp_path, "e.jsonl", lines([{"n": 1}, {"n": 2**40}]))
    result = esr(events, "--existing", existing, "-o", str(tmp_path / "p.avsc"))
    assert result.exit_code == 1
    assert "/n: int promoted to long" in result.stdout
    assert json.loads((tmp_path / "p.avsc").read_text())["fields"][0]["type"] == "long"


# --- the done-when ------------------------------------------------------------------


def generated_events(schema: ParsedSchema, count: int) -> list[Any]:
    """``count`` distinct instances from the engine's generator (each call has a work budget)."""
    found: dict[str, Any] = {}
    seed = 0
    while len(found) < count:
        for event in JSON.examples(schema, count, seed=seed):
            found.setdefault(json.dumps(event, sort_keys=True), event)
        seed += 1
    return list(found.values())[:count]


def test_1000_generated_order_placed_events(tmp_path: Path) -> None:
    original = JSON.parse(ORDER_PLACED.read_text(encoding="utf-8"))
    events = generated_events(original, 1000)
    path = write(tmp_path, "events.jsonl", lines(events))
    target = tmp_path / "inferred.json"

    inferred = esr(path, "--enum-threshold", "5", "--closed", "-o", str(target))
    assert inferred.exit_code == 0, inferred.stderr
    schema = JSON.parse(target.read_text(encoding="utf-8"))
    assert all(not JSON.validate(schema, event) for event in events)
    backward = check_compatibility(JSON, schema, [(1, original)], CompatibilityLevel.BACKWARD)
    assert backward.is_compatible, backward.messages()

    widened = esr(path, "--existing", str(ORDER_PLACED), "--level", "FULL", "-o", "-")
    assert widened.exit_code == 0
    assert widened.stdout == ORDER_PLACED.read_text(encoding="utf-8")
    assert "compatible with" in widened.stderr
    assert "(FULL, STRICT)" in widened.stderr


def test_the_installed_esr_infers_from_stdin_in_a_fresh_environment(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGISTRY_", "ESR_"))}
    done = subprocess.run(
        [str(ESR), "infer", "--type", "avro", "--name", "Probe"],
        input=lines(EVENTS),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    assert schema["name"] == "Probe"
    assert [f["name"] for f in schema["fields"]] == ["id", "channel", "total"]
