"""Authentication of every request the Local server answers.

* API paths (FC, ACR, ``/x-fcdesk/``): ACS3-HMAC-SHA256 signatures from the local AccessKey pair,
  verified with `core.cloud.verify_signature` (the same pure functions the client signs with),
  plus replay protection: a nonce seen within the clock-skew window is refused. Nonces are kept
  in sqlite so a restart does not reopen the window.
* Registry ``/v2/``: HTTP Basic (user = AccessKey id, password = secret) or a Bearer token from
  the token realm (``/x-fcdesk/token``, alias ``/token``), like ``docker login`` to ACR.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from core.cloud import Credentials, SignatureInfo, verify_payload, verify_signature
from core.coldstart import fc_request_id
from core.emulator._db import Database
from core.emulator._errors import ApiError, fc_auth_code, fc_error
from core.errors import SignatureError

__all__ = [
    "LOGIN_USER",
    "MAX_SKEW",
    "TOKEN_TTL",
    "Authenticator",
    "FcHandler",
    "Principal",
    "fc_endpoint",
]

MAX_SKEW = timedelta(minutes=15)
TOKEN_TTL = 300
#: The user name of temporary registry passwords from ``GetAuthorizationToken``.
LOGIN_USER = "cr_temp_user"
_NONCE_KEEP = int(MAX_SKEW.total_seconds() * 2)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a registry request acts as: the local key holder, or anonymous (pull only)."""

    name: str
    can_push: bool


class Authenticator:
    def __init__(self, credentials: Credentials, db: Database, *, anonymous_pull: bool) -> None:
        self._creds = credentials
        self._db = db
        self.anonymous_pull = anonymous_pull
        self._token_key = hashlib.sha256(
            b"fcdesk-registry-token\0" + credentials.access_key_secret.encode()
        ).digest()
        self._last_purge = 0.0

    @property
    def access_key_id(self) -> str:
        return self._creds.access_key_id

    # -- ACS3 -----------------------------------------------------------------------------

    def _secret_for(self, key_id: str) -> str | None:
        if hmac.compare_digest(key_id, self._creds.access_key_id):
            return self._creds.access_key_secret
        return None

    async def read_signed(self, request: Request) -> bytes:
        """Authenticate an API request from its headers, then read its body (capped by the
        request guard) and check it against the hash the signature covers; return the body.
        An unsigned or wrongly signed request is refused before a byte of its body is read.
        Raises `ApiError` (generic codes; the route family renames them to its own)."""
        await self.verify_api(request, None)
        body = await request.body()
        try:
            verify_payload(request.headers, body)
        except SignatureError as exc:
            raise ApiError(403, exc.code, exc.message) from exc
        return body

    async def verify_api(self, request: Request, body: bytes | None) -> SignatureInfo:
        """Verify the ACS3 signature and nonce of an API request (the body too unless it is
        ``None``); raise `ApiError` (generic codes; the route family renames them to its
        own)."""
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        path = raw_path.decode("latin-1").split("?", 1)[0]
        query: bytes = request.scope.get("query_string", b"")
        if not request.headers.get("authorization"):
            raise ApiError(401, "MissingAuthorization", "the request is not signed")
        try:
            info = verify_signature(
                method=request.method,
                path=path,
                query=query,
                headers=request.headers,
                body=body,
                secret_for=self._secret_for,
                max_skew=MAX_SKEW,
            )
        except SignatureError as exc:
            raise ApiError(403, exc.code, exc.message) from exc
        await self._remember_nonce(info.nonce)
        return info

    async def _remember_nonce(self, nonce: str) -> None:
        if not nonce or len(nonce) > 128:
            raise ApiError(400, "MissingSignatureNonce", "x-acs-signature-nonce is invalid")
        now = int(time.time())
        purge = now - self._last_purge > 60
        if purge:
            self._last_purge = now

        def write(conn: sqlite3.Connection) -> bool:
            if purge:
                conn.execute("DELETE FROM nonces WHERE seen < ?", (now - _NONCE_KEEP,))
            try:
                conn.execute("INSERT INTO nonces (nonce, seen) VALUES (?, ?)", (nonce, now))
            except sqlite3.IntegrityError:
                return False
            return True

        if not await self._db.run(write, "nonce"):
            raise ApiError(
                400, "SignatureNonceUsed", "the signature nonce has been used within 15 minutes"
            )

    # -- registry ------------------------------------------------------------------------

    def check_basic(self, header: str) -> bool:
        try:
            raw = base64.b64decode(header.split(None, 1)[1], validate=True).decode("utf-8")
        except (IndexError, ValueError, binascii.Error, UnicodeDecodeError):
            return False
        user, sep, password = raw.partition(":")
        if user == LOGIN_USER and sep:
            return self.check_token(password) is not None
        return bool(sep) and hmac.compare_digest(
            user.encode(), self._creds.access_key_id.encode()
        ) & hmac.compare_digest(password.encode(), self._creds.access_key_secret.encode())

    def issue_login_token(self) -> tuple[str, int]:
        """A temporary registry password (ACR ``GetAuthorizationToken``), valid one hour."""
        return self.issue_token(Principal(LOGIN_USER, True), "login", ttl=3600)

    def issue_token(
        self, principal: Principal, scope: str, ttl: int = TOKEN_TTL
    ) -> tuple[str, int]:
        payload = {
            "sub": principal.name,
            "push": principal.can_push,
            "scope": scope[:512],
            "exp": int(time.time()) + ttl,
            "jti": secrets.token_hex(8),
        }
        raw = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=")
        mac = hmac.new(self._token_key, raw, hashlib.sha256).digest()
        tag = base64.urlsafe_b64encode(mac).rstrip(b"=")
        return (raw + b"." + tag).decode(), ttl

    def check_token(self, token: str) -> Principal | None:
        raw, _, tag = token.encode().partition(b".")
        mac = hmac.new(self._token_key, raw, hashlib.sha256).digest()
        expected = base64.urlsafe_b64encode(mac).rstrip(b"=")
        if not hmac.compare_digest(expected, tag):
            return None
        try:
            payload = json.loads(base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4)))
        except (ValueError, binascii.Error):
            return None
        if not isinstance(payload, dict) or int(payload.get("exp", 0)) < time.time():
            return None
        return Principal(str(payload.get("sub", "")), bool(payload.get("push")))

    def registry_principal(self, authorization: str | None) -> Principal | None:
        """Who a ``/v2/`` request is, or ``None`` when it must be challenged."""
        if authorization:
            scheme = authorization.split(None, 1)[0].lower()
            if scheme == "basic" and self.check_basic(authorization):
                return Principal(self._creds.access_key_id, True)
            if scheme == "bearer":
                parts = authorization.split(None, 1)
                if len(parts) == 2:
                    return self.check_token(parts[1].strip())
            return None
        if self.anonymous_pull:
            return Principal("anonymous", False)
        return None


#: A signed endpoint's handler: the request, its body (already read for the signature) and
#: the request id its answer carries.
FcHandler = Callable[[Request, bytes, str], Awaitable[Response]]


def fc_endpoint(
    auth: Authenticator, handler: FcHandler
) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint signed like the FC API (the FC routes and the ``/x-fcdesk/`` extensions):
    the ACS3 signature is verified (from the headers, before the body is read) before
    ``handler`` runs, errors answer in FC's shape, and
    the answer carries its request id in ``x-fc-request-id``."""

    async def endpoint(request: Request) -> Response:
        request_id = fc_request_id()
        try:
            body = await auth.read_signed(request)
        except ApiError as exc:
            code, status = fc_auth_code(exc)
            return fc_error(status, code, exc.message, request_id)
        try:
            response = await handler(request, body, request_id)
        except ApiError as exc:
            return fc_error(exc.status, exc.code, exc.message, request_id)
        response.headers["x-fc-request-id"] = request_id
        return response

    return endpoint
