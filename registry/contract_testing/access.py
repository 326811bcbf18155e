"""How contract tests reach a schema registry: a URL that shows no secret, and credentials.

The pytest plugin reads three settings, each from the command line, the environment or the ini
file, in that order of precedence. The environment beats the ini file because ini files are
committed: secrets belong in the environment (a CI secret, a developer's shell), and a value
there must override whatever the repository's ini says.

* the URL: ``--registry-url``, ``ESR_REGISTRY_URL``, ``registry_url``. ``user:password@`` in it
  still works, and is stripped before the URL is shown, reported or sent as a base URL;
* a user for HTTP Basic auth: ``--registry-user``, ``ESR_REGISTRY_USER``, ``registry_user``. Its
  password is read from ``ESR_REGISTRY_PASSWORD`` only, never from an option: a password on a
  command line shows in the process list and the shell history;
* a bearer token: ``--registry-token``, ``ESR_REGISTRY_TOKEN``, ``registry_token``.

Nothing here prints; :class:`RegistryAccess` never shows a secret, not even in its ``repr``.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from registry.errors import InvalidInput

PASSWORD_ENV = "ESR_REGISTRY_PASSWORD"
URL_SOURCES = "--registry-url, ESR_REGISTRY_URL or registry_url"
USER_SOURCES = "--registry-user, ESR_REGISTRY_USER or registry_user"

# scheme://userinfo@ : the userinfo ends at the last '@' before the path, query or fragment.
_USERINFO = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^/?#]*)@")


class Rank(enum.IntEnum):
    """Where a setting came from; a lower rank wins."""

    COMMAND_LINE = 0
    ENVIRONMENT = 1
    INI = 2
    UNSET = 3


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting's value and where it came from (``--registry-user``, ``ESR_REGISTRY_USER``)."""

    value: str | None = None
    origin: str = ""
    rank: Rank = Rank.UNSET


def split_userinfo(url: str) -> tuple[str, str | None, str | None]:
    """``(url without userinfo, user, password)``; user and password are percent-decoded."""
    found = _USERINFO.match(url)
    if found is None:
        return url, None, None
    user, colon, password = found["userinfo"].partition(":")
    clean = found["scheme"] + url[found.end() :]
    return clean, unquote(user) or None, unquote(password) if colon else None


def redact_url(url: str) -> str:
    """The URL as it may be shown and reported: without ``user:password@``."""
    return split_userinfo(url)[0]


@dataclass(frozen=True, slots=True, repr=False)
class RegistryAccess:
    """A registry's URL (never with userinfo) and the credentials to send it.

    ``credentials`` says in words what is sent and where it came from, for messages; it names
    the user but never a password or a token.
    """

    url: str
    user: str | None = None
    password: str | None = None
    token: str | None = None
    credentials: str = "no credentials"

    @property
    def basic_auth(self) -> tuple[str, str] | None:
        """``(user, password)`` for HTTP Basic auth, or None."""
        if self.user is None or self.password is None:
            return None
        return self.user, self.password

    def __repr__(self) -> str:
        return f"RegistryAccess({self.url!r}, {self.credentials})"


def registry_access(
    url: Setting, user: Setting, token: Setting, password: str | None
) -> RegistryAccess | None:
    """The registry to resolve subjects from (None: the local schemas tree), with credentials.

    Of a user and a token, the one of higher precedence wins, and both from the same place is
    an error. Either beats credentials in the URL. A user's password is the URL's when the URL
    names that user with a password, else ``ESR_REGISTRY_PASSWORD`` (``password``). Raise
    ``InvalidInput`` on settings that cannot work; messages name settings, never secrets.
    """
    if not url.value:
        stray = next((s for s in (user, token) if s.value and s.rank is Rank.COMMAND_LINE), None)
        if stray is not None:
            raise InvalidInput(f"{stray.origin} needs a registry: give {URL_SOURCES}")
        return None
    clean, url_user, url_password = split_userinfo(url.value)
    _check_url(clean, url.origin)
    if user.value and ":" in user.value:
        raise InvalidInput(
            f"{user.origin} takes a user name, which cannot contain ':'; "
            f"give the password in {PASSWORD_ENV}"
        )
    if user.value and token.value and user.rank == token.rank:
        raise InvalidInput(
            f"{user.origin} and {token.origin} both give credentials: give a user or a token"
        )
    if token.value and (not user.value or token.rank < user.rank):
        return RegistryAccess(clean, token=token.value, credentials=f"a token from {token.origin}")
    name = user.value or url_user
    if name is None:
        if password:
            raise InvalidInput(f"{PASSWORD_ENV} is set, but no user: give {USER_SOURCES}")
        return RegistryAccess(clean)
    named = f"user '{name}' from {user.origin if user.value else url.origin}"
    if url_user == name and url_password is not None:
        return RegistryAccess(
            clean, name, url_password, credentials=f"{named}, password from the URL"
        )
    if not password:
        raise InvalidInput(f"{named} needs a password: set {PASSWORD_ENV}")
    return RegistryAccess(
        clean, name, password, credentials=f"{named}, password from {PASSWORD_ENV}"
    )


def _check_url(url: str, origin: str) -> None:
    """Raise ``InvalidInput`` unless ``url`` is an http(s) URL with a host (and a valid port)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # a bad port or IPv6 address
        valid = False
    if not valid:
        shown = f", not {url!r}" if "@" not in url else ""  # '@' may follow a password
        raise InvalidInput(f"{origin} must be an http:// or https:// URL with a host{shown}")
