"""Contract failures read as a short pytest failure: the test's line and the message.

The engine's and the plugin's frames are hidden (``__tracebackhide__``, and expected failures
are raised from the public call without the frames below it); the user's frames stay.
"""

from __future__ import annotations

import pytest

from tests.plugin.conftest import source

INTERNAL = ("contract_testing/", "pytest_plugin.py", "registry/client.py", "botocore/")

TESTS = """
import json
import boto3
import pytest

def handler(event, context):
    for record in event["Records"]:
        order = json.loads(json.loads(record["body"])["Message"])
        order["couponCode"].upper()

def test_consumer(event_contracts):
    event_contracts.verify_consumer(handler, "shop.OrderPlaced", n=30)

def test_unknown_subject(event_contracts):
    event_contracts.verify_consumer(handler, "shop.OrderPlacd")

def test_validate(event_contracts):
    event_contracts.contract("shop.OrderPlaced").validate({"orderId": "o-1", "total": -1})

def test_envelope(event_contracts):
    event_contracts.contract("shop.OrderPlaced").envelope({}, "carrier-pigeon")

def test_unbound(captured_events):
    boto3.client("events", region_name="us-east-1").put_events(Entries=[{
        "Source": "shop.orders", "DetailType": "OrderCreated", "Detail": "{}"}])
    captured_events.assert_conform()
"""

# test: (most lines its failure section may have, lines it must show, in order)
EXPECTED = {
    "test_consumer": (
        30,
        [
            ">           order*.upper()",  # the handler's own frame
            "E           KeyError: 'couponCode'",
            "The above exception was the direct cause of the following exception:",
            '>       event_contracts.verify_consumer(handler, "shop.OrderPlaced", n=30)',
            "E       *ConsumerFailed: contracts/shop.yaml:37: shop.OrderPlaced@local (shop "
            "consumes shop.OrderPlaced on sqs via sns)",
            "E           handler raised on * of 30 events; smallest payload (example *):",
            "E           error: KeyError: 'couponCode'",
            "test_failures.py:11: ConsumerFailed",
        ],
    ),
    "test_unknown_subject": (
        8,
        [
            '>       event_contracts.verify_consumer(handler, "shop.OrderPlacd")',
            "E       registry.errors.SubjectNotFound: unknown subject 'shop.OrderPlacd': not in "
            "the schemas tree schemas/; did you mean 'shop.OrderPlaced'?",
            "test_failures.py:14: SubjectNotFound",
        ],
    ),
    "test_validate": (
        12,
        [
            '>       event_contracts.contract("shop.OrderPlaced").validate(*',
            "E       *ContractViolation: contracts/shop.yaml:3: payload does not conform to "
            "shop.OrderPlaced@local",
            "E           at /total: -1 is less than the minimum of 0",
            "test_failures.py:17: ContractViolation",
        ],
    ),
    "test_envelope": (
        8,
        [
            '>       event_contracts.contract("shop.OrderPlaced").envelope({}, "carrier-pigeon")',
            "E       registry.errors.InvalidInput: unknown transport 'carrier-pigeon' (known: *)",
        ],
    ),
    "test_unbound": (
        18,
        [
            ">       captured_events.assert_conform()",
            "E       *ContractViolation: 1 of 1 captured message(s) break their contracts:",
            "E       eventbridge message to event bus 'default' (PutEvents) matches no contract",
        ],
    ),
}


def _sections(text: str) -> dict[str, list[str]]:
    """The failure section of each test, by test name."""
    failures = text.split("= FAILURES =", 1)[1].split("short test summary info", 1)[0]
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in failures.splitlines():
        if line.startswith("_____") and line.endswith("_____"):
            current = sections.setdefault(line.strip("_ "), [])
        else:
            current.append(line)
    return {name: [line for line in lines if line.strip("= ")] for name, lines in sections.items()}


@pytest.mark.parametrize("test", sorted(EXPECTED))
def test_a_contract_failure_is_short_and_shows_no_internal_frames(
    shop: pytest.Pytester, test: str
) -> None:
    most, lines = EXPECTED[test]
    shop.makepyfile(test_failures=source(TESTS))

    result = shop.runpytest("-p", "no:randomly", "-k", test)

    result.assert_outcomes(failed=1)
    section = _sections(result.stdout.str())[test]
    assert [line for line in section if any(name in line for name in INTERNAL)] == []
    assert len(section) <= most, "\n".join(section)
    pytest.LineMatcher(section).fnmatch_lines(lines, consecutive=False)


def test_produces_failures_carry_no_traceback(shop: pytest.Pytester) -> None:
    shop.makepyfile(
        source(
            """
            import pytest
            from senders import eventbridge

            @pytest.mark.produces("shop.OrderPlaced")
            def test_bad():
                eventbridge({"orderId": "o-1", "total": -1})
            """
        )
    )

    result = shop.runpytest("-p", "no:randomly")

    result.assert_outcomes(failed=1)
    section = _sections(result.stdout.str())["test_bad"]
    assert section[0].startswith("contracts/shop.yaml:3: shop.OrderPlaced@local")
    assert len(section) <= 6, "\n".join(section)
