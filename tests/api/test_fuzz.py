"""Fuzzing a live ``esr serve`` against its own OpenAPI document with schemathesis.

The schemathesis CLI runs every phase (examples, coverage, fuzzing and the stateful phase, which
follows the document's links from a registration to its id, version and subject) with the five
checks: no 5xx, documented status codes, content types and response bodies, and invalid input
rejected. ``tests/api/fuzz/schemathesis.toml`` feeds it real schemas, subjects and versions
half of the time, so registrations succeed and later operations find what they look for.

In ``make test`` each operation gets ``REGISTRY_FUZZ_EXAMPLES`` examples (default 10) and a
fixed seed. The long run recorded in the README raises both:
``REGISTRY_FUZZ_EXAMPLES=500 REGISTRY_FUZZ_SEED=random pytest tests/api/test_fuzz.py``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.server import running_server

CONFIG = Path(__file__).parent / "fuzz" / "schemathesis.toml"
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)
EXAMPLES = int(os.environ.get("REGISTRY_FUZZ_EXAMPLES", "10"))
SEED = os.environ.get("REGISTRY_FUZZ_SEED", "1")


def _seed(url: str) -> None:
    """A few real subjects, a KEK and a DEK, so reads and lookups find something from the start."""
    record = {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}]}
    doc = {"type": "object", "properties": {"id": {"type": "string"}}}
    httpx.post(f"{url}/subjects/orders-value/versions", json={"schema": json.dumps(record)})
    httpx.post(
        f"{url}/subjects/payments-value/versions",
        json={"schema": json.dumps(doc), "schemaType": "JSON"},
    )
    kek = {"name": "orders_kek", "kmsType": "local-kms", "kmsKeyId": "fuzz-key"}
    httpx.post(f"{url}/dek-registry/v1/keks", json=kek)
    dek = {"subject": "orders-value", "encryptedKeyMaterial": "d3JhcHBlZC1ieS10aGUta21z"}
    httpx.post(f"{url}/dek-registry/v1/keks/orders_kek/deks", json=dek)


@pytest.mark.slow
def test_live_api_conforms_to_its_openapi_document(sqlite_url: str, tmp_path: Path) -> None:
    with running_server(sqlite_url) as server:
        _seed(server.url)
        command = [
            str(Path(sys.executable).with_name("schemathesis")),
            "--config-file",
            str(CONFIG),
            "run",
            f"{server.url}/openapi.json",
            "--checks",
            ",".join(CHECKS),
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            str(EXAMPLES),
            "--workers",
            "1",
            "--no-color",
            "--generation-database",
            "none",
        ]
        if SEED != "random":
            command += ["--seed", SEED]
        run = subprocess.run(
            command, capture_output=True, text=True, cwd=tmp_path, timeout=3000, check=False
        )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    summary = re.search(r"(\d+) generated, (\d+) passed", output)
    assert summary is not None, output[-3000:]
    assert summary.group(1) == summary.group(2)
    stateful = re.search(
        r"Stateful \(in .*?\n\s+Scenarios:\s+(\d+)\s+API Links:\s+(\d+) covered", output, re.S
    )
    assert stateful is not None and int(stateful.group(2)) > 0, output[-3000:]
    sys.stdout.write(output)  # shown with -s: the numbers the README records
