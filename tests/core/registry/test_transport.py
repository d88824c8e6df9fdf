# ruff: noqa: ASYNC109 - httpcore's stream interface takes ``timeout`` parameters

"""The blob transport's connections: a response head handed to the HTTP parser alone, and the
body read past the parser (``raw_body``) with the same bytes httpx would have given."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import ssl
import subprocess
import typing
from collections.abc import AsyncIterator
from pathlib import Path

import httpcore
import httpx
import pytest

from core import RetryPolicy
from core._progress import Progress
from core.errors import TransportTimeout
from core.oci import Digest
from core.registry import RegistryClient, blob_transport
from core.registry._transport import TakenBody, _LargeReadStream, raw_body, take_body_socket
from tests.fixtures.registry import RunningRegistry

HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nContent-Type: x/y\r\n\r\n"
BODY = b"0123456789"


class _Chunks(httpcore.AsyncNetworkStream):
    """A network stream that returns the given chunks, one per read."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = list(chunks)
        self.written = b""

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.chunks.pop(0) if self.chunks else b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.written += buffer

    async def aclose(self) -> None:
        pass

    def get_extra_info(self, info: str) -> typing.Any:
        return None


@pytest.mark.parametrize("cut", range(1, len(HEAD + BODY)))
async def test_the_parser_gets_the_head_alone_wherever_the_reads_split(cut: int) -> None:
    data = HEAD + BODY
    stream = _LargeReadStream(_Chunks([data[:cut], data[cut:]]), 1 << 20)
    await stream.write(b"GET / HTTP/1.1\r\n\r\n")
    parsed = b""
    while len(parsed) < len(HEAD):
        parsed += await stream.read(65536)
    assert parsed == HEAD
    assert stream.at_body
    body = b""
    while len(body) < len(BODY):
        piece = await stream.read_body(len(BODY) - len(body), None)
        assert piece
        body += piece
    assert body == BODY
    assert not stream.at_body
    assert await stream.read_body(1, None) == b""


async def test_body_read_by_the_parser_clears_the_mark_and_keeps_every_byte() -> None:
    stream = _LargeReadStream(_Chunks([HEAD + BODY[:4], BODY[4:], HEAD + BODY]), 1 << 20)
    for _ in range(2):  # two responses on one connection, each read through the parser
        await stream.write(b"GET / HTTP/1.1\r\n")
        await stream.write(b"\r\n")  # a request written in pieces is still one request
        assert await stream.read(65536) == HEAD
        assert stream.at_body
        rest = b""
        while len(rest) < len(BODY):
            rest += await stream.read(65536)
            assert not stream.at_body
        assert rest == BODY


# -- against real sockets ------------------------------------------------------------------
@contextlib.asynccontextmanager
async def _server(pieces: list[bytes]) -> AsyncIterator[str]:
    """An HTTP server on loopback answering every request with ``pieces``, each written and
    drained on its own (so they tend to arrive in separate reads)."""

    writers: list[asyncio.StreamWriter] = []
    handlers: list[asyncio.Task[None]] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                await reader.readuntil(b"\r\n\r\n")
                for piece in pieces:
                    writer.write(piece)
                    await writer.drain()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        task = asyncio.current_task()
        assert task is not None
        handlers.append(task)
        try:
            await answer(reader, writer)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.close()
        for writer in writers:
            writer.close()
        await asyncio.gather(*handlers, return_exceptions=True)
        await server.wait_closed()


async def _raw(resp: httpx.Response) -> bytes:
    stream = raw_body(resp)
    assert stream is not None
    left, out = int(resp.headers["content-length"]), b""
    while left:
        piece = await stream.read_body(left, 5.0)
        assert piece, "the body ended early"
        out += piece
        left -= len(piece)
    return out


@pytest.mark.parametrize("split", ["together", "head-apart", "head-cut-in-its-end"])
async def test_raw_body_over_a_socket_is_the_body_and_the_next_request_works(split: str) -> None:
    body = os.urandom(3 << 20)
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    pieces = {
        "together": [head + body],
        "head-apart": [head, body],
        "head-cut-in-its-end": [head[:-3], head[-3:] + body[:100], body[100:]],
    }[split]
    async with (
        _server(pieces) as url,
        httpx.AsyncClient(transport=blob_transport()) as client,
    ):
        for _ in range(2):
            async with client.stream("GET", url) as resp:
                assert resp.status_code == 200
                got = await _raw(resp)
            assert hashlib.sha256(got).digest() == hashlib.sha256(body).digest()
        # and through httpx as usual, on a connection the raw reads left alone
        resp = await client.get(url)
        assert resp.content == body


async def test_chunked_or_encoded_bodies_are_left_to_httpx() -> None:
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    encoded = b"HTTP/1.1 200 OK\r\nContent-Encoding: identity\r\nContent-Length: 2\r\n\r\nhi"
    for answer, expected in ((chunked, b"hello"), (encoded, b"hi")):
        async with (
            _server([answer]) as url,
            httpx.AsyncClient(transport=blob_transport()) as client,
            client.stream("GET", url) as resp,
        ):
            assert raw_body(resp) is None
            assert await resp.aread() == expected


@pytest.mark.integration
async def test_blob_downloads_read_past_the_parser(
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blob = os.urandom(5 << 20) + b"tail"
    digest = Digest.of_bytes(blob)
    raw_reads: list[int] = []
    taken: list[int] = []
    read_body = _LargeReadStream.read_body
    detach = _LargeReadStream.detach

    async def counting(self: _LargeReadStream, max_bytes: int, timeout: float | None) -> bytes:
        piece = await read_body(self, max_bytes, timeout)
        raw_reads.append(len(piece))
        return piece

    def detaching(self: _LargeReadStream) -> TakenBody | None:
        body = detach(self)
        taken.append(body is not None)
        return body

    monkeypatch.setattr(_LargeReadStream, "read_body", counting)
    monkeypatch.setattr(_LargeReadStream, "detach", detaching)
    progress: list[Progress] = []
    async with RegistryClient(distribution_registry.host) as reg:
        await reg.push_blob(unique_repo, blob, digest=digest)
        # a download: the body from the socket itself, in a worker thread
        target = tmp_path / "blob"
        got = await reg.download_blob(unique_repo, digest, target, on_progress=progress.append)
        assert got == len(blob)
        assert taken == [True]
        assert raw_reads == []
        assert target.read_bytes() == blob
        assert progress[-1].done == len(blob)
        # a stream: the body from the connection's stream, on the event loop
        streamed = b"".join([c async for c in reg.stream_blob(unique_repo, digest)])
        assert streamed == blob
        assert sum(raw_reads) == len(blob)
        assert taken == [True]


async def test_a_download_cut_off_in_the_thread_resumes_where_it_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first answer ends after 3 MiB of 8 (connection closed); the download asks for the
    rest with ``Range`` and gets the right file, both bodies received off the event loop."""
    blob = os.urandom(8 << 20)
    digest = Digest.of_bytes(blob)
    cut = 3 << 20
    ranges: list[str | None] = []
    taken: list[bool] = []
    detach = _LargeReadStream.detach

    def detaching(self: _LargeReadStream) -> TakenBody | None:
        body = detach(self)
        taken.append(body is not None)
        return body

    monkeypatch.setattr(_LargeReadStream, "detach", detaching)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = (await reader.readuntil(b"\r\n\r\n")).decode()
            found = [
                line.split(":", 1)[1].strip()
                for line in request.split("\r\n")
                if line.lower().startswith("range:")
            ]
            ranges.append(found[0] if found else None)
            if not found:
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(blob)}\r\n\r\n"
                writer.write(head.encode() + blob[:cut])
            else:
                start = int(found[0].removeprefix("bytes=").rstrip("-"))
                head = (
                    f"HTTP/1.1 206 Partial Content\r\nContent-Length: {len(blob) - start}\r\n"
                    f"Content-Range: bytes {start}-{len(blob) - 1}/{len(blob)}\r\n\r\n"
                )
                writer.write(head.encode() + blob[start:])
            await writer.drain()
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        fast = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.01, max_total=60)
        async with RegistryClient(f"127.0.0.1:{port}", retry=fast) as reg:
            target = tmp_path / "blob"
            assert await reg.download_blob("t/r", digest, target) == len(blob)
    finally:
        server.close()
        await server.wait_closed()
    assert hashlib.sha256(target.read_bytes()).hexdigest() == digest.hex
    assert ranges == [None, f"bytes={cut}-"]
    assert taken == [True, True]


async def test_a_stalled_body_times_out_and_keeps_what_came(tmp_path: Path) -> None:
    """A registry that sends 2 MiB of the body and then nothing: the read timeout ends the
    download with TransportTimeout; the 2 MiB received stay in ``.partial`` for a resume."""
    blob = os.urandom(4 << 20)
    digest = Digest.of_bytes(blob)
    release = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(blob)}\r\n\r\n"
            writer.write(head.encode() + blob[: 2 << 20])
            await writer.drain()
            await release.wait()
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    target = tmp_path / "blob"
    try:
        async with RegistryClient(
            f"127.0.0.1:{port}",
            retry=RetryPolicy(max_attempts=1),
            timeout=httpx.Timeout(30.0, read=0.5),
        ) as reg:
            with pytest.raises(TransportTimeout):
                await reg.download_blob("t/r", digest, target)
    finally:
        release.set()
        server.close()
        await server.wait_closed()
    assert not target.exists()
    assert (tmp_path / "blob.partial").read_bytes() == blob[: 2 << 20]


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed key and certificate for 127.0.0.1, made by the openssl tool."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return key, cert


async def test_over_tls_the_body_is_read_past_the_parser_on_the_loop(
    certificate: tuple[Path, Path],
) -> None:
    """A TLS connection's body is read through the TLS stream (never from its socket: those
    bytes are encrypted), with the same bytes; the next request works."""
    key, cert = certificate
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    client_tls = ssl.create_default_context(cafile=str(cert))
    body = os.urandom(2 << 20)
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            while True:
                await reader.readuntil(b"\r\n\r\n")
                writer.write(head + body)
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_tls)
    url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
    try:
        async with httpx.AsyncClient(transport=blob_transport(verify=client_tls)) as client:
            for _ in range(2):
                async with client.stream("GET", url) as resp:
                    assert take_body_socket(resp) is None
                    assert await _raw(resp) == body
    finally:
        server.close()
        await server.wait_closed()
