"""The verdicts of a plain ``pip install`` are the verdicts of the development venv.

``format`` checks used to depend on optional packages (``rfc3339-validator`` and friends) that
the project's own venv had through its test extras and users' installs did not: a producer
sending ``"issuedAt": "yesterday"`` failed its contract test here and passed it there. This test
builds the wheel, installs it with no extras into a fresh venv (dependencies from the package
index, as a user gets them), and compares validation and compatibility verdicts, and
``esr check``'s output, with the development venv's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import json, sys
from registry.domain import CompatibilityPolicy, SchemaType
from registry.formats import get_format

fmt = get_format(SchemaType.JSON)
FORMATS = ["date-time", "date", "time", "email", "hostname", "ipv4", "ipv6", "uri",
           "uri-reference", "uuid", "duration", "json-pointer", "regex", "idn-hostname", "iri"]
VALUES = ["yesterday", "2026-12-02T10:00:00Z", "2026-12-02", "10:00:00Z", "a@b.example",
          "not an email", "example.com", "-bad-.host", "10.0.0.1", "::1", "https://x.example/a",
          "/relative", "6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f", "P1D", "/a/b", "[", "xn--nxasmq6b",
          "http://例え.テスト"]
verdicts = {}
for name in FORMATS:
    schema = fmt.parse(json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema",
                                   "type": "string", "format": name}))
    verdicts[name] = [not fmt.validate(schema, value) for value in VALUES]
plain = fmt.parse(json.dumps({"type": "string"}))
dated = fmt.parse(json.dumps({"type": "string", "format": "date-time"}))
verdicts["compatibility"] = [i.rule_id for i in fmt.check(dated, plain, CompatibilityPolicy.STRICT)]
json.dump(verdicts, sys.stdout, sort_keys=True)
"""


def _probe(python: Path) -> dict[str, object]:
    done = subprocess.run(
        [str(python), "-c", PROBE],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        cwd="/",
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.slow
def test_a_plain_install_gives_the_same_verdicts(tmp_path: Path) -> None:
    wheels = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        timeout=600,
    )
    target = tmp_path / "plain"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    [wheel] = wheels.glob("*.whl")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        timeout=900,
        env=env,
    )
    extras = subprocess.run(
        [str(python), "-c", "import rfc3339_validator"], capture_output=True, check=False
    )
    assert extras.returncode != 0, "the plain install is not plain: rfc3339_validator is there"
    assert _probe(python) == _probe(Path(sys.executable))

    pair = tmp_path / "pair"
    pair.mkdir()
    (pair / "old.json").write_text(
        json.dumps({"type": "object", "properties": {"at": {"type": "string"}}})
    )
    (pair / "new.json").write_text(
        json.dumps(
            {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}}
        )
    )
    outputs = []
    for esr in (target / "bin" / "esr", Path(sys.executable).with_name("esr")):
        done = subprocess.run(
            [str(esr), "check", "old.json", "new.json", "--format", "json"],
            cwd=pair,
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )
        outputs.append((done.returncode, json.loads(done.stdout)))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] == 1  # a format added to a string field is a breaking change

    # Generated files are the same whatever else is installed: codegen's formatter is its own
    # (not whichever black or ruff is there), and the AsyncAPI export is sorted.
    for command in (
        ["codegen", "schemas/orders/OrderPlaced.json"],
        ["codegen", "schemas/orders/OrderCancelled.avsc", "--model", "dataclasses"],
        ["asyncapi", "export", "contracts"],
    ):
        texts = []
        for esr in (target / "bin" / "esr", Path(sys.executable).with_name("esr")):
            done = subprocess.run(
                [str(esr), *command],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=120,
                env=env,
                check=False,
            )
            assert done.returncode == 0, done.stderr
            texts.append(done.stdout)
        assert texts[0] == texts[1], command
        assert texts[0].strip()
