"""Which credentials go to the registry, by precedence; and that none is ever shown."""

from __future__ import annotations

import pytest

from registry.contract_testing.access import (
    Rank,
    RegistryAccess,
    Setting,
    redact_url,
    registry_access,
    split_userinfo,
)
from registry.errors import InvalidInput

URL = Setting("http://127.0.0.1:8081", "--registry-url", Rank.COMMAND_LINE)


def _cli(value: str, option: str) -> Setting:
    return Setting(value, option, Rank.COMMAND_LINE)


def _env(value: str, variable: str) -> Setting:
    return Setting(value, variable, Rank.ENVIRONMENT)


def _ini(value: str, key: str) -> Setting:
    return Setting(value, key, Rank.INI)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8081", ("http://127.0.0.1:8081", None, None)),
        ("http://ci@127.0.0.1:8081/x", ("http://127.0.0.1:8081/x", "ci", None)),
        ("https://ci:p%40ss%3Aw@h/a@b", ("https://h/a@b", "ci", "p@ss:w")),
        ("http://ci:p@ss@h:1?q=1#f", ("http://h:1?q=1#f", "ci", "p@ss")),
        ("http://:tok@h", ("http://h", None, "tok")),
    ],
)
def test_userinfo_is_split_off_the_url_and_decoded(
    url: str, expected: tuple[str, str | None, str | None]
) -> None:
    assert split_userinfo(url) == expected
    assert redact_url(url) == expected[0]


PASSWORD = "s3cret"
TOKEN = "tok-9f1"

CLI_USER = _cli("ci", "--registry-user")
ENV_USER = _env("ci", "ESR_REGISTRY_USER")
ENV_TOKEN = _env(TOKEN, "ESR_REGISTRY_TOKEN")
URL_CREDENTIALS = Setting("http://ci:pw@127.0.0.1:8081", "ESR_REGISTRY_URL", Rank.ENVIRONMENT)
URL_USER = Setting("http://ci@127.0.0.1:8081", "ini registry_url", Rank.INI)
URL_OTHER = Setting("http://other:pw@127.0.0.1:8081", "--registry-url", Rank.COMMAND_LINE)
BASIC = ("ci", PASSWORD, None)
BEARER = (None, None, TOKEN)

# case: (url, user, token, ESR_REGISTRY_PASSWORD, (user, password, token) sent)
CHOICES = {
    "nothing": (URL, Setting(), Setting(), None, (None, None, None)),
    "user and password": (URL, CLI_USER, Setting(), PASSWORD, BASIC),
    "token": (URL, Setting(), ENV_TOKEN, None, BEARER),
    "url credentials": (URL_CREDENTIALS, Setting(), Setting(), None, ("ci", "pw", None)),
    "url user, password from the environment": (URL_USER, Setting(), Setting(), PASSWORD, BASIC),
    "a user option beats the url's user": (URL_OTHER, ENV_USER, Setting(), PASSWORD, BASIC),
    "a command-line token beats an env user": (
        URL,
        ENV_USER,
        _cli(TOKEN, "--registry-token"),
        PASSWORD,
        BEARER,
    ),
    "an env user beats an ini token": (URL, ENV_USER, _ini(TOKEN, "ini token"), PASSWORD, BASIC),
}


@pytest.mark.parametrize("case", sorted(CHOICES))
def test_the_credentials_sent_follow_precedence(case: str) -> None:
    url, user, token, password, (sent_user, sent_password, sent_token) = CHOICES[case]

    access = registry_access(url, user, token, password)

    assert access is not None
    assert access.url == "http://127.0.0.1:8081"
    assert (access.user, access.password, access.token) == (sent_user, sent_password, sent_token)
    assert access.basic_auth == ((sent_user, sent_password) if sent_password else None)
    for secret in (PASSWORD, TOKEN, "pw"):
        assert secret not in repr(access) and secret not in access.credentials


def test_without_a_url_the_local_tree_is_used_and_env_credentials_are_ignored() -> None:
    user = _env("ci", "ESR_REGISTRY_USER")

    assert registry_access(Setting(), user, Setting(), PASSWORD) is None


def test_the_description_says_where_each_credential_came_from() -> None:
    access = registry_access(URL, _env("ci", "ESR_REGISTRY_USER"), Setting(), PASSWORD)

    assert access is not None
    assert access == RegistryAccess(
        "http://127.0.0.1:8081", "ci", PASSWORD, None, access.credentials
    )
    assert (
        access.credentials
        == "user 'ci' from ESR_REGISTRY_USER, password from ESR_REGISTRY_PASSWORD"
    )
    assert repr(access) == f"RegistryAccess('http://127.0.0.1:8081', {access.credentials})"


REFUSED = {
    "no password": (
        URL,
        _ini("ci", "ini registry_user"),
        Setting(),
        None,
        "user 'ci' from ini registry_user needs a password: set ESR_REGISTRY_PASSWORD",
    ),
    "user and token from one place": (
        URL,
        ENV_USER,
        ENV_TOKEN,
        PASSWORD,
        "ESR_REGISTRY_USER and ESR_REGISTRY_TOKEN both give credentials: give a user or a token",
    ),
    "no url": (
        Setting(),
        Setting(),
        _cli(TOKEN, "--registry-token"),
        None,
        "--registry-token needs a registry: give --registry-url, ESR_REGISTRY_URL or registry_url",
    ),
    "userinfo without a scheme": (
        _cli("ci:s3cret@127.0.0.1", "--registry-url"),
        Setting(),
        Setting(),
        None,
        "--registry-url must be an http:// or https:// URL with a host",
    ),
    "no scheme": (
        _cli("localhost:8081", "--registry-url"),
        Setting(),
        Setting(),
        None,
        "--registry-url must be an http:// or https:// URL with a host, not 'localhost:8081'",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_settings_that_cannot_work_are_refused_without_showing_secrets(case: str) -> None:
    url, user, token, password, message = REFUSED[case]

    with pytest.raises(InvalidInput) as refused:
        registry_access(url, user, token, password)

    assert refused.value.message == message
    assert PASSWORD not in message and TOKEN not in message
