"""The matrix and can-i-deploy: can each deployed counterpart read what the other side writes?

For one pair (a producer's contract and a consumer's contract of one subject) the consumer's
schema is the **reader** and the producer's the **writer**: the format's ``check(reader,
writer)`` lists everything the reader cannot read, and each finding is kept only when the
consumer reads a JSON pointer it touches (:mod:`registry.reads`). A finding outside
every read is *ignored*: it breaks no deployed consumer, so it warns instead of blocking. Pact's
rules hold for the answer: missing information is unknown, and unknown is never yes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from registry import errors
from registry.compatibility import SCHEMA_TYPE_CHANGED
from registry.domain import SchemaType
from registry.formats import get_format
from registry.formats.base import Incompatibility, ParsedSchema
from registry.reads import ReaderFinding, judge_reader
from registry.storage.deploy_repository import Contract, Verification


class Answer(enum.StrEnum):
    """The verdict of can-i-deploy (the CLI's exit codes 0, 1 and 2)."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """A producer version and a consumer version of one subject, and whether they get on."""

    subject: str
    producer: str
    producer_version: str
    consumer: str
    consumer_version: str
    answer: Answer
    reads: tuple[str, ...] | None = None
    findings: tuple[ReaderFinding, ...] = ()
    ignored: tuple[ReaderFinding, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of the API."""
        return {
            "subject": self.subject,
            "producer": self.producer,
            "producerVersion": self.producer_version,
            "consumer": self.consumer,
            "consumerVersion": self.consumer_version,
            "answer": self.answer.value,
            "reads": None if self.reads is None else list(self.reads),
            "findings": [f.as_dict() for f in self.findings],
            "ignored": [f.as_dict() for f in self.ignored],
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """can-i-deploy's answer, the rows behind it, and why."""

    service: str
    version: str
    environment: str
    answer: Answer
    rows: tuple[MatrixRow, ...] = ()
    verifications: tuple[Verification, ...] = ()
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of the API (and of ``esr can-i-deploy --format json``)."""
        return {
            "service": self.service,
            "version": self.version,
            "environment": self.environment,
            "answer": self.answer.value,
            "reasons": list(self.reasons),
            "warnings": list(self.warnings),
            "matrix": [row.as_dict() for row in self.rows],
            "verifications": [
                {"role": v.role, "subject": v.subject, "success": v.success, "failure": v.failure}
                for v in self.verifications
            ],
        }


def parse_contract_schema(contract: Contract) -> ParsedSchema:
    """The schema a contract was built against, parsed by its format."""
    try:
        schema_type = SchemaType(contract.schema_type)
        return get_format(schema_type).parse(contract.schema)
    except (ValueError, errors.InvalidInput) as exc:
        message = getattr(exc, "message", str(exc))
        raise errors.InvalidPublication(
            f"The schema of {contract.role} '{contract.subject}' is not a valid "
            f"{contract.schema_type} schema: {message}"
        ) from None


def judge_pair(
    reader: Contract, writer: Contract, reads: tuple[str, ...] | None
) -> tuple[tuple[ReaderFinding, ...], tuple[ReaderFinding, ...]]:
    """The findings of ``reader`` reading what ``writer`` writes: those the reader's consumer
    reads (blocking) and those it does not (ignored)."""
    if reader.schema_type != writer.schema_type:
        change = Incompatibility(
            SCHEMA_TYPE_CHANGED.id,
            f"the consumer reads {reader.schema_type}, the producer writes {writer.schema_type}",
        )
        return (ReaderFinding(change, ("",)),), ()
    return judge_reader(parse_contract_schema(reader), parse_contract_schema(writer), reads)
