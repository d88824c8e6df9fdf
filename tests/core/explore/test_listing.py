"""The image explorer against a real registry (distribution): plain images streamed once and
cached, accelerated twins read from their TOCs only, hidden entries, the start-up profile,
diffs. The oracle for the merged tree is a full pull unpacked onto disk and read back with
``os.lstat``; for the plain layers, Python's ``tarfile``."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import cast

import httpx
import pytest

from core._progress import Progress
from core.convert import ConvertOptions, convert_image
from core.errors import DigestMismatch, InvalidInput, UnsafeContent
from core.explore import (
    ChangeKind,
    LayerSourceKind,
    diff_listings,
    index_path,
    open_listing,
    scan_layer,
)
from core.formats import DecompressionLimits
from core.oci import Manifest
from core.pull import ContentCache, StartupProfile, pull_image, push_profile
from core.registry import RegistryClient
from tests.core.pull._images import entry, push_image, tar_bytes
from tests.fixtures.registry import RunningRegistry

BIG = os.urandom(600_000)
LAYERS = [
    [
        entry("etc/", tarfile.DIRTYPE),
        entry("etc/os-release", data=b"ID=fcdesk\n"),
        entry("usr/", tarfile.DIRTYPE),
        entry("usr/bin/", tarfile.DIRTYPE),
        entry("usr/bin/tool", data=b"#!/bin/sh\necho tool\n", mode=0o755, uid=0, gid=0),
        entry("usr/bin/alias", tarfile.SYMTYPE, linkname="tool"),
        entry("usr/bin/hard", tarfile.LNKTYPE, linkname="usr/bin/tool"),
        entry("var/cache/a", data=b"a" * 1000),
        entry("var/cache/b", data=b"b"),
        entry("opt/old/x", data=b"x" * 10),
        entry("opt/old/y", data=b"y" * 20),
        entry("srv/data/big.bin", data=BIG),
    ],
    [
        entry("var/cache/.wh.a"),
        entry("opt/old/.wh..wh..opq"),
        entry("opt/old/new", data=b"new"),
        entry("etc/os-release", data=b"ID=fcdesk\nVERSION=2\n"),
        entry("home/app/", tarfile.DIRTYPE, uid=1000, gid=1000, mode=0o750),
        entry("home/app/main.py", data=b"print('hi')\n" * 100, uid=1000, gid=1000),
    ],
]


class Counting(httpx.AsyncBaseTransport):
    """Counts the body bytes of blob responses (what a listing transfers)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.blob_bytes = 0
        self.blob_requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if "/blobs/" not in request.url.path:
            return response
        self.blob_requests += 1
        body = await response.aread()
        self.blob_bytes += len(body)
        return httpx.Response(
            response.status_code, headers=response.headers, content=body, request=request
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
async def counted(
    distribution_registry: RunningRegistry,
) -> AsyncIterator[tuple[RegistryClient, Counting]]:
    transport = Counting()
    async with httpx.AsyncClient(transport=transport, timeout=60) as http:
        yield RegistryClient(distribution_registry.host, http=http), transport


def _disk_tree(root: Path) -> dict[str, tuple[str, int, int, str | None]]:
    """``path -> (kind, size, mode, sha256)`` of an unpacked root filesystem."""
    out: dict[str, tuple[str, int, int, str | None]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = Path(dirpath) / name
            rel = str(full.relative_to(root))
            st = full.lstat()
            if stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", 0, stat.S_IMODE(st.st_mode), None)
            elif stat.S_ISLNK(st.st_mode):
                out[rel] = ("symlink", len(os.readlink(full)), 0o777, None)
            else:
                digest = "sha256:" + hashlib.sha256(full.read_bytes()).hexdigest()
                out[rel] = ("reg", st.st_size, stat.S_IMODE(st.st_mode), digest)
    return out


async def test_plain_image_matches_a_full_pull_and_is_cached(
    counted: tuple[RegistryClient, Counting],
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    registry, transport = counted
    pushed = await push_image(registry, unique_repo, LAYERS)
    ref = pushed.ref(distribution_registry.host)
    cache = ContentCache(tmp_path / "cache")
    events: list[Progress] = []
    listing = await open_listing(registry, ref, cache=cache, on_progress=events.append)

    assert [layer.source for layer in listing.layers] == [LayerSourceKind.STREAM] * 2
    assert not listing.accelerated
    # the layers were streamed exactly once
    assert transport.blob_bytes >= sum(len(b) for b in pushed.layers)
    index_events = [e for e in events if e.phase == "index"]
    assert index_events[-1].done == index_events[-1].total == sum(len(b) for b in pushed.layers)

    pulled = await pull_image(registry, ref, tmp_path / "root", cache=ContentCache(tmp_path / "c2"))
    disk = _disk_tree(pulled.rootfs)
    listed = {e.path: e for e in listing.entries if e.path}
    assert set(listed) == set(disk)
    for path, (kind, size, mode, digest) in disk.items():
        e = listed[path]
        if path == "usr/bin/hard":
            assert (e.kind, e.link) == ("hardlink", "usr/bin/tool")
            continue
        assert e.kind == kind, path
        if kind == "reg":
            assert (e.size, e.digest) == (size, digest), path
        if kind != "symlink" and path not in ("var", "opt", "srv", "srv/data", "var/cache"):
            assert e.mode & 0o7777 == mode, path  # implied parents are 0755 in both
    home = listing.entry("home/app")
    assert (home.uid, home.gid, home.mode & 0o7777, home.layer) == (1000, 1000, 0o750, 1)
    assert listing.entry("usr/bin/tool").layer == 0
    assert listing.entry("etc/os-release").layer == 1
    # directory sizes are summed (the hard link counted once)
    tool = len(b"#!/bin/sh\necho tool\n")
    assert listing.entry("usr").size == tool
    assert listing.entry("srv").size == len(BIG)
    assert listing.entry("").size == sum(s for k, s, _m, _d in disk.values() if k == "reg") - tool
    assert listing.entry("var/cache").files == 1
    assert [e.name for e in listing.children("opt/old")] == ["new"]

    # what the upper layer hides
    hidden = {(h.path, h.how): h for h in listing.hidden}
    assert hidden[("var/cache/a", "whiteout")].size == 1000
    assert hidden[("opt/old/x", "opaque")].by == 1
    assert hidden[("opt/old/y", "opaque")].size == 20
    assert hidden[("etc/os-release", "replaced")].layer == 0
    assert [h.path for h in listing.hidden_under("opt")] == ["opt/old/x", "opt/old/y"]

    # the index is cached per layer: a second listing reads no blob
    for layer in pushed.manifest.layers:
        assert index_path(cache, str(layer.digest)).exists()
    before = transport.blob_requests
    again = await open_listing(registry, ref, cache=cache, profile=False)
    assert [layer.source for layer in again.layers] == [LayerSourceKind.CACHE] * 2
    assert transport.blob_requests - before == 1  # the config only
    assert [e.to_json() for e in again.entries] == [e.to_json() for e in listing.entries]


async def test_accelerated_twin_is_read_from_its_tocs_only(
    counted: tuple[RegistryClient, Counting],
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    registry, transport = counted
    pushed = await push_image(registry, unique_repo, LAYERS)
    ref = pushed.ref(distribution_registry.host)
    await convert_image(registry, ref, options=ConvertOptions())
    twin = f"{distribution_registry.host}/{unique_repo}:latest_accelerated"
    resolved_twin = await registry.get_manifest(unique_repo, "latest_accelerated")
    assert isinstance(resolved_twin, Manifest)
    twin_size = sum(layer.size for layer in resolved_twin.layers)

    before = transport.blob_bytes
    listing = await open_listing(registry, twin, cache=ContentCache(tmp_path / "c"), profile=False)
    fetched = transport.blob_bytes - before
    assert listing.accelerated
    assert [layer.source for layer in listing.layers] == [LayerSourceKind.TOC] * 2
    assert fetched < twin_size / 4, (fetched, twin_size)  # no file content, TOCs only
    # the twin has exactly the plain image's files, content included
    plain = await open_listing(registry, ref, cache=ContentCache(tmp_path / "c2"), profile=False)
    assert diff_listings(plain, listing).changes == ()
    assert {(h.path, h.how) for h in listing.hidden} == {(h.path, h.how) for h in plain.hidden}


async def test_start_up_profile_files_are_marked_with_their_share(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path
) -> None:
    async with RegistryClient(distribution_registry.host) as registry:
        pushed = await push_image(registry, unique_repo, LAYERS)
        profile = StartupProfile.from_paths(
            ["usr/bin/alias", "home/app/main.py", "etc/missing"], image=str(pushed.manifest.digest)
        )
        await push_profile(registry, unique_repo, profile, pushed.manifest.descriptor())
        listing = await open_listing(
            registry, pushed.ref(distribution_registry.host), cache=ContentCache(tmp_path / "c")
        )
    main = len(b"print('hi')\n" * 100)
    tool = len(b"#!/bin/sh\necho tool\n")
    assert listing.entry("home/app/main.py").in_profile
    assert listing.entry("usr/bin/tool").in_profile  # reached through the symlink
    assert not listing.entry("srv/data/big.bin").in_profile
    assert listing.entry("home").profile_bytes == main
    assert listing.entry("").profile_bytes == main + tool
    assert listing.profile is not None
    assert (listing.profile.paths, listing.profile.files) == (3, 2)
    assert listing.profile.bytes == main + tool
    assert listing.profile.share == pytest.approx((main + tool) / listing.total_bytes)


async def test_diff_lists_added_removed_and_changed(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path
) -> None:
    v2 = [
        LAYERS[0],
        [
            *LAYERS[1],
            entry("usr/bin/tool", data=b"#!/bin/sh\necho tool v2\n", mode=0o755),
            entry("usr/bin/alias", tarfile.SYMTYPE, linkname="hard"),
            entry("srv/.wh.data"),
            entry("etc/os-release", data=b"ID=fcdesk\nVERSION=2\n", mode=0o600),
        ],
    ]
    async with RegistryClient(distribution_registry.host) as registry:
        a = await push_image(registry, unique_repo, LAYERS, tag="v1")
        b = await push_image(registry, unique_repo, v2, tag="v2")
        cache = ContentCache(tmp_path / "c")
        la = await open_listing(registry, a.ref(distribution_registry.host), cache=cache)
        lb = await open_listing(registry, b.ref(distribution_registry.host), cache=cache)
    diff = diff_listings(la, lb)
    by_path = {c.path: c for c in diff.changes}
    assert by_path["srv/data"].kind is ChangeKind.REMOVED
    assert by_path["srv/data/big.bin"].kind is ChangeKind.REMOVED
    assert by_path["usr/bin/tool"].fields == ("content",)
    assert by_path["usr/bin/alias"].fields == ("link",)
    assert by_path["etc/os-release"].fields == ("mode",)
    # replacing the path broke the hard link: it keeps the old content, and compares as a file
    assert lb.entry("usr/bin/hard").kind == "reg"
    assert "usr/bin/hard" not in by_path
    assert "srv" not in by_path  # its own metadata did not change
    assert diff.summary["removed"] == {"paths": 2, "bytes": len(BIG)}
    assert diff_listings(la, la).changes == ()
    assert diff_listings(lb, la).summary["added"]["bytes"] == len(BIG)


async def test_a_corrupt_blob_is_refused_and_nothing_is_cached(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path
) -> None:
    async with RegistryClient(distribution_registry.host) as registry:
        pushed = await push_image(registry, unique_repo, LAYERS)
        digest = pushed.manifest.layers[1].digest
        data = next(distribution_registry.storage.rglob(f"blobs/sha256/*/{digest.encoded}/data"))
        original = data.read_bytes()
        data.write_bytes(original[:-10] + bytes(10))  # same size, wrong bytes
        cache = ContentCache(tmp_path / "c")
        try:
            with pytest.raises(DigestMismatch):
                await open_listing(registry, pushed.ref(distribution_registry.host), cache=cache)
        finally:
            data.write_bytes(original)
        assert not index_path(cache, str(digest)).exists()


def test_a_decompression_bomb_is_refused() -> None:
    import gzip

    raw = tar_bytes([entry("zeros", data=bytes(8 << 20))])
    blob = gzip.compress(raw)
    limits = DecompressionLimits(max_uncompressed=64 << 30, max_ratio=5.0, ratio_grace=1 << 20)
    with pytest.raises(UnsafeContent, match="max_ratio"):
        scan_layer(_raw(blob), limits=limits, layer="0", consumed=lambda: len(blob) // 100)
    entries = scan_layer(_raw(blob))
    assert [(e.name, e.size) for e in entries] == [("zeros", 8 << 20)]


def _raw(data: bytes) -> io.RawIOBase:
    """In-memory bytes where a file is read (BytesIO has the raw interface scan_layer uses)."""
    return cast(io.RawIOBase, io.BytesIO(data))


async def test_hostile_and_missing_paths(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path
) -> None:
    async with RegistryClient(distribution_registry.host) as registry:
        pushed = await push_image(
            registry, unique_repo, [[entry("etc/", tarfile.DIRTYPE), entry("../escape")]]
        )
        with pytest.raises(UnsafeContent, match="escape"):
            await open_listing(
                registry, pushed.ref(distribution_registry.host), cache=ContentCache(tmp_path)
            )
        good = await push_image(registry, unique_repo, LAYERS[:1], tag="good")
        listing = await open_listing(
            registry, good.ref(distribution_registry.host), cache=ContentCache(tmp_path)
        )
    with pytest.raises(InvalidInput, match="no /nope"):
        listing.children("nope")
    with pytest.raises(InvalidInput, match="not a directory"):
        listing.children("/etc/os-release")
    with pytest.raises(InvalidInput):
        listing.entry("../etc")
    assert [e.name for e in listing.children("/")] == ["etc", "opt", "srv", "usr", "var"]
    assert [e.path for e in listing.walk("/usr/")] == [
        "usr",
        "usr/bin",
        "usr/bin/alias",
        "usr/bin/hard",
        "usr/bin/tool",
    ]


async def test_an_optimized_twin_shows_its_start_up_files_without_a_profile(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path
) -> None:
    from core.convert import Order

    startup = ("home/app/main.py", "usr/bin/tool")
    async with RegistryClient(distribution_registry.host) as registry:
        pushed = await push_image(registry, unique_repo, LAYERS)
        ref = pushed.ref(distribution_registry.host)
        await convert_image(
            registry, ref, options=ConvertOptions(order=Order.OPTIMIZED, profile=startup)
        )
        twin = f"{distribution_registry.host}/{unique_repo}:latest_accelerated"
        cache = ContentCache(tmp_path / "c")
        listing = await open_listing(registry, twin, cache=cache)
        again = await open_listing(registry, twin, cache=cache)  # from the cached index
    for result in (listing, again):
        assert result.profile is not None
        assert result.profile.source == "prefetch-region"
        marked = {e.path for e in result.entries if e.in_profile}
        assert marked == {*startup, "usr/bin/hard"}, marked  # the hard link is the same file
    assert [layer.source for layer in again.layers] == [LayerSourceKind.CACHE] * 2


def test_child_rows_from_the_build_are_each_directory_sorted_by_name() -> None:
    """The child index a listing gets from its build (the walk's parent links) is what
    grouping every path under its parent and sorting by name gives; a listing made from the
    same entries without it finds the same on its own."""
    from core.explore import ImageListing
    from tests.gui.fakes import synthetic_listing

    listing = synthetic_listing(3000)
    entries = listing.entries
    expected: dict[str, list[str]] = {}
    for e in entries[1:]:
        expected.setdefault(e.parent, []).append(e.name)
    bare = ImageListing(listing.reference, listing.digest, listing.layers, list(entries))
    for row, e in enumerate(entries):
        if not e.is_dir:
            assert listing.child_rows(row) == []
            continue
        names = [entries[r].name for r in listing.child_rows(row)]
        assert names == sorted(expected.get(e.path, [])), e.path
        assert bare.child_rows(row) == listing.child_rows(row), e.path
        assert len(names) == len([c for c in entries if c.path and c.parent == e.path])
