"""``--esr-record DIR``: drafts of contracts and schemas from the messages no contract binds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from registry.contract_testing import load_contracts
from registry.domain import SchemaType
from registry.formats import get_format
from tests.plugin.conftest import REGISTRY_VARIABLES, source

# The shop's suite, grown by a refund feature whose event nobody wrote a contract for: two
# tests send it, with different payloads (the second has no note, and another currency).
REFUNDS = source(
    """
    import json
    import boto3
    from senders import eventbridge

    def refund(payload):
        boto3.client("events", region_name="us-east-1").put_events(Entries=[{
            "Source": "shop.payments", "DetailType": "Order Refunded",
            "Detail": json.dumps(payload)}])

    def test_placed(captured_events):
        eventbridge({"orderId": "o-1", "total": 10.5})
        captured_events.assert_conform()

    def test_full_refund(captured_events):
        refund({"orderId": "o-1", "amount": 10.5, "currency": "EUR", "note": "damaged",
                "refundedAt": "2026-12-01T10:00:00Z"})
        captured_events.assert_conform()

    def test_partial_refund(captured_events):
        refund({"orderId": "o-2", "amount": 3, "currency": "USD",
                "refundedAt": "2026-12-02T11:30:00Z"})
        captured_events.assert_conform()
    """
)


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_recording_drafts_the_uncontracted_event_and_the_draft_makes_the_suite_pass(
    shop: pytest.Pytester,
) -> None:
    shop.makepyfile(test_refunds=REFUNDS)
    shop.runpytest("-p", "no:randomly").assert_outcomes(passed=1, failed=2)

    recorded = shop.runpytest("-p", "no:randomly", "--esr-record", "drafts")

    recorded.assert_outcomes(passed=3)  # unbound messages do not fail while recording
    drafts = shop.path / "drafts"
    recorded.stdout.fnmatch_lines(
        [
            f"registry: drafted 1 uncontracted event type(s) from 2 message(s) into {drafts}:",
            "    contracts/recorded.yaml",
            "    schemas/recorded/OrderRefunded.json",
            "    samples/recorded/OrderRefunded.jsonl",
        ]
    )
    contract = yaml.safe_load((drafts / "contracts" / "recorded.yaml").read_text())
    assert contract["service"] == "recorded"
    assert contract["produces"] == [
        {
            "subject": "recorded.OrderRefunded",
            "transport": "eventbridge",
            "source": "shop.payments",
            "detail-type": "Order Refunded",
        }
    ]
    schema = _json(drafts / "schemas" / "recorded" / "OrderRefunded.json")
    # Merged over both messages: required is what both had, formats what every value had.
    assert schema["title"] == "OrderRefunded"
    assert schema["required"] == ["amount", "currency", "orderId", "refundedAt"]
    assert schema["properties"]["note"] == {"type": "string"}
    assert schema["properties"]["amount"] == {"type": "number"}
    assert schema["properties"]["refundedAt"] == {"type": "string", "format": "date-time"}
    samples = (drafts / "samples" / "recorded" / "OrderRefunded.jsonl").read_text().splitlines()
    assert [json.loads(line)["orderId"] for line in samples] == ["o-1", "o-2"]
    json_format = get_format(SchemaType.JSON)
    parsed = json_format.parse(json.dumps(schema))
    assert all(not json_format.validate(parsed, json.loads(line)) for line in samples)

    # Added as it is, the draft contracts the event: the suite passes, strict as before.
    shutil.copytree(drafts / "schemas", shop.path / "schemas", dirs_exist_ok=True)
    shutil.copy(drafts / "contracts" / "recorded.yaml", shop.path / "contracts")
    assert {b.subject for b in load_contracts(shop.path / "contracts").bindings()} >= {
        "recorded.OrderRefunded"
    }
    shop.runpytest("-p", "no:randomly").assert_outcomes(passed=3)

    again = shop.runpytest("-p", "no:randomly", "--esr-record", "drafts2")
    again.assert_outcomes(passed=3)
    again.stdout.fnmatch_lines(
        ["registry: nothing drafted: every JSON message sent matched a contract"]
    )
    assert not (shop.path / "drafts2").exists()


def test_drafts_name_the_service_and_tell_event_types_on_one_topic_apart(
    shop: pytest.Pytester,
) -> None:
    shop.makepyfile(
        source(
            """
            import json
            import boto3

            def publish(kind, payload):
                boto3.client("sns", region_name="us-east-1").publish(
                    TopicArn="arn:aws:sns:us-east-1:123456789012:payments-events",
                    Message=json.dumps(payload),
                    MessageAttributes={"eventType": {"DataType": "String", "StringValue": kind}})

            def test_payments(captured_events):
                publish("payment.authorised", {"paymentId": "p-1", "amount": 5})
                publish("payment.voided", {"paymentId": "p-1", "reason": "fraud"})
                publish("payment.voided", {"paymentId": "p-2", "reason": "customer"})
            """
        )
    )

    result = shop.runpytest("-p", "no:randomly", "--esr-record=out", "--service-name", "payments")

    result.assert_outcomes(passed=1)
    contract = yaml.safe_load((shop.path / "out" / "contracts" / "payments.yaml").read_text())
    assert contract["produces"] == [
        {
            "subject": f"payments.{name}",
            "transport": "sns",
            "topic": "payments-events",
            "attributes": {"eventType": kind},
        }
        for name, kind in (
            ("PaymentAuthorised", "payment.authorised"),
            ("PaymentVoided", "payment.voided"),
        )
    ]
    voided = _json(shop.path / "out" / "schemas" / "payments" / "PaymentVoided.json")
    assert voided["required"] == ["paymentId", "reason"]
    assert (
        "topic payments-events, message attributes eventType='payment.voided'"
        in (voided["description"])
    )
    # The draft binds what it was drafted from: with it, strict runs pass.
    shutil.copytree(shop.path / "out" / "schemas", shop.path / "schemas", dirs_exist_ok=True)
    shutil.copy(shop.path / "out" / "contracts" / "payments.yaml", shop.path / "contracts")
    shop.runpytest("-p", "no:randomly").assert_outcomes(passed=1)


def test_recording_captures_tests_that_do_not_ask_for_capture_and_lets_their_calls_through(
    shop: pytest.Pytester,
) -> None:
    # An existing suite, no contract test in it: the call goes on to moto, whose answer the
    # test reads, and the message is drafted all the same.
    shop.makepyfile(
        source(
            """
            import json
            import boto3
            from moto import mock_aws

            @mock_aws
            def test_audit_queue():
                sqs = boto3.client("sqs", region_name="us-east-1")
                url = sqs.create_queue(QueueName="audit")["QueueUrl"]
                sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"who": "ada", "n": 1}))
                received = sqs.receive_message(QueueUrl=url)["Messages"]
                assert json.loads(received[0]["Body"]) == {"who": "ada", "n": 1}
            """
        )
    )

    result = shop.runpytest("-p", "no:randomly", "--esr-record", "drafts")

    result.assert_outcomes(passed=1)
    contract = yaml.safe_load((shop.path / "drafts" / "contracts" / "recorded.yaml").read_text())
    assert contract["produces"] == [
        {"subject": "recorded.Audit", "transport": "sqs", "queue": "audit"}
    ]
    schema = _json(shop.path / "drafts" / "schemas" / "recorded" / "Audit.json")
    assert schema["properties"] == {"who": {"type": "string"}, "n": {"type": "integer"}}


def test_recording_merges_what_every_xdist_worker_captured(shop: pytest.Pytester) -> None:
    shop.makepyfile(
        source(
            """
            import json
            import boto3
            import pytest

            @pytest.mark.parametrize("n", range(6))
            def test_send(captured_events, n):
                payload = {"id": n, f"only{n}": True}
                boto3.client("kinesis", region_name="us-east-1").put_record(
                    StreamName="clicks", Data=json.dumps(payload).encode(), PartitionKey="k")
            """
        )
    )

    result = shop.runpytest_subprocess("-p", "no:randomly", "-n", "2", "--esr-record", "d")

    result.assert_outcomes(passed=6)
    schema = _json(shop.path / "d" / "schemas" / "recorded" / "Clicks.json")
    assert schema["required"] == ["id"]
    assert set(schema["properties"]) == {"id", *(f"only{n}" for n in range(6))}
    lines = (shop.path / "d" / "samples" / "recorded" / "Clicks.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == list(range(6))


def test_payloads_that_are_not_json_are_counted_not_drafted(shop: pytest.Pytester) -> None:
    shop.makepyfile(
        source(
            """
            import boto3

            def test_binary(captured_events):
                boto3.client("kinesis", region_name="us-east-1").put_record(
                    StreamName="blobs", Data=b"\\x00\\x01binary", PartitionKey="k")
            """
        )
    )

    result = shop.runpytest("-p", "no:randomly", "--esr-record", "drafts")

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "registry: not drafted (1 message(s)): stream blobs: the payload is not a JSON object",
            "registry: nothing drafted: every JSON message sent matched a contract",
        ]
    )
    assert not (shop.path / "drafts").exists()


def test_a_record_path_that_is_a_file_is_reported_and_nothing_is_written(
    shop: pytest.Pytester,
) -> None:
    shop.makepyfile(REFUNDS)
    (shop.path / "drafts").write_text("not a directory")

    result = shop.runpytest("-p", "no:randomly", "--esr-record", "drafts")

    result.stdout.fnmatch_lines(
        [f"registry: no draft written to {shop.path / 'drafts'}: --esr-record *: not a directory"]
    )
    assert "Traceback" not in result.stdout.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # the draft asked for is not there
    assert (shop.path / "drafts").read_text() == "not a directory"


def test_a_service_name_that_is_not_a_file_name_is_a_usage_error(shop: pytest.Pytester) -> None:
    shop.makepyfile(REFUNDS)

    result = shop.runpytest("--esr-record", "drafts", "--service-name", "../elsewhere")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--service-name '../elsewhere': a draft's service must be*"])
    assert not (shop.path / "drafts").exists()
    assert not (shop.path / "elsewhere.yaml").exists()


def test_drafts_do_not_depend_on_the_order_the_tests_ran_in(shop: pytest.Pytester) -> None:
    shop.makepyfile(test_refunds=REFUNDS)
    first, second = "test_refunds.py::test_full_refund", "test_refunds.py::test_partial_refund"

    shop.runpytest("-p", "no:randomly", first, second, "--esr-record", "one")
    shop.runpytest("-p", "no:randomly", second, first, "--esr-record", "two")

    for name in ("schemas/recorded/OrderRefunded.json", "samples/recorded/OrderRefunded.jsonl"):
        assert (shop.path / "one" / name).read_text() == (shop.path / "two" / name).read_text()


def test_a_repository_with_no_contracts_or_schemas_gets_its_first_draft(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Adopting contracts late: no contracts/, no schemas/, an existing suite on moto.
    for name in REGISTRY_VARIABLES:
        monkeypatch.delenv(f"ESR_REGISTRY_{name}", raising=False)
    pytester.makeconftest(
        source(
            """
            import os
            os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
            os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
            os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
            """
        )
    )
    pytester.makepyfile(
        source(
            """
            import json
            import boto3
            from moto import mock_aws

            @mock_aws
            def test_signup_is_announced():
                sns = boto3.client("sns", region_name="eu-west-1")
                arn = sns.create_topic(Name="accounts")["TopicArn"]
                sns.publish(TopicArn=arn, Message=json.dumps({"user": "u-1", "plan": "free"}),
                            MessageAttributes={"type": {"DataType": "String",
                                                        "StringValue": "UserSignedUp"}})
            """
        )
    )

    result = pytester.runpytest("-p", "no:randomly", "--esr-record", "first-draft")

    result.assert_outcomes(passed=1)
    draft = pytester.path / "first-draft"
    contract = yaml.safe_load((draft / "contracts" / "recorded.yaml").read_text())
    assert contract["produces"] == [
        {
            "subject": "recorded.UserSignedUp",
            "transport": "sns",
            "topic": "accounts",
            "attributes": {"type": "UserSignedUp"},
        }
    ]
    assert _json(draft / "schemas" / "recorded" / "UserSignedUp.json")["required"] == [
        "plan",
        "user",
    ]
