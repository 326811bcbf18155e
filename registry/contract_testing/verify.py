"""The engine behind the fixtures: contracts, their schemas, capture, examples and consumers.

:class:`EventContracts` is what the ``event_contracts`` fixture returns. It holds the contract
set and a schema resolver, runs captures (:meth:`EventContracts.capture`), hands out
per-subject :class:`EventContract` objects (validate, examples, envelope) and verifies consumer
handlers against every example of a subject wrapped in the consumer's transport.

The public methods raise what a test should read (a broken contract, an unknown subject) from
the call itself, without the engine's frames below it: pytest then shows the line of the test
that made the call and the message, and ``__tracebackhide__`` hides the call's own frame.
Anything else (a bug) keeps its whole traceback.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from registry.contract_testing import aws, azure, render, routing
from registry.contract_testing.capture import (
    CapturedEvent,
    CapturedEvents,
    ContractViolation,
    match,
)
from registry.contract_testing.envelopes import LambdaContext, envelope
from registry.contract_testing.messages import OutgoingMessage, activate, capturing
from registry.contract_testing.model import Binding, ContractSet, Role, Transport
from registry.contract_testing.payloads import PayloadError, to_json
from registry.contract_testing.pointers import ReadSet
from registry.contract_testing.reads import observe
from registry.contract_testing.report import Report
from registry.contract_testing.schemas import (
    ResolvedSubject,
    SchemaResolver,
    SchemaSource,
    similar,
)
from registry.errors import InvalidInput, NotFound, RegistryError
from registry.formats import Violation

if TYPE_CHECKING:
    from registry.contract_testing.discovery import Discovery

_P = ParamSpec("_P")
_R = TypeVar("_R")
_EXPECTED = (ContractViolation, RegistryError, PayloadError)


class ConsumerFailed(ContractViolation):
    """A consumer handler raised on an event its contract says it must accept."""


def _public(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """Raise the expected failures of ``method`` from this call, without the frames below it."""

    @functools.wraps(method)
    def call(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        __tracebackhide__ = True
        try:
            return method(*args, **kwargs)
        except _EXPECTED as exc:
            # The same exception (its cause and context kept), with a traceback from here up.
            raise exc.with_traceback(None)  # noqa: B904 (re-raised as is, not a new error)

    return call


@dataclass(frozen=True, slots=True)
class Options:
    """How verification behaves (from ``--registry-*`` options / ``registry_*`` ini keys)."""

    strict: bool = True
    examples: int = 25
    seed: int = 0
    passthrough: bool = False


@dataclass(frozen=True, slots=True)
class ConsumerEvent:
    """One example payload of a subject, wrapped for one consumer binding."""

    binding: Binding
    subject: ResolvedSubject
    index: int
    payload: Any
    event: Any
    reads: list[ReadSet] = field(default_factory=list, compare=False)

    @property
    def id(self) -> str:
        """A test id: ``payments.PaymentCaptured-sqs-3``."""
        return f"{self.binding.subject}-{self.binding.transport.value}-{self.index}"

    @contextlib.contextmanager
    def observed(self, report: Report | None = None) -> Iterator[Any]:
        """The event as a handler should get it, recording what the handler reads of it.

        While the block runs, the payload is handed out as tracking proxies (see
        :mod:`~registry.contract_testing.reads`); at its end, what was read is added to the
        read set of the binding in ``report`` and appended to :attr:`reads`.
        """
        with observe(self.payload, self.event, self.binding.transport) as (recorder, event):
            try:
                yield event
            finally:
                found = recorder.reads()
                self.reads.append(found)
                if report is not None:
                    report.record_reads(self.binding, found)


class EventContract:
    """The contract of one subject: its schema, and the bindings that name it."""

    def __init__(
        self, resolved: ResolvedSubject, bindings: list[Binding], options: Options
    ) -> None:
        self.resolved = resolved
        self.bindings = bindings
        self.options = options

    @property
    def subject(self) -> str:
        """The subject name."""
        return self.resolved.subject

    @property
    def version(self) -> int | None:
        """The registered version verified against (None: the working-tree schema)."""
        return self.resolved.version

    def violations(self, payload: Any) -> list[Violation]:
        """Every way ``payload`` breaks the schema (empty: it conforms)."""
        return self.resolved.format.validate(self.resolved.schema, payload)

    @_public
    def validate(self, payload: Any) -> None:
        """Raise :class:`ContractViolation` unless ``payload`` conforms to the schema."""
        found = self.violations(payload)
        if found:
            producers = [b for b in self.bindings if b.role is Role.PRODUCES]
            named = (producers or self.bindings)[:1]
            where = "".join(f"{b.location}: " for b in named)
            lines = [f"{where}payload does not conform to {self.resolved.label}"]
            lines += render.violation_lines(found)
            lines.append(f"    payload: {render.shorten(payload)}")
            lines.append(f"    {render.HINT_VIOLATION}")
            raise ContractViolation("\n".join(lines), found)

    @_public
    def examples(self, n: int | None = None, *, seed: int | None = None) -> list[Any]:
        """Up to ``n`` valid payloads: the schema's own ``examples`` first, then generated ones.

        Deterministic for a seed (default: the run's ``--registry-seed``).
        """
        n = self.options.examples if n is None else n
        seed = self.options.seed if seed is None else seed
        found: list[Any] = []
        seen: set[str] = set()

        def add(candidate: Any) -> None:
            key = to_json(candidate)
            if key not in seen and len(found) < n:
                seen.add(key)
                found.append(candidate)

        document = self.resolved.schema.document
        registered = document.get("examples") if isinstance(document, dict) else None
        for example in registered if isinstance(registered, list) else []:
            if not self.violations(example):
                add(example)
        if len(found) < n:
            fmt, schema = self.resolved.format, self.resolved.schema
            for example in fmt.examples(schema, n, seed=seed):
                add(example)
        return found

    @_public
    def binding_for(self, transport: str | Transport | None = None, **options: Any) -> Binding:
        """The consumer binding to wrap for: the contract's, or one made from the arguments."""
        if transport is None and not options:
            consumers = [b for b in self.bindings if b.role is Role.CONSUMES]
            if consumers:
                return consumers[0]
            raise InvalidInput(f"no contract consumes {self.subject}; pass a transport")
        try:
            kind = Transport(str(transport).lower()) if transport else self.bindings[0].transport
        except (ValueError, IndexError):
            known = ", ".join(t.value for t in Transport)
            raise InvalidInput(f"unknown transport {transport!r} (known: {known})") from None
        target = options.pop("target", None)
        return Binding("adhoc", Role.CONSUMES, self.subject, kind, _ADHOC, 0, target, None, options)

    @_public
    def envelope(
        self, payload: Any, transport: str | Transport | None = None, **options: Any
    ) -> Any:
        """The event a consumer receives for ``payload`` on ``transport``.

        Without a transport, the first consumer binding of the subject decides; ``options`` are
        binding fields (``via="sns"``, ``target="orders"``, ``source=...``, ``encoding=...``).
        """
        return envelope(payload, self.binding_for(transport, **options), self.resolved)


_ADHOC = Path("<adhoc>")


def _seen(event: CapturedEvent) -> str:
    """``sns:orders``; for EventBridge with the source and detail-type, which bind it."""
    seen = f"{event.transport.value}:{event.target}"
    if event.transport is Transport.EVENTBRIDGE:
        seen += f" ({routing.sent(event.transport, event.attributes, event.meta)})"
    return seen


class EventContracts:
    """Contracts, schemas and options of a run: the object behind ``event_contracts``."""

    def __init__(
        self,
        contracts: ContractSet,
        source: SchemaSource,
        options: Options | None = None,
        *,
        report: Report | None = None,
        discovery: Discovery | None = None,
    ) -> None:
        self.contracts = contracts
        self.options = options or Options()
        self.resolver = SchemaResolver(source)
        self.report = report
        self.discovery = discovery

    # --- schemas and contracts ---------------------------------------------------------------

    def resolve(self, binding: Binding) -> ResolvedSubject:
        """The schema a binding is verified against (pinned version, or latest)."""
        try:
            return self.resolver.resolve(binding.subject, binding.version)
        except RegistryError as exc:
            if not exc.message.startswith(binding.location):
                exc.message = f"{binding.location}: {exc.message}"
                exc.args = (exc.message,)
            raise

    def check_subjects(self) -> None:
        """Resolve the subject of every contract now, once per subject and version.

        A contract naming a subject its schema source does not have (or a version it does not
        have, or an invalid schema) is reported with its file and line before any test sends a
        message, instead of from inside an SDK call later. Raises ``InvalidInput`` with one line
        per such contract; errors of the source itself (unreachable, refused) propagate.
        """
        problems: list[str] = []
        found: dict[tuple[str, int | None], str | None] = {}
        for binding in self.contracts.bindings():
            key = (binding.subject, binding.version)
            if key not in found:
                found[key] = self._problem(*key)
            if found[key] is not None:
                problems.append(f"{binding.location}: {found[key]}")
        if problems:
            raise InvalidInput("\n".join(problems))

    def _problem(self, subject: str, version: int | None) -> str | None:
        try:
            self.resolver.resolve(subject, version)
        except (NotFound, InvalidInput) as exc:
            return exc.message
        return None

    @_public
    def contract(self, subject: str, version: int | None = None) -> EventContract:
        """The contract of ``subject``; any subject of the schema source works, bound or not."""
        bindings = [
            self.complete(b) if b.role is Role.CONSUMES else b
            for b in self.contracts.bindings()
            if b.subject == subject
        ]
        if version is None:
            version = next((b.version for b in bindings if b.version is not None), None)
        if bindings and version == bindings[0].version:
            resolved = self.resolve(bindings[0])
        else:
            resolved = self.resolver.resolve(subject, version)
        return EventContract(resolved, bindings, self.options)

    # --- producers ---------------------------------------------------------------------------

    def record(self, event: CapturedEvent) -> None:
        """Count a captured message in the report; keep an unbound one for discovery."""
        if self.discovery is not None:
            self.discovery.add(event)
        if self.report is None:
            return
        if event.binding is None:
            self.report.record_unmatched(
                event.transport.value, event.target, event.operation, render.shorten(event.payload)
            )
        else:
            failure = event.explain() if event.violations else None
            self.report.record(
                event.binding, event.version, failure=failure, payload=render.shorten(event.payload)
            )

    @contextlib.contextmanager
    def capture(self, *, passthrough: bool | None = None) -> Iterator[CapturedEvents]:
        """Capture every message boto3 and the Azure SDKs send while the block runs."""
        events = CapturedEvents(strict=self.options.strict)
        passthrough = self.options.passthrough if passthrough is None else passthrough

        def sink(message: OutgoingMessage) -> None:
            event = match(message, self.contracts, self.resolve)
            events.append(event)
            self.record(event)

        aws.install()
        azure.install()
        try:
            with activate(sink, passthrough=passthrough):
                yield events
        finally:
            if not capturing():  # an outer capture (``--esr-record``) still needs the patches
                azure.uninstall()

    @_public
    def check_produced(self, events: CapturedEvents, subjects: list[str]) -> None:
        """Fail unless each subject was emitted and every captured message conforms."""
        problems = [e.explain() for e in events.problems()]
        produced = self.contracts.bindings(Role.PRODUCES)
        for subject in subjects:
            if not events.of(subject):
                bindings = [b for b in produced if b.subject == subject]
                where = "; bound by " + ", ".join(b.location for b in bindings)
                if not bindings:
                    close = similar(subject, sorted({b.subject for b in produced}), limit=1)
                    where = "; no contract produces it" + (
                        f"; did you mean '{close[0]}'?" if close else ""
                    )
                seen = ", ".join(sorted({_seen(e) for e in events}))
                problems.append(
                    f"expected at least one {subject} message, captured none{where}\n"
                    f"    captured: {seen or 'nothing'}\n    {render.HINT_NOTHING}"
                )
        if problems:
            raise ContractViolation("\n".join(problems))

    # --- consumers ---------------------------------------------------------------------------

    def complete(self, binding: Binding) -> Binding:
        """A consumer binding filled in from the producer of its subject on the same transport.

        A consumer rarely repeats the EventBridge source, the SNS topic or the message
        attributes; its envelopes should still carry what the producer sends.
        """
        delivered_by = Transport(binding.via) if binding.via else binding.transport
        producer = next(
            (
                b
                for b in self.contracts.bindings(Role.PRODUCES)
                if b.subject == binding.subject and b.transport is delivered_by
            ),
            None,
        )
        if producer is None:
            return binding
        options = dict(producer.options)
        if binding.via == "sns" and producer.target:
            options["topic"] = producer.target
        options.update(binding.options)
        if binding.via:
            options.pop("encoding", None)
        target = binding.target or (producer.target if not binding.via else None)
        return replace(binding, options=options, target=target)

    @_public
    def consumer_events(
        self,
        subject: str,
        n: int | None = None,
        transport: str | None = None,
        service: str | None = None,
    ) -> list[ConsumerEvent]:
        """Every example of ``subject`` wrapped for each of its consumer bindings.

        ``service`` keeps the bindings of one service's contract; ``transport`` those of one
        transport (or wraps for that transport when no contract consumes it so).
        """
        contract = self.contract(subject)
        bindings = list(self.contracts.consumers_of(subject))
        if service is not None:
            bindings = [b for b in bindings if b.service == service]
            if not bindings:
                raise InvalidInput(
                    f"the contract of service '{service}' does not consume {subject}"
                )
        if transport is not None:
            bindings = [b for b in bindings if b.transport.value == transport] or [
                contract.binding_for(transport)
            ]
        if not bindings:
            raise InvalidInput(
                f"no contract in the contracts directory consumes {subject}; add a 'consumes' "
                "entry or pass a transport"
            )
        events = []
        for binding in map(self.complete, bindings):
            resolved = self.resolve(binding) if binding.file != _ADHOC else contract.resolved
            for index, payload in enumerate(contract.examples(n)):
                wrapped = envelope(payload, binding, resolved, index=index)
                events.append(ConsumerEvent(binding, resolved, index, payload, wrapped))
        return events

    @_public
    def verify_consumer(
        self,
        handler: Callable[[Any, Any], Any],
        subject: str,
        n: int = 50,
        *,
        transport: str | None = None,
        service: str | None = None,
        context: Any = None,
    ) -> int:
        """Call ``handler(event, context)`` with every example of ``subject`` in its envelope.

        The handler gets the payload as tracking proxies (through its ``json.loads`` when the
        transport carries text): what it reads is the binding's read set in the report.
        Returns how many events the handler accepted. Raises :class:`ConsumerFailed` naming the
        smallest payload the handler raised on, chained to the handler's own exception.
        """
        __tracebackhide__ = True  # also in the traceback of the handler's exception
        failures: list[tuple[ConsumerEvent, BaseException]] = []
        events = self.consumer_events(subject, n, transport, service)
        for item in events:
            try:
                with item.observed(self.report) as event:
                    handler(event, context if context is not None else LambdaContext())
            except Exception as exc:
                failures.append((item, exc))
                if self.report is not None:
                    self.report.record(
                        item.binding,
                        item.subject.version,
                        failure=f"{type(exc).__name__}: {exc}",
                        payload=render.shorten(item.payload),
                    )
            else:
                if self.report is not None:
                    self.report.record(item.binding, item.subject.version)
        if failures:
            smallest, error = min(failures, key=lambda f: (len(to_json(f[0].payload)), f[0].index))
            name = getattr(handler, "__qualname__", repr(handler))
            raise ConsumerFailed(
                f"{render.binding_header(smallest.binding, smallest.subject.label)}\n"
                f"    {name} raised on {len(failures)} of {len(events)} events; smallest payload "
                f"(example {smallest.index}):\n    payload: {render.shorten(smallest.payload)}\n"
                f"    error: {type(error).__name__}: {error}\n    {render.HINT_CONSUMER}"
            ) from error
        return len(events)
