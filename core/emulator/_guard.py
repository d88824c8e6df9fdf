"""What one request may cost the Local server before it is answered.

Every HTTP request passes :class:`RequestGuard`, an ASGI middleware around all routes:

* Its body is capped by the limit of the API it is for (:data:`BODY_LIMITS`, :func:`body_limit`).
  A declared ``Content-Length`` over the limit is refused before a byte of the body is read;
  a body without one (chunked) is cut off as soon as it passes the limit. The answer is the
  API's own error (FC and ``/x-fcdesk/``: ``400 EntityTooLarge``; ACR and the token realm:
  ``413 EntityTooLarge``) with ``Connection: close``.
* A body that stops arriving for ``body_timeout`` seconds is answered ``408 RequestTimeout``.
* A client that hangs up in the middle of its body is one log line, not a traceback.

Signed APIs check the signature from the headers before they read the body (see
``Authenticator.read_signed``), so an unsigned or wrongly signed request costs no more than
its headers. The registry (``/v2/``) authenticates from headers too; blob bodies stream to disk
(no cap, digest verified), manifests are capped at 4 MiB by the registry itself.

Request headers must arrive within ``header_timeout`` seconds of a connection being opened
(or of the first byte of the next request on a kept-alive connection): see
:func:`guarded_protocol`. h11 refuses request heads over 16 KiB with ``400``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, cast

import h11
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from uvicorn.protocols.http.h11_impl import H11Protocol

from core.emulator._errors import acr_error, fc_error, registry_error

__all__ = [
    "BODY_LIMITS",
    "BodyLimit",
    "RequestGuard",
    "body_limit",
    "guarded_protocol",
]

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_KiB = 1024
_MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class BodyLimit:
    """The largest request body one kind of endpoint reads (``None``: streamed, no cap)."""

    name: str
    family: str  # whose error format answers: "fc", "ext", "acr", "token" or "registry"
    max_bytes: int | None
    why: str


#: Every body limit, by endpoint (documented in docs/reliability.md).
BODY_LIMITS: dict[str, BodyLimit] = {
    "fc-invoke": BodyLimit(
        "fc-invoke", "fc", 32 * _MiB, "FC's own limit for a synchronous invocation's payload"
    ),
    "fc-invoke-async": BodyLimit(
        "fc-invoke-async", "fc", 128 * _KiB, "FC's own limit for an asynchronous invocation"
    ),
    "fc": BodyLimit(
        "fc",
        "fc",
        1 * _MiB,
        "function documents are a few KB (environment variables at most 4 KB); custom "
        "containers carry no code package",
    ),
    "acr": BodyLimit(
        "acr",
        "acr",
        8 * _MiB,
        "form parameters; the largest is a start-up profile (PriorityFile, base64 of one path "
        "per line: 50,000 paths are about 4 MB)",
    ),
    "ext": BodyLimit("ext", "ext", 1 * _MiB, "small JSON documents (conversion requests)"),
    "token": BodyLimit(
        "token", "token", 8 * _KiB, "an OAuth2 password grant: user name, password, scope"
    ),
    "registry": BodyLimit(
        "registry",
        "registry",
        None,
        "blobs stream to disk and are verified against their digest; manifests are capped at "
        "4 MiB by the registry",
    ),
}


def body_limit(scope: Scope) -> BodyLimit:
    """The limit for a request, from its path (and, for invocations, its type)."""
    path: str = scope.get("path", "")
    if path == "/v2" or path.startswith("/v2/"):
        return BODY_LIMITS["registry"]
    if path in ("/token", "/x-fcdesk/token"):
        return BODY_LIMITS["token"]
    if path.startswith("/x-fcdesk/"):
        return BODY_LIMITS["ext"]
    if path.startswith("/2023-03-30/"):
        if path.endswith("/invocations"):
            kind = _header(scope, b"x-fc-invocation-type").lower()
            return BODY_LIMITS["fc-invoke-async" if kind == "async" else "fc-invoke"]
        return BODY_LIMITS["fc"]
    return BODY_LIMITS["acr"]  # ACR's RPC API is served at "/"


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers") or ():
        if key == name:
            return bytes(value).decode("latin-1")
    return ""


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


def _refusal(limit: BodyLimit, status_hint: str, message: str) -> Response:
    """The API's own error for a body over its limit (``status_hint`` "large") or too slow
    ("slow"); the connection is closed after it (the rest of the body is never read)."""
    close = {"Connection": "close"}
    if status_hint == "large":
        status, code = (400 if limit.family in ("fc", "ext") else 413), "EntityTooLarge"
    else:
        status, code = 408, "RequestTimeout"
    if limit.family in ("fc", "ext"):
        response = fc_error(status, code, message, "")
    elif limit.family == "registry":
        response = registry_error(
            status, "SIZE_INVALID" if code == "EntityTooLarge" else "BLOB_UPLOAD_INVALID", message
        )
    else:
        response = acr_error(status, code, message, "")
    response.headers.update(close)
    return response


class RequestGuard:
    """ASGI middleware: body caps, the body timeout and quiet client hang-ups (see the
    module's documentation)."""

    def __init__(self, app: ASGIApp, *, body_timeout: float = 60.0) -> None:
        self.app = app
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope)
        method, path = scope.get("method", ""), scope.get("path", "")
        declared = _header(scope, b"content-length")
        cap = limit.max_bytes
        if cap is not None and declared.isdigit() and int(declared) > cap:
            log.info(
                "%s %s: refused a %s-byte body (limit %s: %d)",
                method,
                path,
                declared,
                limit.name,
                cap,
            )
            response = _refusal(
                limit, "large", f"payload size exceeds maximum allowed size ({cap} bytes)"
            )
            await response(scope, receive, send)
            return
        received = 0
        more = True
        started = False

        async def guarded_receive() -> Message:
            nonlocal received, more
            if not more:  # the body is in: wait for a disconnect as long as it takes
                return await receive()
            try:
                # a timer, not a task per piece (blob uploads arrive in many pieces)
                async with asyncio.timeout(self.body_timeout):
                    message = await receive()
            except TimeoutError:
                raise _TooSlow from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if cap is not None and received > cap:
                    raise _TooLarge
                more = bool(message.get("more_body"))
            elif message["type"] == "http.disconnect":
                more = False
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except _TooLarge:
            assert cap is not None
            log.info(
                "%s %s: cut off a body over %d bytes (limit %s)", method, path, cap, limit.name
            )
            if not started:
                response = _refusal(
                    limit, "large", f"payload size exceeds maximum allowed size ({cap} bytes)"
                )
                await response(scope, receive, send)
        except _TooSlow:
            log.info(
                "%s %s: no body bytes for %g s after %d bytes; closing",
                method,
                path,
                self.body_timeout,
                received,
            )
            if not started:
                response = _refusal(
                    limit, "slow", f"no request body received for {self.body_timeout:g} s"
                )
                await response(scope, receive, send)
        except ClientDisconnect:
            log.info("%s %s: the client hung up after %d bytes of its body", method, path, received)


#: Seconds a refused request's client is given to read the answer while it is still sending
#: its body (closing at once, with its bytes unread, would reset the connection and the
#: client would see that instead of the answer).
LINGER = 2.0


class _LingeringTransport:
    """The connection's transport, as uvicorn sees it: closing it while the client is still
    sending a body (a refused request) half-closes it instead, discards what still arrives
    and closes for good when the client is done or after :data:`LINGER` seconds."""

    def __init__(self, transport: asyncio.Transport, protocol: Any) -> None:
        self._transport = transport
        self._protocol = protocol

    def close(self) -> None:
        protocol, transport = self._protocol, self._transport
        if (
            protocol.conn.their_state is h11.SEND_BODY
            and not protocol.lingering
            and not transport.is_closing()
            and transport.can_write_eof()
        ):
            protocol.lingering = True
            transport.write_eof()  # after the answer already written
            transport.resume_reading()
            protocol.loop.call_later(LINGER, transport.close)
            return
        transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def guarded_protocol(header_timeout: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol, closing a connection whose request line and headers do not
    arrive within ``header_timeout`` seconds (counted from the connection's start, or from
    the first byte of the next request on a kept-alive one): a slow-headers client holds
    a connection and a little memory, never more, and never for long. A refused request's
    body is not read, but its client can read the answer (:class:`_LingeringTransport`)."""

    class GuardedH11Protocol(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None
        lingering = False

        def _arm(self) -> None:
            if self._header_timer is None:
                self._header_timer = self.loop.call_later(header_timeout, self._too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _too_slow(self) -> None:
            self._header_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                log.info(
                    "%s: request headers not complete after %g s; closing",
                    f"{self.client[0]}:{self.client[1]}" if self.client else "a client",
                    header_timeout,
                )
                self.transport.close()

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)  # type: ignore[arg-type]
            self.transport = cast(
                asyncio.Transport, _LingeringTransport(cast(asyncio.Transport, transport), self)
            )
            self._arm()

        def data_received(self, data: bytes) -> None:
            if self.lingering:
                return  # the rest of a refused body
            if self.conn.their_state is h11.IDLE:
                self._arm()  # the start of a request (after a keep-alive pause)
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:
                self._disarm()  # its head is in

        def eof_received(self) -> None:
            if self.lingering:
                self.transport._transport.close()  # type: ignore[attr-defined]

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return GuardedH11Protocol
