"""Hostile requests against a running ``fcaccel serve`` (its pid is known): huge unsigned
bodies, slow request heads, abandoned uploads. Each attack reports what the attacker sent,
what it got, and what it cost the server (resident memory, open descriptors), so that the
suite (``test_hostile_requests.py``) and the benchmark (``bench/reliability/run.py``) measure
the same thing. Everything is sent over raw loopback sockets.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fixtures.emulator import LocalServerHandle

__all__ = [
    "API_TARGETS",
    "Attack",
    "abandoned_uploads",
    "huge_unsigned_bodies",
    "open_fds",
    "repositories",
    "resident_bytes",
    "slow_heads",
    "upload_leftovers",
]

#: (name, path, extra headers, the documented refusal: status, code)
API_TARGETS: list[tuple[str, str, dict[str, str], int, str]] = [
    ("token", "/x-fcdesk/token", {}, 413, "EntityTooLarge"),
    ("ext", "/x-fcdesk/convert", {}, 400, "EntityTooLarge"),
    (
        "fc",
        "/2023-03-30/functions",
        {"x-acs-action": "CreateFunction", "x-acs-version": "2023-03-30"},
        400,
        "EntityTooLarge",
    ),
    (
        "fc-invoke",
        "/2023-03-30/functions/f/invocations",
        {"x-acs-action": "InvokeFunction", "x-acs-version": "2023-03-30"},
        400,
        "EntityTooLarge",
    ),
    (
        "acr",
        "/",
        {"x-acs-action": "ListRepository", "x-acs-version": "2018-12-01"},
        413,
        "EntityTooLarge",
    ),
]


@dataclass
class Attack:
    name: str
    target: str
    sent: int = 0  # bytes of body the attacker got to send before the answer or the close
    status: int = 0
    code: str = ""
    seconds: float = 0.0
    rss_growth: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def resident_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _head(srv: LocalServerHandle, method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {srv.host}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _open(srv: LocalServerHandle) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = srv.host.rsplit(":", 1)
    return await asyncio.open_connection(host, int(port))


async def _answer(reader: asyncio.StreamReader) -> tuple[int, str]:
    status_line = await reader.readline()
    if not status_line:
        return 0, ""
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        key, _, value = line.decode("latin-1").partition(":")
        headers[key.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    try:
        doc = json.loads(body)
        code = doc["errors"][0]["code"] if "errors" in doc else doc.get("Code", "")
    except (ValueError, KeyError, IndexError):
        code = ""
    return int(status_line.split()[1]), str(code)


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()


async def huge_unsigned_bodies(srv: LocalServerHandle, chunked_bytes: int) -> list[Attack]:
    """For every API family: an unsigned request declaring a 1 GiB body (nothing of it sent),
    then one sending up to ``chunked_bytes`` without a length (chunked), as fast as the server
    takes them, until it answers or closes."""
    out: list[Attack] = []
    piece = b"\0" * (256 << 10)
    for name, path, extra, _status, _code in API_TARGETS:
        for mode in ("declared", "chunked"):
            before = resident_bytes(srv.pid)
            attack = Attack(f"{mode}-body-{name}", path)
            started = time.monotonic()
            reader, writer = await _open(srv)
            try:
                if mode == "declared":
                    headers = {**extra, "Content-Length": str(1 << 30)}
                    writer.write(_head(srv, "POST", path, headers))
                    await writer.drain()
                    attack.status, attack.code = await _answer(reader)
                else:
                    writer.write(
                        _head(srv, "POST", path, {**extra, "Transfer-Encoding": "chunked"})
                    )
                    answer = asyncio.ensure_future(_answer(reader))
                    while not answer.done() and attack.sent < chunked_bytes:
                        writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                        try:
                            await writer.drain()
                        except OSError:
                            break
                        attack.sent += len(piece)
                    try:
                        attack.status, attack.code = await answer
                    except (OSError, asyncio.IncompleteReadError):
                        attack.status = 0
            finally:
                await _close(writer)
            attack.seconds = time.monotonic() - started
            attack.rss_growth = resident_bytes(srv.pid) - before
            out.append(attack)
    return out


async def slow_heads(
    srv: LocalServerHandle, connections: int, header_timeout: float
) -> tuple[Attack, list[float]]:
    """``connections`` clients that send part of a request head and then nothing; meanwhile
    a normal request every 0.2 s. Returns the attack (``seconds``: until the server had closed
    them all) and the normal requests' latencies."""
    fds_before = open_fds(srv.pid)
    attack = Attack("slow-heads", "/x-fcdesk/health")
    started = time.monotonic()
    conns = []
    for i in range(connections):
        reader, writer = await _open(srv)
        writer.write(f"GET /x-fcdesk/health?{i} HTTP/1.1\r\nHost: {srv.host}\r\n".encode())
        conns.append((reader, writer))
    await asyncio.gather(*(w.drain() for _, w in conns))
    latencies: list[float] = []

    async def closed(reader: asyncio.StreamReader) -> None:
        while await reader.read(1 << 16):
            pass

    waiting: asyncio.Future[list[None]] = asyncio.gather(*(closed(r) for r, _ in conns))
    try:
        while not waiting.done():
            t0 = time.monotonic()
            reader, writer = await _open(srv)
            writer.write(_head(srv, "GET", "/x-fcdesk/health", {"Connection": "close"}))
            status, _ = await _answer(reader)
            await _close(writer)
            if status != 200:
                raise AssertionError(f"a normal request during the attack got {status}")
            latencies.append(time.monotonic() - t0)
            await asyncio.wait([waiting], timeout=0.2)
        await waiting
    finally:
        for _, writer in conns:
            await _close(writer)
    attack.seconds = time.monotonic() - started
    attack.extra = {"connections": connections, "fds_before": fds_before}
    attack.status = 0 if attack.seconds >= header_timeout * 0.9 else -1
    return attack, latencies


def _rows(data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{data_dir / 'state.db'}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


def upload_leftovers(data_dir: Path) -> tuple[int, int]:
    """(upload session rows, upload files) on the server's disk."""
    files = len(os.listdir(data_dir / "uploads"))
    return len(_rows(data_dir, "SELECT id FROM uploads")), files


def repositories(data_dir: Path) -> list[str]:
    return [f"{a}/{b}" for a, b in _rows(data_dir, "SELECT namespace, name FROM repositories")]


async def abandoned_uploads(srv: LocalServerHandle, count: int) -> list[Attack]:
    """``count`` monolithic uploads cut half-way (a client hanging up), and ``count`` chunked
    sessions left after one PATCH, each in a repository that does not exist yet. The caller
    then waits for the sweep and checks what is left (:func:`upload_leftovers`)."""

    basic = base64.b64encode(":".join(srv.registry_auth).encode()).decode()
    cut = Attack("cut-monolithic-uploads", "/v2/abandoned/cut<n>/blobs/uploads/?digest=")
    chunked = Attack("abandoned-chunked-sessions", "/v2/abandoned/left<n>/blobs/uploads/")
    data = os.urandom(1 << 20)
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    for i in range(count):
        reader, writer = await _open(srv)
        headers = {"Authorization": f"Basic {basic}", "Content-Length": str(len(data))}
        path = f"/v2/abandoned/cut{i}/blobs/uploads/?digest={digest}"
        writer.write(_head(srv, "POST", path, headers) + data[: len(data) // 2])
        await writer.drain()
        await _close(writer)  # hang up half-way
        del reader
        cut.sent += len(data) // 2
    async with srv.registry_client() as http:
        for i in range(count):
            r = await http.post(f"/v2/abandoned/left{i}/blobs/uploads/")
            r = await http.patch(r.headers["location"], content=data[: 64 << 10])
            if r.status_code != 202:
                raise AssertionError(f"PATCH answered {r.status_code}: {r.text}")
            chunked.sent += 64 << 10  # ... and the client walks away
    return [cut, chunked]
