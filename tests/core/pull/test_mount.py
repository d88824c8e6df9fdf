"""FUSE mounts of lazy images: same tree as a full pull, verified reads, profiles, teardown."""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from core.convert import ConvertOptions
from core.pull._cache import ContentCache
from core.pull._full import pull_image
from core.pull._lazy import LazyImage
from core.pull._mount import (
    LazyMount,
    _is_mounted,
    close_mount_helpers,
    fuse_available,
    prewarm_mount_helper,
    unmount_stale,
)
from core.registry import RegistryClient
from tests.core.pull.test_lazy import BIG, _accelerated, corrupt_chunk, disk_tree
from tests.fixtures.registry import RunningRegistry
from tests.fixtures.timing import scaled


@pytest.fixture
def engine() -> str:
    """The FUSE server the helper reports once mounted."""
    return "pyfuse3"


@pytest.fixture
async def registry(distribution_registry: RunningRegistry) -> AsyncIterator[RegistryClient]:
    assert fuse_available() is None, fuse_available()
    async with RegistryClient(distribution_registry.host) as client:
        yield client


def _wait_unmounted(mountpoint: Path, limit: float) -> None:
    deadline = time.monotonic() + scaled(limit)
    while _is_mounted(mountpoint) and time.monotonic() < deadline:
        time.sleep(0.05)


def _read(path: Path, offset: int = 0, size: int = -1) -> bytes:
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(size)


async def test_mounted_tree_equals_full_pull_and_profile_is_recorded(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
    engine: str,
) -> None:
    source, target = await _accelerated(registry, distribution_registry.host, unique_repo)
    full = await pull_image(
        registry, source, tmp_path / "full", cache=ContentCache(tmp_path / "c1")
    )
    image = await LazyImage.open(registry, target, cache=ContentCache(tmp_path / "c2"))
    mountpoint = tmp_path / "mnt"
    await prewarm_mount_helper()
    async with LazyMount(image, mountpoint, record=True) as mount:
        assert mount.engine == engine
        assert mount.mount_seconds is not None
        assert await asyncio.to_thread(_is_mounted, mountpoint)
        # Reads in a worker thread: the owner's loop must stay free to answer the helper.
        assert await asyncio.to_thread(_read, mountpoint / "app/main.py") == (
            b"print('hello')\n" * 100
        )
        assert (
            await asyncio.to_thread(_read, mountpoint / "lib/libbig.so", 70_000, 10)
            == (BIG[70_000:70_010])
        )
        assert image.metrics.on_demand_fetches >= 2
        assert await asyncio.to_thread(disk_tree, mountpoint) == disk_tree(full.rootfs)
        profile = mount.profile()
        assert profile[:2] == ["app/main.py", "usr/lib/libbig.so"]
        st = await asyncio.to_thread(os.stat, mountpoint / "usr/bin/tool")
        assert st.st_mode & 0o7777 == 0o4755
        with pytest.raises(OSError, match=r"file system|Permission") as info:
            await asyncio.to_thread(open, mountpoint / "app/new", "w")
        assert info.value.errno in (errno.EROFS, errno.EACCES)
        assert image.metrics.as_dict()["mount_to_last_fetch_s"] is not None
    assert not await asyncio.to_thread(_is_mounted, mountpoint)
    await image.aclose()
    await close_mount_helpers()


async def test_helper_killed_leaves_no_mount(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    _, target = await _accelerated(registry, distribution_registry.host, unique_repo)
    image = await LazyImage.open(registry, target, cache=ContentCache(tmp_path / "c"))
    mountpoint = tmp_path / "mnt"
    mount = LazyMount(image, mountpoint)
    try:
        await mount.start()
        assert mount._helper is not None
        os.kill(mount._helper.proc.pid, signal.SIGKILL)
        # fusermount's auto_unmount notices the helper's end; on a busy machine that can
        # take a while, so the wait is long (it ends as soon as the mount is gone).
        await asyncio.to_thread(_wait_unmounted, mountpoint, 120)
        # auto_unmount took it away; a sweep finds nothing left, and stop() is still clean.
        assert not await asyncio.to_thread(_is_mounted, mountpoint)
        assert await asyncio.to_thread(unmount_stale, tmp_path) == []
    finally:
        await mount.stop()
        await image.aclose()


async def test_corrupted_chunk_reads_fail_with_eio_through_the_mount(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    _, target = await _accelerated(registry, distribution_registry.host, unique_repo)
    image = await LazyImage.open(registry, target, cache=ContentCache(tmp_path / "c"))
    node = image.lookup("usr/lib/libbig.so")
    chunk = node.chunks[2]
    layer = image.resolved.manifest.layers[node.layer]
    restore = corrupt_chunk(distribution_registry, layer.digest, chunk)
    try:
        async with LazyMount(image, tmp_path / "mnt") as mount:
            path = tmp_path / "mnt/usr/lib/libbig.so"
            with pytest.raises(OSError, match="Input/output error") as info:
                await asyncio.to_thread(_read, path, chunk.offset, 100)
            assert info.value.errno == errno.EIO
            assert mount.read_errors
            assert "DigestMismatch" in mount.read_errors[0]
            # Bytes before the bad chunk are fine and verified.
            assert await asyncio.to_thread(_read, path, 0, 1000) == BIG[:1000]
    finally:
        restore()
        await image.aclose()


async def test_without_recording_files_open_without_the_helper_and_read_the_same(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
    engine: str,
) -> None:
    source, target = await _accelerated(registry, distribution_registry.host, unique_repo)
    full = await pull_image(
        registry, source, tmp_path / "full", cache=ContentCache(tmp_path / "c1")
    )
    image = await LazyImage.open(registry, target, cache=ContentCache(tmp_path / "c2"))
    try:
        async with LazyMount(image, tmp_path / "mnt", record=False) as mount:
            assert mount.engine == engine
            root = tmp_path / "mnt"
            # Twice: the second walk is served from what the kernel kept.
            for _ in range(2):
                assert await asyncio.to_thread(disk_tree, root) == disk_tree(full.rootfs)
            assert (
                await asyncio.to_thread(_read, root / "lib/libbig.so", 70_000, 10)
                == (BIG[70_000:70_010])
            )
            assert mount.profile() == []
            with pytest.raises(OSError, match=r"file system|Permission") as info:
                await asyncio.to_thread(open, root / "app/main.py", "r+b")
            assert info.value.errno in (errno.EROFS, errno.EACCES)
            with pytest.raises(FileNotFoundError):
                await asyncio.to_thread(os.stat, root / "app/missing")
    finally:
        await image.aclose()
        await close_mount_helpers()


async def test_a_cached_chunk_altered_on_disk_is_not_served(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
    engine: str,
) -> None:
    """The helper hashes every cached chunk before its first use, whoever wrote it."""
    _, target = await _accelerated(registry, distribution_registry.host, unique_repo)
    cache = ContentCache(tmp_path / "c")
    image = await LazyImage.open(registry, target, cache=cache)
    node = image.lookup("usr/lib/libbig.so")
    chunk = node.chunks[1]
    await image.ensure(node, [chunk])
    assert chunk.digest is not None
    path = cache.chunk_path(chunk.digest)
    damaged = bytearray(path.read_bytes())
    damaged[100] ^= 0xFF
    path.write_bytes(bytes(damaged))
    try:
        async with LazyMount(image, tmp_path / "mnt", record=False) as mount:
            assert mount.engine == engine
            target_file = tmp_path / "mnt/usr/lib/libbig.so"
            with pytest.raises(OSError, match="Input/output error") as info:
                await asyncio.to_thread(_read, target_file, chunk.offset, 200)
            assert info.value.errno == errno.EIO
            assert await asyncio.to_thread(_read, target_file, 0, 1000) == BIG[:1000]
    finally:
        await image.aclose()
        await close_mount_helpers()


def _super_options(mountpoint: Path) -> set[str]:
    """The FUSE mount's options as the kernel reports them (``/proc/self/mountinfo``)."""
    target = os.path.realpath(mountpoint)
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            if left.split()[4].encode().decode("unicode_escape") == target:
                return set(right.split()[2].split(","))
    raise AssertionError(f"{mountpoint} is not mounted")


async def test_only_the_owner_reads_the_mount_unless_asked(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    """The mount is its owner's (and a sandbox's it starts, same uid): allow_other only
    when other users are to read it (before: always, so any local user could read the
    image's files)."""
    _source, target = await _accelerated(registry, distribution_registry.host, unique_repo)
    image = await LazyImage.open(registry, target, cache=ContentCache(tmp_path / "c"))
    try:
        for allow_other in (False, True):
            mountpoint = tmp_path / f"mnt-{allow_other}"
            async with LazyMount(image, mountpoint, allow_other=allow_other):
                options = await asyncio.to_thread(_super_options, mountpoint)
                assert ("allow_other" in options) is allow_other, options
                assert "default_permissions" in options
                assert await asyncio.to_thread(_read, mountpoint / "app/main.py")
    finally:
        await image.aclose()
        await close_mount_helpers()


async def test_the_kernel_keeps_what_the_helper_answered(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    """Names (found or not) and contents are asked once per mount: the kernel keeps entries,
    negative entries and pages (the tree never changes), and reads ahead a MiB at a time, so
    a large file read whole is one request (it was one per 128 KiB)."""
    _, target = await _accelerated(registry, distribution_registry.host, unique_repo)
    image = await LazyImage.open(registry, target, cache=ContentCache(tmp_path / "c"))
    root = tmp_path / "mnt"
    try:
        async with LazyMount(image, root, record=False, count_requests=True) as mount:
            dev = (await asyncio.to_thread(os.stat, root)).st_dev
            readahead = Path(f"/sys/class/bdi/{os.major(dev)}:{os.minor(dev)}/read_ahead_kb")
            assert (await asyncio.to_thread(readahead.read_text)).strip() == "1024"
            for _ in range(3):
                with pytest.raises(FileNotFoundError):
                    await asyncio.to_thread(os.stat, root / "app/missing.js")
                assert await asyncio.to_thread(_read, root / "usr/lib/libbig.so") == BIG
                assert (await asyncio.to_thread(os.stat, root / "app/main.py")).st_size == 1500
    finally:
        await image.aclose()
        await close_mount_helpers()
    assert mount.request_stats is not None
    served = {name: n for name, (n, _) in mount.request_stats["requests"].items()}
    assert served["negative_lookup"] == 1, served
    # usr, usr/lib, usr/lib/libbig.so, app, app/missing.js, app/main.py: once each
    assert served["lookup"] == 6, served
    assert served["read"] == 1, served
    assert served.get("getattr", 0) <= 1, served  # the mount point's own, at most
    assert mount.request_stats["cpu_s"] > 0


async def test_large_chunks_read_at_once_and_never_served_altered(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    """A library stored as one 300 KB chunk: many readers at once get the same right bytes,
    and once the file in the cache is altered, a new mount answers EIO."""
    # More readers than the event loop's default executor has threads, on any machine: each
    # holds a thread while it waits in the kernel for the chunk, so the mount must not need
    # those threads to fetch and verify it.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(4))
    _, target = await _accelerated(
        registry,
        distribution_registry.host,
        unique_repo,
        ConvertOptions(chunk_size=1 << 20, threads=1),
    )
    cache = ContentCache(tmp_path / "c")
    image = await LazyImage.open(registry, target, cache=cache)
    node = image.lookup("usr/lib/libbig.so")
    assert [c.size for c in node.chunks] == [len(BIG)]
    path = tmp_path / "mnt/usr/lib/libbig.so"
    try:
        async with LazyMount(image, tmp_path / "mnt", record=False):
            pieces = [(k * 37_000, 50_000) for k in range(8)]
            got = await asyncio.gather(
                *(asyncio.to_thread(_read, path, off, size) for off, size in pieces)
            )
            assert got == [BIG[off : off + size] for off, size in pieces]
        digest = node.chunks[0].digest
        assert digest is not None
        cached = cache.chunk_path(digest)
        damaged = bytearray(cached.read_bytes())
        damaged[len(damaged) // 2] ^= 0xFF
        cached.write_bytes(bytes(damaged))
        async with LazyMount(image, tmp_path / "mnt", record=False):
            with pytest.raises(OSError, match="Input/output error") as info:
                await asyncio.to_thread(_read, path, 1000, 10)
            assert info.value.errno == errno.EIO
    finally:
        await image.aclose()
        await close_mount_helpers()
