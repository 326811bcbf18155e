"""Messages no contract binds, and ``produces`` tests that emit nothing."""

from __future__ import annotations

import pytest

from tests.plugin.conftest import source

UNBOUND = """
import json, boto3

def test_unbound(captured_events):
    boto3.client("sns", region_name="us-east-1").publish(
        TopicArn="arn:aws:sns:us-east-1:123456789012:audit", Message=json.dumps({"x": 1}))
    assert captured_events[0].subject is None
    captured_events.assert_conform()
"""


def test_unmatched_message_fails_when_strict(shop: pytest.Pytester) -> None:
    shop.makepyfile(UNBOUND)

    result = shop.runpytest("-p", "no:randomly")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*sns message to arn:aws:sns:us-east-1:123456789012:audit (Publish) matches no "
            "contract*",
            "*hint: add a 'produces' entry*",
        ]
    )


def test_unmatched_message_passes_when_not_strict(shop: pytest.Pytester) -> None:
    shop.makeini("[pytest]\nregistry_strict = false\n")
    shop.makepyfile(UNBOUND)

    shop.inline_run("-p", "no:randomly").assertoutcome(passed=1)


def test_produces_fails_when_nothing_was_sent(shop: pytest.Pytester) -> None:
    shop.makepyfile(
        source(
            """
            import pytest
            from senders import sns_publish

            @pytest.mark.produces("shop.OrderCancelled")
            def test_silent():
                sns_publish({"orderId": "o-1", "total": 1})
            """
        )
    )

    result = shop.runpytest("-p", "no:randomly")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*expected at least one shop.OrderCancelled message, captured none; bound by "
            "contracts/shop.yaml:16, contracts/shop.yaml:29*",
            "*captured: sns:arn:aws:sns:us-east-1:123456789012:orders*",
        ]
    )


def test_tests_without_fixtures_or_markers_are_not_captured(shop: pytest.Pytester) -> None:
    shop.makepyfile(
        source(
            """
            import boto3, botocore.exceptions, pytest

            def test_plain():
                client = boto3.client("sqs", region_name="us-east-1",
                                      endpoint_url="http://127.0.0.1:9")
                with pytest.raises(botocore.exceptions.EndpointConnectionError):
                    client.list_queues()
            """
        )
    )

    shop.inline_run("-p", "no:randomly").assertoutcome(passed=1)
