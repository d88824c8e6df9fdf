"""``fcaccel coldstart``: measured cold starts, one image or plain vs accelerated.

Besides the phases, a report gives what no lazy start can beat, measured in the same run: the
local start (the image unpacked on the local disk, started in the same sandbox), the physical
bound (the bytes the accelerated start needed at the link's rate, plus the round trips it
cannot avoid, plus the local start), the targets' verdicts (accelerated ≤ 10 % of the full
pull, ≤ 1.3× the bound) and how the lazy side fetched (TOCs, prefetch, on-demand fetches,
fallbacks).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from core._progress import Progress
from core.cli._args import registry_credentials
from core.coldstart import (
    ColdStartOptions,
    LinkSpec,
    LocalStart,
    Timeline,
    bound_line,
    compare,
    fetch_counts,
    fetch_line,
    physical_bound,
    summarize,
    target_line,
    target_verdicts,
)
from core.coldstart import cold_start as run_cold_start
from core.convert import load_profile
from core.errors import CoreError, InvalidInput
from core.oci import ImageReference
from core.pull import StartupProfile, close_mount_helpers
from core.registry import RegistryClient

__all__ = ["register"]


class _Live:
    """Prints each phase as it ends (stderr), so long pulls show progress."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def __call__(self, p: Progress) -> None:
        if self.quiet or p.extra.get("event") != "end":
            return
        print(
            f"  {p.item[-48:]:<48} {p.phase:<13} {p.extra['duration']:8.3f}s "
            f"{p.extra['bytes']:>14,} B {p.extra['requests']:>6} req",
            file=sys.stderr,
            flush=True,
        )


def _write_profile(path: str, timelines: list[Timeline], image: str) -> str | None:
    """The first recorded lazy start's profile, written to ``path``; why not, when none."""
    for t in timelines:
        if t.recorded_profile:
            profile = StartupProfile.from_paths(
                t.recorded_profile, image=str(t.metrics.get("manifest_digest", ""))
            )
            Path(path).write_bytes(profile.to_text())
            return None
    if any(t.run_mode == "replay" for t in timelines):
        return "replay mode runs nothing: no profile recorded (exec mode needs FUSE, bubblewrap)"
    if all(t.mode != "lazy" for t in timelines):
        return f"{image} was pulled in full: a profile is recorded over a lazy mount only"
    return "no lazy start succeeded: no profile recorded"


async def _single(
    args: argparse.Namespace, options: ColdStartOptions, live: _Live, work: Path
) -> tuple[dict[str, Any], str, list[Timeline]]:
    local: LocalStart | None = None
    local_error: str | None = None
    run_mode = options.resolved_run_mode()
    if run_mode == "exec" and not args.no_local_start:
        try:
            async with RegistryClient.for_reference(
                ImageReference.parse(args.image),
                credentials=options.credentials,
                insecure=options.insecure,
            ) as registry:
                local = await LocalStart.prepare(
                    registry, args.image, work / "local", function_name=options.function_name
                )
        except (CoreError, OSError) as exc:
            local_error = f"{type(exc).__name__}: {exc}"
    timelines = []
    try:
        for _ in range(args.runs):
            if local is not None:
                try:
                    await local.once(options.event)
                except (CoreError, OSError, httpx.HTTPError) as exc:
                    local_error = f"{type(exc).__name__}: {exc}"
            timelines.append(
                await run_cold_start(
                    args.image,
                    workdir=work,
                    options=options,
                    on_progress=live,
                    keep_helper=True,
                )
            )
    finally:
        await close_mount_helpers()
        if local is not None:
            await local.remove()
    summary = summarize(timelines)
    counts = fetch_counts(timelines)
    local_s = local.first_response_s if local is not None else None
    ok = summary["runs"] - summary["failed"]
    bound = None
    if counts is not None and local_s is not None and options.link.bytes_per_second and ok:
        bound = physical_bound(summary["bytes_p50"], options.link, local_s)
    targets = target_verdicts(
        None, summary["total"]["p50"] / bound["bound_s"] if bound and bound["bound_s"] else None
    )
    report: dict[str, Any] = {
        "link": options.link.as_dict(),
        "run_mode": run_mode,
        "image": {
            "reference": args.image,
            "summary": summary,
            "fetches": counts,
            "runs": [t.as_dict() for t in timelines],
        },
        "local_start": (
            {**local.as_dict(), "error": local_error}
            if local is not None
            else ({"error": local_error} if local_error else None)
        ),
        "bound": bound,
        "targets": targets,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    lines = [
        f"link {options.link.describe()} · {run_mode} mode · {len(timelines)} runs of {args.image}",
        f"{'phase':<14}{'p50':>10}{'p95':>10}",
    ]
    for name, stats in summary["phases"].items():
        lines.append(f"{name:<14}{stats['p50']:>9.3f}s{stats['p95']:>9.3f}s")
    total = summary["total"]
    lines.append(f"{'total':<14}{total['p50']:>9.3f}s{total['p95']:>9.3f}s")
    lines.append(
        f"bytes p50 {summary['bytes_p50']:,.0f}, requests p50 {summary['requests_p50']:,.0f}"
    )
    if counts is not None:
        lines.append(fetch_line("it", counts))
    if local_s is not None:
        lines.append(f"{'local start':<14}{local_s:>9.3f}s  (unpacked on local disk, same run)")
    elif local_error:
        lines.append(f"{'local start':<14} failed: {local_error}")
    if bound is not None:
        lines.append(bound_line(bound, options.link))
    lines.extend(target_line(t) for t in targets)
    return report, "\n".join(lines), timelines


async def _run(args: argparse.Namespace) -> int:
    options = ColdStartOptions(
        link=LinkSpec.parse(args.link),
        run_mode=args.run_mode,
        mode=args.mode,
        credentials=registry_credentials(args.creds),
        insecure=True if args.insecure else None,
        profile=load_profile(args.profile) if args.profile else None,
        record_profile=bool(args.record_profile),
    )
    if args.runs < 1:
        raise InvalidInput("--runs must be at least 1")
    live = _Live(args.json or args.quiet)
    if args.workdir:
        await asyncio.to_thread(Path(args.workdir).mkdir, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fcaccel-coldstart-", dir=args.workdir) as work:
        if args.vs:
            result = await compare(
                args.image,
                args.vs,
                runs=args.runs,
                workdir=Path(work),
                options=options,
                on_progress=live,
                local_start=not args.no_local_start,
            )
            report: dict[str, Any] = result.as_dict()
            text = result.table()
            timelines = result.a + result.b
            recorded_side = result.b
        else:
            report, text, timelines = await _single(args, options, live, Path(work))
            recorded_side = timelines
        failed = sum(t.error is not None for t in timelines)
    if args.record_profile:
        why_not = await asyncio.to_thread(
            _write_profile, args.record_profile, recorded_side, args.vs or args.image
        )
        report["recorded_profile"] = None if why_not else args.record_profile
        if why_not:
            print(f"warning: {why_not}", file=sys.stderr)
    if args.output:
        await asyncio.to_thread(Path(args.output).write_text, json.dumps(report, indent=2))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(text)
        if args.record_profile and report["recorded_profile"]:
            print(f"start-up profile written to {args.record_profile}")
        for side in ("image", "vs"):
            for run in report.get(side, {}).get("runs", []):
                if run["error"]:
                    print(f"error ({run['image']}): {run['error']}", file=sys.stderr)
    return 1 if failed else 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "coldstart",
        help="measure cold starts of an image, or of two images side by side",
        description="Cold-start IMAGE (and --vs IMAGE2) RUNS times each over the same "
        "emulated link, every run with an empty cache: resolve · pull (or TOC + prefetch) · "
        "unpack (or mount) · start (until the port answers HTTP) · first-invoke. Exec mode "
        "runs the real entrypoint in a sandbox over a lazy FUSE mount; replay mode (where "
        "FUSE or bubblewrap is missing) replays the start-up profile's reads.",
    )
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("--vs", metavar="IMAGE2", help="second image (e.g. the _accelerated tag)")
    p.add_argument(
        "--link",
        default="100mbit,20ms",
        metavar="SPEC",
        help="emulated link (default 100mbit,20ms; 'unlimited' for none)",
    )
    p.add_argument("--runs", type=int, default=3)
    p.add_argument(
        "--mode",
        choices=["auto", "lazy", "full"],
        default="auto",
        help="auto: lazy for accelerated images, full pull otherwise",
    )
    p.add_argument("--run-mode", choices=["auto", "exec", "replay"], default="auto")
    p.add_argument("--workdir", metavar="DIR", help="scratch space (default: temp dir)")
    p.add_argument("--output", metavar="FILE", help="also write the JSON report here")
    p.add_argument(
        "--profile",
        metavar="FILE",
        help="start-up profile to prefetch instead of the image's own (paths in access order, "
        "e.g. from fcaccel profile record); replay mode reads it",
    )
    p.add_argument(
        "--record-profile",
        metavar="FILE",
        help="record the files the first lazy start of the accelerated image opens and write "
        "them here (exec mode)",
    )
    p.add_argument(
        "--no-local-start",
        action="store_true",
        help="skip the reference start from a local disk (and with it the physical bound)",
    )
    p.add_argument("--creds", default=None, metavar="USER[:PASSWORD]")
    p.add_argument("--insecure", action="store_true", help="plain HTTP to the registry")
    p.add_argument("--quiet", action="store_true", help="no live phase lines")
    p.add_argument("--json", action="store_true", help="print the JSON report")
    p.set_defaults(func=_run)
