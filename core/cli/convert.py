"""``fcaccel convert``: turn an image into its ``<tag>_accelerated`` twin."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from core._progress import Progress
from core.cli._args import registry_credentials, size_argument
from core.cli._status import end_progress, progress_line
from core.convert import (
    ConvertOptions,
    ConvertStatus,
    Limits,
    Order,
    accelerated_reference,
    convert_image,
    load_profile,
)
from core.formats import DEFAULT_CHUNK_SIZE, FormatKind
from core.oci import ImageReference
from core.registry import RegistryClient

__all__ = ["register"]

_FORMATS = {"zstd-chunked": FormatKind.ZSTD_CHUNKED, "estargz": FormatKind.ESTARGZ}


class _Printer:
    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.last = 0.0

    def __call__(self, p: Progress) -> None:
        if self.quiet or p.phase != "convert":
            return
        now = time.monotonic()
        if now - self.last < 0.5 and p.done != p.total:
            return
        self.last = now
        pct = f"{100 * p.done / p.total:5.1f}%" if p.total else "     "
        out = p.extra.get("bytes_out", 0)
        idx = p.extra.get("layer_index", 0) + 1
        progress_line(
            f"  layer {idx}/{p.extra.get('layers', '?')} {p.item[7:19]} {pct} "
            f"in {p.done >> 20} MiB out {out >> 20} MiB",
            live=True,
        )


async def _run(args: argparse.Namespace) -> int:
    src = ImageReference.parse(args.source)
    dst = ImageReference.parse(args.target) if args.target else accelerated_reference(src)
    profile = load_profile(args.profile) if args.profile else ()
    order = Order(args.order)
    if profile and order is Order.PRESERVE and args.order_given is False:
        order = Order.OPTIMIZED
    options = ConvertOptions(
        format=_FORMATS[args.format],
        order=order,
        profile=profile,
        chunk_size=args.chunk_size,
        level=args.level,
        threads=args.threads or (os.cpu_count() or 2),
        limits=Limits(max_ratio=args.max_ratio),
    )
    insecure = True if args.insecure else None
    async with RegistryClient.for_reference(
        src, credentials=registry_credentials(args.creds), insecure=insecure
    ) as client:
        if dst.registry != src.registry:
            async with RegistryClient.for_reference(
                dst,
                credentials=registry_credentials(args.dest_creds or args.creds),
                insecure=insecure,
            ) as dclient:
                result = await convert_image(
                    client, src, dst, options, _Printer(args.json), target_client=dclient
                )
        else:
            result = await convert_image(client, src, dst, options, _Printer(args.json))
    end_progress()
    if args.json:
        print(
            json.dumps(
                {
                    "status": result.status.value,
                    "source": result.source,
                    "target": result.target,
                    "source_digest": result.source_digest,
                    "digest": result.digest,
                    "format": result.format.value,
                    "order": result.order.value,
                    "bytes_in": result.bytes_in,
                    "bytes_out": result.bytes_out,
                    "images": [
                        {
                            "platform": i.platform,
                            "source_digest": i.source_digest,
                            "digest": i.digest,
                            "layers": [
                                {
                                    "source": layer.source_digest,
                                    "digest": layer.digest,
                                    "size": layer.size,
                                    "diff_id": layer.diff_id,
                                    "toc_digest": layer.toc_digest,
                                    "pushed": layer.pushed,
                                }
                                for layer in i.layers
                            ],
                        }
                        for i in result.images
                    ],
                    "warnings": list(result.warnings),
                },
                indent=2,
            )
        )
        return 0
    if result.status is ConvertStatus.ALREADY_ACCELERATED:
        print(f"{result.source} is already an accelerated image ({result.source_digest})")
    elif result.status is ConvertStatus.UP_TO_DATE:
        print(f"{result.target} is up to date ({result.digest})")
    else:
        print(
            f"{result.target} {result.digest} ({result.format.value}, {result.order.value}; "
            f"{result.bytes_in} → {result.bytes_out} bytes)"
        )
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "convert",
        help="convert an image into a lazily pullable <tag>_accelerated image",
        description="Convert every platform of SRC into zstd:chunked (default) or eStargz "
        "layers and push it as DST (default: SRC's tag + _accelerated). The tag is pushed "
        "last, so it appears only when the whole image converted.",
    )
    p.add_argument("source", metavar="SRC", help="HOST/REPO:TAG or HOST/REPO@DIGEST")
    p.add_argument("target", metavar="DST", nargs="?", default=None)
    p.add_argument("--format", choices=sorted(_FORMATS), default="zstd-chunked")
    p.add_argument(
        "--order",
        choices=[o.value for o in Order],
        default=None,
        help="preserve (default; diff_ids unchanged) or optimized (profile files first)",
    )
    p.add_argument("--profile", metavar="FILE", help="start-up profile: paths in access order")
    p.add_argument(
        "--chunk-size",
        type=size_argument,
        default=DEFAULT_CHUNK_SIZE,
        metavar="N",
        help=f"largest chunk of a file (default {DEFAULT_CHUNK_SIZE >> 20}M)",
    )
    p.add_argument("--level", type=int, default=None, help="compression level")
    p.add_argument("--threads", type=int, default=None, help="compression threads")
    p.add_argument("--max-ratio", type=float, default=Limits().max_ratio)
    p.add_argument("--creds", default=None, metavar="USER[:PASSWORD]")
    p.add_argument("--dest-creds", default=None, metavar="USER[:PASSWORD]")
    p.add_argument("--insecure", action="store_true", help="plain HTTP to the registry")
    p.add_argument("--json", action="store_true", help="machine-readable result")
    p.set_defaults(func=_run_checked)


async def _run_checked(args: argparse.Namespace) -> int:
    args.order_given = args.order is not None
    if args.order is None:
        args.order = Order.PRESERVE.value
    return await _run(args)
