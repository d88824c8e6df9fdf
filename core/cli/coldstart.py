"""``fcaccel coldstart``: measured cold starts, one image or plain vs accelerated."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from core._progress import Progress
from core.cli._args import registry_credentials
from core.coldstart import ColdStartOptions, LinkSpec, compare, summarize
from core.coldstart import cold_start as run_cold_start
from core.errors import InvalidInput
from core.pull import close_mount_helpers

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


async def _run(args: argparse.Namespace) -> int:
    options = ColdStartOptions(
        link=LinkSpec.parse(args.link),
        run_mode=args.run_mode,
        mode=args.mode,
        credentials=registry_credentials(args.creds),
        insecure=True if args.insecure else None,
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
            )
            report: dict[str, Any] = result.as_dict()
            text = result.table()
            failed = sum(t.error is not None for t in result.a + result.b)
        else:
            timelines = []
            try:
                for _ in range(args.runs):
                    timelines.append(
                        await run_cold_start(
                            args.image,
                            workdir=Path(work),
                            options=options,
                            on_progress=live,
                            keep_helper=True,
                        )
                    )
            finally:
                await close_mount_helpers()
            summary = summarize(timelines)
            report = {
                "link": options.link.as_dict(),
                "run_mode": options.resolved_run_mode(),
                "image": {
                    "reference": args.image,
                    "summary": summary,
                    "runs": [t.as_dict() for t in timelines],
                },
            }
            lines = [
                f"link {options.link.describe()} · {report['run_mode']} mode · "
                f"{len(timelines)} runs of {args.image}",
                f"{'phase':<14}{'p50':>10}{'p95':>10}",
            ]
            for name, stats in summary["phases"].items():
                lines.append(f"{name:<14}{stats['p50']:>9.3f}s{stats['p95']:>9.3f}s")
            total = summary["total"]
            lines.append(f"{'total':<14}{total['p50']:>9.3f}s{total['p95']:>9.3f}s")
            lines.append(
                f"bytes p50 {summary['bytes_p50']:,.0f}, requests p50 "
                f"{summary['requests_p50']:,.0f}"
            )
            text = "\n".join(lines)
            failed = summary["failed"]
    if args.output:
        await asyncio.to_thread(Path(args.output).write_text, json.dumps(report, indent=2))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(text)
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
    p.add_argument("--creds", default=None, metavar="USER[:PASSWORD]")
    p.add_argument("--insecure", action="store_true", help="plain HTTP to the registry")
    p.add_argument("--quiet", action="store_true", help="no live phase lines")
    p.add_argument("--json", action="store_true", help="print the JSON report")
    p.set_defaults(func=_run)
