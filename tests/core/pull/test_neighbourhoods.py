"""Neighbourhood prefetch: a read that misses also fetches the small files around it in its
directory, so a preserve-order image without a profile does not pay a round trip per file."""

from __future__ import annotations

import asyncio
import os
import random
import tarfile
from collections.abc import AsyncIterator
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
async def registry(distribution_registry: RunningRegistry) -> AsyncIterator[RegistryClient]:
    async with RegistryClient(distribution_registry.host) as client:
        yield client


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
        image.neighbourhoods.miss_cost = 1  # the directory's windows alone (no subtree rule)
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


ZONES = [f"zone/{region}/{city}" for region in "ABCDEFGHIJKL" for city in range(10)]
SOURCES = [f"zone/{region}/src{i}.py" for region in "ABCDEFGHIJKL" for i in range(5)]
ZONE_DATA = {name: _text(_rng.randint(100, 300)) for name in ZONES + SOURCES}


async def test_misses_across_a_subtree_buy_its_files_of_the_kinds_read(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    """One file read from each of many sibling directories (a time-zone table per region):
    once the misses have cost what the subtree's files of that kind cost, they all come in
    (and the other kinds, never read, stay out)."""
    layer = [entry("zone/", tarfile.DIRTYPE)]
    for region in "ABCDEFGHIJKL":
        layer.append(entry(f"zone/{region}/", tarfile.DIRTYPE))
        layer += [entry(n, data=ZONE_DATA[n]) for n in ZONES + SOURCES if n[5] == region]
    pushed = await push_image(registry, unique_repo, [layer])
    result = await convert_image(
        registry, pushed.ref(distribution_registry.host), options=ConvertOptions(threads=1)
    )
    image = await LazyImage.open(registry, result.target, cache=ContentCache(tmp_path / "c"))
    try:
        hood = image.neighbourhoods
        assert hood is not None
        hood.first_span = 1  # each miss guesses one neighbour at most: the subtree rule shows
        sizes = {
            n: sum(c.compressed_end - c.compressed_offset for c in image.lookup(n).chunks)
            for n in ZONES
        }
        hood.miss_cost = sum(sizes.values()) // 3 + 1  # three misses buy the zone files
        for region in "ABC":
            assert await image.read(f"zone/{region}/0") == ZONE_DATA[f"zone/{region}/0"]
            await hood.settled()
        assert all(_cached(image, n) for n in ZONES)
        assert not any(_cached(image, n) for n in SOURCES)
        fetches = image.metrics.on_demand_fetches
        assert fetches == 3
        for name in ZONES:
            assert await image.read(name) == ZONE_DATA[name]
        assert image.metrics.on_demand_fetches == fetches
    finally:
        await image.aclose()


async def test_a_miss_in_a_large_file_reads_the_rest_of_it_ahead(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    big = os.urandom(400_000)
    layer = [entry("lib/", tarfile.DIRTYPE), entry("lib/libbig.so", data=big)]
    pushed = await push_image(registry, unique_repo, [layer])
    options = ConvertOptions(chunk_size=64 << 10, threads=1)
    result = await convert_image(registry, pushed.ref(distribution_registry.host), options=options)
    image = await LazyImage.open(registry, result.target, cache=ContentCache(tmp_path / "c"))
    try:
        hood = image.neighbourhoods
        assert hood is not None
        node = image.lookup("lib/libbig.so")
        assert len(node.chunks) == 7
        hood.read_ahead = 3 * 64 << 10  # about three chunks
        assert await image.read(node, 140_000, 10) == big[140_000:140_010]  # chunk 2
        await hood.settled()
        source = image.sources[node.layer]
        cached = [not source.absent([c]) for c in node.chunks]
        assert cached == [False, False, True, True, True, True, False]
        assert image.metrics.on_demand_fetches == 1
        assert image.metrics.speculative_fetches == 1
    finally:
        await image.aclose()


PACKAGES = [f"pkgs/p{i:02}" for i in range(30)]
PKG_JSON = {f"{p}/package.json": _text(_rng.randint(40, 80)) for p in PACKAGES}
PKG_CODE = {f"{p}/lib/m{k}.js": _text(_rng.randint(300, 600)) for p in PACKAGES for k in range(8)}


async def test_the_subtree_rule_counts_each_kind_on_its_own(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    """A module loader reads each package's small manifest on its way, and one module of
    a few packages: the manifests are bought once their misses pay for them, the modules
    (many more bytes, few misses) are not."""
    layer = [entry("pkgs/", tarfile.DIRTYPE)]
    for p in PACKAGES:
        layer += [entry(f"{p}/", tarfile.DIRTYPE), entry(f"{p}/lib/", tarfile.DIRTYPE)]
        layer.append(entry(f"{p}/package.json", data=PKG_JSON[f"{p}/package.json"]))
        layer += [entry(n, data=d) for n, d in PKG_CODE.items() if n.startswith(p + "/")]
    pushed = await push_image(registry, unique_repo, [layer])
    result = await convert_image(
        registry, pushed.ref(distribution_registry.host), options=ConvertOptions(threads=1)
    )
    image = await LazyImage.open(registry, result.target, cache=ContentCache(tmp_path / "c"))
    try:
        hood = image.neighbourhoods
        assert hood is not None
        hood.first_span = 1  # no directory windows: the subtree rule alone shows
        manifests = sum(
            c.compressed_end - c.compressed_offset for n in PKG_JSON for c in image.lookup(n).chunks
        )
        hood.miss_cost = manifests // 4 + 1  # four manifest misses buy all manifests
        # A loader's order: a package's manifest, then a module of it, package after package.
        for p in PACKAGES[:4]:
            assert await image.read(f"{p}/package.json") == PKG_JSON[f"{p}/package.json"]
            await hood.settled()
            assert await image.read(f"{p}/lib/m0.js") == PKG_CODE[f"{p}/lib/m0.js"]
            await hood.settled()
        assert all(_cached(image, n) for n in PKG_JSON)
        # the four read, and at most one guess next to each
        assert sum(_cached(image, n) for n in PKG_CODE) <= 8
        assert image.metrics.on_demand_fetches == 8
        for name, data in PKG_JSON.items():
            assert await image.read(name) == data
        assert image.metrics.on_demand_fetches == 8
    finally:
        await image.aclose()
