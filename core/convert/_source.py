"""Decompressing layer sources with bomb limits: gzip (ISA-L), zstd or plain tar."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any, cast

import zstandard
from isal import igzip_lib

from core.convert._options import Limits
from core.errors import ConvertError
from core.oci import Compression

__all__ = ["DecompressingReader"]

_IN = 1 << 20
_GZIP_ERRORS: tuple[type[BaseException], ...] = (
    cast(type[BaseException], igzip_lib.IsalError),
    OSError,
    EOFError,
    ValueError,
)


class DecompressingReader:
    """``read(n)`` over the decompressed layer, counting both sides and enforcing ``limits``.

    ``raw`` is a ``read(n)`` callable over the compressed blob. Errors name ``layer``.
    """

    def __init__(
        self,
        raw: Callable[[int], bytes],
        compression: Compression,
        limits: Limits,
        *,
        layer: str = "",
    ) -> None:
        self._raw = raw
        self.compression = compression
        self._limits = limits
        self._layer = layer
        self.compressed = 0
        self.uncompressed = 0
        self._buf = b""
        self._eof = False
        self._gz: Any = None
        self._zst: Any = None
        if compression is Compression.GZIP:
            self._gz = igzip_lib.IgzipDecompressor(flag=igzip_lib.DECOMP_GZIP)
            self._gz_members = 0
        elif compression is Compression.ZSTD:
            self._zst = zstandard.ZstdDecompressor().stream_reader(
                cast(IO[bytes], _CountingRaw(self)), read_size=_IN, read_across_frames=True
            )

    def _read_raw(self, n: int) -> bytes:
        data = self._raw(n)
        self.compressed += len(data)
        return data

    def _check(self, produced: int) -> None:
        self.uncompressed += produced
        self._limits.check(self.uncompressed, self.compressed, layer=self._layer)

    def read(self, n: int) -> bytes:
        if n <= 0:
            return b""
        if self.compression is Compression.NONE:
            data = self._read_raw(n)
            self._check(len(data))
            return data
        if self.compression is Compression.ZSTD:
            try:
                data = self._zst.read(n)
            except zstandard.ZstdError as exc:
                raise ConvertError(
                    f"layer {self._layer}: corrupt zstd data: {exc}", layer=self._layer
                ) from exc
            self._check(len(data))
            return bytes(data)
        return self._read_gzip(n)

    def _read_gzip(self, n: int) -> bytes:
        d = self._gz
        while True:
            if self._eof:
                return b""
            if d.eof:
                rest = d.unused_data
                if not rest:
                    rest = self._read_raw(_IN)
                rest = rest.lstrip(b"\x00") if rest[:2] != b"\x1f\x8b" else rest
                while not rest:
                    more = self._read_raw(_IN)
                    if not more:
                        self._eof = True
                        return b""
                    rest = more.lstrip(b"\x00")
                if rest[:2] != b"\x1f\x8b":
                    raise ConvertError(
                        f"layer {self._layer}: garbage after the gzip stream", layer=self._layer
                    )
                d = self._gz = igzip_lib.IgzipDecompressor(flag=igzip_lib.DECOMP_GZIP)
                data_in = rest
            elif d.needs_input:
                data_in = self._read_raw(_IN)
                if not data_in:
                    raise ConvertError(
                        f"layer {self._layer}: gzip data is truncated", layer=self._layer
                    )
            else:
                data_in = b""
            try:
                out = d.decompress(data_in, n)
            except _GZIP_ERRORS as exc:
                raise ConvertError(
                    f"layer {self._layer}: corrupt gzip data: {exc}", layer=self._layer
                ) from exc
            if out:
                self._check(len(out))
                return bytes(out)


class _CountingRaw:
    """File-like view of the raw source for python-zstandard's stream reader."""

    def __init__(self, owner: DecompressingReader) -> None:
        self._owner = owner

    def read(self, n: int = -1) -> bytes:
        return self._owner._read_raw(n if n > 0 else _IN)
