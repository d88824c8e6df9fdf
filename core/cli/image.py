"""``fcaccel import`` and ``fcaccel copy``: getting images without a container engine.

``import`` takes one source or several (directories or root-filesystem tarballs), each the
next layer(s) of the image in the order given, and shows its progress (bytes, rate) on a
terminal; with ``--json`` it prints progress events, one JSON object per line, then the
result. Locations: ``docker://HOST/REPO:TAG`` (or a bare reference) and ``oci:PATH[:TAG]``.
Registry passwords come from ``--creds USER:PASSWORD``, or ``--creds USER`` with the
password in ``FCACCEL_REGISTRY_PASSWORD``. Loopback registries use plain HTTP; others use
HTTPS unless ``--insecure`` is given.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

from core._progress import Progress
from core.cli._args import human_bytes, registry_credentials, size_argument
from core.cli._status import end_progress, progress_line
from core.errors import InvalidInput
from core.oci import Compression, Platform
from core.registry import (
    ImageLocation,
    ImportOptions,
    RegistryClient,
    copy_image,
    import_rootfs,
)

__all__ = ["register"]


@contextlib.asynccontextmanager
async def _client_for(
    location: ImageLocation, creds: str | None, insecure: bool
) -> AsyncIterator[RegistryClient | None]:
    if location.kind != "registry":
        yield None
        return
    assert location.reference is not None
    async with RegistryClient.for_reference(
        location.reference,
        credentials=registry_credentials(creds),
        insecure=True if insecure else None,
    ) as client:
        yield client


class _ImportProgress:
    """Reading and pushing, as bytes and a rate: a live line on a terminal, a line every few
    seconds in a log, or (``--json``) an event per JSON line on stdout."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.live = sys.stderr.isatty() and not as_json
        self.every = 0.5 if (as_json or self.live) else 5.0
        self.phase = ""
        self.started = self.last = time.monotonic()
        self.shown = 0.0
        self.shown_final = False
        self.pushed: dict[str, int] = {}

    def __call__(self, p: Progress) -> None:
        if p.phase == "import":
            phase, done, total = "read", p.done, p.total or 0
            where: dict[str, Any] = {
                "source": p.extra.get("source", 0),
                "sources": p.extra.get("sources", 1),
                "item": p.item,
                "entries": p.extra.get("entries", 0),
            }
        elif p.phase == "push":
            self.pushed[p.item] = p.done
            phase = "push"
            done = sum(self.pushed.values())
            total = int(p.extra.get("bytes_total") or 0)
            where = {"layers": p.extra.get("layers", len(self.pushed))}
        else:
            return
        now = time.monotonic()
        if phase != self.phase:
            if self.phase:  # the next phase began when the previous one's last event came
                self.started = self.last
            self.end()
            self.phase, self.shown, self.shown_final = phase, 0.0, False
        self.last = now
        final = bool(total) and done >= total
        if final and self.shown_final:
            return
        if now - self.shown < self.every and not final:
            return
        self.shown = now
        self.shown_final = final
        rate = done / max(now - self.started, 0.05)
        if self.as_json:
            doc = {"event": "progress", "phase": phase, "bytes": done, "total": total}
            print(json.dumps({**doc, "rate": round(rate), **where}), flush=True)
            return
        share = f"{100 * done / total:5.1f} %" if total else ""
        if phase == "read":
            what = f"reading {where['source'] + 1}/{where['sources']} "
            what += os.path.basename(str(where["item"]))[-40:]
        else:
            what = f"pushing {where['layers']} layer(s)"
        line = f"{what}  {human_bytes(done)} / {human_bytes(total)}  {share}  {human_bytes(rate)}/s"
        progress_line(line, live=self.live)

    def end(self) -> None:
        end_progress()
        self.phase = ""


async def _run_import(args: argparse.Namespace) -> int:
    dest = ImageLocation.parse(args.destination)
    options = ImportOptions(
        compression=Compression(args.compression),
        compression_level=args.level,
        split_paths=tuple(args.layer or ()),
        max_layer_size=args.max_layer_size,
        timestamp=args.timestamp,
        architecture=args.arch,
        os=args.os,
        variant=args.variant,
        entrypoint=_json_list("--entrypoint", args.entrypoint),
        cmd=_json_list("--cmd", args.cmd),
        env=tuple(args.env or ()),
        working_dir=args.workdir,
        user=args.user,
        exposed_ports=tuple(args.expose or ()),
        labels=dict(_kv(v) for v in args.label or ()),
    )
    progress = _ImportProgress(args.json)
    async with _client_for(dest, args.creds, args.insecure) as client:
        try:
            result = await import_rootfs(
                args.sources, dest, options=options, client=client, on_progress=progress
            )
        finally:
            progress.end()
    doc: dict[str, Any] = {
        "digest": str(result.digest),
        "destination": str(dest),
        "layers": [
            {
                "digest": str(lf.digest),
                "size": lf.size,
                "group": lf.group or "/",
                "source": lf.source,
            }
            for lf in result.layers
        ],
    }
    print(json.dumps({"event": "done", **doc} if args.json else doc), flush=True)
    return 0


def _json_list(name: str, text: str | None) -> list[str] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f'{name} must be a JSON list of strings, e.g. ["/app", "-v"]')
    return value


def _kv(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise InvalidInput(f"expected KEY=VALUE, got {text!r}")
    return key, value


async def _run_copy(args: argparse.Namespace) -> int:
    src = ImageLocation.parse(args.source)
    dst = ImageLocation.parse(args.destination)
    platforms = [Platform.parse(p) for p in args.platform] if args.platform else None
    async with (
        _client_for(src, args.src_creds, args.src_insecure) as src_client,
        _client_for(dst, args.dest_creds, args.dest_insecure) as dst_client,
    ):
        shared = (
            src_client is not None
            and dst_client is not None
            and src_client.base_url == dst_client.base_url
            and args.src_creds == args.dest_creds
        )
        result = await copy_image(
            src,
            dst,
            source_client=src_client,
            destination_client=src_client if shared else dst_client,
            platforms=platforms,
            concurrency=args.jobs,
        )
    print(
        json.dumps(
            {
                "digest": str(result.digest),
                "mediaType": result.media_type,
                "manifests": result.manifests,
                "copied": result.blobs_copied,
                "skipped": result.blobs_skipped,
                "mounted": result.blobs_mounted,
                "bytes": result.bytes_copied,
            }
        )
    )
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "import",
        help="build an OCI image from directories or rootfs tarballs, one layer each",
        description="Build a layered OCI image from directories or root-filesystem tarballs "
        "(each SOURCE the next layer, in order: e.g. a base root filesystem, then the "
        "application) and push it to a registry or write it to an OCI layout. Progress "
        "(bytes, rate) goes to stderr; the result is one JSON line on stdout.",
    )
    p.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="directory or tarball (.tar, .tar.gz, .tar.zst …); several: one layer each",
    )
    p.add_argument("destination", help="docker://HOST/REPO:TAG or oci:PATH[:TAG]")
    p.add_argument(
        "--compression", choices=[c.value for c in Compression], default=Compression.GZIP.value
    )
    p.add_argument("--level", type=int, default=None, help="compression level")
    p.add_argument(
        "--layer",
        action="append",
        metavar="PATH",
        help="put PATH (e.g. usr/lib) in a layer of its own; repeatable",
    )
    p.add_argument(
        "--max-layer-size",
        type=size_argument,
        default=None,
        metavar="SIZE",
        help="split layers at SIZE",
    )
    p.add_argument(
        "--timestamp",
        type=int,
        default=None,
        help="Unix time for every file and the config (default: SOURCE_DATE_EPOCH if set)",
    )
    p.add_argument("--arch", default="amd64")
    p.add_argument("--os", default="linux")
    p.add_argument("--variant", default=None)
    p.add_argument("--entrypoint", default=None, help='JSON list, e.g. ["/app"]')
    p.add_argument("--cmd", default=None, help='JSON list, e.g. ["--port", "9000"]')
    p.add_argument("--env", action="append", metavar="KEY=VALUE")
    p.add_argument("--workdir", default=None)
    p.add_argument("--user", default=None)
    p.add_argument("--expose", action="append", metavar="PORT[/PROTO]")
    p.add_argument("--label", action="append", metavar="KEY=VALUE")
    p.add_argument("--creds", default=None, metavar="USER[:PASSWORD]")
    p.add_argument("--insecure", action="store_true", help="plain HTTP to the registry")
    p.add_argument(
        "--json",
        action="store_true",
        help='progress as JSON lines on stdout ({"event": "progress", …}), then the result '
        '({"event": "done", …})',
    )
    p.set_defaults(func=_run_import)

    c = subparsers.add_parser(
        "copy",
        help="copy images between registries and OCI layouts",
        description="Copy an image (every platform of an index by default) between "
        "registries (docker://HOST/REPO:TAG) and OCI layouts (oci:PATH[:TAG]).",
    )
    c.add_argument("source")
    c.add_argument("destination")
    c.add_argument(
        "--platform", action="append", metavar="OS/ARCH[/VARIANT]", help="copy only these"
    )
    c.add_argument("--jobs", type=int, default=6, help="concurrent blob transfers")
    c.add_argument("--src-creds", default=None, metavar="USER[:PASSWORD]")
    c.add_argument("--dest-creds", default=None, metavar="USER[:PASSWORD]")
    c.add_argument("--src-insecure", action="store_true")
    c.add_argument("--dest-insecure", action="store_true")
    c.set_defaults(func=_run_copy)
