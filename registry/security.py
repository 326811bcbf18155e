"""Authentication and roles: users with slow password hashes, bearer tokens, permission checks.

Authentication is off while no user exists (the embedded default on 127.0.0.1) and on as soon
as one does, in the database (``esr users add``) or in a read-only users file
(``REGISTRY_AUTH_USERS_FILE``). Running servers re-read users and tokens every
``auth_refresh_seconds``, so a new user works within seconds without a restart.

Passwords are hashed with scrypt (memory-hard, stdlib); verifying one costs tens of
milliseconds, so successful verifications are remembered in memory keyed by a hash of the
name, the password and the stored hash (a changed password changes the key). Bearer tokens are
256-bit random strings; only their SHA-256 is stored, and they are listed and revoked by a
short id, the first 12 hex characters of that hash (48 bits: enough to tell a user's tokens
apart, far too little to find the token).

The first admin of a container comes from :meth:`Authenticator.bootstrap_admin`: a name and a
password file (a mounted secret, never an environment variable), used only while the database
has no user at all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from registry import errors
from registry.cache import LRUCache
from registry.config import Settings
from registry.domain import Action, AuditEntry, Principal, Role
from registry.storage import repository as repo
from registry.storage.engine import Database
from registry.storage.tables import TokenRow

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
TOKEN_PREFIX = "esr_"
TOKEN_ID_LENGTH = 12
MIN_PASSWORD_LENGTH = 8
_TOKEN_ID = re.compile(f"[0-9a-f]{{{TOKEN_ID_LENGTH},64}}")
ANONYMOUS_ADMIN = Principal("anonymous", Role.ADMIN)


def hash_password(password: str) -> str:
    """A salted scrypt hash in the form ``scrypt$n$r$p$salt$hash``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    encode = base64.b64encode
    return (
        f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encode(salt).decode()}${encode(digest).decode()}"
    )


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash made by :func:`hash_password`."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def token_hash(token: str) -> str:
    """How a bearer token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_id(stored_hash: str) -> str:
    """A token's short id: the first 12 hex characters of its stored SHA-256."""
    return stored_hash[:TOKEN_ID_LENGTH]


def check_credentials(name: str, password: str) -> None:
    """Refuse a user name the Basic scheme cannot carry, and a short password."""
    if not name or ":" in name or len(name) > 255:
        raise errors.InvalidInput("Invalid user name: 1-255 characters, no ':'")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise errors.InvalidInput(
            f"Password too short: use at least {MIN_PASSWORD_LENGTH} characters"
        )


def read_password_file(path: Path) -> str:
    """A password from a file (a mounted secret): its text less one trailing newline."""
    try:
        text = path.read_bytes().decode("utf-8")  # as is: no newline translation
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.InvalidInput(f"{path}: cannot read the password file ({exc})") from None
    password = text[:-2] if text.endswith("\r\n") else text.removesuffix("\n")
    if not password:
        raise errors.InvalidInput(f"{path}: the password file is empty")
    return password


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user as the authenticator knows it."""

    name: str
    password_hash: str
    role: Role
    subjects: tuple[str, ...]

    @property
    def principal(self) -> Principal:
        """The caller this user becomes once authenticated."""
        return Principal(self.name, self.role, self.subjects)


def load_users_file(path: Path) -> dict[str, UserRecord]:
    """Users from a YAML or JSON file: ``{users: [{name, role, subjects?, password_hash}]}``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise errors.InvalidInput(f"{path}: cannot read the users file ({exc})") from None
    items = data.get("users") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise errors.InvalidInput(f"{path}: expected a 'users' list")
    found: dict[str, UserRecord] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not {"name", "role", "password_hash"} <= item.keys():
            raise errors.InvalidInput(
                f"{path}: user #{index + 1} needs 'name', 'role' and 'password_hash'"
            )
        found[str(item["name"])] = UserRecord(
            str(item["name"]),
            str(item["password_hash"]),
            Role.parse(str(item["role"])),
            tuple(str(s) for s in item.get("subjects") or ()),
        )
    return found


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A bearer token as the authenticator knows it (by the hash of its value)."""

    user: str
    expires_at: datetime | None

    def expired(self, now: datetime) -> bool:
        """Whether the token has passed its expiry."""
        if self.expires_at is None:
            return False
        return self.expires_at.replace(tzinfo=self.expires_at.tzinfo or UTC) < now


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as ``esr tokens list`` shows it: never its value nor its full hash."""

    id: str
    user: str
    description: str | None
    created_at: datetime
    expires_at: datetime | None

    def expired(self, now: datetime) -> bool:
        """Whether the token has passed its expiry."""
        return self.expires_at is not None and self.expires_at < now

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of ``esr tokens list --format json``."""
        return {
            "id": self.id,
            "user": self.user,
            "description": self.description,
            "created": self.created_at.isoformat(),
            "expires": self.expires_at.isoformat() if self.expires_at else None,
            "expired": self.expired(datetime.now(UTC)),
        }


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=moment.tzinfo or UTC) if moment is not None else None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Users and tokens as last read, and a generation that changes whenever they do."""

    users: dict[str, UserRecord]
    tokens: dict[str, TokenRecord]
    generation: int
    loaded_at: float


EMPTY = Snapshot({}, {}, 0, -1.0)


class Authenticator:
    """Turns an ``Authorization`` header into a :class:`Principal`, and manages users.

    Users and tokens are read from the database (and the users file) at most every
    ``auth_refresh_seconds`` (the server refreshes them in the background), so deciding who
    calls needs no I/O. A caller accepted once is remembered by its ``Authorization`` header
    until the users or tokens change, which lets the hot read path answer from memory alone.
    """

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self._lock = threading.Lock()
        self._snapshot = EMPTY
        self._verified: LRUCache[str, bool] = LRUCache(10_000)
        self._pending: dict[str, threading.Lock] = {}
        self._pending_lock = threading.Lock()
        # Authorization header -> (caller, generation it was accepted in, token expiry).
        self._principals: LRUCache[str, tuple[Principal, int, datetime | None]] = LRUCache(10_000)

    # --- state ------------------------------------------------------------------------------

    def refresh(self, *, force: bool = False, max_age: float | None = None) -> Snapshot:
        """Users and tokens, re-read when older than ``max_age`` (``auth_refresh_seconds`` by
        default) or when forced."""
        limit = self.settings.auth_refresh_seconds if max_age is None else max_age
        now = time.monotonic()
        with self._lock:
            current = self._snapshot
            if not force and now - current.loaded_at < limit:
                return current
            users: dict[str, UserRecord] = {}
            if self.settings.auth_users_file is not None:
                users.update(load_users_file(self.settings.auth_users_file))
            with self.db.read() as session:
                for row in repo.users(session):
                    users[row.name] = UserRecord(
                        row.name,
                        row.password_hash,
                        Role(row.role),
                        tuple(json.loads(row.subjects_json)),
                    )
                tokens = {
                    row.token_hash: TokenRecord(row.user, row.expires_at)
                    for row in repo.tokens(session)
                }
            changed = users != current.users or tokens != current.tokens
            generation = current.generation + 1 if changed else current.generation
            self._snapshot = Snapshot(users, tokens, generation, now)
            return self._snapshot

    def _refresh(self) -> dict[str, UserRecord]:
        return self.refresh().users

    def enabled(self) -> bool:
        """Authentication is on as soon as any user exists."""
        return bool(self._refresh())

    def enabled_as_last_seen(self) -> bool:
        """Whether users existed at the last refresh (no I/O; for the hot read path)."""
        return bool(self._snapshot.users)

    def principal_if_known(self, authorization: str | None) -> Principal | None:
        """The caller, when memory alone can tell: no database read, no password hashing.

        None means "ask :meth:`authenticate`": the users are due for a refresh, or this
        ``Authorization`` header has not been accepted since users or tokens last changed.
        """
        snapshot = self._snapshot
        if time.monotonic() - snapshot.loaded_at >= self.settings.auth_refresh_seconds:
            return None
        if not snapshot.users:
            return ANONYMOUS_ADMIN
        if authorization is None:
            return None
        known = self._principals.get(authorization)
        if known is None or known[1] != snapshot.generation:
            return None
        if known[2] is not None and known[2] < datetime.now(UTC):
            return None
        return known[0]

    # --- per request ------------------------------------------------------------------------

    def authenticate(self, authorization: str | None) -> Principal:
        """The caller; anonymous admin while auth is off; 40101 on missing or bad credentials."""
        snapshot = self.refresh()
        if not snapshot.users:
            return ANONYMOUS_ADMIN
        if not authorization:
            raise errors.AuthenticationRequired(
                "Unauthorized: this registry requires HTTP Basic credentials or a bearer token"
            )
        scheme, _, value = authorization.partition(" ")
        expires: datetime | None = None
        if scheme.lower() == "basic":
            principal = self._basic(snapshot.users, value.strip())
        elif scheme.lower() == "bearer":
            principal, expires = self._bearer(snapshot, value.strip())
        else:
            raise errors.AuthenticationRequired(
                f"Unauthorized: unsupported authorization scheme '{scheme}'; use Basic or Bearer"
            )
        self._principals.put(authorization, (principal, snapshot.generation, expires))
        return principal

    def _basic(self, users: dict[str, UserRecord], value: str) -> Principal:
        try:
            name, _, password = base64.b64decode(value, validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            raise errors.AuthenticationRequired(
                "Unauthorized: malformed Basic credentials"
            ) from None
        user = users.get(name)
        if user is None:
            raise errors.AuthenticationRequired("Unauthorized: unknown user or wrong password")
        key = hashlib.sha256(f"{name}\0{password}\0{user.password_hash}".encode()).hexdigest()
        if not self._verify_once(key, password, user.password_hash):
            raise errors.AuthenticationRequired("Unauthorized: unknown user or wrong password")
        return user.principal

    def _verify_once(self, key: str, password: str, stored: str) -> bool:
        """Verify a password, remembering success; concurrent requests with the same
        credentials wait for one verification instead of each paying for scrypt (a client
        opening 32 connections at once would otherwise stall the server for a second)."""
        if self._verified.get(key) is not None:
            return True
        with self._pending_lock:
            pending = self._pending.setdefault(key, threading.Lock())
        with pending:
            if self._verified.get(key) is not None:
                return True
            correct = verify_password(password, stored)
            if correct:
                self._verified.put(key, True)
        with self._pending_lock:
            self._pending.pop(key, None)
        return correct

    def _bearer(self, snapshot: Snapshot, value: str) -> tuple[Principal, datetime | None]:
        found = snapshot.tokens.get(token_hash(value))
        if found is None or found.expired(datetime.now(UTC)) or found.user not in snapshot.users:
            raise errors.AuthenticationRequired("Unauthorized: unknown or expired token")
        expires = found.expires_at
        if expires is not None:
            expires = expires.replace(tzinfo=expires.tzinfo or UTC)
        return snapshot.users[found.user].principal, expires

    @staticmethod
    def authorize(principal: Principal, action: Action, subject: str | None = None) -> None:
        """Raise 40301 unless the caller's role (and subject patterns) allow the action."""
        if not principal.allows(action, subject):
            what = {Action.READ: "read", Action.WRITE: "write", Action.ADMIN: "administer"}[action]
            target = f" subject '{subject}'" if subject else ""
            raise errors.AccessDenied(
                f"Forbidden: user '{principal.name}' ({principal.role.value}) "
                f"may not {what}{target}"
            )

    # --- management -------------------------------------------------------------------------

    def add_user(
        self,
        name: str,
        password: str,
        role: Role,
        subjects: tuple[str, ...] = (),
        *,
        actor: str | None = None,
    ) -> None:
        """Create or replace a user in the database."""
        check_credentials(name, password)
        with self.db.write() as session:
            repo.put_user(session, name, hash_password(password), role.value, list(subjects))
            repo.record(
                session,
                AuditEntry("add_user", detail={"user": name, "role": role.value}, actor=actor),
            )
        self.refresh(force=True)

    def remove_user(self, name: str, *, actor: str | None = None) -> None:
        """Delete a user and their tokens."""
        with self.db.write() as session:
            if not repo.delete_user(session, name):
                raise errors.NotFound(f"User '{name}' not found")
            repo.record(session, AuditEntry("remove_user", detail={"user": name}, actor=actor))
        self.refresh(force=True)

    def create_token(
        self,
        user: str,
        *,
        description: str | None = None,
        days: int | None = None,
        actor: str | None = None,
    ) -> str:
        """A new bearer token for an existing user (shown once, stored hashed)."""
        if user not in self._refresh() and user not in self._db_user_names():
            raise errors.NotFound(f"User '{user}' not found")
        value = TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires = datetime.now(UTC) + timedelta(days=days) if days else None
        with self.db.write() as session:
            repo.put_token(session, token_hash(value), user, description, expires)
            repo.record(session, AuditEntry("create_token", detail={"user": user}, actor=actor))
        self.refresh(force=True)
        return value

    def _db_user_names(self) -> set[str]:
        with self.db.read() as session:
            return {row.name for row in repo.users(session)}

    def list_users(self) -> list[dict[str, Any]]:
        """Users (without their hashes)."""
        return [
            {"name": u.name, "role": u.role.value, "subjects": list(u.subjects)}
            for u in sorted(self._refresh().values(), key=lambda u: u.name)
        ]

    def bootstrap_from_settings(self) -> bool:
        """:meth:`bootstrap_admin` with ``REGISTRY_BOOTSTRAP_ADMIN`` and
        ``REGISTRY_BOOTSTRAP_ADMIN_PASSWORD_FILE``; False when no file is configured."""
        password_file = self.settings.bootstrap_admin_password_file
        if password_file is None:
            return False
        return self.bootstrap_admin(self.settings.bootstrap_admin, password_file)

    def bootstrap_admin(self, name: str, password_file: Path) -> bool:
        """Create admin ``name`` with the password in ``password_file`` while the database has
        no user; do nothing once it has one. Whether the admin was created.

        For a container's first start: the server refuses to listen beyond loopback with no
        user, and nobody can run ``esr users add`` inside the image beforehand. Idempotent, and
        it never overwrites: once any user exists (this admin, or one added since) the file is
        not even read, so the secret may be unmounted after the first start. The check and the
        insert share one write transaction, so nodes starting together create the admin once.
        """
        if self._db_user_names():
            return False
        password = read_password_file(password_file)
        try:
            check_credentials(name, password)
        except errors.InvalidInput as exc:
            raise errors.InvalidInput(
                f"Cannot bootstrap admin '{name}' from {password_file}: {exc.message}"
            ) from None
        hashed = hash_password(password)
        with self.db.write() as session:
            if repo.user_count(session):
                return False
            repo.put_user(session, name, hashed, Role.ADMIN.value, [])
            repo.record(
                session,
                AuditEntry(
                    "bootstrap_admin",
                    detail={"user": name, "role": Role.ADMIN.value, "from": str(password_file)},
                    actor="bootstrap",
                ),
            )
        self.refresh(force=True)
        return True

    def list_tokens(self, user: str | None = None) -> list[TokenInfo]:
        """Tokens in the database (of one user, or everyone's), by user then age."""
        with self.db.read() as session:
            rows = repo.tokens_of(session, user)
            return [self._token_info(row) for row in rows]

    @staticmethod
    def _token_info(row: TokenRow) -> TokenInfo:
        created = _aware(row.created_at)
        assert created is not None
        return TokenInfo(
            token_id(row.token_hash), row.user, row.description, created, _aware(row.expires_at)
        )

    def revoke_token(
        self, token: str | None = None, *, user: str | None = None, actor: str | None = None
    ) -> list[TokenInfo]:
        """Delete one token by its short id (or a longer prefix of its hash), or every token of
        ``user``; the tokens revoked. Running servers refuse them within
        ``auth_refresh_seconds``. The audit log records each id, never the secret."""
        if (token is None) == (user is None):
            raise errors.InvalidInput("Give a token id or a user, not both and not neither")
        with self.db.write() as session:
            if token is not None:
                rows = self._token_rows_by_id(session, token)
            else:
                rows = repo.tokens_of(session, user)
            revoked = [self._token_info(row) for row in rows]
            repo.delete_tokens(session, [row.token_hash for row in rows])
            for info in revoked:
                detail = {"user": info.user, "token": info.id}
                repo.record(session, AuditEntry("revoke_token", detail=detail, actor=actor))
        snapshot = self.refresh(force=True)
        if user is not None and not revoked and user not in snapshot.users:
            raise errors.NotFound(f"User '{user}' not found")
        return revoked

    @staticmethod
    def _token_rows_by_id(session: Session, token: str) -> list[TokenRow]:
        wanted = token.strip().lower()
        if not _TOKEN_ID.fullmatch(wanted):
            raise errors.InvalidInput(
                f"Invalid token id '{token}': use the {TOKEN_ID_LENGTH} hex characters "
                "'esr tokens list' shows"
            )
        rows = repo.tokens_with_hash_prefix(session, wanted)
        if not rows:
            raise errors.NotFound(f"Token '{wanted}' not found (see esr tokens list)")
        if len(rows) > 1:
            raise errors.InvalidInput(
                f"Token id '{wanted}' matches {len(rows)} tokens: give more of the hash"
            )
        return rows
