"""Registry authentication strategies behind one small :class:`Auth` protocol.

* :class:`Anonymous` sends nothing and gives up on a challenge.
* :class:`BasicAuth` sends ``Authorization: Basic`` to the registry host up front.
* :class:`BearerAuth` answers the registry's ``WWW-Authenticate`` challenge: for ``Bearer``
  it fetches a token from the challenge's ``realm`` (with ``service`` and ``scope``, and Basic
  credentials when it has them), caches it per scope until it expires, and refreshes it on a
  401; for a ``Basic`` challenge it falls back to Basic credentials. Without credentials it
  still works with registries that hand out anonymous tokens (Docker Hub, GHCR).

Strategies only ever add headers to requests bound for the registry's own origin; the client
drops them on redirects to other hosts.
"""

from __future__ import annotations

import asyncio
import base64
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import httpx

from core.errors import AuthError, TransportError, TransportTimeout

__all__ = [
    "Anonymous",
    "Auth",
    "BasicAuth",
    "BearerAuth",
    "Challenge",
    "parse_challenges",
]

_TOKEN_MIN_LIFETIME = 60.0
_REFRESH_MARGIN = 10.0

_PARAM_RE = re.compile(r'\s*([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*,?')


@dataclass(frozen=True, slots=True)
class Challenge:
    """One ``WWW-Authenticate`` challenge: scheme (lower-case) and its parameters."""

    scheme: str
    params: dict[str, str]

    @property
    def realm(self) -> str | None:
        return self.params.get("realm")


def parse_challenges(header: str) -> list[Challenge]:
    """Parse a ``WWW-Authenticate`` header (RFC 9110 §11.6.1) into challenges."""
    out: list[Challenge] = []
    pos = 0
    text = header.strip()
    while pos < len(text):
        m = re.match(r"\s*,?\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)\s*", text[pos:])
        if not m:
            break
        scheme = m.group(1).lower()
        pos += m.end()
        params: dict[str, str] = {}
        while pos < len(text):
            pm = _PARAM_RE.match(text, pos)
            if not pm:
                break
            # a bare token followed by '=' is a parameter; a token then space is the next scheme
            key = pm.group(1).lower()
            value = pm.group(2) if pm.group(2) is not None else pm.group(3)
            params[key] = re.sub(r"\\(.)", r"\1", value or "")
            pos = pm.end()
        out.append(Challenge(scheme, params))
    return out


def _basic_header(username: str, password: str) -> str:
    raw = f"{username}:{password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


class Auth(Protocol):
    """How a :class:`~core.registry.RegistryClient` authenticates.

    ``scope`` is the token scope a request needs, e.g. ``repository:app:pull`` or
    ``repository:app:pull,push`` (space-separated for several), or ``registry:catalog:*``.
    """

    async def apply(self, http: httpx.AsyncClient, request: httpx.Request, scope: str) -> None:
        """Add credentials for ``scope`` to ``request`` (bound for the registry)."""

    async def on_challenge(
        self, http: httpx.AsyncClient, response: httpx.Response, scope: str
    ) -> bool:
        """Handle a 401. Return True when retrying the request may now succeed."""


class Anonymous:
    """No credentials."""

    async def apply(self, http: httpx.AsyncClient, request: httpx.Request, scope: str) -> None:
        return None

    async def on_challenge(
        self, http: httpx.AsyncClient, response: httpx.Response, scope: str
    ) -> bool:
        return False


class BasicAuth:
    """HTTP Basic credentials sent with every request to the registry."""

    def __init__(self, username: str, password: str) -> None:
        self._header = _basic_header(username, password)
        self.username = username

    def __repr__(self) -> str:
        return f"BasicAuth(username={self.username!r})"

    async def apply(self, http: httpx.AsyncClient, request: httpx.Request, scope: str) -> None:
        request.headers["Authorization"] = self._header

    async def on_challenge(
        self, http: httpx.AsyncClient, response: httpx.Response, scope: str
    ) -> bool:
        return False


@dataclass(slots=True)
class _Token:
    value: str
    refresh_at: float  # a little before the token expires


class BearerAuth:
    """Challenge-driven auth: Bearer tokens per scope (cached, refreshed) or Basic.

    ``username``/``password`` are optional; when given they are sent to the token realm (and
    used for Basic challenges). ``token_timeout`` bounds each token request.
    """

    def __init__(
        self,
        username: str | None = None,
        password: str | None = None,
        *,
        token_timeout: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if (username is None) != (password is None):
            raise ValueError("give both username and password, or neither")
        self.username = username
        self._password = password
        self._timeout = token_timeout
        self._clock = clock
        self._tokens: dict[str, _Token] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._bearer: Challenge | None = None  # the last Bearer challenge seen
        self._basic = False  # the registry asked for Basic
        self.token_requests = 0  # for tests and diagnostics

    def __repr__(self) -> str:
        return f"BearerAuth(username={self.username!r})"

    def _valid_token(self, scope: str) -> str | None:
        tok = self._tokens.get(scope)
        if tok is not None and tok.refresh_at > self._clock():
            return tok.value
        return None

    async def apply(self, http: httpx.AsyncClient, request: httpx.Request, scope: str) -> None:
        if self._basic:
            if self.username is not None and self._password is not None:
                request.headers["Authorization"] = _basic_header(self.username, self._password)
            return
        token = self._valid_token(scope)
        if token is None and self._bearer is not None:
            # We know the realm already: fetch the token up front instead of taking a 401.
            token = await self._fetch(http, self._bearer, scope, from_challenge=False)
        if token is not None:
            request.headers["Authorization"] = f"Bearer {token}"

    async def on_challenge(
        self, http: httpx.AsyncClient, response: httpx.Response, scope: str
    ) -> bool:
        challenges = parse_challenges(response.headers.get("www-authenticate", ""))
        sent = str(response.request.headers.get("authorization", ""))
        for ch in challenges:
            if ch.scheme == "bearer" and ch.realm:
                self._bearer = ch
                self._basic = False
                self._tokens.pop(scope, None)
                token = await self._fetch(http, ch, scope)
                return f"Bearer {token}" != sent
        for ch in challenges:
            if ch.scheme == "basic" and self.username is not None and self._password is not None:
                self._basic = True
                return not sent.startswith("Basic ")
        return False

    async def _fetch(
        self, http: httpx.AsyncClient, ch: Challenge, scope: str, *, from_challenge: bool = True
    ) -> str:
        lock = self._locks.setdefault(scope, asyncio.Lock())
        async with lock:
            token = self._valid_token(scope)
            if token is not None:
                return token
            params: list[tuple[str, str | int | float | bool | None]] = []
            if ch.params.get("service"):
                params.append(("service", ch.params["service"]))
            scopes = scope.split() if scope else []
            # The scope a 401 names is what that request needs; an older challenge's is not.
            challenge_scope = ch.params.get("scope") if from_challenge else None
            if challenge_scope:
                scopes.extend(s for s in challenge_scope.split() if s not in scopes)
            params.extend(("scope", s) for s in scopes)
            headers = {}
            if self.username is not None and self._password is not None:
                params.append(("account", self.username))
                headers["Authorization"] = _basic_header(self.username, self._password)
            realm = ch.realm or ""
            self.token_requests += 1
            try:
                resp = await http.get(realm, params=params, headers=headers, timeout=self._timeout)
            except httpx.TimeoutException as exc:
                raise TransportTimeout(f"token request to {_origin(realm)} timed out") from exc
            except httpx.HTTPError as exc:
                raise TransportError(f"token request to {_origin(realm)} failed: {exc}") from exc
            if resp.status_code != 200:
                raise AuthError(
                    f"token service {_origin(realm)} refused the credentials "
                    f"(HTTP {resp.status_code})",
                    status=resp.status_code,
                    scope=scope,
                )
            try:
                body = resp.json()
            except ValueError as exc:
                raise AuthError("token service answered with invalid JSON") from exc
            value = (
                body.get("token") or body.get("access_token") if isinstance(body, dict) else None
            )
            if not isinstance(value, str) or not value:
                raise AuthError("token service answered without a token")
            expires_in = body.get("expires_in")
            lifetime = (
                float(expires_in)
                if isinstance(expires_in, int | float) and expires_in > 0
                else _TOKEN_MIN_LIFETIME
            )
            margin = min(_REFRESH_MARGIN, lifetime / 4)
            self._tokens[scope] = _Token(value, self._clock() + lifetime - margin)
            return value


def _origin(url: str) -> str:
    try:
        u = httpx.URL(url)
    except httpx.InvalidURL:
        return "<invalid realm>"
    return f"{u.scheme}://{u.netloc.decode()}"
