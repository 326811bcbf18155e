"""Who is looking at the web UI: a signed session cookie, the same users and roles as the API.

While the registry has no users (the local default) every visitor is the anonymous admin and no
login is asked for. Once users exist, ``POST /ui/login`` checks the name and password through the
API's :class:`~registry.security.Authenticator` and sets ``esr_session``: the user's name, a
fingerprint of their password hash (changing the password ends every session) and the time,
signed with ``REGISTRY_UI_SESSION_SECRET``. The cookie is HttpOnly, SameSite=Lax, and Secure when
the request came over HTTPS. Every form that writes carries a token derived from the session
(:meth:`UiAuth.csrf_token`), checked before anything is written.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from registry import errors
from registry.config import Settings
from registry.domain import Principal
from registry.security import Authenticator

COOKIE = "esr_session"
MAX_AGE = 12 * 3600


class UiAuth:
    """Sessions and form tokens for the UI, over the API's authenticator."""

    def __init__(self, authenticator: Authenticator, settings: Settings) -> None:
        self.authenticator = authenticator
        secret = settings.ui_session_secret
        self._secret = secret.get_secret_value() if secret else secrets.token_urlsafe(32)
        self._cookies = URLSafeTimedSerializer(self._secret, salt="esr-ui-session")

    # --- who -------------------------------------------------------------------------------

    def enabled(self) -> bool:
        """Whether logging in means anything (some user exists)."""
        return self.authenticator.enabled()

    def principal(self, request: Request) -> Principal | None:
        """The visitor: the anonymous admin while auth is off, the session's user, else None."""
        if not self.enabled():
            return self.authenticator.authenticate(None)
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            name, fingerprint = self._cookies.loads(raw, max_age=MAX_AGE)
        except (BadSignature, ValueError, TypeError):
            return None
        user = self.authenticator.refresh().users.get(str(name))
        if user is None or not hmac.compare_digest(_fingerprint(user.password_hash), fingerprint):
            return None
        return user.principal

    def login(self, name: str, password: str) -> str:
        """Check the credentials as the API would; the session cookie's value."""
        token = base64.b64encode(f"{name}:{password}".encode()).decode()
        principal = self.authenticator.authenticate(f"Basic {token}")
        user = self.authenticator.refresh().users.get(principal.name)
        if user is None:  # removed between the two reads
            raise errors.AuthenticationRequired("Unauthorized: unknown user or wrong password")
        return self._cookies.dumps([user.name, _fingerprint(user.password_hash)])

    @staticmethod
    def set_cookie(response: Response, request: Request, value: str) -> None:
        """Attach the session cookie (Secure over HTTPS)."""
        response.set_cookie(
            COOKIE,
            value,
            max_age=MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/ui",
        )

    @staticmethod
    def clear_cookie(response: Response) -> None:
        """End the session."""
        response.delete_cookie(COOKIE, path="/ui")

    # --- form tokens -----------------------------------------------------------------------

    def csrf_token(self, request: Request) -> str:
        """The token every writing form of this session carries."""
        session = request.cookies.get(COOKIE, "anonymous")
        digest = hmac.new(self._secret.encode(), f"csrf\0{session}".encode(), hashlib.sha256)
        return digest.hexdigest()

    def check_csrf(self, request: Request, token: str | None) -> None:
        """Refuse a write whose form token is missing or not this session's."""
        if not token or not hmac.compare_digest(token, self.csrf_token(request)):
            raise errors.AccessDenied(
                "Forbidden: the form has expired or did not come from this site; reload the page"
            )


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]
