"""An httpx transport tuned for blob transfers.

httpcore reads at most 64 KiB per socket read; for multi-hundred-megabyte blobs the per-read
Python overhead then dominates (measured on loopback: ~45 % more download throughput with
1 MiB reads). :func:`blob_transport` returns a standard ``httpx.AsyncHTTPTransport`` whose
connections read up to ``read_size`` bytes at a time, through httpcore's public network
backend interface. If a future httpx/httpcore lays its pool out differently, it falls back
to the plain transport (same behaviour, default read size).

A response's body can also be read past the HTTP parser (:func:`raw_body`): every byte the
parser would hand on otherwise goes through three copies in h11 and httpcore on the event
loop's thread, about a third of that thread's time on a gigabyte pull. For that the
connection's stream hands the parser a response head and nothing after it (the bytes that
came with the head wait in the stream); :func:`raw_body` then reads the body, exactly
``Content-Length`` bytes, straight from the stream. The parser never sees the body, so the
connection is closed, not reused, when the response is.
"""

# ruff: noqa: ASYNC109 - the ``timeout`` parameters are httpcore's stream interface

from __future__ import annotations

import asyncio
import collections
import contextlib
import socket
import ssl
import typing
from collections.abc import Iterable

import httpcore
import httpx

__all__ = ["DEFAULT_READ_SIZE", "TakenBody", "blob_transport", "raw_body", "take_body_socket"]

DEFAULT_READ_SIZE = 1024 * 1024

_HEAD_END = b"\r\n\r\n"


class _LargeReadStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream, read_size: int) -> None:
        self._inner = inner
        self._read_size = read_size
        #: Bytes received after a response head, not handed to the parser yet.
        self._pending = b""
        #: A request went out and its response head has not been handed over whole yet.
        self._in_head = False
        #: The head's last bytes so far (its end may straddle two reads).
        self._head_tail = b""
        #: The last read handed over the rest of a response head and none of its body.
        self.at_body = False

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._pending:
            data, self._pending = self._pending, b""
        else:
            data = await self._inner.read(max(max_bytes, self._read_size), timeout)
        self.at_body = False
        if self._in_head and data:
            seen = self._head_tail + data
            end = seen.find(_HEAD_END)
            if end < 0:
                self._head_tail = seen[-3:]
            else:
                cut = end + len(_HEAD_END) - len(self._head_tail)
                data, self._pending = data[:cut], data[cut:]
                self._in_head = False
                self.at_body = True
        return data

    async def read_body(self, max_bytes: int, timeout: float | None) -> bytes:
        """The next bytes after the head (see :func:`raw_body`); ``b""`` at end of stream."""
        self.at_body = False
        if self._pending:
            data, self._pending = self._pending[:max_bytes], self._pending[max_bytes:]
            return data
        return await self._inner.read(max(max_bytes, self._read_size), timeout)

    def detach(self) -> TakenBody | None:
        """The rest of the body for reading off the event loop (see :func:`take_body_socket`)."""
        if not self.at_body or self._inner.get_extra_info("ssl_object") is not None:
            return None
        sock = self._inner.get_extra_info("socket")
        # anyio's asyncio stream: a transport that reads into a queue only while a receive
        # waits, and is paused between receives. Anything else: not taken.
        inner = getattr(self._inner, "_stream", None)
        transport = getattr(inner, "_transport", None)
        protocol = getattr(inner, "_protocol", None)
        queue = getattr(protocol, "read_queue", None)
        event = getattr(protocol, "read_event", None)
        if (
            not callable(getattr(sock, "dup", None))
            or not isinstance(transport, asyncio.Transport)
            or transport.is_reading()
            or not isinstance(queue, collections.deque)
            or not all(isinstance(chunk, bytes) for chunk in queue)
            or not isinstance(event, asyncio.Event)
        ):
            return None
        received = self._pending + b"".join(queue)
        queue.clear()
        event.clear()
        self._pending, self.at_body = b"", False
        return TakenBody(received, sock.dup())

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not self._in_head:  # a request may be written in several pieces
            self._in_head, self._head_tail = True, b""
        self.at_body = False
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        inner = await self._inner.start_tls(ssl_context, server_hostname, timeout)
        return _LargeReadStream(inner, self._read_size)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _LargeReadBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend, read_size: int) -> None:
        self._inner = inner
        self._read_size = read_size

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _LargeReadStream(stream, self._read_size)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_unix_socket(path, timeout, socket_options)
        return _LargeReadStream(stream, self._read_size)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def blob_transport(
    *, read_size: int = DEFAULT_READ_SIZE, **kwargs: typing.Any
) -> httpx.AsyncHTTPTransport:
    """An ``httpx.AsyncHTTPTransport(**kwargs)`` reading up to ``read_size`` bytes per read.

    Pass it to ``httpx.AsyncClient(transport=...)`` when injecting a client into
    :class:`~core.registry.RegistryClient`; the registry client uses it for the clients it
    creates itself.
    """
    transport = httpx.AsyncHTTPTransport(**kwargs)
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(pool, httpcore.AsyncConnectionPool) and isinstance(
        backend, httpcore.AsyncNetworkBackend
    ):
        pool._network_backend = _LargeReadBackend(backend, read_size)
    return transport


def raw_body(response: httpx.Response) -> _LargeReadStream | None:
    """The stream to read ``response``'s body from directly, or None to read it through httpx.

    Only for a response just received whose head arrived without any of its body, with a
    ``Content-Length`` and neither a content nor a transfer encoding. Read it with
    ``read_body`` until ``Content-Length`` bytes came; the connection is closed with the
    response.
    """
    stream = response.extensions.get("network_stream")
    if not isinstance(stream, _LargeReadStream) or not stream.at_body:
        return None
    headers = response.headers
    if (
        "content-encoding" in headers
        or "transfer-encoding" in headers
        or not headers.get("content-length", "").isdigit()
    ):
        return None
    return stream


class TakenBody:
    """A response body's first bytes (``received``) and the connection's socket (a duplicate
    of it, blocking reads with a timeout) to receive the rest from, in any thread. The
    connection goes away with the response; :meth:`stop` ends a read under way."""

    def __init__(self, received: bytes, sock: socket.socket) -> None:
        self.received = received
        self.socket = sock

    def stop(self) -> None:
        """Make a blocked read return (the connection is shut down), from any thread."""
        with contextlib.suppress(OSError):
            self.socket.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.socket.close()


def take_body_socket(response: httpx.Response) -> TakenBody | None:
    """The body of ``response`` to read from the socket itself, or None (read it through
    :func:`raw_body` or httpx).

    For plain-TCP connections of :func:`blob_transport` under asyncio, when the response
    fits :func:`raw_body`: the socket's reads then need no event loop, so a worker thread
    can receive, hash and write a blob while the loop serves the others. Read exactly
    ``Content-Length`` bytes: ``received``, then the socket's. Close the :class:`TakenBody`
    when done; the response closes the connection itself.
    """
    stream = raw_body(response)
    return None if stream is None else stream.detach()


def uses_large_reads(transport: httpx.AsyncBaseTransport) -> bool:
    """Whether ``transport`` came out of :func:`blob_transport` with its backend in place."""
    pool = getattr(transport, "_pool", None)
    return isinstance(getattr(pool, "_network_backend", None), _LargeReadBackend)
