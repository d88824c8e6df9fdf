"""Bounded requests on the Local server: bodies capped per endpoint and refused before they
are read, authentication before the body, slow headers and stalled bodies cut off, a client
hanging up mid-body logged as one line. Requests go over raw sockets, so the tests control
exactly what is sent and when."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.cloud import ACS3Auth
from core.emulator._guard import BODY_LIMITS, body_limit
from tests.core.emulator.helpers import fc_headers
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread
from tests.fixtures.timing import scaled

API = "/2023-03-30"


@pytest.fixture
def srv(tmp_path: Path) -> Iterator[LocalServerHandle]:
    handle = start_local_server_thread(tmp_path / "local", header_timeout=1.0, body_timeout=1.0)
    try:
        yield handle
    finally:
        handle.stop()


def _signed(
    srv: LocalServerHandle, method: str, path: str, body: bytes, headers: dict[str, str]
) -> dict[str, str]:
    """The headers of a properly signed request (as ``ACS3Auth`` signs it)."""
    request = httpx.Request(method, srv.url + path, content=body, headers=headers)
    flow = ACS3Auth(srv.credentials).auth_flow(request)
    signed = next(flow)
    return {k: v for k, v in signed.headers.items() if k.lower() != "content-length"}


def _head(srv: LocalServerHandle, method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {srv.host}"]
    lines += [f"{k}: {v}" for k, v in headers.items() if k.lower() != "host"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _open(srv: LocalServerHandle) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = srv.host.split(":")
    return await asyncio.open_connection(host, int(port))


async def _response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """Read one HTTP response (status, lower-case headers, body by Content-Length)."""
    status_line = await reader.readline()
    assert status_line.startswith(b"HTTP/1.1 "), status_line
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        key, _, value = line.decode("latin-1").partition(":")
        headers[key.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return int(status_line.split()[1]), headers, body


async def _closed(reader: asyncio.StreamReader) -> None:
    while await reader.read(1 << 16):
        pass


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(OSError):  # reset by the server that refused the rest
        await writer.wait_closed()


def _code(body: bytes) -> str:
    doc = json.loads(body)
    if "errors" in doc:
        return str(doc["errors"][0]["code"])
    return str(doc["Code"])


def test_every_endpoint_family_has_a_documented_limit() -> None:
    def scope(path: str, **headers: str) -> dict[str, object]:
        return {"path": path, "headers": [(k.encode(), v.encode()) for k, v in headers.items()]}

    assert body_limit(scope("/v2/ns/app/blobs/uploads/")).max_bytes is None
    assert body_limit(scope("/x-fcdesk/token")).max_bytes == 8 << 10
    assert body_limit(scope("/token")).max_bytes == 8 << 10
    assert body_limit(scope("/x-fcdesk/convert")).max_bytes == 1 << 20
    assert body_limit(scope(f"{API}/functions")).max_bytes == 1 << 20
    assert body_limit(scope(f"{API}/functions/f/invocations")).max_bytes == 32 << 20
    invoke_async = scope(f"{API}/functions/f/invocations", **{"x-fc-invocation-type": "Async"})
    assert body_limit(invoke_async).max_bytes == 128 << 10
    assert body_limit(scope("/")).max_bytes == 8 << 20  # ACR's RPC API
    assert all(limit.why for limit in BODY_LIMITS.values())


@pytest.mark.parametrize(
    ("path", "headers", "status", "code"),
    [
        ("/x-fcdesk/token", {}, 413, "EntityTooLarge"),
        ("/x-fcdesk/convert", {}, 400, "EntityTooLarge"),
        (f"{API}/functions", fc_headers("CreateFunction"), 400, "EntityTooLarge"),
        (
            "/",
            {"x-acs-action": "ListRepository", "x-acs-version": "2018-12-01"},
            413,
            "EntityTooLarge",
        ),
    ],
)
async def test_a_declared_body_over_the_limit_is_refused_unread(
    srv: LocalServerHandle, path: str, headers: dict[str, str], status: int, code: str
) -> None:
    """A 1 GiB Content-Length is answered from the headers alone: nothing of the body is sent."""
    reader, writer = await _open(srv)
    try:
        writer.write(_head(srv, "POST", path, {**headers, "Content-Length": str(1 << 30)}))
        await writer.drain()
        got_status, got_headers, body = await _response(reader)
        assert (got_status, _code(body)) == (status, code), body
        assert "maximum allowed size" in json.loads(body).get(
            "Message", json.dumps(json.loads(body))
        )
        assert got_headers["connection"] == "close"
        await _closed(reader)
    finally:
        await _close(writer)


@pytest.mark.parametrize(
    ("path", "headers", "code"),
    [
        ("/x-fcdesk/convert", {}, "MissingRequiredHeader"),
        (f"{API}/functions", fc_headers("CreateFunction"), "MissingRequiredHeader"),
        (
            "/",
            {"x-acs-action": "ListRepository", "x-acs-version": "2018-12-01"},
            "MissingAuthorization",
        ),
    ],
)
async def test_unsigned_requests_are_refused_before_their_body(
    srv: LocalServerHandle, path: str, headers: dict[str, str], code: str
) -> None:
    """A body under the limit but unsigned: the refusal comes while the body is still
    unsent (before, the server waited for the whole body before checking anything)."""
    reader, writer = await _open(srv)
    try:
        writer.write(_head(srv, "POST", path, {**headers, "Content-Length": str(512 << 10)}))
        await writer.drain()
        status, _, body = await asyncio.wait_for(_response(reader), scaled(30))
        assert status in (400, 401), body
        assert _code(body) == code
    finally:
        await _close(writer)


async def test_wrongly_signed_request_is_refused_before_its_body(
    srv: LocalServerHandle,
) -> None:
    body = json.dumps({"repo": "a/b"}).encode()
    headers = _signed(srv, "POST", "/x-fcdesk/convert", body, {"content-type": "application/json"})
    auth = headers["authorization"]
    headers["authorization"] = auth[:-1] + ("0" if auth[-1] != "0" else "1")
    reader, writer = await _open(srv)
    try:
        writer.write(
            _head(srv, "POST", "/x-fcdesk/convert", {**headers, "Content-Length": str(len(body))})
        )
        await writer.drain()  # the body never follows
        status, _, answer = await asyncio.wait_for(_response(reader), scaled(30))
        assert (status, _code(answer)) == (403, "SignatureNotMatch")
    finally:
        await _close(writer)


async def test_a_signed_body_that_does_not_match_its_hash_is_refused(
    srv: LocalServerHandle,
) -> None:
    body = json.dumps({"repo": "a/b"}).encode()
    headers = _signed(srv, "POST", "/x-fcdesk/convert", body, {"content-type": "application/json"})
    tampered = body.replace(b"a/b", b"a/c")
    reader, writer = await _open(srv)
    try:
        writer.write(
            _head(srv, "POST", "/x-fcdesk/convert", {**headers, "Content-Length": str(len(body))})
            + tampered
        )
        await writer.drain()
        status, _, answer = await _response(reader)
        assert (status, _code(answer)) == (403, "SignatureNotMatch")
    finally:
        await _close(writer)


async def test_a_chunked_body_is_cut_off_at_the_limit(srv: LocalServerHandle) -> None:
    """No Content-Length: the body is read until it passes the limit, then refused."""
    reader, writer = await _open(srv)
    sent = 0
    try:
        writer.write(_head(srv, "POST", "/x-fcdesk/token", {"Transfer-Encoding": "chunked"}))
        chunk = b"a" * (64 << 10)
        answer = asyncio.ensure_future(_response(reader))
        while not answer.done() and sent < (256 << 20):
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            try:
                await writer.drain()
            except OSError:
                break  # the server closed the connection after its answer
            sent += len(chunk)
        status, _, body = await answer
        assert (status, _code(body)) == (413, "EntityTooLarge")
        assert sent < (64 << 20), sent  # refused long before the client ran out of body
    finally:
        await _close(writer)


async def test_slow_headers_are_cut_off(srv: LocalServerHandle) -> None:
    """header_timeout is 1 s here: a client dribbling its request line never gets further."""
    reader, writer = await _open(srv)
    try:
        writer.write(b"GET /x-fcdesk/health HTTP/1.1\r\nHost: x\r\n")  # never finished
        await writer.drain()
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.wait_for(_closed(reader), scaled(30))
        assert loop.time() - started >= 0.9
    finally:
        await _close(writer)
    # a kept-alive connection: the next request's head is timed from its first byte
    reader, writer = await _open(srv)
    try:
        writer.write(b"GET /x-fcdesk/health HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _, _ = await _response(reader)
        assert status == 200
        writer.write(b"GET /x-fcdesk/health HTTP/1.1\r\n")
        await writer.drain()
        await asyncio.wait_for(_closed(reader), scaled(30))
    finally:
        await _close(writer)


async def test_a_stalled_body_gets_408(srv: LocalServerHandle) -> None:
    body = json.dumps({"repo": "a/b"}).encode()
    headers = _signed(srv, "POST", "/x-fcdesk/convert", body, {"content-type": "application/json"})
    reader, writer = await _open(srv)
    try:
        writer.write(
            _head(srv, "POST", "/x-fcdesk/convert", {**headers, "Content-Length": str(len(body))})
            + body[:5]
        )
        await writer.drain()  # and nothing more: body_timeout is 1 s here
        status, _, answer = await asyncio.wait_for(_response(reader), scaled(30))
        assert (status, _code(answer)) == (408, "RequestTimeout")
    finally:
        await _close(writer)


async def test_a_client_hanging_up_mid_body_is_one_log_line(
    srv: LocalServerHandle, caplog: pytest.LogCaptureFixture
) -> None:
    """Before: about 50 lines of 'Exception in ASGI application … ClientDisconnect'."""
    caplog.set_level(logging.INFO)
    path = f"{API}/functions"
    body = os.urandom(256 << 10)
    headers = fc_headers("CreateFunction") | {"content-type": "application/json"}
    headers = _signed(srv, "POST", path, body, headers) | {"Content-Length": str(len(body))}
    reader, writer = await _open(srv)
    writer.write(_head(srv, "POST", path, headers) + body[: 100 << 10])
    await writer.drain()
    await _close(writer)  # hang up with 156 KiB of the body unsent
    del reader
    loop = asyncio.get_running_loop()
    deadline = loop.time() + scaled(30)
    while not any("hung up" in r.getMessage() for r in caplog.records):
        assert loop.time() < deadline, [r.getMessage() for r in caplog.records]
        await asyncio.sleep(0.05)
    lines = [r for r in caplog.records if path in r.getMessage() or r.exc_info]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert lines[0].exc_info is None
    assert "after 102400 bytes" in lines[0].getMessage()
    assert "Exception in ASGI application" not in caplog.text


async def test_the_server_still_answers_after_all_that(srv: LocalServerHandle) -> None:
    async with srv.signed_client() as http:
        r = await http.post("/x-fcdesk/convert", json={"repo": "no/such"})
        assert r.status_code in (200, 404), r.text
