"""``esr users`` and ``esr tokens``: manage who may call the registry."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table

from registry.config import Settings
from registry.domain import Role
from registry.security import Authenticator, hash_password
from registry.storage.engine import Database
from registry.storage.migrate import upgrade

users_app = typer.Typer(help="Manage users (stored hashed in the database).", no_args_is_help=True)
tokens_app = typer.Typer(help="Manage bearer tokens.", no_args_is_help=True)

DatabaseOption = typer.Option(
    None, "--database-url", help="Database URL [env REGISTRY_DATABASE_URL]"
)


def _authenticator(database_url: str | None) -> Authenticator:
    settings = Settings(database_url=database_url) if database_url else Settings()
    db = Database(settings.database_url)
    upgrade(db)
    return Authenticator(db, settings)


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
    database_url: str = DatabaseOption,
) -> None:
    """Create or replace a user. Running servers see it within seconds."""
    parsed = Role.parse(role)
    password = _read_password(password_stdin)
    _authenticator(database_url).add_user(name, password, parsed, tuple(subjects), actor="cli")
    typer.echo(f"user '{name}' saved with role {parsed.value}")


@users_app.command("remove")
def remove_user(name: str = typer.Argument(...), database_url: str = DatabaseOption) -> None:
    """Delete a user and their tokens."""
    _authenticator(database_url).remove_user(name, actor="cli")
    typer.echo(f"user '{name}' removed")


@users_app.command("list")
def list_users(database_url: str = DatabaseOption) -> None:
    """List users and their roles."""
    table = Table("name", "role", "subjects")
    for user in _authenticator(database_url).list_users():
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
    database_url: str = DatabaseOption,
) -> None:
    """Create a bearer token (printed once; only its hash is stored)."""
    token = _authenticator(database_url).create_token(
        user, description=description, days=days, actor="cli"
    )
    typer.echo(token)


def register(app: typer.Typer) -> None:
    """Add ``users`` and ``tokens`` to the CLI."""
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
