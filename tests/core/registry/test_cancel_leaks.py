"""A push or download cancelled at any point leaves no file open (docker-registry as peer).

Each test cancels the operation again and again at a different moment — after each of its
first event-loop turns (the HEAD, the upload start …), and after each turn once its file is
open (the body being sent, the blob being written) — and checks, as soon as the cancelled
call returned, that the process holds no descriptor on the file; then it collects garbage
and fails on any ``ResourceWarning``.
"""

from __future__ import annotations

import asyncio
import gc
import os
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from core.oci import Digest
from core.registry import RegistryClient
from tests.fixtures.registry import RunningRegistry

pytestmark = pytest.mark.integration


def _open_fds(path: Path) -> list[str]:
    """This process's file descriptors open on ``path`` (or on ``path`` + a suffix)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(path)):
            found.append(f"fd {fd} -> {target}")
    return found


async def _cancel_everywhere(
    start: Callable[[], Awaitable[object]], path: Path
) -> tuple[int, int, list[str]]:
    """Cancel ``start()`` after each of its first 30 loop turns, and after each of the
    first 30 turns once ``path`` is open. Returns how many runs were really cancelled,
    how many of those while the file was open, and the leaks seen."""
    cancelled = while_open = 0
    leaks: list[str] = []
    for after_open in (False, True):
        for n in range(30):
            with warnings.catch_warnings(record=True) as seen:
                warnings.simplefilter("always", ResourceWarning)
                task = asyncio.ensure_future(start())
                if after_open:
                    # one loop turn at a time, on purpose: the cancel lands right after
                    while not task.done() and not _open_fds(path):  # noqa: ASYNC110
                        await asyncio.sleep(0)
                for _ in range(n):
                    await asyncio.sleep(0)
                was_open = bool(_open_fds(path))
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    cancelled += 1
                    while_open += was_open
                # closed when the call returns, not later by the garbage collector
                leaks += [f"after {n} turns: {fd}" for fd in _open_fds(path)]
                await asyncio.to_thread(lambda: None)  # worker threads finish their step
                gc.collect()
            leaks += [
                f"after {n} turns: {w.message}" for w in seen if w.category is ResourceWarning
            ]
    return cancelled, while_open, leaks


async def test_cancelled_file_push_leaves_no_open_file(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path
) -> None:
    data = os.urandom(4 << 20)
    path = tmp_path / "fcdesk-layer-blob"
    path.write_bytes(data)
    digest = Digest.of_bytes(data)
    async with RegistryClient(distribution_registry.host) as reg:

        async def push() -> object:
            return await reg.push_blob(
                unique_repo, path, digest=digest, size=len(data), check_exists=False
            )

        cancelled, while_open, leaks = await _cancel_everywhere(push, path)
        assert while_open >= 10, (cancelled, while_open)  # the body was being sent
        assert leaks == []
        res = await push()  # and a push left to finish still works
        assert getattr(res, "digest", None) == digest


async def test_cancelled_download_leaves_no_open_file(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path
) -> None:
    data = os.urandom(4 << 20)
    digest = Digest.of_bytes(data)
    async with RegistryClient(distribution_registry.host) as reg:
        await reg.push_blob(unique_repo, data, digest=digest)

        async def download() -> object:
            return await reg.download_blob(
                unique_repo, digest, tmp_path / "blob", expected_size=len(data), resume=False
            )

        cancelled, while_open, leaks = await _cancel_everywhere(download, tmp_path / "blob")
        assert while_open >= 10, (cancelled, while_open)
        assert leaks == []
        assert await download() == len(data)
        assert (tmp_path / "blob").read_bytes() == data
