"""``fcaccel pull``: pull an image in full (unpacked root filesystem) or lazily."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import time
from pathlib import Path
from typing import Any

import httpx

from core._progress import Progress
from core.cli._args import human_bytes, registry_credentials
from core.cli._status import end_progress, progress_line
from core.coldstart import LinkSpec, ShapedTransport, startup_profile_for
from core.oci import ImageReference
from core.pull import ContentCache, LazyImage, LazyMount, pull_image
from core.registry import RegistryClient

__all__ = ["register"]


class _Printer:
    """One status line per layer (bandwidth, ETA), redrawn at most 4 times a second."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.last = 0.0

    def __call__(self, p: Progress) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        final = p.total is not None and p.done >= p.total
        if now - self.last < 0.25 and not final:
            return
        self.last = now
        if p.phase == "download":
            pct = f"{100 * p.done / p.total:5.1f}%" if p.total else "     "
            rate = p.extra.get("bytes_per_second") or 0
            eta = p.extra.get("eta_s")
            eta_text = f"ETA {eta:5.1f}s" if eta is not None else ""
            line = (
                f"layer {p.extra.get('layer', 0) + 1} {p.item[7:19]} {pct} "
                f"{human_bytes(p.done)} / {human_bytes(p.total or 0)} "
                f"{human_bytes(rate)}/s {eta_text}"
            )
        elif p.phase in ("unpack", "toc", "resolve"):
            line = f"{p.phase} {p.done}/{p.total}"
        elif p.phase == "prefetch":
            line = f"prefetch {human_bytes(p.done)}"
        else:
            return
        progress_line(line, live=True)


async def _run(args: argparse.Namespace) -> int:
    ref = ImageReference.parse(args.image)
    link = LinkSpec.parse(args.link)
    cache = ContentCache(args.cache) if args.cache else ContentCache()
    printer = _Printer(args.json)
    transport = ShapedTransport(link)
    async with httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(60.0)) as http:
        registry = RegistryClient(
            ref.registry,
            http=http,
            credentials=registry_credentials(args.creds),
            insecure=True if args.insecure else None,
        )
        started = time.monotonic()
        report: dict[str, Any]
        if not args.lazy:
            dest = Path(args.dest or f"rootfs-{ref.repository.rsplit('/', 1)[-1]}")
            result = await pull_image(
                registry, ref, dest, cache=cache, concurrency=args.jobs, on_progress=printer
            )
            report = result.as_dict()
        else:
            image = await LazyImage.open(registry, ref, cache=cache, on_progress=printer)
            try:
                if args.prefetch:
                    profile = await startup_profile_for(image.resolved, registry, cache)
                    report_prefetch = (await image.prefetch(profile)).as_dict()
                else:
                    report_prefetch = None
                if args.mount:
                    async with LazyMount(
                        image, args.mount, record=True, allow_other=args.allow_other
                    ) as mount:
                        progress_line(
                            f"mounted at {mount.mountpoint}; Ctrl-C to unmount", live=True
                        )
                        end_progress()
                        if args.fill:
                            image.start_background_fill()
                        await _wait_for_signal()
                        profile_paths = mount.profile()
                else:
                    profile_paths = []
                    if args.fill:
                        await image.start_background_fill()
                report = image.report()
                report["prefetch"] = report_prefetch
                if profile_paths:
                    report["opened_files"] = profile_paths
            finally:
                await image.aclose()
        report["seconds"] = time.monotonic() - started
        report["link"] = link.as_dict()
        report["traffic"] = transport.stats.snapshot()
    end_progress()
    if args.json:
        print(json.dumps(report, indent=2))
    elif not args.lazy:
        print(
            f"{report['reference']} → {report['rootfs']}: "
            f"{human_bytes(report['bytes_downloaded'])} "
            f"downloaded ({report['cache_hits']} layers cached) in {report['seconds']:.2f}s "
            f"(resolve {report['timings']['resolve']:.2f}s, pull {report['timings']['pull']:.2f}s, "
            f"unpack {report['timings']['unpack']:.2f}s)"
        )
    else:
        m = report["metrics"]
        print(
            f"{report['reference']}: {len(report['layers'])} layers, fetched "
            f"{human_bytes(m['bytes_fetched'])} = {100 * m['fetched_share']:.2f} % of "
            f"{human_bytes(m['image_size'])} (TOC {human_bytes(m['toc_bytes'])}, prefetch "
            f"{human_bytes(m['prefetch_bytes'])}, on demand {human_bytes(m['on_demand_bytes'])} in "
            f"{m['on_demand_fetches']} fetches, background {human_bytes(m['background_bytes'])}), "
            f"{m['cache_hits']} cache hits, {m['fallbacks']} fallbacks, "
            f"{report['traffic']['requests']} requests, {report['seconds']:.2f}s"
        )
    return 0


async def _wait_for_signal() -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "pull",
        help="pull an image in full (unpacked) or lazily (TOCs, chunks on demand, FUSE mount)",
        description="Full pull: every layer downloaded concurrently (verified, resumable, "
        "cached by digest) and unpacked into DEST with whiteouts applied. --lazy: read the "
        "accelerated image's TOCs, optionally prefetch its start-up set, mount it read-only "
        "(--mount) or fetch everything in the background (--fill), and report what was "
        "fetched.",
    )
    p.add_argument("image", metavar="IMAGE", help="HOST/REPO:TAG or HOST/REPO@DIGEST")
    p.add_argument("--dest", metavar="DIR", help="root filesystem directory (full pull)")
    p.add_argument("--lazy", action="store_true", help="lazy pull of an accelerated image")
    p.add_argument("--prefetch", action="store_true", help="lazy: fetch the start-up set")
    p.add_argument("--mount", metavar="DIR", help="lazy: mount read-only until Ctrl-C")
    p.add_argument("--fill", action="store_true", help="lazy: fetch the rest in background")
    p.add_argument(
        "--allow-other",
        action="store_true",
        help="lazy: let other users read the mount (needs user_allow_other in /etc/fuse.conf "
        "unless run as root)",
    )
    p.add_argument("--cache", metavar="DIR", help="content cache (default: user cache dir)")
    p.add_argument("--jobs", type=int, default=4, help="concurrent layer downloads")
    p.add_argument("--link", default="", metavar="SPEC", help="emulate a link, e.g. 100mbit,20ms")
    p.add_argument("--creds", default=None, metavar="USER[:PASSWORD]")
    p.add_argument("--insecure", action="store_true", help="plain HTTP to the registry")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.set_defaults(func=_run)
