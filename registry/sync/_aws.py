"""What the two AWS targets share: building a boto3 client and translating botocore's errors.

boto3 is imported here and only here, when a target is built, so the rest of the package (and
the CLI's ``--help``) works without the ``cloud`` extra. Our runner retries throttling itself,
with backoff, so botocore's own retries are turned off (one attempt per call).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from registry.errors import (
    TargetError,
    TargetMisconfigured,
    TargetThrottled,
    TargetUnreachable,
)

THROTTLING_CODES = frozenset(
    {
        "429",
        "TooManyRequestsException",
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "RequestLimitExceeded",
        "SlowDown",
    }
)
AUTH_CODES = frozenset(
    {
        "401",
        "403",
        "UnauthorizedException",
        "ForbiddenException",
        "AccessDeniedException",
        "AccessDenied",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "ExpiredTokenException",
    }
)


def make_client(service: str, *, region: str | None, endpoint_url: str | None) -> Any:
    """A boto3 client for ``service`` with one attempt per call and short timeouts."""
    try:
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError
    except ImportError:  # pragma: no cover - depends on the installation
        raise TargetMisconfigured(
            "boto3 is not installed: pip install 'event-schema-registry[cloud]'"
        ) from None
    config = Config(
        retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30
    )
    try:
        session = boto3.session.Session(region_name=region)
        return session.client(service, endpoint_url=endpoint_url, config=config)
    except BotoCoreError as exc:
        raise TargetMisconfigured(f"cannot build the {service} client: {exc}") from None


def error_code(exc: BaseException) -> str:
    """The error code of a botocore ``ClientError`` ('' for anything else)."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return ""
    return str(response.get("Error", {}).get("Code", ""))


@contextmanager
def aws_errors(what: str) -> Iterator[None]:
    """Translate botocore errors raised inside the block into the sync error tree."""
    from botocore import exceptions as bx

    try:
        yield
    except (bx.EndpointConnectionError, bx.ConnectionError, bx.HTTPClientError) as exc:
        raise TargetUnreachable(f"{what}: {exc}") from None
    except (bx.NoCredentialsError, bx.PartialCredentialsError, bx.NoRegionError) as exc:
        raise TargetMisconfigured(f"{what}: {exc}") from None
    except bx.ParamValidationError as exc:
        raise TargetError(f"{what}: {exc}") from None
    except bx.ClientError as exc:
        code = error_code(exc)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        message = exc.response.get("Error", {}).get("Message") or str(exc)
        if code in THROTTLING_CODES or status == 429:
            raise TargetThrottled(f"{what}: throttled ({code})") from None
        if code in AUTH_CODES or status in (401, 403):
            raise TargetError(f"{what}: not allowed ({code}: {message})") from None
        raise TargetError(f"{what}: {code}: {message}") from None
