"""What a push leaves behind on the Local registry when it does not finish: repositories appear
with their content, abandoned uploads go (at once when no client can resume them, on a schedule
otherwise), a refused manifest stores nothing, malformed digests are DIGEST_INVALID."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.core.emulator.helpers import OCI_MANIFEST, digest_of, push_blob
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread
from tests.fixtures.timing import wait_until


def _rows(srv: LocalServerHandle, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{srv.data_dir / 'state.db'}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


def _uploads(srv: LocalServerHandle) -> tuple[list[tuple[object, ...]], list[str]]:
    files = sorted(p.name for p in (srv.data_dir / "uploads").iterdir())
    return _rows(srv, "SELECT id FROM uploads"), files


def _repositories(srv: LocalServerHandle) -> list[str]:
    return [f"{r[0]}/{r[1]}" for r in _rows(srv, "SELECT namespace, name FROM repositories")]


def _blob_path(srv: LocalServerHandle, digest: str) -> Path:
    hexpart = digest.split(":", 1)[1]
    return srv.data_dir / "blobs" / "sha256" / hexpart[:2] / hexpart


@pytest.mark.parametrize(
    ("digest", "code"),
    [
        ("sha256:zz", "DIGEST_INVALID"),
        ("sha256:" + "A" * 64, "DIGEST_INVALID"),  # upper case is not the canonical encoding
        ("sha256:" + "0" * 63, "DIGEST_INVALID"),
        ("sha512:abc", "DIGEST_INVALID"),
        ("sha512:" + "0" * 128, "UNSUPPORTED"),  # well formed, another algorithm
        ("blake9:0123", "UNSUPPORTED"),
        ("nonsense", "DIGEST_INVALID"),
    ],
)
async def test_malformed_digests_are_digest_invalid(
    local_server_thread: LocalServerHandle, digest: str, code: str
) -> None:
    srv = local_server_thread
    async with srv.registry_client() as http:
        r = await http.post("/v2/lc/app/blobs/uploads/", params={"digest": digest}, content=b"x")
        assert r.status_code == 400, r.text
        assert r.json()["errors"][0]["code"] == code
        r = await http.get(f"/v2/lc/app/blobs/{digest}")
        assert r.status_code in (400, 404), r.text
        if r.status_code == 400:
            assert r.json()["errors"][0]["code"] == code
    assert _uploads(srv) == ([], [])  # refused before any session was opened
    assert _repositories(srv) == []


async def test_a_repository_appears_with_its_content(
    local_server_thread: LocalServerHandle,
) -> None:
    srv = local_server_thread
    async with srv.registry_client() as http:
        r = await http.post("/v2/lc/empty/blobs/uploads/")
        assert r.status_code == 202
        location = r.headers["location"]
        # an upload session alone is no repository
        assert _repositories(srv) == []
        r = await http.get("/v2/_catalog")
        assert r.json()["repositories"] == []
        # a failed upload neither
        r = await http.put(location, params={"digest": digest_of(b"other")}, content=b"data")
        assert r.status_code == 400
        assert r.json()["errors"][0]["code"] == "DIGEST_INVALID"
        assert _repositories(srv) == []
        # the first blob that lands creates it
        await push_blob(http, "lc/empty", b"data")
        assert _repositories(srv) == ["lc/empty"]


async def test_a_monolithic_upload_cut_short_leaves_nothing(
    local_server_thread: LocalServerHandle,
) -> None:
    """A POST with ?digest= opens a session no client knows: when its body stops half-way,
    the session row and file go at once (before: both stayed until a restart a day later)."""
    srv = local_server_thread
    data = os.urandom(1 << 20)
    host, port = srv.host.split(":")
    basic = base64.b64encode(":".join(srv.registry_auth).encode()).decode()
    reader, writer = await asyncio.open_connection(host, int(port))
    head = (
        f"POST /v2/lc/cut/blobs/uploads/?digest={digest_of(data)} HTTP/1.1\r\n"
        f"Host: {srv.host}\r\nAuthorization: Basic {basic}\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    )
    writer.write(head.encode() + data[: 300 << 10])
    await writer.drain()
    await wait_until(lambda: _uploads(srv)[0] != [], 10, "the upload session exists")
    writer.close()  # hang up mid-body
    await writer.wait_closed()
    await wait_until(lambda: _uploads(srv) == ([], []), 10, "the session and its file are gone")
    assert _repositories(srv) == []
    del reader


async def test_abandoned_sessions_are_swept_on_a_schedule(tmp_path: Path) -> None:
    srv = start_local_server_thread(tmp_path / "local", upload_ttl=1.0, upload_sweep_interval=0.2)
    try:
        async with srv.registry_client() as http:
            r = await http.post("/v2/lc/left/blobs/uploads/")
            location = r.headers["location"]
            r = await http.patch(location, content=b"part of a blob")
            assert r.status_code == 202
            assert len(_uploads(srv)[0]) == 1
            await wait_until(lambda: _uploads(srv) == ([], []), 10, "the session is swept")
            r = await http.patch(location, content=b"more")
            assert r.status_code == 404
            assert r.json()["errors"][0]["code"] == "BLOB_UPLOAD_UNKNOWN"
            # a session in use is kept: its PATCH body arrives over twice the TTL, while the
            # sweep runs every 0.2 s
            r = await http.post("/v2/lc/kept/blobs/uploads/")
            location = r.headers["location"]

            async def slow_body() -> AsyncIterator[bytes]:
                for _ in range(20):
                    await asyncio.sleep(0.1)  # the pace of a slow client
                    yield b"x" * 10

            r = await http.patch(location, content=slow_body())
            assert r.status_code == 202, r.text
            assert r.headers["range"] == "0-199"
            assert len(_uploads(srv)[0]) == 1
    finally:
        srv.stop()


async def test_a_refused_manifest_leaves_no_blob(local_server_thread: LocalServerHandle) -> None:
    srv = local_server_thread
    async with srv.registry_client() as http:
        config = await push_blob(http, "lc/man", b"{}")
        missing = digest_of(b"never pushed")
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "config": {
                    "mediaType": "application/vnd.oci.image.config.v1+json",
                    "digest": config,
                    "size": 2,
                },
                "layers": [
                    {
                        "mediaType": "application/vnd.oci.image.layer.v1.tar",
                        "digest": missing,
                        "size": 12,
                    }
                ],
            }
        ).encode()
        r = await http.put(
            "/v2/lc/man/manifests/v1", content=manifest, headers={"content-type": OCI_MANIFEST}
        )
        assert r.status_code == 400
        assert r.json()["errors"][0]["code"] == "MANIFEST_BLOB_UNKNOWN"
    assert not _blob_path(srv, digest_of(manifest)).exists()
    assert _rows(srv, f"SELECT 1 FROM blobs WHERE digest = '{digest_of(manifest)}'") == []
