"""The store check itself, on a running Local server: what the server writes while the check
reads is never reported as a problem (the crash tests poll it while resumed conversions end).
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from core.oci import Digest, Manifest
from core.registry import RegistryClient
from tests.fixtures.emulator import LocalServerHandle, start_local_server
from tests.reliability import _integrity
from tests.reliability._images import build_image, fast_client, push_built
from tests.reliability._integrity import check_store

pytestmark = pytest.mark.integration

IMAGE = build_image(777, layers=2, files_per_layer=2, file_size=50_000)


def _client(srv: LocalServerHandle) -> RegistryClient:
    return fast_client(srv.url, timeout=10.0, credentials=srv.registry_auth)


def _unseen_manifest(store: Path) -> Manifest:
    """The image's manifest again, annotated so that its blob lands in a fan-out directory of
    the store that does not exist yet (one a scan already under way does not list)."""
    present = {p.name for p in store.iterdir()}
    n = 0
    while True:
        manifest = Manifest.build(
            IMAGE.config.descriptor(), IMAGE.manifest.layers, annotations={"n": str(n)}
        )
        if Digest.of_bytes(manifest.raw).encoded[:2] not in present:
            return manifest
        n += 1


async def test_a_tag_written_while_the_store_is_checked_is_no_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    srv = start_local_server(tmp_path / "data")
    try:
        async with _client(srv) as client:
            await push_built(client, "check/race", IMAGE, "v1")
        manifest = _unseen_manifest(tmp_path / "data" / "blobs" / "sha256")
        loop = asyncio.get_running_loop()
        tagged = threading.Event()
        hash_file = _integrity._sha256_file

        async def tag() -> None:
            async with _client(srv) as client:
                await client.put_manifest("check/race", manifest, "v2")

        def hashing(path: Path) -> str:
            # While the check reads the store's first file, the server stores a manifest
            # and tags it (bytes first, then the rows), as a conversion does when it ends.
            if not tagged.is_set():
                tagged.set()
                asyncio.run_coroutine_threadsafe(tag(), loop).result()
            return hash_file(path)

        monkeypatch.setattr(_integrity, "_sha256_file", hashing)
        report = await asyncio.to_thread(check_store, srv.data_dir)
        assert tagged.is_set()
        report.assert_ok()
        monkeypatch.setattr(_integrity, "_sha256_file", hash_file)
        after = await asyncio.to_thread(check_store, srv.data_dir)
        after.assert_ok()
        assert after.tags == report.tags + 1 == 2
    finally:
        srv.stop()
