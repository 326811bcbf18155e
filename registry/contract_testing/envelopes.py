"""The exact event a consumer receives for a payload, per transport.

AWS shapes follow the Lambda developer guide's sample events: SQS
(https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html), SNS (with-sns.html), SNS delivered
into SQS (the SQS body is the SNS notification JSON), EventBridge (the event with ``detail``),
Kinesis (with-kinesis.html: base64 ``data``), DynamoDB Streams (with-ddb.html: ``NewImage`` in
DynamoDB JSON), Step Functions (the state input itself) and API Gateway's REST proxy event
(payload format 1.0). For Azure the SDK's own received-message objects (see ``azure.py``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from registry.contract_testing import azure
from registry.contract_testing.model import Binding, Transport, short_name
from registry.contract_testing.payloads import (
    avro_encode,
    azure_content_type,
    confluent_frame,
    dynamodb_item,
    to_dynamodb,
    to_json,
)
from registry.contract_testing.schemas import ResolvedSubject
from registry.domain import SchemaType

REGION = "us-east-1"
ACCOUNT = "123456789012"
_EPOCH = dt.datetime(2024, 11, 5, 14, 31, 7, tzinfo=dt.UTC)


def _uuid(index: int, salt: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"esr:{salt}:{index}"))


def _time(index: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(seconds=index)


def _iso(index: int) -> str:
    return _time(index).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _millis(index: int) -> int:
    return int(_time(index).timestamp() * 1000)


def _name(binding: Binding, default: str) -> str:
    return short_name(binding.target) if binding.target else default


def _uses_avro(binding: Binding, subject: ResolvedSubject) -> bool:
    if binding.encoding is not None:
        return binding.encoding == "avro"
    return subject.schema_type is SchemaType.AVRO


def _eventbridge(payload: Any, binding: Binding, index: int) -> dict[str, Any]:
    source = str(binding.options.get("source") or "shop.example")
    detail_type = str(binding.options.get("detail-type") or "Event")
    bus = str(binding.options.get("event-bus") or "default")
    resources = [] if bus == "default" else [f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{bus}"]
    return {
        "version": "0",
        "id": _uuid(index, "eventbridge"),
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT,
        "time": _time(index).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": resources,
        "detail": payload,
    }


def _sns_attributes(binding: Binding) -> dict[str, Any]:
    return {k: {"Type": "String", "Value": v} for k, v in binding.attributes.items()}


def _sns_notification(payload: Any, binding: Binding, index: int) -> dict[str, Any]:
    name = binding.options.get("topic")
    if name is None:
        name = _name(binding, "topic") if binding.transport is Transport.SNS else "topic"
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:{short_name(str(name))}"
    return {
        "Type": "Notification",
        "MessageId": _uuid(index, "sns"),
        "TopicArn": topic,
        "Subject": None,
        "Message": to_json(payload),
        "Timestamp": _iso(index),
        "SignatureVersion": "1",
        "Signature": base64.b64encode(hashlib.sha256(to_json(payload).encode()).digest()).decode(),
        "SigningCertUrl": f"https://sns.{REGION}.amazonaws.com/SimpleNotificationService-0000.pem",
        "UnsubscribeUrl": f"https://sns.{REGION}.amazonaws.com/?Action=Unsubscribe"
        f"&SubscriptionArn={topic}:{_uuid(0, 'sub')}",
        "MessageAttributes": _sns_attributes(binding),
    }


def _sns(payload: Any, binding: Binding, index: int) -> dict[str, Any]:
    notification = _sns_notification(payload, binding, index)
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{notification['TopicArn']}:{_uuid(0, 'sub')}",
                "Sns": notification,
            }
        ]
    }


def _sqs(payload: Any, binding: Binding, index: int) -> dict[str, Any]:
    if binding.via == "sns":
        sent = _sns_notification(payload, binding, index)
        sent["SigningCertURL"] = sent.pop("SigningCertUrl")
        sent["UnsubscribeURL"] = sent.pop("UnsubscribeUrl")
        if not sent["MessageAttributes"]:
            del sent["MessageAttributes"]
        body = to_json(sent)
    elif binding.via == "eventbridge":
        body = to_json(_eventbridge(payload, binding, index))
    else:
        body = to_json(payload)
    attributes = {
        k: {"stringValue": v, "stringListValues": [], "binaryListValues": [], "dataType": "String"}
        for k, v in ({} if binding.via else binding.attributes).items()
    }
    queue = _name(binding, "queue")
    return {
        "Records": [
            {
                "messageId": _uuid(index, "sqs"),
                "receiptHandle": base64.b64encode(f"{queue}:{index}".encode()).decode(),
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": str(_millis(index)),
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": str(_millis(index) + 3),
                },
                "messageAttributes": attributes,
                "md5OfBody": hashlib.md5(body.encode(), usedforsecurity=False).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue}",
                "awsRegion": REGION,
            }
        ]
    }


def _kinesis(
    payload: Any, binding: Binding, subject: ResolvedSubject, index: int
) -> dict[str, Any]:
    if _uses_avro(binding, subject):
        data = confluent_frame(subject.schema_id or 1, avro_encode(subject.schema, payload))
    else:
        data = to_json(payload).encode()
    stream = _name(binding, "stream")
    sequence = str(
        49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_898 + index
    )
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": _uuid(index, "pk"),
                    "sequenceNumber": sequence,
                    "data": base64.b64encode(data).decode(),
                    "approximateArrivalTimestamp": _time(index).timestamp(),
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{sequence}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT}:role/lambda-role",
                "awsRegion": REGION,
                "eventSourceARN": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{stream}",
            }
        ]
    }


def _dynamodb(payload: Any, binding: Binding, index: int) -> dict[str, Any]:
    image = dynamodb_item(payload)
    key_names = list(binding.options.get("keys") or [])
    if not key_names and isinstance(payload, dict) and payload:
        key_names = [next(iter(payload))]
    keys = {
        k: to_dynamodb(payload[k]) for k in key_names if isinstance(payload, dict) and k in payload
    }
    table = _name(binding, "table")
    return {
        "Records": [
            {
                "eventID": hashlib.md5(
                    f"{table}:{index}".encode(), usedforsecurity=False
                ).hexdigest(),
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": REGION,
                "dynamodb": {
                    "ApproximateCreationDateTime": int(_time(index).timestamp()),
                    "Keys": keys,
                    "NewImage": image,
                    "SequenceNumber": str(111 + index),
                    "SizeBytes": len(to_json(image)),
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                },
                "eventSourceARN": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table}"
                "/stream/2024-11-05T00:00:00.000",
            }
        ]
    }


def _apigateway(payload: Any, binding: Binding, index: int) -> dict[str, Any]:
    path = str(binding.options.get("path") or "/events")
    method = str(binding.options.get("method") or "POST")
    headers = {"Content-Type": "application/json", "Host": "api.example.com"}
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "a1b2c3d4e5",
            "httpMethod": method,
            "path": f"/prod{path}",
            "protocol": "HTTP/1.1",
            "requestId": _uuid(index, "apigw"),
            "requestTimeEpoch": _millis(index),
            "resourcePath": path,
            "stage": "prod",
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "esr-contract-test"},
        },
        "body": to_json(payload),
        "isBase64Encoded": False,
    }


def _azure_body(payload: Any, binding: Binding, subject: ResolvedSubject) -> tuple[bytes, str]:
    if binding.transport is Transport.EVENTHUBS and _uses_avro(binding, subject):
        schema_id = subject.schema.fingerprint[:32]
        return avro_encode(subject.schema, payload), azure_content_type(schema_id)
    return to_json(payload).encode(), "application/json"


def envelope(payload: Any, binding: Binding, subject: ResolvedSubject, *, index: int = 0) -> Any:
    """What a consumer bound by ``binding`` receives when ``payload`` is delivered to it."""
    simple: dict[Transport, Callable[[Any, Binding, int], Any]] = {
        Transport.EVENTBRIDGE: _eventbridge,
        Transport.SNS: _sns,
        Transport.SQS: _sqs,
        Transport.DYNAMODB: _dynamodb,
        Transport.APIGATEWAY: _apigateway,
        Transport.STEPFUNCTIONS: lambda p, b, i: p,
    }
    if binding.transport in simple:
        return simple[binding.transport](payload, binding, index)
    if binding.transport is Transport.KINESIS:
        return _kinesis(payload, binding, subject, index)
    body, content_type = _azure_body(payload, binding, subject)
    if binding.transport is Transport.EVENTHUBS:
        return azure.received_event_data(body, content_type, binding.attributes, index + 1)
    return azure.received_service_bus_message(body, content_type, binding.attributes, index + 1)


class LambdaContext:
    """The ``context`` object a Lambda handler receives, with the documented attributes."""

    def __init__(self, function_name: str = "handler", memory_limit_in_mb: int = 256) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}"
        self.memory_limit_in_mb = memory_limit_in_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "2024/11/05/[$LATEST]esr"
        self.identity = None
        self.client_context = None
        self._deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the (simulated) 30-second timeout."""
        left = self._deadline - dt.datetime.now(dt.UTC)
        return max(0, int(left.total_seconds() * 1000))
