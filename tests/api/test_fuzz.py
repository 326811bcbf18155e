"""Fuzzing the REST API against its own OpenAPI document with schemathesis.

In ``make test`` each operation gets a bounded number of examples (``REGISTRY_FUZZ_EXAMPLES``,
default 15). The nightly run raises it:
``REGISTRY_FUZZ_EXAMPLES=500 pytest tests/api/test_fuzz.py``.
Checked: no 5xx, documented status codes, content types and response bodies, and that invalid
input is rejected.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from registry.api.app import create_app
from registry.config import Settings

EXAMPLES = int(os.environ.get("REGISTRY_FUZZ_EXAMPLES", "15"))
_DB = Path(tempfile.mkdtemp(prefix="esr-fuzz-")) / "fuzz.db"
APP = create_app(Settings(database_url=f"sqlite:///{_DB}", max_request_bytes=256 * 1024))

with TestClient(APP) as _client:  # a few real subjects, so reads find something
    record = {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}]}
    _client.post("/subjects/orders-value/versions", json={"schema": json.dumps(record)})
    doc = {"type": "object", "properties": {"id": {"type": "string"}}}
    _client.post(
        "/subjects/payments-value/versions", json={"schema": json.dumps(doc), "schemaType": "JSON"}
    )

schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_openapi_document(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
