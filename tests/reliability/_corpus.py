"""The hostile corpus: layers and images built by the tests, never committed as binaries.

Each `Case` is a list of layers (lists of `Spec` entries, bottom layer first) aimed at a
*canary* directory that sits next to the extraction target (``<work>/canary`` beside
``<work>/target``): relative escapes climb into it with ``../canary``, absolute ones name its
absolute path. After any attempt the canary must be exactly as it was (`canary_state`).

`raw_tar` writes whatever a spec says (``..``, absolute names, non-UTF-8 bytes, devices …)
with a plain tar writer; `compress` wraps it; `bomb_layer` builds gzip and zstd bombs of any
size in milliseconds by repeating one compressed member or frame; `seekable_unchecked` turns
a hostile tar into a zstd:chunked / eStargz blob *without* the converter's entry policy (what
a hostile registry would publish) so the lazy puller meets the same inputs.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import stat
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import zstandard

__all__ = [
    "CASES",
    "Case",
    "Spec",
    "bomb_layer",
    "canary_state",
    "compress",
    "header_heavy_tar",
    "make_canary",
    "raw_tar",
    "seekable_unchecked",
]


@dataclass(frozen=True)
class Spec:
    """One archive entry. ``name``/``link`` may be ``bytes`` (non-UTF-8 names)."""

    name: str | bytes
    kind: str = "file"  # file | dir | symlink | hardlink | char | block | fifo
    data: bytes = b""
    link: str | bytes = ""
    mode: int | None = None
    major: int = 0
    minor: int = 0
    pax: dict[str, str] = field(default_factory=dict)


def _s(value: str | bytes) -> str:
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else value


_TYPES = {
    "file": tarfile.REGTYPE,
    "dir": tarfile.DIRTYPE,
    "symlink": tarfile.SYMTYPE,
    "hardlink": tarfile.LNKTYPE,
    "char": tarfile.CHRTYPE,
    "block": tarfile.BLKTYPE,
    "fifo": tarfile.FIFOTYPE,
}


def raw_tar(specs: list[Spec], *, pax: bool = False) -> bytes:
    """A tar stream with exactly these entries (GNU format, or PAX when ``pax``)."""
    buf = io.BytesIO()
    fmt = tarfile.PAX_FORMAT if pax or any(s.pax for s in specs) else tarfile.GNU_FORMAT
    with tarfile.open(
        fileobj=buf, mode="w", format=fmt, encoding="utf-8", errors="surrogateescape"
    ) as tar:
        for s in specs:
            info = tarfile.TarInfo(_s(s.name))
            info.type = _TYPES[s.kind]
            info.mtime = 1_700_000_000
            info.mode = s.mode if s.mode is not None else (0o755 if s.kind == "dir" else 0o644)
            info.linkname = _s(s.link)
            info.devmajor, info.devminor = s.major, s.minor
            info.pax_headers = dict(s.pax)
            if s.kind == "file":
                info.size = len(s.data)
                tar.addfile(info, io.BytesIO(s.data))
            else:
                tar.addfile(info)
    return buf.getvalue()


def compress(raw: bytes, compression: str) -> bytes:
    if compression == "gzip":
        return gzip.compress(raw, compresslevel=6, mtime=0)
    if compression == "zstd":
        return zstandard.ZstdCompressor(level=3).compress(raw)
    return raw


def bomb_layer(compression: str, size: int, name: str = "zeros", fill: bytes = b"\0") -> bytes:
    """A layer holding one file of ``size`` bytes of ``fill`` repeated (zeros by default),
    compressed by repeating one member (gzip) or frame (zstd) of 1 MiB of it: ~1000:1 for gzip
    (deflate's ceiling), far more for zstd. Only the tar header and the tail are compressed
    separately. A bomb, or (under the limits' grace) a benign zero-filled or repetitive file."""
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = 1_700_000_000
    header = info.tobuf(tarfile.GNU_FORMAT)
    mib = 1 << 20
    block = (fill * (mib // len(fill) + 1))[:mib]
    whole, rest = divmod(size, mib)
    tail = block[:rest] + bytes(-size % 512 + 1024)  # content, padding, end-of-archive
    if compression == "gzip":
        member = gzip.compress(block, compresslevel=9, mtime=0)
        return gzip.compress(header, mtime=0) + member * whole + gzip.compress(tail, mtime=0)
    if compression == "zstd":
        cctx = zstandard.ZstdCompressor(level=19)
        frame = cctx.compress(block)
        return cctx.compress(header) + frame * whole + cctx.compress(tail)
    raise ValueError(compression)


def header_heavy_tar(files: int) -> bytes:
    """A benign layer that compresses about as well as real layers ever do: ``files``
    near-empty files (one in five holds a line) in package-like directories, so the tar is
    mostly headers and padding (at 200,000 files: 67:1 with zstd -3, 64:1 with gzip -6)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        line = b"module.exports = require('./index');\n"
        for i in range(files):
            pkg, n = divmod(i, 500)
            if n == 0:
                info = tarfile.TarInfo(f"node_modules/pkg{pkg:04d}/lib/sub")
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                info.mtime = 1_700_000_000
                tar.addfile(info)
            info = tarfile.TarInfo(f"node_modules/pkg{pkg:04d}/lib/sub/file_{n:04d}.js")
            info.mtime = 1_700_000_000 + i
            data = line if n % 5 == 0 else b""
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# -- the canary ---------------------------------------------------------------------------------


def make_canary(work: Path) -> Path:
    """``<work>/canary`` with a secret file and a subdirectory; returns the directory."""
    canary = work / "canary"
    (canary / "sub").mkdir(parents=True)
    (canary / "secret").write_bytes(b"canary secret\n")
    (canary / "sub" / "keep").write_bytes(b"keep\n")
    os.chmod(canary / "secret", 0o600)
    return canary


def canary_state(canary: Path) -> dict[str, tuple[int, int, str]]:
    """Every path under the canary with its mode, link count and content digest."""
    out: dict[str, tuple[int, int, str]] = {}
    for root, dirs, files in os.walk(canary, followlinks=False):
        for name in dirs + files:
            p = Path(root) / name
            st = p.lstat()
            digest = ""
            if stat.S_ISREG(st.st_mode):
                digest = hashlib.sha256(p.read_bytes()).hexdigest()
            out[str(p.relative_to(canary))] = (st.st_mode, st.st_nlink, digest)
    return out


# -- the cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A hostile input: ``layers(canary)`` builds the layers aimed at that canary.

    ``expect`` maps a component (``convert``, ``unpack``, ``lazy``) to the documented
    outcome: ``"unsafe"`` (refused with `UnsafeContent`), ``"toc"`` (a hostile index, refused
    with `TOCError` while it is parsed), ``"error"`` (refused with the component's own error:
    `ConvertError` / `PullError`), or ``"policy"`` (accepted as documented; the test then
    checks the documented result).
    """

    name: str
    layers: Callable[[Path], list[list[Spec]]]
    expect: dict[str, str]
    why: str = ""


def _f(name: str | bytes, data: bytes = b"pwned\n", **kw: object) -> Spec:
    return Spec(name, "file", data, **kw)  # type: ignore[arg-type]


def _l(name: str, target: str) -> Spec:
    return Spec(name, "symlink", link=target)


def _h(name: str, target: str) -> Spec:
    return Spec(name, "hardlink", link=target)


def _d(name: str) -> Spec:
    return Spec(name, "dir")


UNSAFE_ALL = {"convert": "unsafe", "unpack": "unsafe", "lazy": "unsafe"}
#: A TOC naming an escaping path is refused while it is parsed, as a hostile TOC (`TOCError`).
UNSAFE_TOC = {"convert": "unsafe", "unpack": "unsafe", "lazy": "toc"}

CASES: list[Case] = [
    Case("dotdot", lambda c: [[_f("../canary/pwned")]], UNSAFE_TOC),
    Case("dotdot-nested", lambda c: [[_d("a"), _f("a/../../canary/pwned")]], UNSAFE_TOC),
    Case("absolute-name", lambda c: [[_f(f"{c}/pwned")]], UNSAFE_TOC),
    Case(
        "symlink-absolute-write",
        lambda c: [[_l("link", str(c)), _f("link/pwned")]],
        UNSAFE_ALL,
        "absolute symlinks are normal in images; writing through one is refused by every "
        "reader, so the converter refuses it first",
    ),
    Case(
        "symlink-relative-write",
        lambda c: [[_l("link", "../canary"), _f("link/pwned")]],
        UNSAFE_ALL,
    ),
    Case(
        "symlink-chain-write",
        lambda c: [[_l("a", "b"), _l("b", "../canary"), _f("a/pwned")]],
        UNSAFE_ALL,
    ),
    Case(
        "symlink-cross-layer-write",
        lambda c: [[_l("link", str(c))], [_f("link/pwned")]],
        UNSAFE_ALL,
        "each layer alone is harmless; the converter tracks the image's symlinks across "
        "layers as the readers' merged tree does",
    ),
    Case(
        "symlink-dir-then-subdir",
        lambda c: [[_l("d", str(c)), _d("d/newdir")]],
        UNSAFE_ALL,
    ),
    Case(
        "whiteout-through-symlink",
        lambda c: [[_l("d", str(c))], [_f("d/.wh.secret", b"")]],
        UNSAFE_ALL,
        "would delete the canary's secret",
    ),
    Case(
        "opaque-through-symlink",
        lambda c: [[_l("d", str(c))], [_f("d/.wh..wh..opq", b"")]],
        UNSAFE_ALL,
        "would empty the canary directory",
    ),
    Case(
        "symlink-replaced-by-file",
        lambda c: [[_l("evil", f"{c}/secret")], [_f("evil", b"pwned\n")]],
        {"convert": "policy", "unpack": "policy", "lazy": "policy"},
        "a later entry replaces the link itself; nothing is written through it",
    ),
    Case("hardlink-dotdot", lambda c: [[_h("h", "../canary/secret")]], UNSAFE_TOC),
    Case("hardlink-absolute", lambda c: [[_h("h", f"{c}/secret")]], UNSAFE_TOC),
    Case(
        "hardlink-through-symlink",
        lambda c: [[_l("d", str(c)), _h("h", "d/secret")]],
        UNSAFE_TOC,
        "a seekable layer's hard links must name a regular entry of the same layer",
    ),
    Case(
        "hardlink-to-missing",
        lambda c: [[_h("h", "nowhere/file")]],
        {"convert": "unsafe", "unpack": "error", "lazy": "toc"},
    ),
    Case(
        "device-char",
        lambda c: [[_d("dev"), Spec("dev/mem2", "char", major=1, minor=1)]],
        {"convert": "policy", "unpack": "policy", "lazy": "policy"},
        "a converter carries device nodes (root filesystems have them); an unpacker running "
        "as root creates them (as container runtimes do), otherwise skips them",
    ),
    Case(
        "device-block",
        lambda c: [[_d("dev"), Spec("dev/sda9", "block", major=8, minor=0)]],
        {"convert": "policy", "unpack": "policy", "lazy": "policy"},
    ),
    Case(
        "fifo",
        lambda c: [[_d("run"), Spec("run/pipe", "fifo")]],
        {"convert": "policy", "unpack": "policy", "lazy": "policy"},
    ),
    Case(
        "setuid",
        lambda c: [[_d("bin"), _f("bin/suid", b"#!/bin/sh\n", mode=0o4755)]],
        {"convert": "policy", "unpack": "policy", "lazy": "policy"},
        "modes are kept (the image's own business); see the unpacker's documentation",
    ),
    Case(
        "setgid",
        lambda c: [[_d("bin"), _f("bin/sgid", b"#!/bin/sh\n", mode=0o2755)]],
        {"convert": "policy", "unpack": "policy", "lazy": "policy"},
    ),
    Case(
        "duplicate-name",
        lambda c: [[_d("etc"), _f("etc/x", b"one\n"), _f("etc/x", b"two\n")]],
        {"convert": "unsafe", "unpack": "policy", "lazy": "toc"},
        "tar semantics: the later entry wins on extraction; seekable formats need unique paths",
    ),
    Case(
        "non-utf8-name",
        lambda c: [[_f(b"bad\xff\xfename")]],
        {"convert": "error", "unpack": "policy"},
        "seekable formats index names as JSON text, so the converter refuses names that are not "
        "UTF-8 (no TOC can name them, so there is no lazy case); extraction keeps the bytes",
    ),
    Case(
        "long-name",
        lambda c: [[_f("x" * 5000)]],
        {"convert": "unsafe", "unpack": "error", "lazy": "policy"},
        "the converter caps names at 4096 bytes; the file system refuses the name on "
        "extraction; a lazy tree only indexes it (nothing is written)",
    ),
]


def seekable_unchecked(raw: bytes, kind: object) -> tuple[bytes, dict[str, str], str]:
    """``raw`` (a tar) as a seekable layer of ``kind`` (`core.formats.FormatKind`), written
    entry by entry with no safety policy at all. Returns ``(blob, annotations, diff_id)``."""
    from core.formats import EntryType, FormatKind
    from core.formats._tar import TarStreamReader
    from core.formats._writer import LayerWriter

    assert isinstance(kind, FormatKind)
    src = io.BytesIO(raw)
    out = io.BytesIO()
    reader = TarStreamReader(src.read)
    with LayerWriter(out, kind, chunk_size=64 << 10) as w:
        if kind is FormatKind.ESTARGZ:
            w.add_no_prefetch_landmark()
        while True:
            pad, m = reader.next()
            w.add_meta(pad)
            if m is None:
                break
            w.add_meta(m.raw)
            w.begin_entry(m)
            while data := reader.read_payload(1 << 20):
                if m.type is EntryType.REG:
                    w.add_payload(data)
                else:
                    w.add_meta(data)
            w.end_entry()
        result = w.finish(list(reader.iter_trailing()))
    return out.getvalue(), dict(result.annotations), result.diff_id
