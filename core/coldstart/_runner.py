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
import dataclasses
import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from core._progress import Progress, ProgressCallback
from core._stats import percentile
from core.coldstart._instance import InstanceConfig, SandboxInstance, startup_profile_for
from core.coldstart._link import LinkSpec, ShapedTransport
from core.coldstart._local import LocalStart, physical_bound
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

__all__ = [
    "TARGET_VS_BOUND",
    "TARGET_VS_FULL",
    "ColdStartOptions",
    "Comparison",
    "bound_line",
    "cold_start",
    "compare",
    "exec_available",
    "fetch_counts",
    "fetch_line",
    "target_line",
    "target_verdicts",
]


def exec_available() -> str | None:
    """``None`` when exec mode can run here, otherwise why not."""
    return sandbox_available() or fuse_available()


@dataclass(frozen=True, slots=True)
class ColdStartOptions:
    """How to run cold starts.

    ``run_mode``: ``auto`` (exec when available, else replay), ``exec`` or ``replay``.
    ``mode``: ``auto`` (lazy for accelerated images, full otherwise), ``lazy`` or ``full``.
    ``profile`` replaces the image's start-up profile (replay reads and prefetch).
    ``record_profile``: lazy exec starts remember the files they open
    (``Timeline.recorded_profile``).
    ``neighbours``: lazy reads that miss also fetch the small files around them.
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
    record_profile: bool = False
    neighbours: bool = True

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
        neighbours=opts.neighbours,
        background_fill=False,  # nothing may compete with start-up inside the measurement
        record_profile=opts.record_profile,
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
        if opts.record_profile:
            recorded = instance.profile()
            if recorded is not None:
                instance.timeline.recorded_profile = recorded.paths
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
                registry,
                image,
                cache=cache,
                resolved=resolved,
                stream_prefetch=True,
                neighbours=opts.neighbours,
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


#: Targets of an accelerated start (the product's promise): at most this share of the full
#: pull's time to first response, and at most this multiple of the physical bound.
TARGET_VS_FULL = 0.10
TARGET_VS_BOUND = 1.3
_FETCH_KEYS = (
    "toc_bytes",
    "prefetch_bytes",
    "on_demand_fetches",
    "on_demand_bytes",
    "fallbacks",
    "fallback_bytes",
)


def fetch_counts(timelines: Sequence[Timeline]) -> dict[str, float] | None:
    """p50 over the successful lazy runs of what they fetched and how: TOCs, prefetch,
    on-demand fetches (each a round trip a profile would have saved) and fallbacks (layers
    read whole because their TOC was unusable); ``None`` when no run was lazy."""
    metrics = [
        t.metrics["metrics"]
        for t in timelines
        if t.error is None and t.mode == "lazy" and isinstance(t.metrics.get("metrics"), dict)
    ]
    if not metrics:
        return None
    return {key: percentile([float(m.get(key, 0)) for m in metrics], 50) for key in _FETCH_KEYS}


def target_verdicts(
    ratio_vs_full: float | None, ratio_vs_bound: float | None
) -> list[dict[str, Any]]:
    """The targets with their measured value and whether each was met (a target without a
    value, e.g. no bound without a local start, is left out)."""
    out = []
    for name, value, target in (
        ("accelerated ÷ full pull", ratio_vs_full, TARGET_VS_FULL),
        ("accelerated ÷ physical bound", ratio_vs_bound, TARGET_VS_BOUND),
    ):
        if value is not None:
            out.append({"target": name, "value": value, "limit": target, "met": value <= target})
    return out


@dataclass(slots=True)
class Comparison:
    """Cold starts of ``image`` and ``vs`` over the same link, ``runs`` times each; with
    ``local``, the function's own start on a local disk measured in the same run."""

    image: str
    vs: str
    link: LinkSpec
    run_mode: str
    a: list[Timeline] = field(default_factory=list)
    b: list[Timeline] = field(default_factory=list)
    local: LocalStart | None = None
    local_error: str | None = None

    def summaries(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return summarize(self.a), summarize(self.b)

    def bound(self) -> dict[str, Any] | None:
        """The physical bound of ``vs`` (:func:`~core.coldstart.physical_bound`): the bytes
        its starts fetched (p50) at the link's rate, plus round trips and the local start;
        ``None`` without a local start or a link rate."""
        local_s = self.local.first_response_s if self.local is not None else None
        if local_s is None or self.link.bytes_per_second is None:
            return None
        _, sb = self.summaries()
        if not sb["runs"] - sb["failed"]:
            return None
        return physical_bound(sb["bytes_p50"], self.link, local_s)

    def targets(self) -> list[dict[str, Any]]:
        _, sb = self.summaries()
        bound = self.bound()
        by_bound = sb["total"]["p50"] / bound["bound_s"] if bound and bound["bound_s"] else None
        return target_verdicts(self.ratios()["total_p50"], by_bound)

    def ratios(self) -> dict[str, Any]:
        """``vs`` ÷ ``image`` for the p50 total and each phase's p50 (below 1: ``vs`` is
        faster), and ``speedup`` = ``image`` ÷ ``vs`` of the total."""
        sa, sb = self.summaries()
        out: dict[str, Any] = {}
        if sa["runs"] == sa["failed"] or sb["runs"] == sb["failed"]:
            # a side without one successful run has no time to compare
            return {
                "total_p50": None,
                "speedup": None,
                "time_saved_fraction": None,
                "bytes_p50": None,
                "phases": {},
            }
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
                "fetches": fetch_counts(self.a),
                "runs": [t.as_dict() for t in self.a],
            },
            "vs": {
                "reference": self.vs,
                "summary": sb,
                "fetches": fetch_counts(self.b),
                "runs": [t.as_dict() for t in self.b],
            },
            "ratios": self.ratios(),
            "local_start": (
                {**self.local.as_dict(), "error": self.local_error}
                if self.local is not None
                else ({"error": self.local_error} if self.local_error else None)
            ),
            "bound": self.bound(),
            "targets": self.targets(),
            "load_average": _load_average(),
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
            ratio = ratios["phases"].get(name)
            lines.append(row(name, sa["phases"].get(name), sb["phases"].get(name), ratio))
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
        for side, runs in (("A", self.a), ("B", self.b)):
            counts = fetch_counts(runs)
            if counts is not None:
                lines.append(fetch_line(side, counts))
        lines.extend(self._reference_lines())
        failed = sa["failed"] + sb["failed"]
        if failed:
            lines.append(f"{failed} run(s) failed; see the JSON report")
        return "\n".join(lines)

    def _reference_lines(self) -> list[str]:
        lines = []
        local_s = self.local.first_response_s if self.local is not None else None
        if local_s is not None:
            lines.append(
                f"{'local start':<14}{local_s:>9.3f}s  (A unpacked on local disk, same run)"
            )
        elif self.local_error:
            lines.append(f"{'local start':<14} failed: {self.local_error}")
        bound = self.bound()
        if bound is not None:
            lines.append(bound_line(bound, self.link))
        for t in self.targets():
            lines.append(target_line(t))
        return lines


def fetch_line(side: str, counts: dict[str, float]) -> str:
    """``B fetched: TOC 0.9 MB, prefetch 13.2 MB, on demand 0 B in 0 fetches, 0 fallbacks``."""
    return (
        f"{side} fetched: TOC {_mb(counts['toc_bytes'])}, prefetch {_mb(counts['prefetch_bytes'])}"
        f", on demand {_mb(counts['on_demand_bytes'])} in {counts['on_demand_fetches']:.0f} "
        f"fetches, {counts['fallbacks']:.0f} fallbacks ({_mb(counts['fallback_bytes'])}) (p50)"
    )


def bound_line(bound: dict[str, Any], link: LinkSpec) -> str:
    return (
        f"{'bound':<14}{bound['bound_s']:>9.3f}s  = {_mb(bound['bytes'])} at {link.describe()} "
        f"({bound['transfer_s']:.3f}s) + {bound['rtts']} RTT ({bound['rtt_s']:.3f}s) + local "
        f"start ({bound['local_start_s']:.3f}s)"
    )


def target_line(t: dict[str, Any]) -> str:
    verdict = "met" if t["met"] else "MISSED"
    return f"target: {t['target']} = {t['value']:.3f} (≤ {t['limit']:g}) {verdict}"


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def _load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


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
    local_start: bool = True,
    stop_on_error: bool = False,
) -> Comparison:
    """Cold-start ``image`` and ``vs`` alternately, ``runs`` times each, same link.

    ``local_start`` (exec mode): ``image`` is also pulled and unpacked on the local disk
    beforehand, and its start from there is measured before each pair (the reference of the
    physical bound, under the same machine load).

    Progress events carry ``extra["side"]`` (0 for ``image``, 1 for ``vs``) and
    ``extra["run"]`` (0-based). With ``stop_on_error`` the comparison ends after the first
    cold start whose timeline has an ``error`` (the last timeline of its side).
    """
    if runs < 1:
        raise InvalidInput("runs must be at least 1")
    opts = options or ColdStartOptions()
    result = Comparison(image, vs, opts.link, opts.resolved_run_mode())
    if local_start and result.run_mode == "exec":
        await _prepare_local(result, image, Path(workdir), opts)
    try:
        for run in range(runs):
            if result.local is not None:
                try:
                    await result.local.once(opts.event)
                except (CoreError, OSError, httpx.HTTPError) as exc:
                    result.local_error = f"{type(exc).__name__}: {exc}"
            for side, (target, runs_list) in enumerate(((image, result.a), (vs, result.b))):
                timeline = await cold_start(
                    target,
                    workdir=workdir,
                    options=opts,
                    on_progress=_tagged(on_progress, side, run),
                    keep_helper=True,
                )
                runs_list.append(timeline)
                if stop_on_error and timeline.error:
                    return result
    finally:
        await close_mount_helpers()
        if result.local is not None:
            await result.local.remove()
    return result


def _tagged(on_progress: ProgressCallback | None, side: int, run: int) -> ProgressCallback | None:
    """``on_progress`` with the side and the run added to each event's ``extra``."""
    if on_progress is None:
        return None
    callback = on_progress

    def tagged(p: Progress) -> None:
        callback(dataclasses.replace(p, extra={**p.extra, "side": side, "run": run}))

    return tagged


async def _prepare_local(
    result: Comparison, image: str, workdir: Path, opts: ColdStartOptions
) -> None:
    ref = ImageReference.parse(image)
    try:
        async with RegistryClient(
            ref.registry, credentials=opts.credentials, insecure=opts.insecure
        ) as registry:
            result.local = await LocalStart.prepare(
                registry,
                image,
                workdir / f"local-{uuid.uuid4().hex[:8]}",
                function_name=opts.function_name,
            )
    except (CoreError, OSError) as exc:
        result.local_error = f"{type(exc).__name__}: {exc}"
