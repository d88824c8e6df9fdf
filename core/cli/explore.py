"""``fcaccel ls`` and ``fcaccel diff``: look inside images without pulling them.

An accelerated image (zstd:chunked or eStargz layers) is read from its TOCs only; a plain
image is streamed once, with progress, and its index kept in the content cache, so the next
look reads nothing. ``ls --long`` shows mode, owner, size (directories: everything under
them), the layer each entry comes from, ``*`` on the files of the image's start-up profile,
and what upper layers hide. Registry credentials: ``--creds USER[:PASSWORD]``, or
``--profile NAME`` to log in with a Local or Alibaba Cloud profile (the registry of one of
its instances); without either, the default profile is tried for hosts it owns.

Exit status of ``diff``: 0 when the file trees are the same, 3 when they differ.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx

from core._progress import Progress
from core.cli import plain_text
from core.cli._args import human_bytes, registry_credentials
from core.cli._cloud_common import emit_json, open_profile
from core.cli._status import end_progress, progress_line
from core.errors import CloudError, CoreError, SettingsError
from core.explore import (
    ChangeKind,
    FileEntry,
    HiddenEntry,
    ImageListing,
    diff_listings,
    normalize_path,
    open_listing,
)
from core.oci import ImageReference, Platform
from core.pull import ContentCache
from core.registry import RegistryClient

__all__ = ["register", "registry_login"]


def register(subparsers: Any) -> None:
    doc = plain_text(__doc__)
    p = subparsers.add_parser(
        "ls", help="list the files of an image without pulling it", description=doc
    )
    p.add_argument("image", help="image reference (HOST/NAMESPACE/REPO:TAG)")
    p.add_argument("path", nargs="?", default="/", help="directory or file inside the image")
    p.add_argument("-l", "--long", action="store_true", help="mode, owner, size, layer, time")
    p.add_argument("-R", "--recursive", action="store_true", help="everything under PATH")
    p.add_argument("--hidden", action="store_true", help="also what upper layers hide")
    _common(p)
    p.set_defaults(func=_ls)

    p = subparsers.add_parser("diff", help="compare the file trees of two images", description=doc)
    p.add_argument("image_a", metavar="IMAGE", help="the image before")
    p.add_argument("image_b", metavar="IMAGE", help="the image after")
    p.add_argument("--path", default="/", help="compare only under this directory")
    _common(p)
    p.set_defaults(func=_diff)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable JSON output")
    p.add_argument("--creds", help="registry USER[:PASSWORD] (password from env if omitted)")
    p.add_argument("--profile", help="log in to the registry with this settings profile")
    p.add_argument("--insecure", action="store_true", help="plain HTTP for non-loopback hosts")
    p.add_argument("--platform", default="linux/amd64", help="platform of a multi-arch image")
    p.add_argument("--cache", help="content cache directory (default: the user cache)")
    p.add_argument("--timeout", type=float, default=60.0, help="HTTP timeout in seconds")


@contextlib.asynccontextmanager
async def registry_login(
    args: argparse.Namespace, ref: ImageReference, http: httpx.AsyncClient
) -> AsyncIterator[RegistryClient]:
    """A registry client for ``ref``: ``--creds``, else a login through ``--profile`` (or
    the default profile, when it owns the host), else anonymous."""
    credentials = registry_credentials(args.creds)
    if credentials is None:
        credentials = await _profile_login(args, ref.registry)
    client = RegistryClient(
        ref.registry,
        http=http,
        credentials=credentials,
        insecure=True if args.insecure else None,
    )
    yield client


async def _profile_login(args: argparse.Namespace, host: str) -> tuple[str, str] | None:
    explicit = getattr(args, "profile", None)
    try:
        async with open_profile(args) as ctx:
            async for instance in ctx.clients.acr.list_instances():
                if not instance.instance_id:
                    continue
                hosts = await ctx.clients.acr.registry_hosts(instance.instance_id)
                if host in (hosts.public, hosts.vpc):
                    login = await ctx.clients.acr.get_authorization_token(instance.instance_id)
                    return login.username, login.password
    except (CloudError, SettingsError, CoreError):
        if explicit:
            raise
        return None
    if explicit:
        raise CloudError(
            f"profile {explicit!r} has no registry instance at {host}", code="NoSuchRegistry"
        )
    return None


class _Progress:
    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.shown = False

    def __call__(self, p: Progress) -> None:
        if self.quiet or p.phase != "index" or not p.total:
            return
        rate = p.extra.get("bytes_per_second") or 0
        eta = p.extra.get("eta_s")
        tail = f", {eta:.0f} s left" if eta is not None else ""
        progress_line(
            f"reading layers {100 * p.done / p.total:5.1f}%  {human_bytes(p.done)} of "
            f"{human_bytes(p.total)} at {human_bytes(rate)}/s{tail}"
        )
        self.shown = True

    def end(self) -> None:
        if self.shown:
            end_progress()


async def _open(args: argparse.Namespace, image: str, http: httpx.AsyncClient) -> ImageListing:
    ref = ImageReference.parse(image)
    cache = ContentCache(args.cache) if args.cache else ContentCache()
    progress = _Progress(args.json or not sys.stderr.isatty())
    try:
        async with registry_login(args, ref, http) as registry:
            return await open_listing(
                registry,
                ref,
                cache=cache,
                platform=Platform.parse(args.platform),
                on_progress=progress,
            )
    finally:
        progress.end()


def _when(ns: int) -> str:
    if not ns:
        return "-"
    moment = datetime.datetime.fromtimestamp(ns / 1e9, datetime.UTC)
    return moment.strftime("%Y-%m-%d %H:%M")


def _long(entry: FileEntry, name: str) -> str:
    owner = f"{entry.user or entry.uid}/{entry.group or entry.gid}"
    mark = "*" if entry.in_profile else " "
    layer = f"L{entry.layer}" if entry.layer >= 0 else "-"
    target = f" -> {entry.link}" if entry.kind in ("symlink", "hardlink") else ""
    suffix = "/" if entry.is_dir else ""
    return (
        f"{entry.mode_text} {owner:>11} {human_bytes(entry.size):>10} {layer:>3} "
        f"{_when(entry.mtime_ns)} {mark}{name}{suffix}{target}"
    )


def _hidden_line(h: HiddenEntry) -> str:
    what = f"{h.files} entries, " if h.kind == "dir" else ""
    return (
        f"  /{h.path}{'/' if h.kind == 'dir' else ''} ({what}{human_bytes(h.size)}) "
        f"from L{h.layer}, "
        f"hidden by L{h.by} ({h.how})"
    )


async def _ls(args: argparse.Namespace) -> int:
    path = normalize_path(args.path)
    async with httpx.AsyncClient(timeout=httpx.Timeout(args.timeout, connect=10.0)) as http:
        listing = await _open(args, args.image, http)
    target = listing.entry(path)
    if args.recursive and target.is_dir:
        shown = list(listing.walk(path))[1:]
    elif target.is_dir:
        shown = listing.children(path)
    else:
        shown = [target]
    hidden = listing.hidden_under(path) if args.hidden or args.json else []
    if args.json:
        data = listing.to_json()
        data["path"] = "/" + path
        data["entries"] = [e.to_json() for e in shown]
        data["hidden"] = [h.to_json() for h in hidden]
        emit_json(data)
        return 0
    for entry in shown:
        name = entry.path if args.recursive or not target.is_dir else entry.name
        if args.long:
            print(_long(entry, name))
        else:
            print(name + ("/" if entry.is_dir else "@" if entry.kind == "symlink" else ""))
    if args.long:
        _footer(listing, target)
    if hidden:
        print(f"hidden by upper layers under /{path}:")
        for h in hidden:
            print(_hidden_line(h))
    return 0


def _footer(listing: ImageListing, target: FileEntry) -> None:
    sources = ", ".join(f"L{layer.index} {layer.source.value}" for layer in listing.layers)
    line = (
        f"total {human_bytes(target.size)} in {target.files} entries; image {listing.digest[:19]}, "
        f"{'accelerated' if listing.accelerated else 'plain'} ({sources})"
    )
    print(line)
    if listing.profile is not None and listing.profile.files:
        share = target.profile_bytes / target.size if target.size else 0.0
        print(
            f"* start-up profile: {human_bytes(target.profile_bytes)} here ({100 * share:.1f} %); "
            f"{listing.profile.files} files, {human_bytes(listing.profile.bytes)} "
            f"({100 * listing.profile.share:.1f} %) of the image"
        )


async def _diff(args: argparse.Namespace) -> int:
    path = normalize_path(args.path)
    async with httpx.AsyncClient(timeout=httpx.Timeout(args.timeout, connect=10.0)) as http:
        a = await _open(args, args.image_a, http)
        b = await _open(args, args.image_b, http)
    diff = diff_listings(a, b)
    if path:
        inside = [c for c in diff.changes if c.path == path or c.path.startswith(path + "/")]
        diff = type(diff)(diff.a, diff.b, tuple(inside))
    if args.json:
        emit_json(diff.to_json())
        return 3 if diff.changes else 0
    signs = {ChangeKind.ADDED: "+", ChangeKind.REMOVED: "-", ChangeKind.CHANGED: "~"}
    for change in diff.changes:
        entry = change.after or change.before
        assert entry is not None
        detail = human_bytes(entry.size) if entry.kind == "reg" else entry.kind
        if change.kind is ChangeKind.CHANGED:
            detail = ", ".join(change.fields)
            if change.size_delta:
                sign = "+" if change.size_delta > 0 else "-"
                detail += f", {sign}{human_bytes(abs(change.size_delta))}"
        print(f"{signs[change.kind]} /{change.path}{'/' if entry.is_dir else ''}  ({detail})")
    s = diff.summary
    print(
        f"{s['added']['paths']} added ({human_bytes(s['added']['bytes'])}), "
        f"{s['removed']['paths']} removed ({human_bytes(s['removed']['bytes'])}), "
        f"{s['changed']['paths']} changed"
    )
    return 3 if diff.changes else 0
