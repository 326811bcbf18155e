"""Consumer-aware judgement: compatibility findings weighed by what deployed consumers read.

A subject's level judges a change against the subject's history, blind to who reads what. Given
the consumers deployed in an environment (each with the schema it reads with and its read set),
two more questions can be answered:

* **Does a level finding matter?** :meth:`ConsumerView.advise` maps the finding to the event
  pointers it touches and names the deployed consumers reading any of them. None: the finding
  breaks nobody deployed there, and CI may downgrade it to a warning.
* **Does the change break a deployed consumer the level does not cover?**
  :meth:`ConsumerView.check` asks whether each consumer's reader schema can read every event
  the candidate allows, and splits the answer by what that consumer reads.

The registry's own registration check never uses this: consumer-awareness is advice for CI, not
a way around the subject's level. The same judgement serves ``can-i-deploy``, ``esr gate
--consumers``, ``esr check --reads`` and ``POST /compatibility/...?consumers=ENV``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from registry import errors
from registry.compatibility import SCHEMA_TYPE_CHANGED, Direction, Finding
from registry.domain import CompatibilityPolicy, SchemaType
from registry.formats import get_format
from registry.formats.base import Incompatibility, ParsedSchema
from registry.reads.pointers import check_reads, reads_any
from registry.reads.touched import touched_pointers


@dataclass(frozen=True, slots=True)
class ReaderFinding:
    """One thing a reader schema cannot read, with the event pointers it touches."""

    incompatibility: Incompatibility
    pointers: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of the API."""
        inc = self.incompatibility
        data: dict[str, Any] = {
            "rule": inc.rule_id,
            "message": inc.message,
            "readerPath": inc.reader_path,
            "writerPath": inc.writer_path,
            "pointers": list(self.pointers),
        }
        if inc.has_example:
            data["example"] = inc.example
        return data


def judge_reader(
    reader: ParsedSchema, writer: ParsedSchema, reads: Sequence[str] | None
) -> tuple[tuple[ReaderFinding, ...], tuple[ReaderFinding, ...]]:
    """Everything ``reader`` cannot read of what ``writer`` allows, split in two: what a
    consumer reading ``reads`` (None: everything) reads, and what it does not."""
    if reader.schema_type is not writer.schema_type:
        change = Incompatibility(
            SCHEMA_TYPE_CHANGED.id,
            f"the consumer reads {reader.schema_type.value}, the producer writes "
            f"{writer.schema_type.value}",
        )
        return (ReaderFinding(change, ("",)),), ()
    found = get_format(reader.schema_type).check(reader, writer, CompatibilityPolicy.STRICT)
    read: list[ReaderFinding] = []
    unread: list[ReaderFinding] = []
    for inc in found:
        pointers = tuple(touched_pointers(inc, reader.schema_type.value, reader.text, writer.text))
        (read if reads_any(reads, pointers) else unread).append(ReaderFinding(inc, pointers))
    return tuple(read), tuple(unread)


@dataclass(frozen=True, slots=True)
class DeployedConsumer:
    """A service version deployed in an environment that consumes a subject."""

    service: str
    version: str
    subject: str
    schema_type: str
    schema: str
    reads: tuple[str, ...] | None = None

    @property
    def label(self) -> str:
        """``service version``, as every report names a consumer."""
        return f"{self.service} {self.version}"

    def parsed(self) -> ParsedSchema:
        """The schema this consumer reads with."""
        try:
            return get_format(SchemaType(self.schema_type)).parse(self.schema)
        except (ValueError, errors.InvalidInput) as exc:
            message = getattr(exc, "message", str(exc))
            raise errors.InvalidPublication(
                f"The schema {self.label} consumes '{self.subject}' with is not a valid "
                f"{self.schema_type} schema: {message}"
            ) from None

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of ``GET /api/environments/{env}/consumers``."""
        return {
            "service": self.service,
            "version": self.version,
            "subject": self.subject,
            "schemaType": self.schema_type,
            "schema": self.schema,
            "reads": None if self.reads is None else list(self.reads),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeployedConsumer:
        """Read :meth:`as_dict`'s form (from the registry); malformed data is refused."""
        try:
            reads = data.get("reads")
            return cls(
                service=str(data["service"]),
                version=str(data["version"]),
                subject=str(data["subject"]),
                schema_type=str(data.get("schemaType") or "AVRO"),
                schema=str(data["schema"]),
                reads=check_reads(list(reads) if reads is not None else None),
            )
        except (KeyError, TypeError) as exc:
            raise errors.InvalidInput(
                f"Malformed deployed consumer from the registry: {exc}"
            ) from None


@dataclass(frozen=True, slots=True)
class LevelAdvice:
    """What the deployed consumers make of one level finding."""

    environment: str
    pointers: tuple[str, ...]
    readers: tuple[str, ...]
    considered: tuple[str, ...]

    @property
    def downgrade(self) -> bool:
        """True when no deployed consumer reads anything the finding touches."""
        return not self.readers

    def note(self) -> str:
        """One sentence for the reports."""
        where = ", ".join(p or "(the whole event)" for p in self.pointers)
        if self.readers:
            return f"read by {', '.join(self.readers)} deployed in {self.environment}"
        considered = ", ".join(self.considered) or "none"
        return (
            f"no consumer deployed in {self.environment} reads {where} "
            f"(consumers considered: {considered})"
        )

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of the reports and the API."""
        return {
            "environment": self.environment,
            "pointers": list(self.pointers),
            "readers": list(self.readers),
            "considered": list(self.considered),
            "downgraded": self.downgrade,
        }


@dataclass(frozen=True, slots=True)
class ConsumerBreak:
    """Something a deployed consumer's reader schema cannot read of the candidate."""

    consumer: DeployedConsumer
    finding: ReaderFinding
    read: bool

    def message(self, environment: str) -> str:
        """The finding's message, naming the consumer and whether it reads the field."""
        where = ", ".join(p or "(the whole event)" for p in self.finding.pointers)
        if self.read:
            return (
                f"{self.consumer.label} (deployed in {environment}) reads {where} and cannot "
                f"read it any more: {self.finding.incompatibility.message}"
            )
        return (
            f"{self.consumer.label} (deployed in {environment}) could not read {where}, but "
            f"does not read it: {self.finding.incompatibility.message}"
        )

    def as_dict(self, environment: str) -> dict[str, Any]:
        """The JSON form of the API."""
        return {
            "consumer": self.consumer.service,
            "consumerVersion": self.consumer.version,
            "reads": None if self.consumer.reads is None else list(self.consumer.reads),
            "blocking": self.read,
            "summary": self.message(environment),
            **self.finding.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class ConsumerView:
    """The consumers deployed in one environment, and the judgement they allow."""

    environment: str
    consumers: tuple[DeployedConsumer, ...] = ()

    def of(self, subject: str) -> list[DeployedConsumer]:
        """The deployed consumers of ``subject``."""
        return [c for c in self.consumers if c.subject == subject]

    def advise(
        self, subject: str, incompatibility: Incompatibility, reader: ParsedSchema, writer: str
    ) -> LevelAdvice:
        """Who among the deployed consumers of ``subject`` reads what a level finding touches.

        ``reader`` is the schema the finding's ``reader_path`` points into and ``writer`` the
        text its ``writer_path`` points into.
        """
        pointers = tuple(
            touched_pointers(incompatibility, reader.schema_type.value, reader.text, writer)
        )
        consumers = self.of(subject)
        readers = tuple(c.label for c in consumers if reads_any(c.reads, pointers))
        return LevelAdvice(self.environment, pointers, readers, tuple(c.label for c in consumers))

    def check(self, subject: str, candidate: ParsedSchema) -> list[ConsumerBreak]:
        """What each deployed consumer of ``subject`` cannot read of ``candidate``'s events."""
        breaks: list[ConsumerBreak] = []
        for consumer in self.of(subject):
            read, unread = judge_reader(consumer.parsed(), candidate, consumer.reads)
            breaks += [ConsumerBreak(consumer, f, True) for f in read]
            breaks += [ConsumerBreak(consumer, f, False) for f in unread]
        return breaks


@dataclass(frozen=True, slots=True)
class AdvisedFinding:
    """A level finding and what the deployed consumers make of it."""

    finding: Finding
    advice: LevelAdvice

    def as_dict(self) -> dict[str, Any]:
        """The finding's JSON form with ``consumers`` added."""
        return {**self.finding.as_dict(), "consumers": self.advice.as_dict()}


@dataclass(frozen=True, slots=True)
class ConsumerAdvice:
    """A compatibility verdict weighed by the consumers deployed in one environment."""

    environment: str
    considered: tuple[str, ...]
    findings: tuple[AdvisedFinding, ...] = ()
    breaks: tuple[ConsumerBreak, ...] = ()

    @property
    def is_compatible(self) -> bool:
        """No level finding read by a deployed consumer, and no consumer break it reads."""
        return all(f.advice.downgrade for f in self.findings) and not any(
            b.read for b in self.breaks
        )

    def as_dict(self) -> dict[str, Any]:
        """The ``consumers`` member of ``POST /compatibility/...?consumers=ENV``."""
        return {
            "environment": self.environment,
            "is_compatible": self.is_compatible,
            "considered": list(self.considered),
            "findings": [f.as_dict() for f in self.findings],
            "consumerFindings": [b.as_dict(self.environment) for b in self.breaks],
        }


def advise(
    view: ConsumerView,
    subject: str,
    findings: Sequence[Finding],
    candidate: ParsedSchema,
    earlier: Mapping[int | None, ParsedSchema],
) -> ConsumerAdvice:
    """Weigh a subject's level findings (``earlier`` maps each finding's version to the schema
    it was checked against) and add what each deployed consumer cannot read of ``candidate``.

    A consumer break that repeats a FORWARD level finding (the consumer reads with that earlier
    schema) is left out: the level finding already says it, with the consumer named.
    """
    advised = []
    for finding in findings:
        other = earlier[finding.version]
        reader, writer = (
            (candidate, other) if finding.direction is Direction.BACKWARD else (other, candidate)
        )
        advice = view.advise(subject, finding.incompatibility, reader, writer.text)
        advised.append(AdvisedFinding(finding, advice))
    said = {_key(f.incompatibility) for f in findings if f.direction is Direction.FORWARD}
    breaks = [
        b for b in view.check(subject, candidate) if _key(b.finding.incompatibility) not in said
    ]
    return ConsumerAdvice(
        view.environment,
        tuple(c.label for c in view.of(subject)),
        tuple(advised),
        tuple(breaks),
    )


def _key(inc: Incompatibility) -> tuple[str, str, str, str]:
    return (inc.rule_id, inc.reader_path, inc.writer_path, inc.message)
