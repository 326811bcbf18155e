"""`Authenticator.bootstrap_admin` (a container's first admin), token listing and revocation."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry import errors
from registry.config import Settings
from registry.domain import Role
from registry.security import Authenticator, token_hash, token_id
from registry.storage import repository as repo
from registry.storage.engine import Database
from registry.storage.migrate import upgrade


@pytest.fixture
def auth(sqlite_url: str) -> Iterator[Authenticator]:
    db = Database(sqlite_url)
    upgrade(db)
    yield Authenticator(db, Settings(database_url=sqlite_url, auth_refresh_seconds=0))
    db.dispose()


def basic(name: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()


def secret(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "admin-password"
    path.write_bytes(text.encode())
    return path


def audit_actions(auth: Authenticator) -> list[tuple[str, dict[str, object]]]:
    with auth.db.read() as session:
        return [(e["action"], e["detail"]) for e in repo.audit_entries(session)]


# --- bootstrap_admin --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "password"),
    [
        ("correct horse battery\n", "correct horse battery"),
        ("correct horse battery\r\n", "correct horse battery"),
        ("correct horse battery", "correct horse battery"),
        ("correct horse battery\n\n", "correct horse battery\n"),  # one newline only
        ("correct horse battery\r", "correct horse battery\r"),  # a lone CR is no newline
        (" padded password ", " padded password "),
    ],
    ids=["newline", "crlf", "bare", "two-newlines", "lone-cr", "spaces-kept"],
)
def test_bootstrap_creates_the_admin_from_the_file_on_an_empty_database(
    auth: Authenticator, tmp_path: Path, text: str, password: str
) -> None:
    created = auth.bootstrap_admin("admin", secret(tmp_path, text))

    assert created is True
    assert auth.list_users() == [{"name": "admin", "role": "admin", "subjects": []}]
    assert auth.authenticate(basic("admin", password)).role is Role.ADMIN
    action, detail = audit_actions(auth)[0]
    assert action == "bootstrap_admin" and detail["user"] == "admin"
    assert password.strip() not in str(detail)


def test_bootstrap_is_idempotent_and_never_overwrites(auth: Authenticator, tmp_path: Path) -> None:
    path = secret(tmp_path, "first password\n")
    assert auth.bootstrap_admin("admin", path) is True

    path.write_text("second password\n")

    assert auth.bootstrap_admin("admin", path) is False
    assert auth.bootstrap_admin("other", path) is False
    assert [u["name"] for u in auth.list_users()] == ["admin"]
    assert auth.authenticate(basic("admin", "first password")).name == "admin"
    with pytest.raises(errors.AuthenticationRequired):
        auth.authenticate(basic("admin", "second password"))


def test_bootstrap_does_nothing_once_any_user_exists_and_then_reads_no_file(
    auth: Authenticator, tmp_path: Path
) -> None:
    auth.add_user("ops", "ops-password", Role.READER)

    assert auth.bootstrap_admin("admin", tmp_path / "unmounted-secret") is False
    assert [u["name"] for u in auth.list_users()] == ["ops"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "cannot read the password file"),
        ("", "the password file is empty"),
        ("\n", "the password file is empty"),
        ("short\n", "Password too short"),
    ],
    ids=["missing", "empty", "only-a-newline", "short"],
)
def test_bootstrap_refuses_a_missing_empty_or_short_password(
    auth: Authenticator, tmp_path: Path, text: str | None, message: str
) -> None:
    path = tmp_path / "missing" if text is None else secret(tmp_path, text)

    with pytest.raises(errors.InvalidInput, match=message) as caught:
        auth.bootstrap_admin("admin", path)

    assert auth.list_users() == []
    assert str(path) in caught.value.message


def test_bootstrap_refuses_a_name_basic_auth_cannot_carry(
    auth: Authenticator, tmp_path: Path
) -> None:
    with pytest.raises(errors.InvalidInput, match="Invalid user name"):
        auth.bootstrap_admin("ad:min", secret(tmp_path, "a long password\n"))


# --- tokens -----------------------------------------------------------------------------------


def test_tokens_are_listed_without_their_secret_and_revoked_by_short_id(
    auth: Authenticator,
) -> None:
    auth.add_user("root", "root-password", Role.ADMIN)
    auth.add_user("ci", "ci-password", Role.WRITER)
    first = auth.create_token("ci", description="pipeline", days=7)
    second = auth.create_token("ci")
    auth.create_token("root")

    listed = auth.list_tokens("ci")

    assert [t.id for t in listed] == [token_id(token_hash(first)), token_id(token_hash(second))]
    assert [len(t.id) for t in listed] == [12, 12]
    assert listed[0].description == "pipeline" and listed[0].expires_at is not None
    assert len(auth.list_tokens()) == 3
    assert auth.authenticate(f"Bearer {first}").name == "ci"

    revoked = auth.revoke_token(listed[0].id.upper(), actor="ops")

    assert [t.id for t in revoked] == [listed[0].id]
    with pytest.raises(errors.AuthenticationRequired):
        auth.authenticate(f"Bearer {first}")
    assert auth.authenticate(f"Bearer {second}").name == "ci"
    assert audit_actions(auth)[0] == ("revoke_token", {"user": "ci", "token": listed[0].id})

    assert [t.user for t in auth.revoke_token(user="ci")] == ["ci"]
    assert auth.revoke_token(user="ci") == []
    assert [t.user for t in auth.list_tokens()] == ["root"]


def test_a_short_id_shared_by_two_tokens_needs_more_of_the_hash(auth: Authenticator) -> None:
    auth.add_user("root", "root-password", Role.ADMIN)
    with auth.db.write() as session:
        repo.put_token(session, "0123456789ab" + "c" * 52, "root", None, None)
        repo.put_token(session, "0123456789ab" + "d" * 52, "root", None, None)

    with pytest.raises(errors.InvalidInput, match="matches 2 tokens"):
        auth.revoke_token("0123456789ab")

    assert len(auth.revoke_token("0123456789abd")) == 1
    assert [t.id for t in auth.list_tokens()] == ["0123456789ab"]


@pytest.mark.parametrize("value", ["", "xyz", "0123456789a", "0123456789ab%", "esr_abcdef"])
def test_a_malformed_token_id_is_refused(auth: Authenticator, value: str) -> None:
    with pytest.raises(errors.InvalidInput, match="Invalid token id"):
        auth.revoke_token(value)


def test_revoke_needs_exactly_one_of_an_id_and_a_user(auth: Authenticator) -> None:
    with pytest.raises(errors.InvalidInput):
        auth.revoke_token()
    with pytest.raises(errors.InvalidInput):
        auth.revoke_token("0123456789ab", user="ci")
    with pytest.raises(errors.NotFound):
        auth.revoke_token(user="nobody")
