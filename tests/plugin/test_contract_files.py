"""Contract files are validated on load: file, line and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.contract_testing import (
    EventContracts,
    LocalTreeSource,
    SourceSchema,
    load_contracts,
)

CASES = {
    "unknown transport": (
        "service: s\nproduces:\n  - subject: shop.OrderPlaced\n    transport: kafak\n",
        "contracts/bad.yaml:4: produces[0].transport: unknown transport 'kafak'",
    ),
    "missing subject": (
        "service: s\nconsumes:\n  - transport: sqs\n",
        "contracts/bad.yaml:3: consumes[0] has no 'subject'",
    ),
    "duplicate key": (
        "service: s\nservice: t\n",
        "contracts/bad.yaml:2: duplicate key 'service' in the contract (first on line 1)",
    ),
    "unknown key": (
        "service: s\nproduces:\n  - subject: a.B\n    transport: sns\n    topik: t\n",
        "contracts/bad.yaml:5: unknown key 'topik' in produces[0] (sns); did you mean 'topic'?",
    ),
    "syntax": (
        "service: s\nproduces: [\n",
        "contracts/bad.yaml:3: not valid YAML:",
    ),
    "version": (
        "service: s\nconsumes:\n  - subject: a.B\n    transport: sqs\n    version: latest\n",
        "contracts/bad.yaml:5: consumes[0].version must be a positive integer, not 'latest'",
    ),
    "producer target": (
        "service: s\nproduces:\n  - subject: a.B\n    transport: sns\n",
        "contracts/bad.yaml:3: produces[0] (sns) needs topic",
    ),
    "via on a producer": (
        "service: s\nproduces:\n  - subject: a.B\n    transport: sqs\n    queue: q\n    via: sns\n",
        "contracts/bad.yaml:6: produces[0].via: 'via' describes what delivers to a consumer",
    ),
    "no service": ("produces: []\n", "contracts/bad.yaml:1: the contract has no 'service'"),
    "same service twice": (
        "service: shop\n",
        "contracts/shop.yaml:1: service 'shop' already has a contract in contracts/bad.yaml",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_contract_file_is_reported_precisely(shop: pytest.Pytester, case: str) -> None:
    text, expected = CASES[case]
    (shop.path / "contracts" / "bad.yaml").write_text(text)
    shop.makepyfile("def test_uses(event_contracts):\n    pass\n")

    result = shop.runpytest("-p", "no:randomly")

    result.assert_outcomes(errors=1)
    assert f"contract tests cannot start: {expected}" in result.stdout.str()
    result.stdout.no_fnmatch_line("*Traceback*")


def test_unknown_subjects_are_reported_when_the_contracts_load(shop: pytest.Pytester) -> None:
    (shop.path / "contracts" / "more.yaml").write_text(
        "service: other\nproduces:\n  - subject: shop.OrderPlacd\n    transport: sns\n"
        "    topic: t\nconsumes:\n  - subject: billing.Invoiced\n    transport: sqs\n"
    )
    shop.makepyfile(
        "import json, boto3\n"
        "def test_send(captured_events):\n"
        "    boto3.client('sns', region_name='us-east-1').publish(\n"
        "        TopicArn='arn:aws:sns:us-east-1:1:t', Message=json.dumps({}))\n"
        "def test_plain():\n"
        "    pass\n"
    )

    result = shop.runpytest("-p", "no:randomly")

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*contract tests cannot start: contracts/more.yaml:3: unknown subject "
            "'shop.OrderPlacd': not in the schemas tree schemas/; did you mean "
            "'shop.OrderPlaced'?",
            "contracts/more.yaml:7: unknown subject 'billing.Invoiced': not in the schemas "
            "tree schemas/",
        ]
    )
    result.stdout.no_fnmatch_line("*Traceback*")
    result.stdout.no_fnmatch_line("*botocore*")


def test_subjects_are_resolved_once_when_the_contracts_load() -> None:
    calls: list[tuple[str, int | None]] = []
    tree = LocalTreeSource(Path(__file__).resolve().parents[2] / "schemas")

    def source(subject: str, version: int | None) -> SourceSchema:
        calls.append((subject, version))
        return tree(subject, version)

    contracts = load_contracts(Path(__file__).resolve().parents[2] / "contracts")
    engine = EventContracts(contracts, source)

    engine.check_subjects()
    for subject in contracts.subjects():
        engine.contract(subject).examples(2)

    assert sorted(calls) == sorted({(b.subject, b.version) for b in contracts.bindings()})


def test_a_repo_without_contracts_is_untouched(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    assert True\n")

    pytester.inline_run("-p", "no:randomly").assertoutcome(passed=1)


def test_markers_are_registered_with_their_signatures(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")

    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.produces(*subjects): fail unless*",
            "@pytest.mark.consumes(subject, *, service=None, transport=None, n=None):*",
        ]
    )
