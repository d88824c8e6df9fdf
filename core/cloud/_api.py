"""The signed request path shared by the FC and ACR clients: ACS3 signing, bounded retries
with backoff for throttling and transient failures, and error mapping to the core tree."""

from __future__ import annotations

import email.utils
import json
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from core._retry import RetryPolicy, parse_retry_after
from core.cloud._credentials import Credentials
from core.cloud._signing import ACS3Auth, CredentialsSource
from core.errors import (
    CloudError,
    CredentialsError,
    ResourceNotFound,
    SignatureError,
    ThrottledError,
    TransportError,
    TransportTimeout,
)

__all__ = [
    "CLOCK_SKEW_CODES",
    "THROTTLING_CODES",
    "ApiClientBase",
    "error_from_response",
]

log = logging.getLogger("core.cloud")

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "Throttling.User",
        "Throttling.Api",
        "Throttling.Resource",
        "ThrottlingException",
        "ServiceUnavailable",
        "ResourceThrottled",
        "TooManyRequests",
        "SYSTEM_BUSY",
    }
)
CLOCK_SKEW_CODES = frozenset(
    {
        "InvalidTimeStamp.Expired",
        "InvalidTimeStamp",
        "RequestTimeTooSkewed",
        "RequestTimeExpired",
        "InvalidTimeStamp.Format",
    }
)
_SIGNATURE_CODES = frozenset(
    {
        "SignatureNotMatch",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "SignatureNonceUsed",
        "ContentSHA256Mismatch",
        "MissingAuthorization",
        "InvalidAuthorization",
    }
)
_CREDENTIAL_CODES_PREFIX = (
    "InvalidAccessKeyId",
    "InvalidAccessKeyID",
    "InvalidSecurityToken",
    "Forbidden.AccessKeyDisabled",
)
_RETRYABLE_STATUS_IDEMPOTENT = frozenset({500, 502, 504})


#: The cloud clients' default: four tries, the first wait at most half a second.
CLOUD_RETRY = RetryPolicy(max_attempts=4, base_delay=0.5)


def _request_id(response: httpx.Response, body: Mapping[str, Any] | None) -> str | None:
    if body:
        for key in ("RequestId", "requestId", "request_id"):
            found = body.get(key)
            if found:
                return str(found)
    for header in ("x-fc-request-id", "x-acs-request-id", "x-ca-request-id"):
        value = response.headers.get(header)
        if value:
            return str(value)
    return None


def _json_body(response: httpx.Response) -> dict[str, Any] | None:
    try:
        data = json.loads(response.content)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _server_skew(response: httpx.Response, now: datetime | None = None) -> float | None:
    """Seconds the server's clock is ahead of ours (from the ``Date`` header)."""
    date = response.headers.get("date")
    if not date:
        return None
    try:
        server = email.utils.parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return None
    if server.tzinfo is None:
        server = server.replace(tzinfo=UTC)
    return (server - (now or datetime.now(UTC))).total_seconds()


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def error_from_response(
    response: httpx.Response,
    *,
    body: Mapping[str, Any] | None = None,
    secrets: tuple[str, ...] = (),
    now: datetime | None = None,
) -> CloudError:
    """Build the `CloudError` subclass matching a failed response.

    Understands FC bodies (``{"Code","Message","RequestId"}`` in either case), ACR RPC bodies
    (``IsSuccess: false`` + ``Code``/``Message``), FC 2.0 style (``errorCode``/``errorMessage``)
    and bodies that are not JSON at all.
    """
    if body is None:
        body = _json_body(response)
    status = response.status_code
    code = message = None
    if body:
        code = body.get("Code") or body.get("code") or body.get("errorCode")
        message = body.get("Message") or body.get("message") or body.get("errorMessage")
    if not code:
        code = {
            400: "BadRequest",
            401: "Unauthorized",
            403: "Forbidden",
            404: "NotFound",
            409: "Conflict",
            429: "Throttling",
            503: "ServiceUnavailable",
        }.get(status, f"HTTP{status}")
    code = str(code)
    if not message:
        text = response.text[:300].strip() if not body else ""
        message = text or response.reason_phrase or f"HTTP {status}"
    message = _scrub(str(message), secrets)
    request_id = _request_id(response, body)
    try:
        action = response.request.headers.get("x-acs-action", "")
    except RuntimeError:  # a response built by hand has no request
        action = ""
    detail: dict[str, Any] = {"action": action} if action else {}
    where = f"{action}: " if action else ""
    text = f"{where}{code}: {message}" + (f" (request id {request_id})" if request_id else "")

    cls: type[CloudError] = CloudError
    if code in CLOCK_SKEW_CODES or (
        code in _SIGNATURE_CODES and "time" in message.lower() and "skew" in message.lower()
    ):
        skew = _server_skew(response, now)
        if skew is not None:
            detail["skew_seconds"] = skew
            text += (
                f"; the server clock is {abs(skew):.0f} s "
                f"{'ahead of' if skew >= 0 else 'behind'} this computer's clock — correct the "
                "system time"
            )
        else:
            text += "; check that this computer's clock is correct"
        cls = SignatureError
    elif code in _SIGNATURE_CODES:
        cls = SignatureError
    elif code.startswith(_CREDENTIAL_CODES_PREFIX):
        cls = CredentialsError
    elif code in THROTTLING_CODES or status == 429 or code.startswith("Throttling"):
        cls = ThrottledError
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if retry_after is not None:
            detail["retry_after"] = retry_after
    elif (
        status == 404
        or code.endswith(("NotFound", "NOT_EXIST", "NOT_FOUND", "NotExist"))
        or ".NotFound" in code
    ):
        cls = ResourceNotFound
    return cls(text, code=code, status=status, request_id=request_id, **detail)


class ApiClientBase:
    """Signing, retries, logging and error mapping for one service.

    ``http`` is the caller's ``httpx.AsyncClient`` (its transport decides where requests go);
    ``credentials`` a `Credentials` or a callable returning the current ones.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        credentials: Credentials | CredentialsSource,
        *,
        retry: RetryPolicy | None = None,
        auth: httpx.Auth | None = None,
        service: str = "api",
    ) -> None:
        self._service = service
        self._http = http
        self._credentials = credentials
        self._auth = auth or ACS3Auth(credentials)
        self._retry = retry or CLOUD_RETRY

    def _next_wait(
        self, attempt: int, first_try: float, retry_after: float | None = None
    ) -> float | None:
        """The wait before another try after the 0-based try ``attempt`` failed."""
        return self._retry.next_wait(attempt + 1, time.monotonic() - first_try, retry_after)

    def current_credentials(self) -> Credentials:
        """The credentials requests are signed with now."""
        return self._credentials() if callable(self._credentials) else self._credentials

    def _secrets(self) -> tuple[str, ...]:
        creds = self.current_credentials()
        return tuple(s for s in (creds.access_key_secret, creds.security_token) if s)

    async def _send(
        self,
        method: str,
        url: str,
        *,
        action: str,
        version: str,
        params: Mapping[str, str] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        check_status: bool = True,
        http_timeout: httpx.Timeout | None = None,
    ) -> httpx.Response:
        """Send one signed request with retries; raise the mapped error on failure.

        With ``check_status=False`` a 4xx/5xx response is returned as it is (invocations, where
        the body belongs to the function), unless it is throttling, which is retried and raised.
        ``http_timeout`` replaces the HTTP client's own for this request (a long invocation).
        """
        idempotent = method in ("GET", "HEAD") if idempotent is None else idempotent
        all_headers = {
            "x-acs-action": action,
            "x-acs-version": version,
            "accept": "application/json",
        }
        all_headers.update(headers or {})
        attempt = 0
        first_try = time.monotonic()
        while True:
            request = self._http.build_request(
                method,
                url,
                params=dict(params or {}),
                content=content,
                headers=all_headers,
                timeout=http_timeout if http_timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
            started = time.monotonic()
            try:
                response = await self._http.send(request, auth=self._auth)
            except httpx.TransportError as exc:
                # Only a request that never reached the server is safe to resend when it is not
                # idempotent.
                retryable = idempotent or isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                log.debug("%s %s %s failed: %s", self._service, action, method, type(exc).__name__)
                wait = self._next_wait(attempt, first_try) if retryable else None
                if wait is not None:
                    await self._retry.sleep(wait)
                    attempt += 1
                    continue
                kind = (
                    TransportTimeout if isinstance(exc, httpx.TimeoutException) else TransportError
                )
                raise kind(
                    f"{action}: cannot reach {request.url.host}: {type(exc).__name__}",
                    host=request.url.host,
                    action=action,
                ) from exc
            elapsed = (time.monotonic() - started) * 1000
            log.debug(
                "%s %s %s %s -> %d in %.0f ms (request id %s)",
                self._service,
                action,
                method,
                request.url.path,
                response.status_code,
                elapsed,
                _request_id(response, None) or "-",
            )
            if response.status_code < 400:
                return response
            error = error_from_response(response, secrets=self._secrets())
            retry = isinstance(error, ThrottledError) or (
                idempotent and response.status_code in _RETRYABLE_STATUS_IDEMPOTENT
            )
            wait = (
                self._next_wait(attempt, first_try, error.detail.get("retry_after"))
                if retry
                else None
            )
            if wait is not None:
                await self._retry.sleep(wait)
                attempt += 1
                continue
            if not check_status and not isinstance(error, ThrottledError | SignatureError):
                return response
            if retry:
                error.detail["attempts"] = attempt + 1
            raise error
