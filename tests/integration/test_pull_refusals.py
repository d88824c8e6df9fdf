"""What a full pull says when it refuses an image: the image, the layer (index and digest) and
the entry, in the safety policy's words, on a line of its own after the progress line; nothing
lands in the destination (docker-registry as the registry, ``fcaccel pull`` as the user runs
it).

Before: ``archive entry 'evil/pwned.txt' goes through the symlink 'evil'`` (no image, no
layer) printed right after the download figures on the same line; a hard link to
``/etc/passwd`` was reported as "has an absolute path"; a truncated stream named neither layer
nor entry.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from core.errors import PullError, UnsafeContent
from core.oci import ImageReference
from core.pull import ContentCache, pull_image
from core.registry import RegistryClient
from tests.core.convert.helpers import Entry, make_tar, push_image
from tests.fixtures.registry import RunningRegistry

pytestmark = [pytest.mark.integration]

EVIL = [
    Entry("evil", type=tarfile.SYMTYPE, link="/"),
    Entry("evil/pwned.txt", b"pwned\n"),
]


def _fcaccel(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args], capture_output=True, text=True, timeout=300
    )


async def test_the_command_line_names_image_layer_and_entry_on_a_line_of_its_own(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path
) -> None:
    async with RegistryClient(distribution_registry.host) as client:
        manifest = await push_image(client, unique_repo, "v1", [make_tar(EVIL)])
    ref = distribution_registry.ref(unique_repo, "v1")
    dest = tmp_path / "rootfs"
    proc = _fcaccel("pull", ref, "--dest", str(dest), "--insecure", "--cache", str(tmp_path / "c"))
    assert proc.returncode == 1, proc.stderr
    err = proc.stderr
    where = err.index("fcaccel: error: ")
    assert where == 0 or err[where - 1] == "\n", repr(err[max(0, where - 80) : where + 20])
    line = err[where:].splitlines()[0]
    digest = str(manifest.layers[0].digest)
    assert f"image {ref}" in line
    assert f"layer 0 ({digest})" in line
    assert "entry 'evil/pwned.txt': goes through the symlink 'evil' (rule through-symlink)" in line
    assert line.endswith("[UnsafeContent]")
    assert not dest.exists()


async def test_a_hard_link_to_an_absolute_path_is_reported_as_such(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path
) -> None:
    tar = make_tar([Entry("etc/", type=tarfile.DIRTYPE), Entry("h", type=b"1", link="/etc/passwd")])
    async with RegistryClient(distribution_registry.host) as client:
        await push_image(client, unique_repo, "v1", [tar])
        ref = ImageReference.parse(distribution_registry.ref(unique_repo, "v1"))
        with pytest.raises(UnsafeContent) as info:
            await pull_image(client, ref, tmp_path / "rootfs", cache=ContentCache(tmp_path / "c"))
    assert info.value.rule == "hardlink"
    assert "entry 'h': is a hard link to '/etc/passwd', outside the layer" in str(info.value)
    assert "absolute path" not in str(info.value)
    assert str(ref) in str(info.value)


async def test_a_truncated_stream_names_layer_and_entry(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path
) -> None:
    big = Entry("usr/lib/big.so", bytes(range(256)) * 4096)
    tar = make_tar([Entry("usr/", type=tarfile.DIRTYPE), big])
    whole = gzip.compress(tar, mtime=0)
    cases = {
        "gzip": whole[: len(whole) // 2],  # the compressed stream ends early
        "tar": gzip.compress(tar[: len(tar) // 2], mtime=0),  # a whole gzip of half a tar
    }
    for name, blob in cases.items():
        async with RegistryClient(distribution_registry.host) as client:
            # pushed as they are (the puller sniffs the compression)
            manifest = await push_image(client, unique_repo, name, [blob], compression="none")
            ref = ImageReference.parse(distribution_registry.ref(unique_repo, name))
            with pytest.raises(PullError) as info:
                await pull_image(client, ref, tmp_path / name, cache=ContentCache(tmp_path / "c"))
        message = str(info.value)
        assert f"layer 0 ({manifest.layers[0].digest})" in message, message
        assert "truncated in entry 'usr/lib/big.so'" in message, message
        assert info.value.code == "Truncated"
        assert not (tmp_path / name).exists()
