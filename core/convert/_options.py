"""Conversion options, safety limits and the policy for questionable archive entries."""

from __future__ import annotations

import dataclasses
import enum
import os

from core.errors import InvalidInput
from core.formats import DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, DecompressionLimits, FormatKind

__all__ = ["ConvertOptions", "Limits", "Order"]


class Order(enum.StrEnum):
    """Entry order of converted layers.

    ``PRESERVE`` keeps the tar stream byte for byte (zstd:chunked keeps ``diff_ids``);
    ``OPTIMIZED`` moves the start-up profile's files (with their parent directories and hard
    link targets) to the front, followed by a prefetch boundary, and rewrites ``diff_ids``.
    """

    PRESERVE = "preserve"
    OPTIMIZED = "optimized"


@dataclasses.dataclass(frozen=True, slots=True)
class Limits(DecompressionLimits):
    """Limits that protect the converter from hostile layers (all configurable).

    A layer whose decompressed size exceeds ``max_uncompressed`` bytes, or whose
    decompressed/compressed ratio exceeds ``max_ratio`` once more than ``ratio_grace`` bytes
    were produced, is refused as a decompression bomb; the defaults are shared with full
    pulls (:class:`core.formats.DecompressionLimits`: 64 GiB, 250:1 past 1 GiB). PAX and
    GNU long-name records larger than ``max_header_size`` and names longer than
    ``max_name_length`` bytes are refused; so are more than ``max_trailing`` bytes after the
    end-of-archive marker.
    """

    max_header_size: int = 1 << 20
    max_name_length: int = 4096
    max_trailing: int = 1 << 20
    max_entries: int = 2_000_000


@dataclasses.dataclass(frozen=True, slots=True)
class ConvertOptions:
    """How to convert.

    ``profile`` lists start-up paths in access order (only used with ``Order.OPTIMIZED``).
    ``chunk_size`` is the largest uncompressed chunk of a file; ``level`` the zstd level
    (zstd:chunked) or ISA-L level 0–3 (eStargz); ``threads`` the compression threads.
    Entry policy: the safety policy of `core.formats` (what a reader would refuse is refused,
    everything else is kept as it is: device nodes, FIFOs, setuid bits, symlinks whatever
    their target); its limits are ``limits``.
    """

    format: FormatKind = FormatKind.ZSTD_CHUNKED
    order: Order = Order.PRESERVE
    profile: tuple[str, ...] = ()
    chunk_size: int = DEFAULT_CHUNK_SIZE
    level: int | None = None
    threads: int = dataclasses.field(default_factory=lambda: os.cpu_count() or 2)
    limits: Limits = dataclasses.field(default_factory=Limits)
    spool_dir: str | None = None

    def __post_init__(self) -> None:
        if self.chunk_size < 64 << 10 or self.chunk_size > MAX_CHUNK_SIZE:
            # Readers refuse larger chunks (a lazy read holds a whole chunk in memory).
            raise InvalidInput(f"chunk_size must be between 64 KiB and {MAX_CHUNK_SIZE >> 20} MiB")
        if self.threads < 1:
            raise InvalidInput("threads must be at least 1")
