"""``esr users`` and ``esr tokens``: manage who may call the registry.

These commands write to the database directly, not through a server: every one of them names
the database it used (without credentials), because a relative SQLite URL such as the default
``sqlite:///./registry.db`` depends on the directory the command runs in, and a user added to
the wrong file is a user the server never sees. The first user turns authentication on, so it
must be an admin (or ``--force``): a lone writer would leave nobody able to administer.
"""

from __future__ import annotations

import enum
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import typer
from rich.console import Console
from rich.table import Table

from registry.cli.errors import exit_on_registry_error
from registry.cli.options import DatabaseUrl
from registry.config import Settings
from registry.domain import Role
from registry.errors import InvalidInput
from registry.security import Authenticator, TokenInfo, hash_password, token_hash, token_id
from registry.storage.engine import Database
from registry.storage.migrate import upgrade

users_app = typer.Typer(help="Manage users (stored hashed in the database).", no_args_is_help=True)
tokens_app = typer.Typer(help="Manage bearer tokens.", no_args_is_help=True)

_SECRET_PARAMETER = re.compile(r"pass|secret|token|key", re.IGNORECASE)


class OutputFormat(enum.StrEnum):
    """How a listing is printed."""

    TEXT = "text"
    JSON = "json"


def database_label(url: str) -> str:
    """The database URL without credentials, for messages.

    User name and password go (``postgresql://ci:pw@db/registry`` is ``postgresql://db/registry``),
    and so does any query parameter that may hold a secret (``password=``, ``sslkey=``...). A
    relative SQLite path is followed by the absolute path it means from the current directory.
    """
    parts = urlsplit(url)
    label = url
    if "@" in parts.netloc:
        host = parts.netloc.rpartition("@")[2]
        label = label.replace(f"//{parts.netloc}", f"//{host}", 1)
    if parts.query:
        kept = [p for p in parts.query.split("&") if not _SECRET_PARAMETER.search(p.split("=")[0])]
        label = label.replace(f"?{parts.query}", f"?{'&'.join(kept)}" if kept else "", 1)
    if parts.scheme.startswith("sqlite") and parts.path[:1] == "/":
        path = parts.path[1:]
        if path and path != ":memory:" and not Path(path).is_absolute():
            label += f" ({Path(path).resolve()})"
    return label


@contextmanager
def _registry(database_url: str | None) -> Iterator[tuple[Authenticator, str]]:
    """The authenticator on the database (migrated first) and its label; errors exit."""
    with exit_on_registry_error():
        settings = Settings.load(database_url=database_url)
        db = Database(settings.database_url)
        try:
            upgrade(db)
            yield Authenticator(db, settings), database_label(settings.database_url)
        finally:
            db.dispose()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def add_user(
    name: str = typer.Argument(..., help="User name (no ':')"),
    role: str = typer.Option(..., "--role", help="reader, writer or admin"),
    subjects: list[str] = typer.Option(
        [], "--subjects", help="Subject pattern the user is limited to (PREFIX* or exact); repeat"
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input"
    ),
    force: bool = typer.Option(
        False, "--force", help="Create the first user even though it is not an admin"
    ),
    database_url: DatabaseUrl = None,
) -> None:
    """Create or replace a user. Running servers see it within seconds.

    The first user turns authentication on, so it must be an admin unless --force.
    """
    with _registry(database_url) as (auth, where):
        parsed = Role.parse(role)
        first = not auth.list_users()
        if first and parsed is not Role.ADMIN and not force:
            raise InvalidInput(
                f"'{name}' would be the first user in {where}, and the first user turns "
                f"authentication on: as a lone {parsed.value}, nobody could change config or "
                "mode, delete subjects or read the audit log. Add an admin first (esr users add "
                "NAME --role admin), then this user; or pass --force to create it anyway."
            )
        password = _read_password(password_stdin)
        auth.add_user(name, password, parsed, tuple(subjects), actor="cli")
        typer.echo(f"user '{name}' saved with role {parsed.value} in {where}")
        if first:
            typer.echo(
                "authentication is now on: servers using this database require credentials "
                f"within {auth.settings.auth_refresh_seconds:g} s"
            )


@users_app.command("remove")
def remove_user(name: str = typer.Argument(...), database_url: DatabaseUrl = None) -> None:
    """Delete a user and their tokens."""
    with _registry(database_url) as (auth, where):
        auth.remove_user(name, actor="cli")
        typer.echo(f"user '{name}' removed from {where}")


@users_app.command("list")
def list_users(database_url: DatabaseUrl = None) -> None:
    """List users and their roles."""
    with _registry(database_url) as (auth, where):
        users = auth.list_users()
    if not users:
        typer.echo(f"no users in {where}: authentication is off")
        return
    typer.echo(f"users in {where}")
    table = Table("name", "role", "subjects")
    for user in users:
        table.add_row(user["name"], user["role"], ", ".join(user["subjects"]) or "*")
    Console().print(table)


@users_app.command("hash")
def hash_user_password(
    password_stdin: bool = typer.Option(False, "--password-stdin"),
) -> None:
    """Print a password hash for a read-only users file (REGISTRY_AUTH_USERS_FILE)."""
    typer.echo(hash_password(_read_password(password_stdin)))


@tokens_app.command("create")
def create_token(
    user: str = typer.Argument(..., help="The user the token acts as"),
    days: int = typer.Option(None, "--days", help="Expire after this many days"),
    description: str = typer.Option(None, "--description"),
    database_url: DatabaseUrl = None,
) -> None:
    """Create a bearer token (printed once; only its hash is stored)."""
    with _registry(database_url) as (auth, where):
        token = auth.create_token(user, description=description, days=days, actor="cli")
    expiry = f", expires in {days} days" if days else ""
    typer.echo(
        f"token {token_id(token_hash(token))} for '{user}' saved in {where}{expiry}; "
        "it is shown once",
        err=True,
    )
    typer.echo(token)


@tokens_app.command("list")
def list_tokens(
    user: str = typer.Option(None, "--user", help="Only this user's tokens"),
    output: OutputFormat = typer.Option(OutputFormat.TEXT, "--format", help="text or json."),
    database_url: DatabaseUrl = None,
) -> None:
    """List tokens: id, user, description, created, expires (never the token itself)."""
    with _registry(database_url) as (auth, where):
        tokens = auth.list_tokens(user)
    if output is OutputFormat.JSON:
        typer.echo(f"tokens in {where}", err=True)
        typer.echo(json.dumps([t.as_dict() for t in tokens], indent=2))
        return
    if not tokens:
        typer.echo(f"no tokens{f' of {user!r}' if user else ''} in {where}")
        return
    typer.echo(f"tokens in {where}")
    table = Table()
    for column in ("id", "user", "description", "created (UTC)", "expires (UTC)"):
        table.add_column(column, overflow="fold")
    now = datetime.now(UTC)
    for token in tokens:
        expires = _moment(token.expires_at) if token.expires_at else "never"
        if token.expired(now):
            expires += " (expired)"
        table.add_row(
            token.id, token.user, token.description or "", _moment(token.created_at), expires
        )
    Console().print(table)


def _moment(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


@tokens_app.command("revoke")
def revoke_token(
    token: str = typer.Argument(None, help="The token's id, as 'esr tokens list' shows it"),
    user: str = typer.Option(None, "--user", help="Revoke every token of this user instead"),
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke a token by its id, or every token of a user. Servers refuse it within seconds."""
    with _registry(database_url) as (auth, where):
        if (token is None) == (user is None):
            raise InvalidInput("give a token id (see esr tokens list) or --user NAME")
        revoked = auth.revoke_token(token, user=user, actor="cli")
    typer.echo(_revoked(revoked, user, where))


def _revoked(revoked: list[TokenInfo], user: str | None, where: str) -> str:
    if user is None:
        (only,) = revoked
        return f"token {only.id} of '{only.user}' revoked in {where}"
    if not revoked:
        return f"user '{user}' has no tokens in {where}"
    ids = ", ".join(t.id for t in revoked)
    return f"{len(revoked)} token(s) of '{user}' revoked in {where}: {ids}"


def register(app: typer.Typer) -> None:
    """Add ``users`` and ``tokens`` to the CLI."""
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
