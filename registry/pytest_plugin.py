"""pytest plugin (entry point ``esr``): schema-first contract tests of event producers/consumers.

A thin front end over :mod:`registry.contract_testing`. Loading it costs nothing: this module
imports only pytest and the standard library, and the contracts, schemas, boto3 and the Azure
SDKs are touched only when a test asks for them.

When capture is on: only for tests that request ``captured_events`` or carry
``@pytest.mark.produces``. Other tests of the session (moto, LocalStack or real SDK calls) are
never intercepted, so installing the plugin disturbs no existing test suite.

Fixtures: ``event_contracts`` (session), ``captured_events``, ``contract_event``.
Markers: ``produces(*subjects)``, ``consumes(subject, *, service=None, transport=None, n=None)``.
Options ``--registry-*`` and ini keys ``registry_*`` (see ``pytest --help``). The registry URL
and credentials may also come from ``ESR_REGISTRY_*`` environment variables, which beat the ini
file because ini files are committed and secrets must not be
(:mod:`registry.contract_testing.access`). No credential is ever printed or reported.

Consumers' handlers get the payload as tracking proxies (``contract_testing.reads``); the
session ends with what each consumer read beside what its contract declares (``reads:``), and
with ``--registry-publish`` the verification results and read sets of ``--service-name`` at
``--service-version`` are posted to that registry (``contract_testing.publication``).

With ``--esr-record DIR`` (discovery), every test is captured (passing through when it did
not ask for capture), messages no contract binds do not fail, and the session ends by drafting
a contract and a schema per kind of such message into DIR (``contract_testing.discovery``).

The contracts' subjects are all resolved when the contracts are first loaded (the first test
that uses a fixture or marker), so a contract naming an unknown subject fails right there, with
its file and line, rather than from inside a producer's SDK call.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from registry.contract_testing import (
        CapturedEvents,
        EventContracts,
        LocalTreeSource,
        Report,
        SchemaSource,
    )
    from registry.contract_testing.access import RegistryAccess, Setting
    from registry.contract_testing.discovery import Discovery

_PASSWORD_HELP = "a password is safer in ESR_REGISTRY_PASSWORD than on a command line"
_OPTIONS: list[tuple[str, str, str, str | None]] = [
    ("schemas", "DIR", "schemas tree the contracts' subjects resolve from", "schemas"),
    ("contracts", "DIR", "directory of contract files (*.yaml)", "contracts"),
    (
        "url",
        "URL",
        "resolve subjects from this schema registry instead of the schemas tree "
        f"(user:password@ in it works, but {_PASSWORD_HELP})",
        None,
    ),
    (
        "user",
        "NAME",
        "user for HTTP Basic auth to the registry; the password is read from "
        "ESR_REGISTRY_PASSWORD, never from an option (a command line shows in the process list)",
        None,
    ),
    ("token", "TOKEN", "bearer token for the registry (safer in ESR_REGISTRY_TOKEN)", None),
    ("examples", "N", "example events generated per subject for consumers", "25"),
    ("seed", "N", "seed of the example generator", "0"),
    ("report", "FILE", "write a JSON report of every contract verified to FILE", None),
    (
        "publish",
        "URL",
        "at the end of the session, publish the verification results and consumers' read sets "
        "of --registry-service-name to this registry (credentials: --registry-user or "
        "--registry-token); schemas still resolve from --registry-url or the schemas tree",
        None,
    ),
    ("service_name", "NAME", "the service whose results --registry-publish publishes", None),
    ("service_version", "VERSION", "the version (a git SHA) --registry-publish publishes", None),
    ("branch", "BRANCH", "the branch of the version --registry-publish publishes", None),
    (
        "record",
        "DIR",
        "discovery: draft a contract and a schema into DIR for every kind of message the tests "
        "send that no contract binds (merged over every message of the run); while recording, "
        "such messages do not fail tests. The drafts name --registry-service-name's service "
        "(or 'recorded')",
        None,
    ),
]
# Environment variables beat ini keys: ini files are committed, secrets must not be.
_ENV = {
    "url": "ESR_REGISTRY_URL",
    "user": "ESR_REGISTRY_USER",
    "token": "ESR_REGISTRY_TOKEN",
    "service_version": "REGISTRY_SERVICE_VERSION",
}
# Short spellings of options (the issue's --service-name and --service-version).
_ALIASES = {
    "service_name": "--service-name",
    "service_version": "--service-version",
    "record": "--esr-record",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ``--registry-*`` options and their ``registry_*`` ini twins."""
    group = parser.getgroup("registry", "event contract tests (event-schema-registry)")
    for name, metavar, help_text, default in _OPTIONS:
        suffix = f" (default: {default})" if default is not None else ""
        env = f"; env: {_ENV[name]} (beats ini)" if name in _ENV else ""
        group.addoption(
            f"--registry-{name.replace('_', '-')}",
            *([_ALIASES[name]] if name in _ALIASES else []),
            dest=f"registry_{name}",
            metavar=metavar,
            default=None,
            help=help_text + suffix + f"; ini: registry_{name}" + env,
        )
        parser.addini(f"registry_{name}", help_text, default=default)
    group.addoption(
        "--registry-passthrough",
        dest="registry_passthrough",
        action="store_true",
        default=None,
        help="let captured SDK calls continue to their real endpoint (moto, LocalStack, cloud)",
    )
    parser.addini("registry_passthrough", "let captured calls continue", type="bool", default=False)
    parser.addini(
        "registry_strict",
        "fail on captured messages that match no contract (default true)",
        type="bool",
        default=True,
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers and the lazily-built plugin state."""
    config.addinivalue_line(
        "markers",
        "produces(*subjects): fail unless the test emits at least one message of each subject "
        "and every captured message conforms to its contract",
    )
    config.addinivalue_line(
        "markers",
        "consumes(subject, *, service=None, transport=None, n=None): run the test once per "
        "example event of subject, wrapped in the transport of its consumer contract "
        "(fixture contract_event)",
    )
    config.stash[_STATE] = state = _State(config)
    if state.setting("publish"):
        missing = [
            f"--registry-{name.replace('_', '-')} (ini registry_{name}"
            + (f", env {_ENV[name]})" if name in _ENV else ")")
            for name in ("service_name", "service_version")
            if not state.setting(name)
        ]
        if missing:
            raise pytest.UsageError(f"--registry-publish needs {' and '.join(missing)}")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Close the registry client and remove the boto3 hook wrapper."""
    state = config.stash.get(_STATE, None)
    if state is not None:
        state.close()


@dataclass
class _State:
    config: pytest.Config
    engine: EventContracts | None = None
    report: Report | None = None
    worker_reports: list[dict[str, Any]] = field(default_factory=list)
    closers: list[Any] = field(default_factory=list)
    failure: str | None = None  # why the contracts could not load, once they failed to
    lines: list[tuple[str, bool]] = field(default_factory=list)  # (line, red) for the summary
    discovery: Discovery | None = None  # with --esr-record: the unbound messages of the run

    def __post_init__(self) -> None:
        if self.setting("record"):
            from registry.contract_testing.discovery import Discovery
            from registry.errors import RegistryError

            try:
                self.discovery = Discovery(str(self.setting("service_name") or "recorded"))
            except RegistryError as exc:
                raise pytest.UsageError(exc.message) from None

    def setting(self, name: str) -> Any:
        return self.sourced(name)[0]

    def sourced(self, name: str) -> tuple[Any, str, int]:
        """A setting's value, where it came from, and that place's rank (0 wins)."""
        value = self.config.getoption(f"registry_{name}")
        if value is not None:
            return value, f"--registry-{name.replace('_', '-')}", 0
        env = os.environ.get(_ENV.get(name, ""))
        if env:  # empty counts as unset: CI systems turn a missing secret into ""
            return env, _ENV[name], 1
        value = self.config.getini(f"registry_{name}")
        return value, f"ini registry_{name}", 2 if value not in (None, "") else 3

    def path(self, name: str) -> Path:
        return Path(self.config.rootpath, str(self.setting(name)))

    def build(self) -> EventContracts:
        if self.engine is not None:
            return self.engine
        if self.failure is not None:  # fail every later test the same way, without new requests
            from registry.errors import InvalidInput

            raise InvalidInput(self.failure)
        from registry.errors import RegistryError

        try:
            self.engine = self._build()
        except RegistryError as exc:
            self.failure = exc.message
            raise
        return self.engine

    def _build(self) -> EventContracts:
        from registry.contract_testing import (
            EventContracts,
            LocalTreeSource,
            Options,
            Report,
            load_contracts,
        )

        contracts = load_contracts(self.path("contracts"), relative_to=self.config.rootpath)
        tree = LocalTreeSource(self.path("schemas"), label=f"{self.setting('schemas')}/")
        access = self._access()
        source: SchemaSource = tree
        origin = f"local:{self.setting('schemas')}"
        if access is not None:
            source, origin = self._registry_source(access, tree), access.url
        options = Options(
            strict=bool(self.config.getini("registry_strict")) and self.discovery is None,
            examples=_int(self.setting("examples"), "registry_examples"),
            seed=_int(self.setting("seed"), "registry_seed"),
            passthrough=bool(self.setting("passthrough")),
        )
        report = Report(contracts, origin)
        engine = EventContracts(contracts, source, options, report=report, discovery=self.discovery)
        engine.check_subjects()
        self.report = report
        return engine

    def _access(self) -> RegistryAccess | None:
        from registry.contract_testing.access import PASSWORD_ENV, Rank, Setting, registry_access

        def read(name: str) -> Setting:
            value, origin, rank = self.sourced(name)
            return Setting(str(value) if value else None, origin, Rank(rank))

        password = os.environ.get(PASSWORD_ENV) or None
        url = read("url")
        if not url.value and self.setting("publish"):
            return None  # the credentials are for the registry published to
        return registry_access(url, read("user"), read("token"), password)

    def publish(self, document: dict[str, Any]) -> str:
        """POST the verification document to ``--registry-publish``; return where it went."""
        from registry.client import RegistryClient
        from registry.contract_testing.access import PASSWORD_ENV, Rank, Setting, registry_access
        from registry.contract_testing.publication import verifications_path

        def read(name: str) -> Setting:
            value, origin, rank = self.sourced(name)
            return Setting(str(value) if value else None, origin, Rank(rank))

        password = os.environ.get(PASSWORD_ENV) or None
        access = registry_access(read("publish"), read("user"), read("token"), password)
        if access is None:
            raise pytest.UsageError("--registry-publish needs a registry URL")
        service, version = document["service"], document["version"]
        with RegistryClient(access.url, auth=access.basic_auth, token=access.token) as client:
            client.record_verifications(service, version, document)
        return f"{access.url}{verifications_path(service, version)}"

    def _registry_source(self, access: RegistryAccess, tree: LocalTreeSource) -> SchemaSource:
        from registry.client import RegistryClient
        from registry.contract_testing import RegistrySource

        client = RegistryClient(access.url, auth=access.basic_auth, token=access.token)
        self.closers.append(client.close)
        return RegistrySource(client, access=access, tree=tree)

    def close(self) -> None:
        for close in self.closers:
            close()
        self.closers.clear()
        if self.engine is not None:
            from registry.contract_testing import aws

            aws.uninstall()


_STATE = pytest.StashKey[_State]()
_CAPTURE = pytest.StashKey["CapturedEvents"]()
_EVENT = pytest.StashKey[Any]()


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise pytest.UsageError(f"{name} must be an integer, not {value!r}") from None


def _engine(config: pytest.Config) -> EventContracts:
    """The engine, or a clean failure naming the contract file and line."""
    from registry.errors import RegistryError

    failure = None
    try:
        return config.stash[_STATE].build()
    except RegistryError as exc:
        failure = f"contract tests cannot start: {exc.message}"
    pytest.fail(failure, pytrace=False)


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def event_contracts(pytestconfig: pytest.Config) -> EventContracts:
    """The contracts of the repository: ``.contract(subject)``, ``.verify_consumer(...)``."""
    return _engine(pytestconfig)


@pytest.fixture
def captured_events(
    request: pytest.FixtureRequest, event_contracts: EventContracts
) -> Iterator[CapturedEvents]:
    """Every message boto3 and the Azure SDKs send during the test, matched and validated.

    Calls are answered in memory with a well-formed success response (no network) unless
    ``--registry-passthrough``. Call ``captured_events.assert_conform()`` to fail on
    violations and (strict) unbound messages.
    """
    with event_contracts.capture() as events:
        request.node.stash[_CAPTURE] = events
        try:
            yield events
        finally:
            del request.node.stash[_CAPTURE]


@pytest.fixture
def contract_event(request: pytest.FixtureRequest) -> Iterator[Any]:
    """One example event of the ``consumes`` subject, wrapped in the consumer's transport.

    The payload in it is tracked (also through ``json.loads`` of its text while the test runs):
    what the test's handler reads joins the binding's read set in the report.
    """
    param = getattr(request, "param", None)
    if param is None:
        pytest.fail(
            "contract_event needs @pytest.mark.consumes('<subject>') on the test", pytrace=False
        )
    request.node.stash[_EVENT] = param
    with param.observed(request.config.stash[_STATE].report) as event:
        yield event


# --- markers -------------------------------------------------------------------------------------


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``contract_event`` with the examples of the ``consumes`` subject."""
    if "contract_event" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("consumes")
    if marker is None:
        return
    if len(marker.args) != 1 or not isinstance(marker.args[0], str):
        pytest.fail("@pytest.mark.consumes takes one subject name", pytrace=False)
    transport, n = marker.kwargs.get("transport"), marker.kwargs.get("n")
    service = marker.kwargs.get("service")
    engine = _engine(metafunc.config)
    from registry.errors import RegistryError

    failure = None
    try:
        events = engine.consumer_events(marker.args[0], n, transport, service)
    except RegistryError as exc:
        failure = f"consumes({marker.args[0]!r}): {exc.message}"
    if failure is not None:
        pytest.fail(failure, pytrace=False)
    metafunc.parametrize("contract_event", events, ids=[e.id for e in events], indirect=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """For ``produces`` tests: capture during the call, then check what was emitted.

    With ``--esr-record``, every other test's call is captured too, passing through.
    """
    subjects = [str(s) for m in item.iter_markers("produces") for s in m.args]
    if not subjects and item.get_closest_marker("produces") is None:
        state = item.config.stash[_STATE]
        if state.discovery is None or _CAPTURE in item.stash:
            return (yield)
        # --esr-record: every test's messages are drafted, not only those of contract tests;
        # they go on to wherever they went without the plugin (moto, LocalStack, the cloud).
        with _engine(item.config).capture(passthrough=True):
            return (yield)
    engine = _engine(item.config)
    events = item.stash.get(_CAPTURE, None)
    if events is None:
        with engine.capture() as events:
            result = yield
    else:
        result = yield
    from registry.contract_testing import ContractViolation

    failure = None
    try:
        engine.check_produced(events, subjects)
    except ContractViolation as exc:
        failure = str(exc)
    if failure is not None:
        pytest.fail(failure, pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Record consumer examples in the report, and name the payload of a failing one."""
    report = yield
    param = item.stash.get(_EVENT, None)
    state = item.config.stash.get(_STATE, None)
    if param is None or call.when != "call" or state is None or state.report is None:
        return report
    from registry.contract_testing.render import shorten

    error = call.excinfo.value if call.excinfo is not None else None
    failure = f"{type(error).__name__}: {error}" if error is not None else None
    state.report.record(
        param.binding, param.subject.version, failure=failure, payload=shorten(param.payload)
    )
    if report.failed:
        report.sections.append(
            (
                "contract event",
                f"{param.binding.location}: {param.subject.label} example {param.index} "
                f"on {param.binding.transport.value}\npayload: {shorten(param.payload)}",
            )
        )
    return report


# --- report --------------------------------------------------------------------------------------


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist: collect a worker's report."""
    state = node.config.stash.get(_STATE, None)
    output = getattr(node, "workeroutput", {})
    data = output.get("esr_report")
    if state is not None and data:
        state.worker_reports.append(json.loads(data))
    recorded = output.get("esr_record")
    if state is not None and state.discovery is not None and recorded:
        state.discovery.merge(json.loads(recorded))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write ``--registry-report`` and publish to ``--registry-publish``.

    Workers of pytest-xdist hand their report to the controller, which merges them first.
    """
    state = session.config.stash.get(_STATE, None)
    if state is None:
        return
    worker_output = getattr(session.config, "workeroutput", None)
    if worker_output is not None:
        if state.report is not None:
            worker_output["esr_report"] = json.dumps(state.report.to_dict())
        if state.discovery is not None:
            worker_output["esr_record"] = json.dumps(state.discovery.to_dict())
        return
    if state.discovery is not None:
        _write_drafts(session, state)
    wanted = state.setting("report") or state.setting("publish") or state.worker_reports
    if state.engine is None and wanted:
        try:
            state.build()
        except Exception as exc:  # a broken contract set is reported, not raised, at the end
            state.lines.append((f"registry: no contract report written: {exc}", True))
            if state.setting("publish"):
                _fail_session(session)
            return
    if state.report is None:
        return
    for data in state.worker_reports:
        state.report.merge(data)
    state.worker_reports.clear()
    if state.setting("report"):
        state.report.write(Path(session.config.rootpath, str(state.setting("report"))))
    if state.setting("publish"):
        _publish(session, state)


def _write_drafts(session: pytest.Session, state: _State) -> None:
    """``--esr-record``: write the drafts of the run's unbound messages, and say what was.

    A draft that cannot be written fails the run: it is what the run was asked for.
    """
    from registry.errors import RegistryError

    discovery = state.discovery
    assert discovery is not None
    directory = state.path("record")
    try:
        written = discovery.write(directory)
    except (RegistryError, OSError) as exc:
        state.lines.append((f"registry: no draft written to {directory}: {exc}", True))
        _fail_session(session)
        return
    for reason, count in sorted(discovery.skipped.items()):
        state.lines.append((f"registry: not drafted ({count} message(s)): {reason}", True))
    if not written:
        state.lines.append(
            ("registry: nothing drafted: every JSON message sent matched a contract", False)
        )
        return
    kinds = len(discovery.samples)
    state.lines.append(
        (
            f"registry: drafted {kinds} uncontracted event type(s) from {len(discovery)} "
            f"message(s) into {directory}:",
            False,
        )
    )
    for path in written:
        state.lines.append((f"    {path.relative_to(directory)}", False))


def _fail_session(session: pytest.Session) -> None:
    if session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _publish(session: pytest.Session, state: _State) -> None:
    """Publish the merged report; a failure to publish fails the run, naming why."""
    from registry.contract_testing.publication import verification_document
    from registry.errors import RegistryError

    if state.report is None:
        return
    try:
        document = verification_document(
            state.report.to_dict(),
            service=str(state.setting("service_name")),
            version=str(state.setting("service_version")),
            branch=str(state.setting("branch") or "") or None,
        )
        where = state.publish(document)
    except RegistryError as exc:
        state.lines.append((f"registry: nothing published: {exc.message}", True))
        _fail_session(session)
        return
    count = len(document["contracts"])
    state.lines.append((f"registry: published {count} contracts to {where}", False))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """What consumers read (recorded beside declared), and what was written or published."""
    state = config.stash.get(_STATE, None)
    if state is None or getattr(config, "workeroutput", None) is not None:
        return
    if state.report is not None:
        from registry.contract_testing.publication import read_warnings

        consumers = [e for e in state.report.to_dict()["contracts"] if "reads" in e]
        shown = [e for e in consumers if e["reads"] is not None or e["declared_reads"]]
        if shown:
            terminalreporter.section("what consumers read")
        for entry in shown:
            terminalreporter.write_line(
                f"{entry['file']}:{entry['line']}: {entry['service']} consumes {entry['subject']}"
            )
            terminalreporter.write_line(f"    recorded: {_pointers(entry['reads'])}")
            terminalreporter.write_line(f"    declared: {_pointers(entry['declared_reads'])}")
            for warning in read_warnings(entry):
                terminalreporter.write_line(f"    warning: {warning}", yellow=True)
    for line, red in state.lines:
        terminalreporter.write_line(line, red=red)


def _pointers(pointers: list[str] | None) -> str:
    if pointers is None:
        return "-"
    return " ".join(p or "(the whole event)" for p in pointers) or "(nothing)"
