"""Root filesystems convert faithfully: a tar made by GNU tar (as root) of a tree with device
nodes, a FIFO, hard links, setuid/setgid/sticky bits and symlinks of every kind is converted
byte for byte (``zstd -dc`` gives the same tar, ``tar --compare`` finds the tree unchanged),
and podman pulls the converted image into the same tree.

Before, the converter stopped at the first device node (``entry 'dev/console' is a char
device``), without naming an option, and refused relative symlinks that climb above the root,
which resolve inside the container as absolute ones do.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from core.convert import ConvertOptions, ConvertStatus, convert_image, convert_layer_sync
from core.formats import FormatKind, SymlinkTracker
from core.oci import Compression, ImageReference
from core.registry import RegistryClient
from tests.core.convert.helpers import push_image
from tests.fixtures.registry import RunningRegistry

pytestmark = [pytest.mark.integration]


def _tree(root: Path) -> None:
    """A small root filesystem with what real ones hold (mmdebstrap's has all of these)."""
    for d in ("dev", "run", "usr/bin", "usr/lib64", "etc/alternatives", "tmp"):
        (root / d).mkdir(parents=True, exist_ok=True)
    for name, kind, mode, dev in (
        ("dev/console", stat.S_IFCHR, 0o600, (5, 1)),
        ("dev/null", stat.S_IFCHR, 0o666, (1, 3)),
        ("dev/loop0", stat.S_IFBLK, 0o660, (7, 0)),
    ):
        os.mknod(root / name, kind | mode, os.makedev(*dev))
        os.chmod(root / name, mode)  # mknod applies the umask
    os.mkfifo(root / "run/initctl", 0o600)
    (root / "usr/bin/su").write_bytes(b"\x7fELF pretend su\n")
    os.chmod(root / "usr/bin/su", 0o4755)
    (root / "usr/bin/wall").write_bytes(b"\x7fELF pretend wall\n")
    os.chmod(root / "usr/bin/wall", 0o2755)
    os.chmod(root / "tmp", 0o1777)
    (root / "usr/bin/perl").write_bytes(b"\x7fELF pretend perl\n")
    os.link(root / "usr/bin/perl", root / "usr/bin/perl5.36")
    os.symlink("usr/bin", root / "bin")  # usrmerge
    os.symlink("/usr/lib64", root / "lib64")  # absolute
    os.symlink("../../../../usr/bin/su", root / "etc/alternatives/su")  # climbs above /


def _gnu_tar(root: Path, out: Path) -> bytes:
    subprocess.run(
        ["tar", "--numeric-owner", "--format=gnu", "-C", str(root), "-cf", str(out), "."],
        check=True,
    )
    return out.read_bytes()


@pytest.fixture
def rootfs(tmp_path: Path) -> tuple[Path, bytes]:
    assert os.geteuid() == 0, "device nodes need root (the test suite runs as root)"
    root = tmp_path / "rootfs"
    root.mkdir()
    _tree(root)
    return root, _gnu_tar(root, tmp_path / "rootfs.tar")


def _check_pulled(diff: Path) -> None:
    """The tree podman unpacked: devices, FIFO, modes, hard links and symlinks as made."""
    assert diff.is_dir(), diff
    console = (diff / "dev/console").lstat()
    assert stat.S_ISCHR(console.st_mode)
    assert (os.major(console.st_rdev), os.minor(console.st_rdev)) == (5, 1)
    assert stat.S_ISBLK((diff / "dev/loop0").lstat().st_mode)
    assert stat.S_ISFIFO((diff / "run/initctl").lstat().st_mode)
    assert stat.S_IMODE((diff / "usr/bin/su").stat().st_mode) == 0o4755
    assert stat.S_IMODE((diff / "usr/bin/wall").stat().st_mode) == 0o2755
    assert stat.S_IMODE((diff / "tmp").stat().st_mode) == 0o1777
    perl, perl5 = (diff / "usr/bin/perl").stat(), (diff / "usr/bin/perl5.36").stat()
    assert (perl.st_ino, perl.st_nlink) == (perl5.st_ino, 2)
    assert os.readlink(diff / "bin") == "usr/bin"
    assert os.readlink(diff / "lib64") == "/usr/lib64"
    assert os.readlink(diff / "etc/alternatives/su") == "../../../../usr/bin/su"


@pytest.mark.parametrize("kind", [FormatKind.ZSTD_CHUNKED, FormatKind.ESTARGZ])
def test_a_root_filesystem_converts_byte_for_byte(
    rootfs: tuple[Path, bytes], tmp_path: Path, kind: FormatKind
) -> None:
    root, tar = rootfs
    out = io.BytesIO()
    res = convert_layer_sync(
        io.BytesIO(tar).read,
        Compression.NONE,
        out,
        ConvertOptions(format=kind, threads=1),
        layer="rootfs",
        symlinks=SymlinkTracker(),
    )
    assert res.warnings == ()
    decompress = ["zstd", "-dc"] if kind is FormatKind.ZSTD_CHUNKED else ["gzip", "-dc"]
    plain = subprocess.run(decompress, input=out.getvalue(), capture_output=True, check=True)
    converted = tmp_path / "converted.tar"
    converted.write_bytes(plain.stdout)
    if kind is FormatKind.ZSTD_CHUNKED:
        assert plain.stdout == tar  # preserve order keeps every byte (diff_id unchanged)
    listing = subprocess.run(
        ["tar", "-tvf", str(converted)], capture_output=True, text=True, check=True
    ).stdout
    assert any(
        line.startswith("crw-------") and "./dev/console" in line for line in listing.splitlines()
    )
    assert any(line.startswith("prw-------") for line in listing.splitlines())
    assert any(line.startswith("brw-rw----") for line in listing.splitlines())
    # GNU tar as the oracle: every entry of the converted layer matches the tree it came from
    # (types, modes, device numbers, link targets, hard links, contents, times)
    metadata = ["--exclude=stargz.index.json", "--exclude=.no.prefetch.landmark"]  # eStargz's
    compare = subprocess.run(
        ["tar", "--compare", "--numeric-owner", *metadata, "-C", str(root), "-f", str(converted)],
        capture_output=True,
        text=True,
    )
    assert compare.returncode == 0, compare.stdout + compare.stderr


async def test_podman_pulls_the_converted_root_filesystem(
    rootfs: tuple[Path, bytes],
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    _root, tar = rootfs
    async with RegistryClient(distribution_registry.host) as client:
        await push_image(client, unique_repo, "v1", [tar])
        src = ImageReference.parse(distribution_registry.ref(unique_repo, "v1"))
        res = await convert_image(client, src, options=ConvertOptions(threads=1))
    assert res.status is ConvertStatus.CONVERTED
    storage, run = tmp_path / "storage", tmp_path / "run"
    conf = tmp_path / "storage.conf"
    conf.write_text(
        f"""[storage]
driver = "overlay"
graphroot = "{storage}"
runroot = "{run}"
[storage.options]
# a full pull: Debian 12's podman left this layer's device nodes and FIFO out of a
# partial pull (containers/storage 1.45); a full pull creates them
pull_options = {{enable_partial_images = "false"}}
"""
    )
    env = {**os.environ, "CONTAINERS_STORAGE_CONF": str(conf)}
    try:
        proc = await asyncio.to_thread(
            subprocess.run,
            ["podman", "--log-level=debug", "pull", "--tls-verify=false", res.target],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        log = proc.stdout + proc.stderr
        assert proc.returncode == 0, log[-4000:]
        inspect = await asyncio.to_thread(
            subprocess.run,
            [
                "podman",
                "image",
                "inspect",
                "--format",
                "{{.GraphDriver.Data.UpperDir}}",
                res.target,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        await asyncio.to_thread(_check_pulled, Path(inspect.stdout.strip()))
    finally:
        await asyncio.to_thread(shutil.rmtree, storage, True)
        await asyncio.to_thread(shutil.rmtree, run, True)
