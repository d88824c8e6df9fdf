"""Which gzip decoder to use: ISA-L (python-isal) against zlib, on the bench layer.

Usage: python bench/convert/decoders.py [--cache DIR] [--size-gib 1]
Decompresses the cached layer built by run.py with each decoder in 1 MiB input pieces (the
converter's pattern), best of three, and prints MB/s of decompressed output.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import zlib
from pathlib import Path

from isal import igzip_lib


def decode(path: Path, make: object) -> tuple[float, int]:
    best = float("inf")
    total = 0
    for _ in range(3):
        d = make()  # type: ignore[operator]
        total = 0
        t0 = time.perf_counter()
        with open(path, "rb", buffering=0) as f:
            while piece := f.read(1 << 20):
                total += len(d.decompress(piece))
        best = min(best, time.perf_counter() - t0)
    return best, total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "fcdesk-bench-convert"))
    ap.add_argument("--size-gib", type=float, default=1.0)
    args = ap.parse_args()
    layer = Path(args.cache) / f"layer-v2-{args.size_gib:g}g.tar.gz"
    if not layer.exists():
        raise SystemExit(f"{layer} is missing: run bench/convert/run.py first")
    results = {
        "isal (igzip)": decode(
            layer, lambda: igzip_lib.IgzipDecompressor(flag=igzip_lib.DECOMP_GZIP)
        ),
        "zlib": decode(layer, lambda: zlib.decompressobj(31)),
    }
    for name, (t, n) in results.items():
        print(f"{name:14s} {t:6.2f} s  {n / t / 1e6:7.0f} MB/s")
    print(f"isal speed-up: {results['zlib'][0] / results['isal (igzip)'][0]:.2f}x")


if __name__ == "__main__":
    main()
