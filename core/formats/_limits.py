"""Decompression limits shared by everything that expands layers: the converter, the unpacker
of full pulls and the lazy reader's chunks.

The policy (all three figures are fields of :class:`DecompressionLimits`, so a caller can
raise them; ``fcaccel convert --max-ratio`` exposes the ratio):

* **Ratio, past a grace.** Real layers expand 2–9:1 (tar of a Debian system's ``/usr/share``
  2.1:1 with gzip -6 and 2.2:1 with zstd -3, ``/usr/include`` 5.6:1 and 8.4:1, ``/var/lib``
  3.5:1 and 3.7:1); the most compressible benign layer measured, 200,000 near-empty files
  (tar headers and padding), reaches 64–73:1 with gzip (levels 6–9) and 67–122:1 with zstd
  (levels 3–19). Zero-filled files (preallocated databases, empty disk images) and repetitive
  text expand like a bomb does, about 1030:1 with gzip (deflate's ceiling) and thousands to
  one with zstd: no ratio separates them. So the first
  ``RATIO_GRACE`` (1 GiB) a layer produces is free, whatever its ratio; past it the layer as
  a whole may not have expanded more than ``MAX_RATIO`` (250:1) times the compressed bytes
  read so far. A layer that is nothing but a zero-filled file of up to 1 GiB passes; a bomb is
  stopped after 1 GiB of output.
* **Absolute size.** ``MAX_UNCOMPRESSED`` (64 GiB) bounds a layer in the converter and the
  whole image in a full pull (what lands on disk). Large GPU images (CUDA plus a framework)
  unpack to 20–30 GiB, Function Compute runs images of up to 10 GB (CPU) or 15 GB (GPU).
* **Chunks.** A lazy read holds a whole chunk in memory, so a seekable layer may not declare
  a chunk larger than ``MAX_CHUNK_SIZE`` (256 MiB; writers use 4 MiB, containers/storage
  splits at a rolling checksum, 64 KiB on average, but keeps a run of zeros in one chunk), and
  decompression of a chunk stops at its declared size. Such a layer is refused when its TOC
  is parsed (:class:`~core.errors.TOCError` naming the entry); a full pull still takes it.

Every refusal is an :class:`~core.errors.UnsafeContent` (chunks: ``TOCError``) whose message
names the layer (or file), the limit's name and its value; ``detail["limit"]`` holds the name.
"""

from __future__ import annotations

import dataclasses

from core.errors import InvalidInput, UnsafeContent

__all__ = [
    "MAX_CHUNK_SIZE",
    "MAX_RATIO",
    "MAX_UNCOMPRESSED",
    "RATIO_GRACE",
    "DecompressionLimits",
]

MAX_UNCOMPRESSED = 64 << 30
MAX_RATIO = 250.0
RATIO_GRACE = 1 << 30
#: Largest uncompressed chunk a seekable layer may declare (a lazy read holds a whole chunk
#: in memory). Writers default to 4 MiB (fcdesk, stargz-snapshotter); containers/storage
#: splits at a rolling checksum (64 KiB on average) but makes a run of zeros one chunk.
MAX_CHUNK_SIZE = 256 << 20


def _size(n: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift} {unit}"
    return f"{n} bytes"


@dataclasses.dataclass(frozen=True, slots=True)
class DecompressionLimits:
    """When a decompressing layer is refused as a decompression bomb (all configurable).

    A layer may produce at most ``max_uncompressed`` bytes, and once it has produced more
    than ``ratio_grace`` bytes, at most ``max_ratio`` times the compressed bytes read so far.
    """

    max_uncompressed: int = MAX_UNCOMPRESSED
    max_ratio: float = MAX_RATIO
    ratio_grace: int = RATIO_GRACE

    def __post_init__(self) -> None:
        if self.max_uncompressed <= 0 or self.max_ratio <= 1 or self.ratio_grace < 0:
            raise InvalidInput(
                "decompression limits must be positive (max_ratio above 1, ratio_grace ≥ 0)"
            )

    def check(self, produced: int, consumed: int, *, layer: str = "", before: int = 0) -> None:
        """Raise :class:`~core.errors.UnsafeContent` (naming ``layer`` and the limit) when a
        layer that has produced ``produced`` bytes from ``consumed`` compressed bytes breaks a
        limit. ``before`` counts what earlier layers of the same image produced: the absolute
        limit then covers the whole image."""
        if before + produced > self.max_uncompressed:
            scope = "with the layers before it, the image " if before else ""
            raise UnsafeContent(
                f"{scope}decompresses to more than {_size(self.max_uncompressed)} (a "
                "decompression bomb, or an image bigger than the limit allows)",
                layer=layer,
                rule="max_uncompressed",
                allow="a higher max_uncompressed",
                limit="max_uncompressed",
                value=self.max_uncompressed,
                produced=before + produced,
                consumed=consumed,
            )
        if produced > self.ratio_grace and produced > self.max_ratio * max(consumed, 1):
            raise UnsafeContent(
                f"expands more than {self.max_ratio:g} times its compressed size ({produced} "
                f"bytes from {consumed}, checked past the first {_size(self.ratio_grace)}; a "
                "decompression bomb?)",
                layer=layer,
                rule="max_ratio",
                allow="a higher max_ratio (fcaccel convert --max-ratio)",
                limit="max_ratio",
                value=self.max_ratio,
                produced=produced,
                consumed=consumed,
            )
