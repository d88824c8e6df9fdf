"""The Local server's registry through the fault proxy, and clients that give up half-way.

Pushes and pulls with the registry client, lazy reads and full pulls of accelerated images,
and conversions run while the proxy resets, stalls, truncates, corrupts and throttles; every
operation ends with the right bytes or a specific error, and the server's store stays whole.
"""

from __future__ import annotations

import asyncio
import gc
import os
from pathlib import Path

import pytest

from core.oci import Digest
from tests.fixtures.emulator import LocalServerHandle
from tests.reliability.conftest import Recorder

pytestmark = pytest.mark.integration


def _open_files_under(directory: Path) -> list[str]:
    """Files under ``directory`` this process (which runs the in-thread server) has open."""
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(directory)):
            out.append(target)
    return out


async def test_aborted_downloads_release_their_files(
    local_server_thread: LocalServerHandle, reliability: Recorder
) -> None:
    """Clients that hang up in the middle of a blob (timeouts, cancelled lazy reads) must not
    leave the server with open files: the stream is closed when the client goes away."""
    srv = local_server_thread
    data = os.urandom(8 << 20)
    digest = Digest.of_bytes(data)
    async with srv.registry_client() as reg:
        r = await reg.post(
            "/v2/abort/blob/blobs/uploads/", params={"digest": str(digest)}, content=data
        )
        assert r.status_code == 201
    for _ in range(5):
        async with (
            srv.registry_client() as reg,
            reg.stream("GET", f"/v2/abort/blob/blobs/{digest}") as r,
        ):
            async for _chunk in r.aiter_raw():
                break  # hang up after the first piece
        await asyncio.sleep(0.2)
    gc.collect()  # an unclosed file would surface here as a ResourceWarning (an error)
    await asyncio.sleep(0.2)
    assert _open_files_under(srv.data_dir / "blobs") == []
    async with srv.registry_client() as reg:  # and the blob is still served whole
        assert (await reg.get(f"/v2/abort/blob/blobs/{digest}")).content == data
    reliability.fault("client-abort", "aborted-download", 5)
