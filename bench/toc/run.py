"""Benchmark: what an image's TOCs cost before a lazy start can begin — fetch, decode, merge,
mount — for a synthetic 50,000-entry layer and for any accelerated image.

Usage: python bench/toc/run.py [--entries 50000] [--image REF ...] [--runs 5] [--json FILE]

* ``--entries N`` (default 50,000; 0 skips it): a synthetic layer of N entries (directories
  of 24 small text files each, as a Python ``site-packages``), imported and converted into a
  private ``docker-registry`` on loopback, zstd:chunked, preserve order.
* ``--image REF``: an accelerated image already in a registry (e.g. the Debian root filesystem
  built by ``bench/lazypull/image.py``: 49,000 entries).

Each run opens the image cold (fresh cache, fresh connection, the manifest already resolved):
``fetch`` = every layer's TOC bytes over loopback HTTP (concurrent, as the lazy reader does),
``open`` = :meth:`LazyImage.open` again (TOC fetch + decode + verify + parse, then ``merge``),
``mount`` = :class:`LazyMount` start with a pre-started helper (tree tables built and handed
over, helper decodes them, the kernel mount). Wall time and this process's CPU time for
each, best and median of ``--runs``, and the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import shutil
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.coldstart.run import private_registry  # noqa: E402
from core.convert import ConvertOptions, convert_image  # noqa: E402
from core.pull import (  # noqa: E402
    ContentCache,
    LazyImage,
    LazyMount,
    close_mount_helpers,
    fuse_available,
    prewarm_mount_helper,
    resolve_image,
)
from core.registry import ImportOptions, RegistryClient, import_rootfs  # noqa: E402


def synthetic_tar(path: Path, entries: int) -> None:
    """``entries`` entries: directories of 24 small text files (a site-packages shape)."""
    rng = random.Random(1)
    words = [
        bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz_") for _ in range(rng.randint(3, 10)))
        for _ in range(2000)
    ]
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        n = d = 0
        while n < entries:
            name = f"usr/lib/python3/dist-packages/pkg{d // 40}/sub{d % 40}"
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 1_700_000_000
            tar.addfile(info)
            n += 1
            d += 1
            for k in range(min(24, entries - n)):
                data = b" ".join(rng.choice(words) for _ in range(rng.randint(20, 600)))
                info = tarfile.TarInfo(f"{name}/mod{k}.py")
                info.size, info.mode, info.mtime = len(data), 0o644, 1_700_000_000
                tar.addfile(info, io.BytesIO(data))
                n += 1


async def synthetic_image(host: str, entries: int, work: Path) -> str:
    tar = work / "synthetic.tar"
    await asyncio.to_thread(synthetic_tar, tar, entries)
    plain = f"{host}/bench/toc-{entries}:latest"
    async with RegistryClient(host) as client:
        await import_rootfs(str(tar), plain, options=ImportOptions(), client=client)
        result = await convert_image(client, plain, options=ConvertOptions())
    return result.target


async def one_run(ref: str, work: Path, mount: bool) -> dict[str, float]:
    cpu = time.process_time
    out: dict[str, float] = {}
    async with RegistryClient(ref.split("/", 1)[0]) as client:
        resolved = await resolve_image(client, ref)
        # Fetch only: every TOC's bytes, concurrently.
        cache = ContentCache(work / "cache-fetch")
        probe = await LazyImage.open(client, ref, cache=cache, resolved=resolved)
        ranges = [(s.descriptor.digest, s.toc.toc_range) for s in probe.sources if s.toc]
        await probe.aclose()
        repo = resolved.reference.repository
        c0, t0 = cpu(), time.monotonic()
        await asyncio.gather(
            *(client.get_blob_range(repo, d, r.start, r.length, whole_ok=False) for d, r in ranges)
        )
        out["fetch_s"], out["fetch_cpu_s"] = time.monotonic() - t0, cpu() - c0
    if mount:
        await prewarm_mount_helper()
    async with RegistryClient(ref.split("/", 1)[0]) as client:
        cache = ContentCache(work / f"cache-{time.monotonic_ns()}")
        c0, t0 = cpu(), time.monotonic()
        image = await LazyImage.open(client, ref, cache=cache, resolved=resolved)
        c1, t1 = cpu(), time.monotonic()
        out["open_s"], out["open_cpu_s"] = t1 - t0, c1 - c0
        out["toc_s"], out["merge_s"] = image.timings["toc"], image.timings["merge"]
        out["entries"] = float(sum(len(s.toc) for s in image.sources if s.toc))
        out["toc_bytes"] = float(image.metrics.toc_bytes)
        if mount:
            lazy_mount = LazyMount(image, work / f"mnt-{time.monotonic_ns()}", record=False)
            c2, t2 = cpu(), time.monotonic()
            await lazy_mount.start()
            out["mount_s"], out["mount_cpu_s"] = time.monotonic() - t2, cpu() - c2
            out["total_s"] = time.monotonic() - t0
            out["total_cpu_s"] = cpu() - c0
            os.listdir(lazy_mount.mountpoint)  # the mount answers
            await lazy_mount.stop()
        await image.aclose()
        shutil.rmtree(cache.root, ignore_errors=True)
    return out


def summary(runs: list[dict[str, float]]) -> dict[str, Any]:
    keys = sorted({k for r in runs for k in r})
    return {
        k: {"best": min(r[k] for r in runs), "median": statistics.median(r[k] for r in runs)}
        for k in keys
    }


def show(label: str, s: dict[str, Any]) -> None:
    entries = int(s["entries"]["best"])
    print(f"{label}: {entries:,} entries, TOCs {s['toc_bytes']['best'] / 2**20:.2f} MiB")
    for key, name in (
        ("fetch", "fetch (TOC bytes only)"),
        ("open", "open (fetch+decode+merge)"),
        ("toc", "  of which TOCs"),
        ("merge", "  of which merge"),
        ("mount", "mount"),
        ("total", "open + mount"),
    ):
        if f"{key}_s" not in s:
            continue
        wall = s[f"{key}_s"]
        line = f"  {name:<28} wall best {wall['best']:.3f}s median {wall['median']:.3f}s"
        if f"{key}_cpu_s" in s:
            c = s[f"{key}_cpu_s"]
            line += f"   CPU best {c['best']:.3f}s median {c['median']:.3f}s"
        print(line)


async def main(args: argparse.Namespace) -> int:
    mount = fuse_available() is None
    if not mount:
        print(f"no mounts here ({fuse_available()}): mount not measured", file=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix="bench-toc-", dir=args.workdir))
    report: dict[str, Any] = {"load_before": os.getloadavg()}
    try:
        targets = list(args.image or [])
        registry_root = work / "registry"
        registry_root.mkdir()
        with private_registry(registry_root) as host:
            if args.entries:
                print(f"building a synthetic {args.entries:,}-entry image …", file=sys.stderr)
                targets.insert(0, await synthetic_image(host, args.entries, work))
            for ref in targets:
                runs = [await one_run(ref, work, mount) for _ in range(args.runs)]
                report[ref] = {"runs": runs, "summary": summary(runs)}
                show(ref, report[ref]["summary"])
        await close_mount_helpers()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report["load_after"] = os.getloadavg()
    print(f"load average: {' '.join(f'{x:.2f}' for x in report['load_after'])}")
    if args.json:
        await asyncio.to_thread(Path(args.json).write_text, json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--image", action="append", metavar="REF")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", metavar="DIR")
    parser.add_argument("--json", metavar="FILE")
    sys.exit(asyncio.run(main(parser.parse_args())))
