"""``--registry-report``: a JSON report of every contract verified."""

from __future__ import annotations

import json

import pytest

from tests.plugin.conftest import source


def test_report_counts_checks_failures_and_unmatched(shop: pytest.Pytester) -> None:
    shop.makepyfile(
        source(
            """
            import json, boto3
            from senders import sns_publish, eventbridge

            def test_good(captured_events):
                sns_publish({"orderId": "o-1", "total": 1})

            def test_bad(captured_events):
                eventbridge({"orderId": "o-1", "total": -5})

            def test_unbound(captured_events):
                boto3.client("sqs", region_name="us-east-1").send_message(
                    QueueUrl="https://sqs.us-east-1.amazonaws.com/1/audit", MessageBody="{}")

            def test_consumer(event_contracts):
                accept = lambda event, context: None
                event_contracts.verify_consumer(accept, "shop.OrderPlaced", n=4)
            """
        )
    )

    shop.runpytest("-p", "no:randomly", "--registry-report", "out/contracts.json")

    report = json.loads((shop.path / "out" / "contracts.json").read_text())
    by_line = {(e["transport"], e["role"], e["line"]): e for e in report["contracts"]}
    assert report["source"] == "local:schemas"
    assert by_line[("sns", "produces", 7)]["checked"] == 1
    assert by_line[("sns", "produces", 7)]["failed"] == 0
    failed = by_line[("eventbridge", "produces", 3)]
    assert (failed["checked"], failed["failed"]) == (1, 1)
    assert "/total" in failed["failures"][0]["message"]
    assert failed["file"] == "contracts/shop.yaml"
    assert by_line[("sqs", "consumes", 37)]["checked"] == 4
    assert report["unmatched"][0]["target"] == "https://sqs.us-east-1.amazonaws.com/1/audit"
    assert report["summary"]["ok"] is False
    assert report["summary"]["contracts"] == 11


def test_report_is_written_when_nothing_ran(shop: pytest.Pytester) -> None:
    shop.makepyfile("def test_plain():\n    pass\n")

    shop.runpytest("-p", "no:randomly", "--registry-report", "report.json")

    report = json.loads((shop.path / "report.json").read_text())
    assert report["summary"] == {
        "contracts": 11,
        "verified": 0,
        "failed": 0,
        "unmatched": 0,
        "ok": True,
    }
