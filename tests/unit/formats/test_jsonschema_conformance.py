"""Agreement with Confluent's and Apicurio's JSON Schema compatibility test data.

The data lives outside this repository, in ``conformance/`` under ``ESR_SHARED_DIR`` (default
``../shared``; see ``tests/support/shared.py``, and the data's README for formats and licences).
Without it these tests skip saying so, and fail under CI.

Confluent's ``compatible`` is the STRICT BACKWARD verdict and ``compatible_lenient`` the LENIENT
one; we agree with every verdict except the cases listed in
``registry/formats/jsonschema/differences.py``, where Confluent is semantically wrong (listed
with reasons in docs/rules.md).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from registry.domain import CompatibilityPolicy
from registry.formats.jsonschema import JsonSchemaFormat
from registry.formats.jsonschema.differences import deliberate_differences
from tests.support.shared import conformance_path, require

FMT = JsonSchemaFormat()
CONFLUENT = conformance_path("confluent-json-schema-provider")
APICURIO = conformance_path("apicurio-registry-jsonschema", "compatibility-test-data.json")

# "<file>: <description>" -> why our verdict differs from Confluent's (STRICT, BACKWARD).
DELIBERATE_DIFFERENCES = deliberate_differences()
# Lowest agreement with Apicurio's data ever measured; the test fails if we regress below it.
APICURIO_FLOOR = 137


def _load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(re.sub(r",(\s*[}\]])", r"\1", text))


def _confluent_cases() -> list[Any]:
    if not CONFLUENT.is_dir():  # the test skips or fails saying so
        return [pytest.param(None, "", CompatibilityPolicy.STRICT, "", id="absent")]
    cases = []
    for path in sorted(CONFLUENT.glob("diff-*.json")):
        for index, case in enumerate(_load(path)):
            policies = [("compatible", CompatibilityPolicy.STRICT)]
            if "compatible_lenient" in case:
                policies.append(("compatible_lenient", CompatibilityPolicy.LENIENT))
            for key, policy in policies:
                name = f"{path.stem}#{index}-{policy.value}"
                label = f"{path.stem}: {case['description']}"
                cases.append(pytest.param(case, key, policy, label, id=name))
    return cases


def _verdict(reader: Any, writer: Any, policy: CompatibilityPolicy) -> bool:
    parsed_reader = FMT.parse(json.dumps(reader))
    parsed_writer = FMT.parse(json.dumps(writer))
    return not FMT.check(parsed_reader, parsed_writer, policy)


@pytest.mark.parametrize(("case", "key", "policy", "label"), _confluent_cases())
def test_confluent_verdict(case: Any, key: str, policy: CompatibilityPolicy, label: str) -> None:
    require(CONFLUENT)
    got = _verdict(case["update_schema"], case["original_schema"], policy)
    if label in DELIBERATE_DIFFERENCES and policy is CompatibilityPolicy.STRICT:
        assert got != case[key], "a deliberate difference no longer differs: update the list"
    else:
        assert got == case[key], f"{case['description']}: {case['changes']}"


def test_deliberate_differences_are_documented() -> None:
    docs = Path(__file__).resolve().parents[3] / "docs" / "rules.md"
    text = docs.read_text(encoding="utf-8")
    for label in DELIBERATE_DIFFERENCES:
        assert label in text


def _apicurio_agrees(case: dict[str, Any]) -> bool:
    backward = _verdict(case["updated"], case["original"], CompatibilityPolicy.STRICT)
    forward = _verdict(case["original"], case["updated"], CompatibilityPolicy.STRICT)
    expected = case["compatibility"]
    if expected == "backward":
        return backward and not forward
    if expected == "both":
        return backward and forward
    return not backward and not forward


def test_apicurio_agreement_does_not_regress() -> None:
    cases = json.loads(require(APICURIO).read_text(encoding="utf-8"))["tests"]
    agreed = sum(_apicurio_agrees(case) for case in cases)
    print(f"Apicurio JSON Schema agreement: {agreed}/{len(cases)}")
    assert agreed >= APICURIO_FLOOR
