"""Layer extraction: OCI whiteout semantics, metadata, and refusal of hostile entries."""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
from pathlib import Path

import pytest
import zstandard

from core.errors import PullError, UnsafeContent
from core.oci import sniff_compression
from core.pull._unpack import safe_components, unpack_layer, unpack_layer_sync


def _entry(name: str, kind: bytes = tarfile.REGTYPE, **kw: object) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = kind
    data = kw.pop("data", b"")
    assert isinstance(data, bytes)
    for key, value in kw.items():
        setattr(info, key, value)
    if kind == tarfile.REGTYPE:
        info.size = len(data)
    if kind == tarfile.DIRTYPE and "mode" not in kw:
        info.mode = 0o755
    return info, data


def _tar(*entries: tuple[tarfile.TarInfo, bytes], compress: str = "none") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in entries:
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    raw = buf.getvalue()
    if compress == "gzip":
        return gzip.compress(raw)
    if compress == "zstd":
        return zstandard.ZstdCompressor().compress(raw)
    return raw


def _apply(root: Path, blob: bytes) -> None:
    unpack_layer_sync(io.BytesIO(blob), root)


@pytest.mark.parametrize("compress", ["none", "gzip", "zstd"])
def test_compressions_and_metadata(tmp_path: Path, compress: str) -> None:
    blob = _tar(
        _entry("./usr/", tarfile.DIRTYPE, mode=0o751, mtime=1_000_000),
        _entry(
            "./usr/bin/tool",
            data=b"#!/bin/sh\necho hi\n",
            mode=0o4755,
            uid=12,
            gid=34,
            mtime=1_234_567,
        ),
        _entry("usr/bin/link", tarfile.SYMTYPE, linkname="tool"),
        _entry("usr/bin/hard", tarfile.LNKTYPE, linkname="usr/bin/tool"),
        _entry("etc/fifo", tarfile.FIFOTYPE, mode=0o640),
        _entry("dev/null", tarfile.CHRTYPE, devmajor=1, devminor=3, mode=0o666),
        compress=compress,
    )
    assert sniff_compression(blob[:4]) == compress
    stats = unpack_layer_sync(io.BytesIO(blob), tmp_path)
    tool = tmp_path / "usr/bin/tool"
    st = tool.lstat()
    assert tool.read_bytes() == b"#!/bin/sh\necho hi\n"
    assert stat.S_IMODE(st.st_mode) == 0o4755  # setuid survives chown
    assert (st.st_uid, st.st_gid) == (12, 34)
    assert st.st_mtime == 1_234_567
    assert stat.S_IMODE((tmp_path / "usr").stat().st_mode) == 0o751
    assert (tmp_path / "usr").stat().st_mtime == 1_000_000  # set after children were written
    assert os.readlink(tmp_path / "usr/bin/link") == "tool"
    assert (tmp_path / "usr/bin/hard").stat().st_ino == st.st_ino
    assert stat.S_ISFIFO((tmp_path / "etc/fifo").lstat().st_mode)
    dev = (tmp_path / "dev/null").lstat()
    assert stat.S_ISCHR(dev.st_mode)
    assert (os.major(dev.st_rdev), os.minor(dev.st_rdev)) == (1, 3)
    assert (stats.files, stats.hardlinks, stats.symlinks) == (1, 1, 1)
    assert stats.devices == 1


def test_whiteouts_and_opaque_dirs(tmp_path: Path) -> None:
    _apply(
        tmp_path,
        _tar(
            _entry("a/", tarfile.DIRTYPE),
            _entry("a/keep", data=b"1"),
            _entry("a/gone", data=b"2"),
            _entry("a/sub/deep", data=b"3"),
            _entry("o/", tarfile.DIRTYPE),
            _entry("o/old1", data=b"x"),
            _entry("o/olddir/f", data=b"y"),
            _entry("swap", data=b"file"),
        ),
    )
    _apply(
        tmp_path,
        _tar(
            _entry("a/.wh.gone"),
            _entry("a/.wh.sub"),
            _entry("o/", tarfile.DIRTYPE),
            _entry("o/new-before-marker", data=b"n"),
            _entry("o/.wh..wh..opq"),
            _entry("o/new", data=b"z"),
            _entry("swap/", tarfile.DIRTYPE),
            _entry("swap/inside", data=b"i"),
            _entry(".wh.never-existed"),
        ),
    )
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["keep"]
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["new", "new-before-marker"]
    assert (tmp_path / "swap/inside").read_bytes() == b"i"
    # A file replaces a directory from a lower layer, whole tree included.
    _apply(tmp_path, _tar(_entry("swap", data=b"file again")))
    assert (tmp_path / "swap").read_bytes() == b"file again"


@pytest.mark.parametrize(
    ("name", "message"),
    [("/etc/passwd", "absolute"), ("../escape", "'..'"), ("a/../../escape", "'..'")],
)
def test_escaping_names_refused(tmp_path: Path, name: str, message: str) -> None:
    root = tmp_path / "root"
    root.mkdir()
    blob = _tar(_entry(name, data=b"pwned"))
    with pytest.raises(UnsafeContent, match=message) as info:
        _apply(root, blob)
    assert info.value.entry == name
    assert not (tmp_path / "escape").exists()


def test_symlink_planted_by_lower_layer_is_not_followed(tmp_path: Path) -> None:
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    _apply(root, _tar(_entry("evil", tarfile.SYMTYPE, linkname=str(outside))))
    with pytest.raises(UnsafeContent, match="symlink") as info:
        _apply(root, _tar(_entry("evil/payload", data=b"pwned")))
    assert info.value.entry == "evil/payload"
    assert list(outside.iterdir()) == []
    # The same inside one layer, with a relative link that climbs out.
    with pytest.raises(UnsafeContent):
        _apply(
            root,
            _tar(
                _entry("up", tarfile.SYMTYPE, linkname="../outside"),
                _entry("up/payload", data=b"pwned"),
            ),
        )
    assert list(outside.iterdir()) == []


def test_file_entry_replacing_a_symlink_writes_inside(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    victim = tmp_path / "victim"
    victim.write_bytes(b"safe")
    _apply(root, _tar(_entry("target", tarfile.SYMTYPE, linkname=str(victim))))
    _apply(root, _tar(_entry("target", data=b"new")))
    assert victim.read_bytes() == b"safe"
    assert (root / "target").read_bytes() == b"new"
    assert not (root / "target").is_symlink()


def test_escaping_hardlinks_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    secret = tmp_path / "secret"
    secret.write_bytes(b"s")
    for linkname in ("../secret", str(secret)):
        with pytest.raises(UnsafeContent) as info:
            _apply(root, _tar(_entry("h", tarfile.LNKTYPE, linkname=linkname)))
        assert info.value.entry == "h"
    # A hard link through a symlinked directory would reach outside as well.
    _apply(root, _tar(_entry("out", tarfile.SYMTYPE, linkname=str(tmp_path))))
    with pytest.raises(UnsafeContent, match="symlink"):
        _apply(root, _tar(_entry("h2", tarfile.LNKTYPE, linkname="out/secret")))
    assert secret.stat().st_nlink == 1


def test_whiteout_cannot_escape(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "precious").write_bytes(b"p")
    _apply(root, _tar(_entry("lnk", tarfile.SYMTYPE, linkname=str(tmp_path))))
    with pytest.raises(UnsafeContent):
        _apply(root, _tar(_entry("lnk/.wh.precious")))
    assert (tmp_path / "precious").exists()
    # Whiting out the symlink itself removes the link, not what it points to.
    _apply(root, _tar(_entry(".wh.lnk")))
    assert not (root / "lnk").is_symlink()
    assert (tmp_path / "precious").exists()


def test_xattrs_best_effort(tmp_path: Path) -> None:
    info, data = _entry("f", data=b"x")
    info.pax_headers = {"SCHILY.xattr.user.fcdesk": "v1"}
    unpack_layer_sync(io.BytesIO(_tar((info, data))), tmp_path)
    try:
        value = os.getxattr(tmp_path / "f", "user.fcdesk")
    except OSError:  # the filesystem refuses user xattrs: recorded, not fatal
        return
    assert value == b"v1"


def test_corrupt_and_truncated_streams(tmp_path: Path) -> None:
    blob = _tar(_entry("f", data=os.urandom(100_000)), compress="zstd")
    with pytest.raises(PullError):
        unpack_layer_sync(io.BytesIO(blob[: len(blob) // 2]), tmp_path / "a")
    with pytest.raises(PullError):
        unpack_layer_sync(io.BytesIO(b"\x1f\x8b" + b"\x00" * 100), tmp_path)


def test_safe_components() -> None:
    assert safe_components("./usr//lib/") == ["usr", "lib"]
    assert safe_components(".") == []
    with pytest.raises(UnsafeContent):
        safe_components("a/\x00b")


async def test_async_unpack_from_file(tmp_path: Path) -> None:
    layer = tmp_path / "layer.tar.zst"
    layer.write_bytes(_tar(_entry("x/y", data=b"hello"), compress="zstd"))
    root = tmp_path / "root"
    root.mkdir()
    stats = await unpack_layer(layer, root)
    assert (root / "x/y").read_bytes() == b"hello"
    assert stats.compressed_bytes == layer.stat().st_size


def test_entries_replaced_within_one_layer(tmp_path: Path) -> None:
    """Under directories the layer itself creates, a later entry replaces an earlier one at
    the same path, whatever the kinds (a write never goes through the earlier symlink)."""
    root = tmp_path / "root"
    victim = tmp_path / "victim"
    victim.write_bytes(b"safe")
    _apply(
        root,
        _tar(
            _entry("d/", tarfile.DIRTYPE),
            _entry("d/a", data=b"first"),
            _entry("d/a", tarfile.SYMTYPE, linkname=str(victim)),
            _entry("d/a", data=b"last"),
            _entry("d/b", tarfile.DIRTYPE),
            _entry("d/b/inner", data=b"x"),
            _entry("d/b", data=b"a file now"),
            _entry("d/c", data=b"a file first"),
            _entry("d/c/", tarfile.DIRTYPE),
            _entry("new/deep/f", data=b"in implied directories"),
            _entry("new/deep/f", tarfile.SYMTYPE, linkname="elsewhere"),
        ),
    )
    assert victim.read_bytes() == b"safe"
    assert (root / "d/a").read_bytes() == b"last"
    assert not (root / "d/a").is_symlink()
    assert (root / "d/b").read_bytes() == b"a file now"
    assert (root / "d/c").is_dir()
    assert os.readlink(root / "new/deep/f") == "elsewhere"


def test_hard_link_whose_target_is_resolved_while_many_directories_are_open(
    tmp_path: Path,
) -> None:
    """The link's own directory stays open while its target's directories are opened,
    however many directories the layer went through before."""
    root = tmp_path / "root"
    entries = [_entry("t/u/f", data=b"shared")]
    entries += [_entry(f"d{i}/f", data=b"") for i in range(64)]
    entries += [_entry(f"e{i}/f", data=b"") for i in range(60)]
    entries.append(_entry("e60/link", tarfile.LNKTYPE, linkname="t/u/f"))
    _apply(root, _tar(*entries))
    assert (root / "e60/link").read_bytes() == b"shared"
    assert (root / "e60/link").stat().st_ino == (root / "t/u/f").stat().st_ino
