"""Writing a race as images: one PNG, a numbered sequence of PNG frames, and an animated PNG.

The animation is an APNG (animated PNG, the ``acTL``/``fcTL``/``fdAT`` chunks of the APNG
specification) assembled from the frames Qt already encoded: each frame's ``IDAT`` data is
re-wrapped as ``fdAT`` with a sequence number. No image library is needed, the file is a
valid PNG for viewers that do not animate (they show the first frame), and browsers play it.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage

from core import atomic_write

__all__ = ["encode_png", "png_chunks", "write_apng", "write_frames"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def encode_png(image: QImage) -> bytes:
    """``image`` as PNG bytes (32-bit RGB, so every frame shares one header)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    frame = image.convertToFormat(QImage.Format.Format_RGB32)
    # PySide's stubs say ``format`` is bytes; at run time only a str is accepted.
    ok = frame.save(buffer, "PNG")  # type: ignore[call-overload]
    buffer.close()
    if not ok:
        raise OSError("Qt could not encode the frame as PNG")
    out = bytes(data.data())
    del buffer  # before the byte array it writes into
    return out


def png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """``[(type, data), ...]`` of a PNG; raises `ValueError` for anything else."""
    if not png.startswith(_SIGNATURE):
        raise ValueError("not a PNG")
    out = []
    pos = len(_SIGNATURE)
    while pos + 8 <= len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        data = png[pos + 8 : pos + 8 + length]
        if len(data) != length:
            raise ValueError("truncated PNG chunk")
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        if zlib.crc32(kind + data) != crc:
            raise ValueError(f"bad CRC in PNG chunk {kind!r}")
        out.append((kind, data))
        pos += 12 + length
        if kind == b"IEND":
            break
    return out


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def write_apng(path: Path, frames: Sequence[bytes], delay_ms: int | Sequence[int]) -> None:
    """An endlessly looping APNG of ``frames`` (PNG bytes of one size), ``delay_ms`` each."""
    if not frames:
        raise ValueError("no frames")
    delays = [delay_ms] * len(frames) if isinstance(delay_ms, int) else list(delay_ms)
    if len(delays) != len(frames):
        raise ValueError("one delay per frame")
    parsed = [png_chunks(f) for f in frames]
    header = next(d for k, d in parsed[0] if k == b"IHDR")
    width, height = struct.unpack(">II", header[:8])
    out = bytearray(_SIGNATURE)
    out += _chunk(b"IHDR", header)
    out += _chunk(b"acTL", struct.pack(">II", len(frames), 0))
    seq = 0
    for index, chunks in enumerate(parsed):
        if next(d for k, d in chunks if k == b"IHDR") != header:
            raise ValueError(f"frame {index} differs in size or colour type")
        idat = b"".join(d for k, d in chunks if k == b"IDAT")
        delay = max(1, min(65535, int(delays[index])))
        out += _chunk(
            b"fcTL",
            struct.pack(">IIIIIHHBB", seq, width, height, 0, 0, delay, 1000, 0, 0),
        )
        seq += 1
        if index == 0:
            out += _chunk(b"IDAT", idat)
        else:
            out += _chunk(b"fdAT", struct.pack(">I", seq) + idat)
            seq += 1
    out += _chunk(b"IEND", b"")
    atomic_write(path, bytes(out))


def write_frames(directory: Path, frames: Iterable[bytes], prefix: str = "frame") -> list[Path]:
    """``prefix_0000.png``, ``prefix_0001.png`` … in ``directory``; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, png in enumerate(frames):
        path = directory / f"{prefix}_{i:04d}.png"
        path.write_bytes(png)
        paths.append(path)
    return paths
