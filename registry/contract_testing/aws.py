"""Capture of boto3 producers through botocore's event hooks.

Four handlers are attached to every client's event emitter (the first time the client makes a
call while capture is installed, and to the default session's emitter so new clients inherit
them):

* ``before-parameter-build`` (registered last, after boto3's own DynamoDB serializer): reads
  the API parameters of PutEvents, Publish/PublishBatch, SendMessage/SendMessageBatch,
  PutRecord/PutRecords, PutItem/BatchWriteItem and StartExecution into
  :class:`OutgoingMessage` values, and prepares the success response;
* ``before-call``: tags the request with a header naming that response;
* ``choose-signer``: answers ``UNSIGNED``, so no credentials are needed;
* ``before-send``: returns the prepared response as an ``AWSResponse`` built in the service's
  protocol (JSON, or XML for SNS), so botocore's own parser reads it and nothing touches the
  network.

With passthrough, only the first handler acts and the call continues to its endpoint.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from xml.sax.saxutils import escape

from registry.contract_testing.messages import ACTIVE, OutgoingMessage, capturing, short_circuit
from registry.contract_testing.model import Transport

_HEADER = "x-esr-capture"
# Unique per module instance: a re-imported module (pytester restores sys.modules between inner
# sessions) must not be shadowed by its predecessor's handlers, which botocore keeps by id.
_UNIQUE = f"esr-contract-capture-{id(ACTIVE):x}"
_ACCOUNT = "123456789012"
_Extractor = Callable[[dict[str, Any]], list[OutgoingMessage]]


def _attrs(raw: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in dict(raw or {}).items():
        if isinstance(value, dict):
            found[str(name)] = str(value.get("StringValue", value.get("BinaryValue", "")))
    return found


def _sns_body(entry: dict[str, Any]) -> Any:
    message = entry.get("Message", "")
    if entry.get("MessageStructure") == "json":
        try:
            return json.loads(message).get("default", message)
        except (ValueError, AttributeError):
            return message
    return message


def _events(params: dict[str, Any]) -> list[OutgoingMessage]:
    return [
        OutgoingMessage(
            Transport.EVENTBRIDGE,
            str(e.get("EventBusName") or "default"),
            "PutEvents",
            e.get("Detail", ""),
            {},
            {
                "source": str(e.get("Source", "")),
                "detail-type": str(e.get("DetailType", "")),
                "event-bus": str(e.get("EventBusName") or "default"),
            },
        )
        for e in params.get("Entries", [])
    ]


def _sns(params: dict[str, Any], entries: list[dict[str, Any]], op: str) -> list[OutgoingMessage]:
    target = str(params.get("TopicArn") or params.get("TargetArn") or params.get("PhoneNumber"))
    return [
        OutgoingMessage(
            Transport.SNS,
            target,
            op,
            _sns_body(e),
            _attrs(e.get("MessageAttributes")),
            {"subject": str(e["Subject"])} if e.get("Subject") else {},
        )
        for e in entries
    ]


def _sqs(params: dict[str, Any], entries: list[dict[str, Any]], op: str) -> list[OutgoingMessage]:
    return [
        OutgoingMessage(
            Transport.SQS,
            str(params.get("QueueUrl", "")),
            op,
            e.get("MessageBody", ""),
            _attrs(e.get("MessageAttributes")),
        )
        for e in entries
    ]


def _kinesis(
    params: dict[str, Any], entries: list[dict[str, Any]], op: str
) -> list[OutgoingMessage]:
    target = str(params.get("StreamName") or params.get("StreamARN") or "")
    messages = []
    for e in entries:
        data = e.get("Data", b"")
        body = data.encode() if isinstance(data, str) else bytes(data)
        meta = {"partition-key": str(e.get("PartitionKey", ""))}
        messages.append(OutgoingMessage(Transport.KINESIS, target, op, body, {}, meta))
    return messages


def _dynamodb_batch(params: dict[str, Any]) -> list[OutgoingMessage]:
    return [
        OutgoingMessage(Transport.DYNAMODB, str(table), "BatchWriteItem", r["PutRequest"]["Item"])
        for table, requests in dict(params.get("RequestItems", {})).items()
        for r in requests
        if "PutRequest" in r
    ]


EXTRACTORS: dict[tuple[str, str], _Extractor] = {
    ("events", "PutEvents"): _events,
    ("sns", "Publish"): lambda p: _sns(p, [p], "Publish"),
    ("sns", "PublishBatch"): lambda p: _sns(
        p, p.get("PublishBatchRequestEntries", []), "PublishBatch"
    ),
    ("sqs", "SendMessage"): lambda p: _sqs(p, [p], "SendMessage"),
    ("sqs", "SendMessageBatch"): lambda p: _sqs(p, p.get("Entries", []), "SendMessageBatch"),
    ("kinesis", "PutRecord"): lambda p: _kinesis(p, [p], "PutRecord"),
    ("kinesis", "PutRecords"): lambda p: _kinesis(p, p.get("Records", []), "PutRecords"),
    ("dynamodb", "PutItem"): lambda p: [
        OutgoingMessage(
            Transport.DYNAMODB, str(p.get("TableName", "")), "PutItem", p.get("Item", {})
        )
    ],
    ("dynamodb", "BatchWriteItem"): _dynamodb_batch,
    ("stepfunctions", "StartExecution"): lambda p: [
        OutgoingMessage(
            Transport.STEPFUNCTIONS,
            str(p.get("stateMachineArn", "")),
            "StartExecution",
            p.get("input", "{}"),
        )
    ],
}


# --- responses ---------------------------------------------------------------------------------

_sequence = itertools.count(
    49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_898
)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _json_response(service: str, op: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parsed success response of one captured JSON-protocol call."""
    if op == "PutEvents":
        entries = [{"EventId": str(uuid.uuid4())} for _ in params.get("Entries", [])]
        return {"FailedEntryCount": 0, "Entries": entries}
    if op == "SendMessage":
        return {
            "MD5OfMessageBody": _md5(params.get("MessageBody", "")),
            "MessageId": str(uuid.uuid4()),
        }
    if op == "SendMessageBatch":
        ok = [
            {
                "Id": e.get("Id"),
                "MessageId": str(uuid.uuid4()),
                "MD5OfMessageBody": _md5(e.get("MessageBody", "")),
            }
            for e in params.get("Entries", [])
        ]
        return {"Successful": ok, "Failed": []}
    if op == "PutRecord":
        return {"ShardId": "shardId-000000000000", "SequenceNumber": str(next(_sequence))}
    if op == "PutRecords":
        records = [
            {"ShardId": "shardId-000000000000", "SequenceNumber": str(next(_sequence))}
            for _ in params.get("Records", [])
        ]
        return {"FailedRecordCount": 0, "Records": records}
    if op == "BatchWriteItem":
        return {"UnprocessedItems": {}}
    if op == "StartExecution":
        machine = str(params.get("stateMachineArn", ""))
        name = str(params.get("name") or uuid.uuid4())
        arn = machine.replace(":stateMachine:", ":execution:", 1) + f":{name}"
        return {"executionArn": arn, "startDate": 1_700_000_000.0}
    return {}


def _sns_response(op: str, params: dict[str, Any]) -> str:
    ns = 'xmlns="http://sns.amazonaws.com/doc/2010-03-31/"'
    meta = f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
    if op == "Publish":
        result = f"<MessageId>{uuid.uuid4()}</MessageId>"
    else:
        members = "".join(
            f"<member><Id>{escape(str(e.get('Id', '')))}</Id>"
            f"<MessageId>{uuid.uuid4()}</MessageId></member>"
            for e in params.get("PublishBatchRequestEntries", [])
        )
        result = f"<Successful>{members}</Successful><Failed/>"
    return f"<{op}Response {ns}><{op}Result>{result}</{op}Result>{meta}</{op}Response>"


def response_body(service: str, op: str, params: dict[str, Any]) -> tuple[bytes, str]:
    """The HTTP body and content type of the success response to a captured call."""
    if service == "sns":
        return _sns_response(op, params).encode(), "text/xml"
    return json.dumps(_json_response(service, op, params)).encode(), "application/x-amz-json-1.1"


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


# --- hooks -------------------------------------------------------------------------------------


class _Pending:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.responses: dict[str, tuple[bytes, str]] = {}


_PENDING = _Pending()


def _on_params(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    if not capturing():
        return
    key = (model.service_model.service_name, model.name)
    extractor = EXTRACTORS.get(key)
    if extractor is None:
        return
    for message in extractor(params):
        ACTIVE.emit(message)
    if short_circuit():
        token = str(uuid.uuid4())
        with _PENDING.lock:
            _PENDING.responses[token] = response_body(*key, params)
        context[_HEADER] = token


def _on_call(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    token = context.get(_HEADER)
    if token:
        params.setdefault("headers", {})[_HEADER] = token


def _on_choose_signer(context: dict[str, Any] | None = None, **_: Any) -> Any:
    if context and context.get(_HEADER):
        import botocore

        return botocore.UNSIGNED
    return None


def _on_send(request: Any, **_: Any) -> Any:
    token = request.headers.get(_HEADER)
    if not token:
        return None
    token = token.decode() if isinstance(token, bytes) else str(token)
    with _PENDING.lock:
        found = _PENDING.responses.pop(token, None)
    if found is None:
        return None
    from botocore.awsrequest import AWSResponse

    body, content_type = found
    headers = {"Content-Type": content_type, "x-amzn-RequestId": str(uuid.uuid4())}
    return AWSResponse(request.url, 200, headers, _Raw(body))


def attach(emitter: Any) -> None:
    """Register the capture handlers on one botocore event emitter (idempotent)."""
    emitter.register_last("before-parameter-build", _on_params, unique_id=_UNIQUE + "-params")
    emitter.register("before-call", _on_call, unique_id=_UNIQUE + "-call")
    emitter.register("choose-signer", _on_choose_signer, unique_id=_UNIQUE + "-signer")
    emitter.register("before-send", _on_send, unique_id=_UNIQUE + "-send")


class _Installation:
    def __init__(self) -> None:
        self.original: Any = None


_INSTALLED = _Installation()


def install() -> bool:
    """Make every boto3/botocore client capture while a capture is active.

    Hooks go on the default boto3 session and, through a thin wrapper of
    ``BaseClient._make_api_call``, on every client's own emitter before its call (clients copy
    their session's emitter when created, so clients made earlier would otherwise be missed).
    Returns False when botocore is not installed.
    """
    try:
        import botocore.client
    except ImportError:
        return False
    if _INSTALLED.original is not None:
        return True
    try:
        import boto3

        if boto3.DEFAULT_SESSION is not None:
            attach(boto3.DEFAULT_SESSION.events)
    except ImportError:
        pass
    original = botocore.client.BaseClient._make_api_call

    def _make_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
        if capturing():
            attach(self.meta.events)
        return original(self, operation_name, api_params)

    _INSTALLED.original = original
    botocore.client.BaseClient._make_api_call = _make_api_call
    return True


def uninstall() -> None:
    """Undo :func:`install` (handlers left on emitters do nothing without a capture)."""
    if _INSTALLED.original is None:
        return
    import botocore.client

    botocore.client.BaseClient._make_api_call = _INSTALLED.original
    _INSTALLED.original = None
