"""Measured cold starts and comparisons (the engine of ``fcaccel coldstart``).

Every run is cold: a fresh content cache, a fresh HTTP connection pool behind a fresh
:class:`~core.coldstart.ShapedTransport` (so connection set-up is paid again), a fresh mount.
Two ways to run the function:

* **exec** (Linux with FUSE and bubblewrap): the image's real entrypoint starts in a sandbox
  (:class:`~core.coldstart.SandboxInstance`), ``start`` ends when its port answers HTTP, and
  ``first-invoke`` when ``POST /invoke`` answered;
* **replay** (elsewhere): the start-up profile's files are read, in order, through the lazy
  reader (or from the unpacked root filesystem of a full pull); there is no process, so there
  is no ``first-invoke`` phase. Reports say which mode ran.

The FUSE helper is started before the clock starts (``prewarm``), as a lazy-pull snapshotter
daemon is already running on a real node.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from core._progress import ProgressCallback
from core.coldstart._instance import InstanceConfig, SandboxInstance, startup_profile_for
from core.coldstart._link import LinkSpec, ShapedTransport
from core.coldstart._sandbox import sandbox_available
from core.coldstart._timeline import Timeline, TimelineRecorder, summarize
from core.errors import ColdStartError, CoreError, InvalidInput
from core.oci import ImageReference
from core.pull import (
    ContentCache,
    LazyImage,
    close_mount_helpers,
    fuse_available,
    is_lazy_pullable,
    prewarm_mount_helper,
    pull_image,
    resolve_image,
)
from core.registry import RegistryClient

__all__ = ["ColdStartOptions", "Comparison", "cold_start", "compare", "exec_available"]


def exec_available() -> str | None:
    """``None`` when exec mode can run here, otherwise why not."""
    return sandbox_available() or fuse_available()


@dataclass(frozen=True, slots=True)
class ColdStartOptions:
    """How to run cold starts.

    ``run_mode``: ``auto`` (exec when available, else replay), ``exec`` or ``replay``.
    ``mode``: ``auto`` (lazy for accelerated images, full otherwise), ``lazy`` or ``full``.
    ``profile`` replaces the image's start-up profile (replay reads and prefetch).
    """

    link: LinkSpec = field(default_factory=LinkSpec)
    run_mode: str = "auto"
    mode: str = "auto"
    event: bytes = b'{"source": "fcaccel coldstart"}'
    credentials: tuple[str, str] | None = None
    insecure: bool | None = None
    prewarm: bool = True
    profile: Sequence[str] | None = None
    function_name: str = "coldstart"

    def resolved_run_mode(self) -> str:
        if self.run_mode not in ("auto", "exec", "replay"):
            raise InvalidInput(f"run mode must be auto, exec or replay, not {self.run_mode!r}")
        if self.run_mode == "replay":
            return "replay"
        reason = exec_available()
        if reason is None:
            return "exec"
        if self.run_mode == "exec":
            raise ColdStartError(f"exec mode is not available here: {reason}", code="NoExec")
        return "replay"


async def cold_start(
    image: str,
    *,
    workdir: str | Path,
    options: ColdStartOptions | None = None,
    on_progress: ProgressCallback | None = None,
    keep_helper: bool = False,
) -> Timeline:
    """One cold start of ``image``; returns its timeline (``error`` set if it failed).

    ``keep_helper``: leave an unused pre-started FUSE helper for the next run (then call
    :func:`~core.pull.close_mount_helpers` when done, as :func:`compare` does).
    """
    opts = options or ColdStartOptions()
    run_mode = opts.resolved_run_mode()
    run_dir = Path(workdir) / f"run-{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(run_dir.mkdir, parents=True)
    ref = ImageReference.parse(image)
    if run_mode == "exec" and opts.prewarm and opts.mode != "full":
        await prewarm_mount_helper()
    transport = ShapedTransport(opts.link)
    try:
        async with httpx.AsyncClient(
            transport=transport, timeout=httpx.Timeout(60.0), follow_redirects=False
        ) as http:
            registry = RegistryClient(
                ref.registry, http=http, credentials=opts.credentials, insecure=opts.insecure
            )
            cache = ContentCache(run_dir / "cache")
            if run_mode == "exec":
                return await _exec(image, registry, cache, run_dir, transport, opts, on_progress)
            return await _replay(image, registry, cache, run_dir, transport, opts, on_progress)
    finally:
        if not keep_helper:
            await close_mount_helpers()
        await asyncio.to_thread(shutil.rmtree, run_dir, True)


async def _exec(
    image: str,
    registry: RegistryClient,
    cache: ContentCache,
    run_dir: Path,
    transport: ShapedTransport,
    opts: ColdStartOptions,
    on_progress: ProgressCallback | None,
) -> Timeline:
    config = InstanceConfig(
        image=image,
        function_name=opts.function_name,
        mode=opts.mode,
        profile=opts.profile,
        background_fill=False,  # nothing may compete with start-up inside the measurement
    )
    instance: SandboxInstance | None = None
    try:
        instance = await SandboxInstance.start(
            config,
            registry=registry,
            cache=cache,
            workdir=run_dir / "instances",
            traffic=transport.stats,
            link=opts.link.as_dict(),
            on_progress=on_progress,
        )
        result = await instance.invoke(opts.event)
        if result.status >= 500:
            instance.timeline.error = f"first invoke answered HTTP {result.status}"
        return instance.timeline
    except CoreError as exc:
        timeline = Timeline(image, "unknown", "exec", link=opts.link.as_dict())
        timeline.error = f"{exc.code}: {exc}"
        return timeline
    finally:
        if instance is not None:
            await instance.stop(grace=0.5)


async def _replay(
    image: str,
    registry: RegistryClient,
    cache: ContentCache,
    run_dir: Path,
    transport: ShapedTransport,
    opts: ColdStartOptions,
    on_progress: ProgressCallback | None,
) -> Timeline:
    stats = transport.stats
    timeline = Timeline(image, "pending", "replay", link=opts.link.as_dict())
    rec = TimelineRecorder(
        timeline, counters=lambda: (stats.bytes_down, stats.requests), on_progress=on_progress
    )
    lazy: LazyImage | None = None
    try:
        rec.begin("resolve")
        resolved = await resolve_image(registry, image)
        rec.end(manifest=str(resolved.digest), image_size=resolved.size)
        mode = opts.mode
        if mode == "auto":
            mode = "lazy" if is_lazy_pullable(resolved) else "full"
        timeline.mode = mode
        rec.begin("pull")
        if opts.profile is not None:
            profile = list(opts.profile)
        else:
            profile = await startup_profile_for(resolved, registry, cache)
        if mode == "lazy":
            lazy = await LazyImage.open(
                registry, image, cache=cache, resolved=resolved, stream_prefetch=True
            )
            prefetch = lazy.start_prefetch(profile)
            rec.end(profile_files=len(profile), prefetch="streaming")
            rec.begin("mount", replay=True)
            rec.end()
            rec.begin("start", replay=True)
            read = 0
            for path in profile:
                with contextlib.suppress(OSError):
                    node = lazy.lookup(path, follow=True)
                    if node.is_regular:
                        read += len(await lazy.read(node))
            prefetched = await prefetch
            rec.end(files=len(profile), bytes_read=read, prefetch=prefetched.as_dict())
            timeline.metrics = lazy.report()
        else:
            result = await pull_image(
                registry, image, run_dir / "rootfs", cache=cache, resolved=resolved
            )
            pull_record = rec.end(cache_hits=result.cache_hits)
            assert pull_record is not None
            pull_record.duration = max(0.0, pull_record.duration - result.timings["unpack"])
            rec.add("unpack", pull_record.end, result.timings["unpack"])
            rec.begin("start", replay=True)
            read = await asyncio.to_thread(_read_files, result.rootfs, profile)
            rec.end(files=len(profile), bytes_read=read)
            timeline.metrics = result.as_dict()
        if not profile:
            timeline.metrics["note"] = "no start-up profile: replay read nothing"
    except CoreError as exc:
        timeline.error = f"{exc.code}: {exc}"
    finally:
        if lazy is not None:
            await lazy.aclose()
    return timeline


def _read_files(root: Path, paths: Sequence[str]) -> int:
    total = 0
    for path in paths:
        target = root / path.lstrip("/")
        with contextlib.suppress(OSError):
            if target.is_file():
                total += len(target.read_bytes())
    return total


@dataclass(slots=True)
class Comparison:
    """Cold starts of ``image`` and ``vs`` over the same link, ``runs`` times each."""

    image: str
    vs: str
    link: LinkSpec
    run_mode: str
    a: list[Timeline] = field(default_factory=list)
    b: list[Timeline] = field(default_factory=list)

    def summaries(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return summarize(self.a), summarize(self.b)

    def ratios(self) -> dict[str, Any]:
        """``vs`` ÷ ``image`` for the p50 total and each phase's p50 (below 1: ``vs`` is
        faster), and ``speedup`` = ``image`` ÷ ``vs`` of the total."""
        sa, sb = self.summaries()
        out: dict[str, Any] = {}
        ta, tb = sa["total"]["p50"], sb["total"]["p50"]
        out["total_p50"] = tb / ta if ta else None
        out["speedup"] = ta / tb if tb else None
        out["time_saved_fraction"] = 1 - tb / ta if ta else None
        out["bytes_p50"] = sb["bytes_p50"] / sa["bytes_p50"] if sa["bytes_p50"] else None
        phases: dict[str, float | None] = {}
        for name in {**sa["phases"], **sb["phases"]}:
            pa = sa["phases"].get(name, {}).get("p50")
            pb = sb["phases"].get(name, {}).get("p50")
            phases[name] = pb / pa if pa and pb is not None else None
        out["phases"] = phases
        return out

    def as_dict(self) -> dict[str, Any]:
        sa, sb = self.summaries()
        return {
            "link": self.link.as_dict(),
            "run_mode": self.run_mode,
            "image": {
                "reference": self.image,
                "summary": sa,
                "runs": [t.as_dict() for t in self.a],
            },
            "vs": {"reference": self.vs, "summary": sb, "runs": [t.as_dict() for t in self.b]},
            "ratios": self.ratios(),
        }

    def table(self) -> str:
        """A plain-text table of p50/p95 per phase, totals, bytes and the ratio."""
        sa, sb = self.summaries()
        ratios = self.ratios()
        names = [
            n
            for n in ("resolve", "pull", "unpack", "mount", "start", "first-invoke")
            if n in sa["phases"] or n in sb["phases"]
        ]
        lines = [
            f"link {self.link.describe()} · {self.run_mode} mode · "
            f"{sa['runs']} + {sb['runs']} runs",
            f"  A = {self.image}",
            f"  B = {self.vs}",
            f"{'phase':<14}{'A p50':>10}{'A p95':>10}{'B p50':>10}{'B p95':>10}{'B/A':>8}",
        ]

        def row(
            label: str, a: dict[str, Any] | None, b: dict[str, Any] | None, ratio: float | None
        ) -> str:
            def cell(d: dict[str, Any] | None, key: str) -> str:
                return f"{d[key]:>9.3f}s" if d else f"{'-':>10}"

            r = f"{ratio:>8.3f}" if ratio is not None else f"{'-':>8}"
            return f"{label:<14}{cell(a, 'p50')}{cell(a, 'p95')}{cell(b, 'p50')}{cell(b, 'p95')}{r}"

        for name in names:
            lines.append(
                row(name, sa["phases"].get(name), sb["phases"].get(name), ratios["phases"][name])
            )
        lines.append(row("total", sa["total"], sb["total"], ratios["total_p50"]))
        lines.append(
            f"{'bytes p50':<14}{sa['bytes_p50']:>20,.0f}{sb['bytes_p50']:>20,.0f}"
            + (f"{ratios['bytes_p50']:>8.3f}" if ratios["bytes_p50"] is not None else "")
        )
        lines.append(
            f"{'requests p50':<14}{sa['requests_p50']:>20,.0f}{sb['requests_p50']:>20,.0f}"
        )
        verdict = verdict_line(ratios["speedup"])
        if verdict:
            lines.append(verdict)
        failed = sa["failed"] + sb["failed"]
        if failed:
            lines.append(f"{failed} run(s) failed; see the JSON report")
        return "\n".join(lines)


def verdict_line(speedup: float | None) -> str | None:
    """One sentence on how B's time to first response compares with A's, in the direction
    it went: ``B starts 2.5× faster (60 % less time …)``, ``B starts 2.5× slower (150 % more
    time …)`` or ``B starts as fast as A``; None without a ratio (a side had no run)."""
    if not speedup or speedup <= 0:
        return None
    fraction = 1 - 1 / speedup  # time saved by B, as a share of A's time
    if abs(fraction) < 0.005:
        return "B starts as fast as A (within 0.5 %)"
    if speedup > 1:
        return (
            f"B starts {speedup:.1f}× faster ({100 * fraction:.0f} % less time to first response)"
        )
    return (
        f"B starts {1 / speedup:.1f}× slower ({-100 * fraction:.0f} % more time to first response)"
    )


async def compare(
    image: str,
    vs: str,
    *,
    runs: int = 3,
    workdir: str | Path,
    options: ColdStartOptions | None = None,
    on_progress: ProgressCallback | None = None,
) -> Comparison:
    """Cold-start ``image`` and ``vs`` alternately, ``runs`` times each, same link."""
    if runs < 1:
        raise InvalidInput("runs must be at least 1")
    opts = options or ColdStartOptions()
    result = Comparison(image, vs, opts.link, opts.resolved_run_mode())
    try:
        for _ in range(runs):
            for target, runs_list in ((image, result.a), (vs, result.b)):
                runs_list.append(
                    await cold_start(
                        target,
                        workdir=workdir,
                        options=opts,
                        on_progress=on_progress,
                        keep_helper=True,
                    )
                )
    finally:
        await close_mount_helpers()
    return result
