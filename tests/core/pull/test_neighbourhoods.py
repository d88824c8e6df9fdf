"""Neighbourhood prefetch: a read that misses also fetches the small files around it in its
directory, so a preserve-order image without a profile does not pay a round trip per file."""

from __future__ import annotations

import asyncio
import os
import random
import tarfile
from pathlib import Path

import pytest

from core.convert import ConvertOptions, convert_image
from core.pull._cache import ContentCache
from core.pull._lazy import LazyImage
from core.pull._mount import LazyMount, close_mount_helpers, fuse_available
from core.registry import RegistryClient
from tests.core.pull._images import entry, push_image
from tests.fixtures.registry import RunningRegistry

_rng = random.Random(7)


def _text(n: int) -> bytes:
    words = [b"import", b"def", b"return", b"self", b"value", b"None", b"class", b"yield"]
    return b" ".join(_rng.choice(words) for _ in range(n))


PKG = [f"pkg/__pycache__/m{i:02}.pyc" for i in range(40)]
OTHER = [f"other/o{i}.py" for i in range(10)]
BIG_NAME = "pkg/__pycache__/zz_big.so"
FILES = {name: _text(_rng.randint(300, 900)) for name in PKG + OTHER}
BIG = os.urandom(600_000)  # incompressible: far above the neighbourhood's per-file limit
LAYERS = [
    [
        entry("other/", tarfile.DIRTYPE),
        *(entry(name, data=FILES[name]) for name in OTHER),
        entry("pkg/", tarfile.DIRTYPE),
        entry("pkg/__pycache__/", tarfile.DIRTYPE),
        *(entry(name, data=FILES[name]) for name in PKG[:20]),
        entry(BIG_NAME, data=BIG),
        *(entry(name, data=FILES[name]) for name in PKG[20:]),
    ],
]


@pytest.fixture
async def registry(distribution_registry: RunningRegistry) -> RegistryClient:
    async with RegistryClient(distribution_registry.host) as client:
        yield client  # type: ignore[misc]


async def _preserve_twin(registry: RegistryClient, host: str, repo: str) -> str:
    pushed = await push_image(registry, repo, LAYERS)
    result = await convert_image(registry, pushed.ref(host), options=ConvertOptions(threads=1))
    return result.target


def _cached(image: LazyImage, path: str) -> bool:
    node = image.lookup(path)
    return not image.sources[node.layer].absent(node.chunks)


async def test_a_miss_fetches_its_directory_and_later_reads_cost_no_round_trip(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    target = await _preserve_twin(registry, distribution_registry.host, unique_repo)
    image = await LazyImage.open(registry, target, cache=ContentCache(tmp_path / "c"))
    try:
        assert image.neighbourhoods is not None
        assert await image.read(PKG[10]) == FILES[PKG[10]]
        await image.neighbourhoods.settled()
        assert image.metrics.on_demand_fetches == 1
        assert image.metrics.speculative_fetches == 1
        assert image.metrics.speculative_bytes > 0
        # The whole small-file neighbourhood came in; the big file and the other directory
        # did not.
        assert all(_cached(image, name) for name in PKG)
        assert not _cached(image, BIG_NAME)
        assert not any(_cached(image, name) for name in OTHER)
        requests = image.metrics.range_requests
        for name in PKG:
            assert await image.read(name) == FILES[name]
        assert image.metrics.on_demand_fetches == 1
        assert image.metrics.range_requests == requests
        assert image.neighbourhoods.hits >= 1
        report = image.report()
        assert report["neighbourhoods"]["spans"] >= 1
        assert report["metrics"]["speculative_bytes"] == image.metrics.speculative_bytes
    finally:
        await image.aclose()


async def test_without_neighbours_every_file_is_a_round_trip(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    """The control: the same reads without the neighbourhood prefetch."""
    target = await _preserve_twin(registry, distribution_registry.host, unique_repo)
    image = await LazyImage.open(
        registry, target, cache=ContentCache(tmp_path / "c"), neighbours=False
    )
    try:
        for name in PKG[:10]:
            assert await image.read(name) == FILES[name]
        assert image.metrics.on_demand_fetches == 10
        assert image.metrics.speculative_bytes == 0
    finally:
        await image.aclose()


async def test_the_span_is_bounded_and_nearest_first(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    target = await _preserve_twin(registry, distribution_registry.host, unique_repo)
    image = await LazyImage.open(registry, target, cache=ContentCache(tmp_path / "c"))
    try:
        assert image.neighbourhoods is not None
        sizes = {
            name: image.lookup(name).chunks[0].compressed_end
            - image.lookup(name).chunks[0].compressed_offset
            for name in PKG
        }
        # Room for four to eight neighbours.
        budget = image.neighbourhoods.first_span = 4 * max(sizes.values())
        image.neighbourhoods.min_span = max(sizes.values())
        await image.read(PKG[30])
        await image.neighbourhoods.settled()
        cached = [i for i, name in enumerate(PKG) if _cached(image, name) and i != 30]
        assert 4 <= len(cached) <= 8
        # Nearest first: a run of files on both sides of the one read.
        assert cached == [*range(min(cached), 30), *range(31, max(cached) + 1)]
        assert min(cached) < 30 < max(cached)
        # Within the budget, give or take the last file taken and the tar headers' frames
        # between the files (fetched with them: one range); far from the whole directory.
        assert image.metrics.speculative_bytes <= 2 * budget < sum(sizes.values()) / 2
        # The process reads a file the guess brought in: the directory's window doubles.
        before = sum(1 for name in PKG if _cached(image, name))
        spent = image.metrics.speculative_bytes
        await image.read(PKG[max(cached)])
        await image.neighbourhoods.settled()
        grown = sum(1 for name in PKG if _cached(image, name)) - before
        assert grown >= 7
        # (the gaps between its files may include files already fetched)
        assert image.metrics.speculative_bytes - spent <= 5 * budget
        # A miss elsewhere in the directory while that guess lies unread: the window halves.
        before += grown
        spent = image.metrics.speculative_bytes
        far = next(i for i in range(len(PKG)) if not _cached(image, PKG[i]))
        await image.read(PKG[far])
        await image.neighbourhoods.settled()
        shrunk = sum(1 for name in PKG if _cached(image, name)) - before - 1
        assert 1 <= shrunk < grown
    finally:
        await image.aclose()


async def test_reads_through_the_mount_learn_the_same_way(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    assert fuse_available() is None, fuse_available()
    target = await _preserve_twin(registry, distribution_registry.host, unique_repo)
    image = await LazyImage.open(registry, target, cache=ContentCache(tmp_path / "c"))
    assert image.neighbourhoods is not None
    try:
        async with LazyMount(image, tmp_path / "mnt", record=False) as mount:
            first = await asyncio.to_thread((mount.mountpoint / PKG[0]).read_bytes)
            assert first == FILES[PKG[0]]
            await image.neighbourhoods.settled()
            fetches = image.metrics.on_demand_fetches
            for name in PKG[1:]:
                data = await asyncio.to_thread((mount.mountpoint / name).read_bytes)
                assert data == FILES[name]
            assert image.metrics.on_demand_fetches == fetches
    finally:
        await image.aclose()
        await close_mount_helpers()
