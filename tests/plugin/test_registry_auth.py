"""Credentials for ``--registry-url``: every way of giving them works, and none is ever shown.

The server is a real ``esr serve`` with authentication on (users and a token created with
``esr users add`` and ``esr tokens create``). Each run's report and output are searched for
every secret, raw and percent-encoded.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest

from registry.client import RegistryClient
from registry.domain import SchemaInput, SchemaType
from tests.plugin.conftest import ORDER_CANCELLED, ORDER_PLACED, source
from tests.support.server import ESR, ServerProcess, running_server

ADMIN_PASSWORD = "admin-Pw-7f3a9c"
READER_PASSWORD = "rd p@ss:w/rd%41-91be"  # needs percent-encoding in a URL


@dataclass(frozen=True)
class AuthServer:
    """A running server with auth on, and the secrets that open it."""

    process: ServerProcess
    token: str

    @property
    def url(self) -> str:
        """The base URL, without credentials."""
        return self.process.url

    def url_with(self, user: str, password: str) -> str:
        """The base URL with ``user:password@`` (percent-encoded)."""
        return self.url.replace("://", f"://{quote(user, safe='')}:{quote(password, safe='')}@")

    @property
    def secrets(self) -> list[str]:
        """Every secret, as given and as it appears in a URL."""
        raw = [ADMIN_PASSWORD, READER_PASSWORD, self.token]
        return raw + [quote(s, safe="") for s in raw]


def _esr(*args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [str(ESR), *args], input=stdin, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthServer]:
    """``esr serve`` with users admin and reader (a reader's token too) and the shop's subjects."""
    database = f"sqlite:///{tmp_path_factory.mktemp('registry') / 'registry.db'}"
    for name, password in (("admin", ADMIN_PASSWORD), ("reader", READER_PASSWORD)):
        add = ("users", "add", name, "--role", name, "--password-stdin")
        _esr(*add, "--database-url", database, stdin=password + "\n")
    token = _esr("tokens", "create", "reader", "--database-url", database).split()[-1]
    with running_server(database) as running:
        with RegistryClient(running.url, auth=("admin", ADMIN_PASSWORD)) as client:
            client.register(
                "shop.OrderPlaced", SchemaInput(json.dumps(ORDER_PLACED), SchemaType.JSON)
            )
            cancelled = SchemaInput(json.dumps(ORDER_CANCELLED), SchemaType.AVRO)
            client.register("shop.OrderCancelled", cancelled)
        yield AuthServer(running, token)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Set ``ESR_REGISTRY_*`` variables for one inner run (the shop fixture cleared them)."""
    return monkeypatch


PRODUCER = """
import pytest
from senders import sns_publish

@pytest.mark.produces("shop.OrderPlaced")
def test_good():
    sns_publish({"orderId": "o-1", "total": 1})

@pytest.mark.produces("shop.OrderPlaced")
def test_bad():
    sns_publish({"orderId": "o-1", "total": -1})
"""

WAYS = ["url", "user", "token", "env-user", "env-token", "all-at-once"]


def _arguments(way: str, server: AuthServer, env: pytest.MonkeyPatch) -> list[str]:
    if way == "url":
        return ["--registry-url", server.url_with("reader", READER_PASSWORD)]
    if way == "user":
        env.setenv("ESR_REGISTRY_PASSWORD", READER_PASSWORD)
        return ["--registry-url", server.url, "--registry-user", "reader"]
    if way == "token":
        return ["--registry-url", server.url, "--registry-token", server.token]
    if way == "env-user":
        env.setenv("ESR_REGISTRY_URL", server.url)
        env.setenv("ESR_REGISTRY_USER", "reader")
        env.setenv("ESR_REGISTRY_PASSWORD", READER_PASSWORD)
        return []
    if way == "env-token":
        env.setenv("ESR_REGISTRY_URL", server.url)
        env.setenv("ESR_REGISTRY_TOKEN", server.token)
        return []
    # URL credentials of another user, a user on the command line (which wins) and a token.
    env.setenv("ESR_REGISTRY_PASSWORD", READER_PASSWORD)
    env.setenv("ESR_REGISTRY_TOKEN", server.token)
    return ["--registry-url", server.url_with("admin", ADMIN_PASSWORD), "--registry-user", "reader"]


@pytest.mark.parametrize("way", WAYS)
def test_credentials_reach_the_registry_and_never_the_report_or_the_output(
    shop: pytest.Pytester, server: AuthServer, env: pytest.MonkeyPatch, way: str
) -> None:
    shop.makepyfile(source(PRODUCER))

    result = shop.runpytest(
        "-p", "no:randomly", "-rA", "--registry-report", "r.json", *_arguments(way, server, env)
    )

    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*shop.OrderPlaced@1*", "*at /total*"])
    text = (shop.path / "r.json").read_text()
    report = json.loads(text)
    assert report["source"] == server.url
    assert report["summary"]["failed"] == 1
    shown = text + result.stdout.str() + result.stderr.str()
    assert [s for s in server.secrets if s in shown] == []


def test_precedence_is_command_line_then_environment_then_ini(
    shop: pytest.Pytester, server: AuthServer, env: pytest.MonkeyPatch
) -> None:
    shop.makeini("[pytest]\nregistry_url = http://127.0.0.1:9\nregistry_user = nobody\n")
    env.setenv("ESR_REGISTRY_URL", "http://127.0.0.1:9/env")
    env.setenv("ESR_REGISTRY_USER", "reader")  # beats the ini's user
    env.setenv("ESR_REGISTRY_PASSWORD", READER_PASSWORD)
    shop.makepyfile("def test_uses(event_contracts):\n    pass\n")

    result = shop.runpytest(
        "-p", "no:randomly", "--registry-url", server.url, "--registry-report", "r.json"
    )

    result.assert_outcomes(passed=1)
    assert json.loads((shop.path / "r.json").read_text())["source"] == server.url


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        pytest.param(
            "wrong password",
            "the registry at {url} answered: Unauthorized: unknown user or wrong password "
            "(sent user 'reader' from --registry-user, password from ESR_REGISTRY_PASSWORD)",
            id="wrong password",
        ),
        pytest.param(
            "none",
            "the registry at {url} answered: Unauthorized: * (sent no credentials; give "
            "--registry-user with ESR_REGISTRY_PASSWORD, or --registry-token)",
            id="none",
        ),
        pytest.param(
            "wrong token",
            "the registry at {url} answered: Unauthorized: unknown or expired token "
            "(sent a token from ESR_REGISTRY_TOKEN)",
            id="wrong token",
        ),
    ],
)
def test_refused_credentials_are_reported_when_the_contracts_load(
    shop: pytest.Pytester, server: AuthServer, env: pytest.MonkeyPatch, how: str, expected: str
) -> None:
    arguments = ["--registry-url", server.url]
    if how == "wrong password":
        env.setenv("ESR_REGISTRY_PASSWORD", READER_PASSWORD + "x")
        arguments += ["--registry-user", "reader"]
    if how == "wrong token":
        env.setenv("ESR_REGISTRY_TOKEN", server.token[::-1])
    shop.makepyfile("def test_uses(event_contracts):\n    pass\n")

    result = shop.runpytest("-p", "no:randomly", *arguments)

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["contract tests cannot start: " + expected.format(url=server.url)])
    assert READER_PASSWORD not in result.stdout.str()
    assert server.token[::-1] not in result.stdout.str()


@pytest.mark.parametrize(
    ("arguments", "variables", "expected"),
    [
        pytest.param(
            ["--registry-user", "reader"],
            {},
            "user 'reader' from --registry-user needs a password: set ESR_REGISTRY_PASSWORD",
            id="no password",
        ),
        pytest.param(
            ["--registry-user", "reader:hunter2"],
            {},
            "--registry-user takes a user name, which cannot contain ':'; give the password in "
            "ESR_REGISTRY_PASSWORD",
            id="password with the user",
        ),
        pytest.param(
            ["--registry-user", "reader", "--registry-token", "hunter2"],
            {},
            "--registry-user and --registry-token both give credentials: give a user or a token",
            id="user and token",
        ),
        pytest.param(
            [],
            {"ESR_REGISTRY_PASSWORD": "hunter2"},
            "ESR_REGISTRY_PASSWORD is set, but no user: give --registry-user, ESR_REGISTRY_USER "
            "or registry_user",
            id="password without user",
        ),
    ],
)
def test_credentials_that_cannot_work_are_a_clear_error(
    shop: pytest.Pytester,
    env: pytest.MonkeyPatch,
    arguments: list[str],
    variables: dict[str, str],
    expected: str,
) -> None:
    for name, value in variables.items():
        env.setenv(name, value)
    shop.makepyfile("def test_uses(event_contracts):\n    pass\n")

    result = shop.runpytest("-p", "no:randomly", "--registry-url", "http://127.0.0.1:9", *arguments)

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"contract tests cannot start: {expected}"])
    assert "hunter2" not in result.stdout.str()


def test_an_unreachable_registry_is_named_without_its_credentials(shop: pytest.Pytester) -> None:
    shop.makepyfile("def test_uses(event_contracts):\n    pass\n")

    url = "http://reader:hunter2@127.0.0.1:9"

    result = shop.runpytest("-p", "no:randomly", "--registry-url", url, "--registry-report", "r")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["contract tests cannot start: Registry at http://127.0.0.1:9 is unreachable*"]
    )
    assert "hunter2" not in result.stdout.str() + result.stderr.str()


def test_credentials_on_the_command_line_need_a_registry(shop: pytest.Pytester) -> None:
    shop.makepyfile("def test_uses(event_contracts):\n    pass\n")

    result = shop.runpytest("-p", "no:randomly", "--registry-token", "hunter2")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "contract tests cannot start: --registry-token needs a registry: give "
            "--registry-url, ESR_REGISTRY_URL or registry_url"
        ]
    )
