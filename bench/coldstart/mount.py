"""Benchmark: what serving a start through the FUSE mount costs, the link left out.

Usage: python bench/coldstart/mount.py --image HOST/REPO:TAG [--runs 3] [--subtree PATH ...]
                                       [--only start|walk] [--workdir DIR] [--json FILE]

``--image`` is a plain image whose ``<tag>_accelerated`` twin is in the same registry (e.g.
node-api after ``bench/coldstart/run.py``). Set-up, not timed: the plain image pulled and
unpacked on the local disk (the reference), every chunk of the twin fetched into a private
cache (so no read through the mount waits for the network: what is left is the mount's own
cost). Then ``--runs`` rounds, alternating local disk and a fresh mount (new helper, cold
kernel caches for the mount; the chunk files and the local tree in the page cache):

* ``start``: the image's entrypoint in the sandbox bench/coldstart uses, until its first
  invocation answered;
* ``walk``: ``find SUBTREE -type f -exec cat {} +`` for each ``--subtree`` (default the
  Node.js and Python module folders that exist in the image).

``--only`` runs one of the two.

For each mount the helper counts the requests it served by operation (``negative_lookup``:
lookups of names that do not exist) with the seconds its handlers took, and its CPU time;
the report gives requests per run and CPU per request. The load average is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.coldstart import LocalStart  # noqa: E402
from core.oci import ImageReference  # noqa: E402
from core.pull import (  # noqa: E402
    ContentCache,
    LazyImage,
    LazyMount,
    close_mount_helpers,
    fuse_available,
    prewarm_mount_helper,
)
from core.registry import RegistryClient  # noqa: E402

SUBTREES = ("usr/share/nodejs", "usr/lib/node_modules", "usr/lib/python3/dist-packages")


def _walk(root: Path, subtrees: list[str]) -> float:
    t0 = time.monotonic()
    for sub in subtrees:
        subprocess.run(
            ["find", str(root / sub), "-type", "f", "-exec", "cat", "{}", "+"],
            stdout=subprocess.DEVNULL,
            check=True,
        )
    return time.monotonic() - t0


async def _mounted(
    lazy: LazyImage, local: LocalStart, mnt: Path, what: str, subtrees: list[str]
) -> tuple[float, dict[str, Any] | None]:
    await prewarm_mount_helper()
    mount = LazyMount(lazy, mnt, record=False, count_requests=True)
    await mount.start()
    try:
        if what == "start":
            spec = dataclasses.replace(local.spec, rootfs=mnt)
            seconds = await dataclasses.replace(local, spec=spec, ready=[], first=[]).once()
        else:
            seconds = await asyncio.to_thread(_walk, mnt, subtrees)
    finally:
        await mount.stop()
    return seconds, mount.request_stats


def _summary(stats: list[dict[str, Any]]) -> dict[str, Any]:
    ops: dict[str, list[int]] = {}
    for s in stats:
        for name, (n, _) in s["requests"].items():
            ops.setdefault(name, []).append(n)
    total = [sum(n for k, (n, _) in s["requests"].items() if k != "negative_lookup") for s in stats]
    cpu = [s["cpu_s"] for s in stats]
    return {
        "requests": {k: statistics.median(v) for k, v in sorted(ops.items())},
        "requests_total": statistics.median(total),
        "helper_cpu_s": statistics.median(cpu),
        "cpu_us_per_request": 1e6
        * statistics.median(c / max(t, 1) for c, t in zip(cpu, total, strict=True)),
    }


async def bench(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    ref = ImageReference.parse(args.image)
    twin = ref.with_tag(f"{ref.tag}_accelerated")
    async with httpx.AsyncClient(timeout=httpx.Timeout(120.0)) as http:
        registry = RegistryClient(ref.registry, http=http, insecure=True)
        local = await LocalStart.prepare(
            registry, str(ref), work / "local", function_name="mount-bench"
        )
        # A fresh cache filled by this process: its chunks are verified here, as in a cold
        # start (where they arrive by the prefetch stream or on demand).
        await asyncio.to_thread(shutil.rmtree, work / "twin-cache", True)
        lazy = await LazyImage.open(registry, twin, cache=ContentCache(work / "twin-cache"))
        try:
            await lazy.start_background_fill()
            subtrees = args.subtree or [s for s in SUBTREES if (local.rootfs / s).is_dir()]
            mnt = work / "mnt"
            mnt.mkdir(exist_ok=True)
            kinds = [args.only] if args.only else ["start", "walk"]
            results: dict[str, dict[str, list[Any]]] = {
                w: {"local": [], "mount": [], "stats": []} for w in kinds
            }
            for run in range(args.runs):
                for what in kinds:
                    if what == "start":
                        local_s = await local.once()
                    else:
                        local_s = await asyncio.to_thread(_walk, local.rootfs, subtrees)
                    mount_s, stats = await _mounted(lazy, local, mnt, what, subtrees)
                    results[what]["local"].append(local_s)
                    results[what]["mount"].append(mount_s)
                    if stats is not None:
                        results[what]["stats"].append(stats)
                    print(
                        f"run {run + 1} {what}: local {local_s:.3f}s, mount {mount_s:.3f}s, "
                        f"helper {stats}",
                        flush=True,
                    )
        finally:
            await lazy.aclose()
            await close_mount_helpers()
            await local.remove()
    report: dict[str, Any] = {"image": str(twin), "subtrees": subtrees, "load": os.getloadavg()}
    for what, r in results.items():
        report[what] = {
            "local_s": statistics.median(r["local"]),
            "mount_s": statistics.median(r["mount"]),
            "ratio": statistics.median(r["mount"]) / statistics.median(r["local"]),
            "runs": r,
            **(_summary(r["stats"]) if r["stats"] else {}),
        }
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--subtree", action="append")
    parser.add_argument("--only", choices=("start", "walk"))
    parser.add_argument("--workdir")
    parser.add_argument("--json")
    args = parser.parse_args()
    reason = fuse_available()
    if reason is not None:
        raise SystemExit(reason)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="fcdesk-mountbench-"))
    work.mkdir(parents=True, exist_ok=True)
    report = asyncio.run(bench(args, work))
    for what in [args.only] if args.only else ["start", "walk"]:
        r = report[what]
        print(
            f"{what}: local {r['local_s']:.3f}s, mount {r['mount_s']:.3f}s "
            f"({r['ratio']:.2f}x); {r.get('requests_total')} requests {r.get('requests')}, "
            f"helper CPU {r.get('helper_cpu_s')}s = {r.get('cpu_us_per_request')} us/request"
        )
    print("load average: " + " / ".join(f"{x:.2f}" for x in report["load"]))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
