"""The hostile corpus against the converter, the unpacker, the full puller and the lazy puller.

Each input is refused with a specific error (`UnsafeContent` for what would escape or harm,
the component's own error for malformed input) or accepted exactly as the component documents;
a canary directory beside the target never changes, and nothing else appears next to it.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from core.convert import ConvertOptions, convert_layer_sync
from core.errors import ConvertError, CoreError, PullError, TOCError, UnsafeContent
from core.formats import FormatKind, SymlinkTracker
from core.formats._reader import parse_toc_bytes
from core.oci import (
    OCI_LAYER_GZIP,
    OCI_LAYER_ZSTD,
    Compression,
    Descriptor,
    Digest,
    ImageConfig,
    Manifest,
)
from core.pull._cache import ContentCache
from core.pull._full import pull_image
from core.pull._lazy import LazyImage
from core.pull._unpack import unpack_layer_sync
from core.registry import RegistryClient
from tests.fixtures.registry import RunningRegistry
from tests.reliability._corpus import (
    CASES,
    Case,
    canary_state,
    compress,
    make_canary,
    raw_tar,
    seekable_unchecked,
)
from tests.reliability.conftest import Recorder

ROOT = os.geteuid() == 0


def _cases(component: str) -> list[Any]:
    return [pytest.param(c, id=c.name) for c in CASES if component in c.expect]


class Work:
    """``<tmp>/work`` holding ``target`` (created by the component) and ``canary``."""

    def __init__(self, tmp: Path) -> None:
        self.dir = tmp / "work"
        self.dir.mkdir()
        self.canary = make_canary(self.dir)
        self.target = self.dir / "target"
        self.before = canary_state(self.canary)

    def check_untouched(self, allowed: set[str]) -> None:
        assert canary_state(self.canary) == self.before, "the canary changed"
        assert set(os.listdir(self.dir)) <= {"canary", *allowed}, os.listdir(self.dir)


def _outcome(exc: BaseException | None, expected: str, component: str) -> str:
    if expected == "unsafe":
        assert isinstance(exc, UnsafeContent), f"{component}: expected UnsafeContent, got {exc!r}"
        assert exc.entry or "entry" in exc.detail or "layer" in str(exc)
        return "refused"
    if expected == "toc":
        assert isinstance(exc, TOCError), f"{component}: expected TOCError, got {exc!r}"
        return "refused"
    if expected == "error":
        assert isinstance(exc, CoreError), f"{component}: expected a core error, got {exc!r}"
        assert not isinstance(exc, UnsafeContent | TOCError)
        return "refused"
    assert exc is None, f"{component}: expected acceptance by policy, got {exc!r}"
    return "policy"


# -- documented outcomes of what is accepted --------------------------------------------------


def _check_rootfs(case: Case, root: Path) -> None:
    """What an unpacked tree must look like for inputs accepted by policy."""
    name = case.name
    if name == "symlink-replaced-by-file":
        assert not (root / "evil").is_symlink()
        assert (root / "evil").read_bytes() == b"pwned\n"
    elif name in ("device-char", "device-block"):
        node = root / "dev" / ("mem2" if name == "device-char" else "sda9")
        if ROOT:  # created as container runtimes do (documented: "where the process may")
            st = node.lstat()
            assert stat.S_ISCHR(st.st_mode) if name == "device-char" else stat.S_ISBLK(st.st_mode)
        else:
            assert not node.exists()
    elif name == "fifo":
        assert stat.S_ISFIFO((root / "run" / "pipe").lstat().st_mode)
    elif name == "setuid":
        assert stat.S_IMODE((root / "bin" / "suid").stat().st_mode) == 0o4755
    elif name == "setgid":
        assert stat.S_IMODE((root / "bin" / "sgid").stat().st_mode) == 0o2755
    elif name == "duplicate-name":
        assert (root / "etc" / "x").read_bytes() == b"two\n"
    elif name == "non-utf8-name":
        assert os.listdir(os.fsencode(root)) == [b"bad\xff\xfename"]
    else:
        raise AssertionError(f"no documented outcome for {name}")


def _check_lazy(case: Case, image: LazyImage) -> None:
    name = case.name
    if name == "symlink-replaced-by-file":
        assert image.lookup("evil").is_regular
    elif name in ("device-char", "device-block"):
        node = image.lookup("dev/mem2" if name == "device-char" else "dev/sda9")
        assert node.rdev == ((1, 1) if name == "device-char" else (8, 0))
    elif name == "fifo":
        assert stat.S_ISFIFO(image.lookup("run/pipe").st_mode)
    elif name == "setuid":
        assert image.lookup("bin/suid").mode & 0o7777 == 0o4755
    elif name == "setgid":
        assert image.lookup("bin/sgid").mode & 0o7777 == 0o2755
    elif name == "long-name":
        assert image.lookup("x" * 5000).size == len(b"pwned\n")
    else:
        raise AssertionError(f"no documented outcome for {name}")


# -- converter --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [FormatKind.ZSTD_CHUNKED, FormatKind.ESTARGZ])
@pytest.mark.parametrize("case", _cases("convert"))
def test_converter(case: Case, kind: FormatKind, tmp_path: Path, reliability: Recorder) -> None:
    work = Work(tmp_path)
    exc: BaseException | None = None
    outputs: list[bytes] = []
    symlinks = SymlinkTracker()  # the image's layers, in order (as convert_image passes it)
    for i, layer in enumerate(case.layers(work.canary)):
        blob = compress(raw_tar(layer), "gzip")
        out = io.BytesIO()
        try:
            convert_layer_sync(
                io.BytesIO(blob).read,
                Compression.GZIP,
                out,
                ConvertOptions(format=kind, threads=1),
                layer=f"#{i}",
                symlinks=symlinks,
            )
        except (UnsafeContent, ConvertError) as err:
            exc = err
            named = f"#{i}" in str(err)
            break
        outputs.append(out.getvalue())
    if exc is not None:
        assert named, f"the error names the layer: {exc}"
    outcome = _outcome(exc, case.expect["convert"], "convert")
    if outcome == "policy":
        # Accepted layers are whole, valid seekable layers.
        for blob in outputs:
            toc = parse_toc_bytes(kind, blob)
            assert toc.entries
    work.check_untouched(set())
    reliability.hostile(case.name, "converter", outcome, getattr(exc, "code", ""))


# -- unpacker, layer by layer -----------------------------------------------------------------


@pytest.mark.parametrize("compression", ["gzip", "zstd", "none"])
@pytest.mark.parametrize("case", _cases("unpack"))
def test_unpacker(case: Case, compression: str, tmp_path: Path, reliability: Recorder) -> None:
    work = Work(tmp_path)
    exc: BaseException | None = None
    for layer in case.layers(work.canary):
        blob = compress(raw_tar(layer), compression)
        try:
            unpack_layer_sync(io.BytesIO(blob), work.target)
        except (UnsafeContent, PullError) as err:
            exc = err
            break
    outcome = _outcome(exc, case.expect["unpack"], "unpack")
    if outcome == "policy":
        _check_rootfs(case, work.target)
    work.check_untouched({"target"})
    reliability.hostile(case.name, "unpacker", outcome, getattr(exc, "code", ""))


# -- full pull from a real registry -----------------------------------------------------------


async def _push_layers(
    client: RegistryClient,
    repo: str,
    blobs: list[tuple[bytes, str, dict[str, str] | None, str]],
) -> str:
    """Push ``(blob, media_type, annotations, diff_id)`` layers and a config; tag ``t``."""
    descs = []
    for blob, media_type, ann, _ in blobs:
        digest = Digest.of_bytes(blob)
        await client.push_blob(repo, blob, digest=digest)
        descs.append(Descriptor(media_type, digest, len(blob), annotations=ann))
    config = ImageConfig.build(diff_ids=[Digest.parse(d) for *_, d in blobs])
    await client.push_blob(repo, config.raw, digest=config.digest)
    await client.put_manifest(repo, Manifest.build(config.descriptor(), descs), "t")
    return f"{client.registry}/{repo}:t"


def _diff(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


@pytest.mark.integration
@pytest.mark.parametrize("case", _cases("unpack"))
async def test_full_pull(
    case: Case,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
    reliability: Recorder,
) -> None:
    work = Work(tmp_path)
    layers: list[tuple[bytes, str, dict[str, str] | None, str]] = []
    for layer in case.layers(work.canary):
        raw = raw_tar(layer)
        layers.append((compress(raw, "gzip"), OCI_LAYER_GZIP, None, _diff(raw)))
    cache = ContentCache(tmp_path / "cache")
    exc: BaseException | None = None
    async with RegistryClient(distribution_registry.host) as client:
        ref = await _push_layers(client, unique_repo, layers)
        try:
            await pull_image(client, ref, work.target, cache=cache)
        except (UnsafeContent, PullError) as err:
            exc = err
    outcome = _outcome(exc, case.expect["unpack"], "pull")
    if outcome == "policy":
        _check_rootfs(case, work.target)
        work.check_untouched({"target"})
    else:
        # a refused pull leaves neither the target nor its staging directory behind
        work.check_untouched(set())
    reliability.hostile(case.name, "full-pull", outcome, getattr(exc, "code", ""))


# -- lazy pull --------------------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize("kind", [FormatKind.ZSTD_CHUNKED, FormatKind.ESTARGZ])
@pytest.mark.parametrize("case", _cases("lazy"))
async def test_lazy_pull(
    case: Case,
    kind: FormatKind,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
    reliability: Recorder,
) -> None:
    """The same inputs as seekable layers published by a hostile producer (TOC digests valid)."""
    work = Work(tmp_path)
    layers: list[tuple[bytes, str, dict[str, str] | None, str]] = []
    media = OCI_LAYER_ZSTD if kind is FormatKind.ZSTD_CHUNKED else OCI_LAYER_GZIP
    for layer in case.layers(work.canary):
        blob, ann, diff_id = seekable_unchecked(raw_tar(layer), kind)
        layers.append((blob, media, ann, diff_id))
    exc: BaseException | None = None
    image: LazyImage | None = None
    async with RegistryClient(distribution_registry.host) as client:
        ref = await _push_layers(client, unique_repo, layers)
        try:
            image = await LazyImage.open(client, ref, cache=ContentCache(tmp_path / "cache"))
        except (UnsafeContent, TOCError, PullError) as err:
            exc = err
        try:
            outcome = _outcome(exc, case.expect["lazy"], "lazy")
            if outcome == "policy":
                assert image is not None
                _check_lazy(case, image)
        finally:
            if image is not None:
                await image.aclose()
    work.check_untouched(set())
    reliability.hostile(case.name, f"lazy-{kind}", outcome, getattr(exc, "code", ""))
