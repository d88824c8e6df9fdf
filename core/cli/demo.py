"""``fcaccel demo``: demo function images built from files already on this machine."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from core._progress import Progress
from core.cli._args import registry_credentials
from core.coldstart import DEMO_KINDS, build_demo_image
from core.errors import InvalidInput
from core.pull import close_mount_helpers
from core.registry import RegistryClient

__all__ = ["register"]


def _printer(quiet: bool) -> Callable[[Progress], None]:
    def show(p: Progress) -> None:
        if not quiet and p.phase == "demo":
            print(f"  {p.done}/{p.total} {p.item}", file=sys.stderr, flush=True)

    return show


async def _build(args: argparse.Namespace) -> int:
    target = args.registry.rstrip("/")
    host, sep, namespace = target.partition("/")
    if not sep or not namespace:
        raise InvalidInput("--registry must be HOST/NAMESPACE (e.g. 127.0.0.1:5000/demo)")
    kinds = list(DEMO_KINDS) if args.kind == "all" else [args.kind]
    if args.workdir:
        await asyncio.to_thread(Path(args.workdir).mkdir, parents=True, exist_ok=True)
    results = []
    async with RegistryClient(
        host, credentials=registry_credentials(args.creds), insecure=True if args.insecure else None
    ) as client:
        try:
            for kind in kinds:
                reference = f"{host}/{namespace}/demo-{kind}:{args.tag}"
                if not args.json:
                    print(f"building {reference}", file=sys.stderr)
                with tempfile.TemporaryDirectory(prefix="fcaccel-demo-", dir=args.workdir) as w:
                    result = await build_demo_image(
                        client,
                        kind,
                        reference,
                        w,
                        accelerate=not args.plain_only,
                        optimize=not args.no_profile,
                        assets=args.assets or (),
                        on_progress=_printer(args.json),
                    )
                results.append(result)
        finally:
            await close_mount_helpers()
    if args.json:
        print(json.dumps([r.as_dict() for r in results], indent=2))
        return 0
    for r in results:
        print(f"{r.plain}  {r.plain_digest}  ({r.plain_bytes:,} bytes, {r.image_size:,} unpacked)")
        if r.accelerated:
            print(
                f"{r.accelerated}  {r.accelerated_digest}  ({r.order}; "
                f"{r.accelerated_bytes:,} bytes; profile of {len(r.profile)} files)"
            )
        for w in r.warnings:
            print(f"warning: {w}", file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("demo", help="demo function images (plain and _accelerated)")
    sub = p.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    b = sub.add_parser(
        "build",
        help="build the demo images and push them plain and _accelerated",
        description="Assemble the demo images from this machine's python3 and libraries, "
        "push HOST/NS/demo-<kind>:TAG, convert it to TAG_accelerated, run it once to record "
        "its start-up profile (pushed with the image), and convert again in optimized order.",
    )
    b.add_argument("--registry", required=True, metavar="HOST/NS")
    b.add_argument("--kind", choices=[*DEMO_KINDS, "all"], default="all")
    b.add_argument("--tag", default="latest")
    b.add_argument("--plain-only", action="store_true", help="push only the plain images")
    b.add_argument("--no-profile", action="store_true", help="stop after preserve conversion")
    b.add_argument(
        "--assets",
        action="append",
        metavar="PATH",
        help="an absolute path of a file or directory on this machine to add (at the same "
        "path, in a layer of its own) as data the app never reads at start-up; repeatable",
    )
    b.add_argument("--workdir", metavar="DIR", help="scratch space (needs ~2x the image)")
    b.add_argument("--creds", default=None, metavar="USER[:PASSWORD]")
    b.add_argument("--insecure", action="store_true", help="plain HTTP to the registry")
    b.add_argument("--json", action="store_true", help="machine-readable result")
    b.set_defaults(func=_build)
