"""Seekable layer formats: zstd:chunked and eStargz.

One TOC model for both formats (:class:`TOC`, :class:`TOCEntry`, :class:`Chunk`), readers that
work through a :class:`RangeFetcher` (``async (start, end) -> bytes``, end exclusive), range
planning for lazy reads, chunk verification, and the writers used by ``core.convert``.

```python
from core.formats import read_toc, plan_ranges, verify_chunk

async def fetch(start: int, end: int) -> bytes:          # any byte source
    return await client.get_blob_range(repo, digest, start, end - start)

toc = await read_toc(fetch, layer.size, layer.annotations)  # verified against the annotation
entry = toc.resolve_hardlink(toc.lookup("usr/bin/app"))
for r in plan_ranges(toc, names=["usr/bin/app"], gap=64 << 10):  # coalesced Range requests
    ...
data = verify_chunk(toc.kind, frame_bytes, entry.chunks[0], name=entry.name)  # or DigestMismatch
```

``toc.entries`` is the merged file view (one entry per path, chunks gathered, landmarks and
the eStargz TOC entry left out); ``toc.prefetch_range`` is the start-up region of optimized
layers (``None`` otherwise); ``toc.verified`` says whether a manifest annotation vouched for
the index.
"""

from core.errors import TarFormatError
from core.formats._estargz import (
    ANNOTATION_TOC_DIGEST,
    ANNOTATION_UNCOMPRESSED_SIZE,
    build_estargz_footer,
    parse_estargz_footer,
)
from core.formats._limits import (
    MAX_CHUNK_SIZE,
    MAX_RATIO,
    MAX_UNCOMPRESSED,
    RATIO_GRACE,
    DecompressionLimits,
)
from core.formats._model import (
    MAX_TOC_SIZE,
    TOC,
    ByteRange,
    Chunk,
    EntryType,
    FormatKind,
    TOCEntry,
    normalize_name,
)
from core.formats._reader import (
    ANNOTATION_PREFETCH_END,
    BytesFetcher,
    RangeFetcher,
    coalesce_ranges,
    decompress_chunk,
    detect_format,
    plan_ranges,
    read_file,
    read_toc,
    verify_chunk,
    verify_file_digest,
)
from core.formats._safety import (
    SymlinkTracker,
    hardlink_target,
    split_name,
    through_symlink,
    unsafe,
)
from core.formats._tar import TarMember, TarStreamReader
from core.formats._writer import DEFAULT_CHUNK_SIZE, LayerWriter, LayerWriteResult
from core.formats._zstdchunked import (
    ANNOTATION_CHECKSUM,
    ANNOTATION_OLD_CHECKSUM,
    ANNOTATION_OLD_POSITION,
    ANNOTATION_POSITION,
    ANNOTATION_TARSPLIT_POSITION,
    ZstdChunkedFooter,
    build_footer,
    parse_footer,
)

__all__ = [
    "ANNOTATION_CHECKSUM",
    "ANNOTATION_OLD_CHECKSUM",
    "ANNOTATION_OLD_POSITION",
    "ANNOTATION_POSITION",
    "ANNOTATION_PREFETCH_END",
    "ANNOTATION_TARSPLIT_POSITION",
    "ANNOTATION_TOC_DIGEST",
    "ANNOTATION_UNCOMPRESSED_SIZE",
    "DEFAULT_CHUNK_SIZE",
    "MAX_CHUNK_SIZE",
    "MAX_RATIO",
    "MAX_TOC_SIZE",
    "MAX_UNCOMPRESSED",
    "RATIO_GRACE",
    "TOC",
    "ByteRange",
    "BytesFetcher",
    "Chunk",
    "DecompressionLimits",
    "EntryType",
    "FormatKind",
    "LayerWriteResult",
    "LayerWriter",
    "RangeFetcher",
    "SymlinkTracker",
    "TOCEntry",
    "TarFormatError",
    "TarMember",
    "TarStreamReader",
    "ZstdChunkedFooter",
    "build_estargz_footer",
    "build_footer",
    "coalesce_ranges",
    "decompress_chunk",
    "detect_format",
    "hardlink_target",
    "normalize_name",
    "parse_estargz_footer",
    "parse_footer",
    "plan_ranges",
    "read_file",
    "read_toc",
    "split_name",
    "through_symlink",
    "unsafe",
    "verify_chunk",
    "verify_file_digest",
]
