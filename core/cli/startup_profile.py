"""``fcaccel profile``: start-up profiles of any image.

``record`` runs the image once (the accelerated twin, over a lazy FUSE mount, in a sandbox:
exec mode) until its port answers and a first invocation returned, optionally exercises it,
and writes the files it opened, in order (``--output``). ``--push`` pushes the profile next
to the image (an OCI artifact tagged ``sha256-<digest>.profile``, found by lazy pulls and
``fcaccel coldstart``); ``--convert`` converts the plain image again in optimized order with
it (``<tag>_accelerated`` then starts with one prefetch of its start-up files) and, for a
plain image without an accelerated twin, first converts it in preserve order to record on.

``show`` prints the profile pushed for an image. ``rule`` hands a profile to Alibaba Cloud
Container Registry: the repository's acceleration rule gets it as ``PriorityFile`` (after a
confirmation that lists every path, unless ``--yes``), so the registry's own conversions put
those files first.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from core._progress import Progress
from core.cli._args import registry_credentials
from core.cli._cloud_common import (
    add_common_arguments,
    choose_instance,
    emit_json,
    open_profile,
    split_repo,
)
from core.cloud import encode_priority_file
from core.coldstart import (
    DEFAULT_EVENT,
    RECORD_MODES,
    Exercise,
    optimize_with_profile,
    prepare_twin,
    publish_profile,
    record_startup_profile,
)
from core.convert import ANNOTATION_SOURCE_DIGEST, load_profile
from core.errors import CloudError, InvalidInput
from core.oci import ImageReference
from core.pull import StartupProfile, close_mount_helpers, fetch_profile, profile_tag, resolve_image
from core.registry import RegistryClient

__all__ = ["register"]


def _env(items: list[str] | None) -> dict[str, str]:
    env: dict[str, str] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InvalidInput(f"--env expects KEY=VALUE, got {item!r}")
        env[key] = value
    return env


def _event(args: argparse.Namespace) -> bytes:
    if args.event_file:
        try:
            return Path(args.event_file).read_bytes()
        except OSError as exc:
            raise InvalidInput(f"cannot read --event-file {args.event_file}: {exc}") from exc
    return args.event.encode() if args.event is not None else DEFAULT_EVENT


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


class _Steps:
    """Progress lines on stderr: each step, and the phases of the recording run."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=sys.stderr, flush=True)

    def __call__(self, p: Progress) -> None:
        if self.quiet or p.extra.get("event") != "end":
            return
        print(
            f"  {p.phase:<13} {p.extra['duration']:8.3f}s {p.extra['bytes']:>14,} B",
            file=sys.stderr,
            flush=True,
        )


async def _record(args: argparse.Namespace) -> int:
    steps = _Steps(args.json or args.quiet)
    from_paths = load_profile(args.from_file) if args.from_file else None
    exercise = Exercise(
        urls=tuple(args.exercise_url or ()), commands=tuple(args.exercise_command or ())
    )
    out: dict[str, Any] = {}
    async with RegistryClient.for_reference(
        ImageReference.parse(args.image),
        credentials=registry_credentials(args.creds),
        insecure=True if args.insecure else None,
    ) as client:
        twin = await prepare_twin(client, args.image, convert=args.convert)
        if twin.converted is not None:
            steps.say(f"converted {twin.source} → {twin.run} (preserve order) to record on")
            out["converted_first"] = {"target": twin.run, "digest": twin.converted.digest}
        steps.say(f"recording the start-up profile of {twin.run} …")
        with tempfile.TemporaryDirectory(prefix="fcaccel-profile-", dir=args.workdir) as work:
            try:
                recording = await record_startup_profile(
                    client,
                    twin.run,
                    workdir=work,
                    run_mode=args.mode,
                    event=_event(args),
                    exercise=exercise,
                    from_paths=from_paths,
                    env=_env(args.env),
                    ready_timeout_s=args.timeout,
                    on_progress=steps,
                )
            finally:
                await close_mount_helpers()
        out["recording"] = recording.as_dict()
        if args.output:
            await asyncio.to_thread(Path(args.output).write_bytes, recording.profile.to_text())
            out["output"] = args.output
        if args.push:
            digest = await publish_profile(client, recording)
            subject = recording.source_digest or recording.image_digest
            out["pushed"] = {"tag": profile_tag(subject), "digest": str(digest)}
        if args.convert:
            steps.say("converting again in optimized order …")
            optimized = await optimize_with_profile(client, recording)
            out["optimized"] = {
                "target": optimized.target,
                "digest": optimized.digest,
                "order": optimized.order.value,
                "bytes": optimized.bytes_out,
            }
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(
        f"start-up profile of {recording.image}: {recording.files} files, "
        f"{_megabytes(recording.size)} ({recording.mode} mode, {recording.seconds:.1f} s)"
    )
    if recording.first_status is not None:
        print(f"  first invocation: HTTP {recording.first_status}")
    for item in recording.exercised:
        what = item.get("request") or item.get("command")
        print(f"  exercised: {what} → {item.get('status', item.get('exit'))}")
    if args.output:
        print(f"  written to {args.output}")
    if "pushed" in out:
        print(f"  pushed next to the image as {out['pushed']['tag']}")
    if "optimized" in out:
        o = out["optimized"]
        print(f"  {o['target']} {o['digest']} (optimized order, {o['bytes']:,} bytes)")
    for warning in recording.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not (args.output or args.push or args.convert):
        print("  (nothing kept: add --output FILE, --push or --convert)", file=sys.stderr)
    return 0


async def _show(args: argparse.Namespace) -> int:
    ref = ImageReference.parse(args.image)
    async with RegistryClient.for_reference(
        ref,
        credentials=registry_credentials(args.creds),
        insecure=True if args.insecure else None,
    ) as client:
        resolved = await resolve_image(client, ref)
        digests = [str(resolved.digest)]
        if resolved.index_digest is not None:
            digests.insert(0, str(resolved.index_digest))
        source = (resolved.manifest.annotations or {}).get(ANNOTATION_SOURCE_DIGEST)
        if source:
            digests.append(source)
        profile: StartupProfile | None = None
        for digest in digests:
            profile = await fetch_profile(client, ref.repository, digest)
            if profile is not None:
                break
    if profile is None:
        if args.json:
            emit_json({"image": args.image, "profile": None})
        else:
            print(f"no start-up profile was pushed for {args.image}")
        return 3
    if args.json:
        doc = {**profile.as_dict(), "files": len(profile.paths)}
        emit_json({"image": args.image, "profile": doc})
        return 0
    print(
        f"start-up profile: {len(profile.paths)} files, "
        + (_megabytes(profile.size) + ", " if profile.size else "")
        + f"recorded {profile.recorded_at}"
    )
    if args.paths:
        for path in profile.paths:
            print("/" + path)
    return 0


def _read_profile_file(path: str) -> tuple[str, ...]:
    paths = load_profile(path)
    if not paths:
        raise InvalidInput(f"{path} lists no files")
    return paths


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    with contextlib.suppress(EOFError):
        return input(question).strip().lower() in ("y", "yes")
    return False


async def _rule(args: argparse.Namespace) -> int:
    paths = _read_profile_file(args.from_file)
    split_repo(args.repo)
    encode_priority_file(paths)  # refuses unusable paths before anything is asked
    async with open_profile(args) as ctx:
        namespace, name = split_repo(args.repo)
        instance = await choose_instance(ctx, args.instance)
        repo = await ctx.clients.acr.get_repository(instance, namespace=namespace, name=name)
        if not repo.repo_id:
            raise CloudError(f"repository {args.repo} has no id", code="InvalidResponse")
        current = await ctx.clients.acr.get_acceleration_rule(instance, repo.repo_id)
        if not args.yes:
            print(
                f"The acceleration rule of {args.repo} (instance {instance}) will prefetch "
                f"these {len(paths)} files first (PriorityFile):",
                file=sys.stderr,
            )
            for i, path in enumerate(paths, 1):
                print(f"  {i:>5}  /{path}", file=sys.stderr)
            if current is not None:
                print(
                    f"The current rule {current.build_rule_id} is replaced: "
                    "DeleteArtifactBuildRule, then CreateArtifactBuildRule with the same "
                    "parameters and this list (there is no update call).",
                    file=sys.stderr,
                )
            else:
                print(
                    "Acceleration is off for this repository: CreateArtifactBuildRule "
                    "switches it on with this list.",
                    file=sys.stderr,
                )
            print(
                "Tags pushed afterwards are converted with it; existing tags need a new "
                "conversion.",
                file=sys.stderr,
            )
            if not _confirm("Apply? [y/N] "):
                raise InvalidInput("not applied (confirm at the prompt, or pass --yes)")
        rule_id, replaced = await ctx.clients.acr.set_priority_file(instance, repo.repo_id, paths)
    if args.json:
        emit_json(
            {
                "repo": args.repo,
                "buildRuleId": rule_id,
                "replaced": replaced.build_rule_id if replaced else None,
                "files": len(paths),
            }
        )
    else:
        print(f"acceleration rule {rule_id} of {args.repo} prefetches {len(paths)} files first")
    return 0


def _registry_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--creds", default=None, metavar="USER[:PASSWORD]")
    p.add_argument("--insecure", action="store_true", help="plain HTTP to the registry")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "profile",
        help="start-up profiles: record one for any image, show it, hand it to the cloud",
        description="Start-up profiles: the files an image reads while it starts, in order. "
        "Accelerated images converted with one (optimized order) start with a single "
        "prefetch instead of a round trip per file.",
    )
    sub = parser.add_subparsers(dest="profile_command", metavar="ACTION", required=True)

    r = sub.add_parser(
        "record",
        help="run IMAGE once and record the files its start-up reads",
        description="Start IMAGE (its accelerated twin) lazily in a sandbox until its port "
        "answers and a first invocation returned, record every file it opens, and keep the "
        "list: --output FILE, --push (next to the image in the registry), --convert (convert "
        "again in optimized order). Where FUSE or bubblewrap is missing, a static profile "
        "(the entrypoint and the libraries it links) is made instead; --from FILE replays a "
        "profile recorded elsewhere against this image.",
    )
    r.add_argument("image", metavar="IMAGE", help="HOST/REPO:TAG (plain or _accelerated)")
    r.add_argument("--output", "-o", metavar="FILE", help="write the profile here")
    r.add_argument("--push", action="store_true", help="push the profile next to the image")
    r.add_argument(
        "--convert",
        action="store_true",
        help="convert the plain image again in optimized order with the profile (and first "
        "in preserve order when it has no accelerated twin to record on)",
    )
    r.add_argument("--event", default=None, metavar="JSON", help="the first invocation's event")
    r.add_argument("--event-file", default=None, metavar="FILE", help="the event, from a file")
    r.add_argument(
        "--exercise-url",
        action="append",
        metavar="REQUEST",
        help="after the first invocation, request PATH, 'METHOD PATH' or a URL from the "
        "function; repeatable",
    )
    r.add_argument(
        "--exercise-command",
        action="append",
        metavar="CMD",
        help="after the first invocation, run CMD here with FC_ENDPOINT set to the function's "
        "address (must exit 0); repeatable",
    )
    r.add_argument(
        "--mode",
        choices=RECORD_MODES,
        default="auto",
        help="exec (run it), replay (--from), static (no run); default: the best available",
    )
    r.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help="replay this profile (paths, or ctr-remote NDJSON)",
    )
    r.add_argument("--env", action="append", metavar="KEY=VALUE", help="function environment")
    r.add_argument("--timeout", type=float, default=120.0, help="seconds for the port to answer")
    r.add_argument("--workdir", metavar="DIR", help="scratch space (default: temp dir)")
    _registry_arguments(r)
    r.add_argument("--quiet", action="store_true", help="no progress lines")
    r.add_argument("--json", action="store_true", help="machine-readable result")
    r.set_defaults(func=_record)

    s = sub.add_parser(
        "show",
        help="show the start-up profile pushed for IMAGE",
        description="Show the start-up profile pushed for IMAGE (or for the plain image an "
        "accelerated IMAGE was converted from). Exit status 3 when there is none.",
    )
    s.add_argument("image", metavar="IMAGE")
    s.add_argument("--paths", action="store_true", help="list every path")
    _registry_arguments(s)
    s.add_argument("--json", action="store_true", help="machine-readable result")
    s.set_defaults(func=_show)

    u = sub.add_parser(
        "rule",
        help="make a repository's acceleration rule prefetch a profile (PriorityFile)",
        description="Set the Container Registry acceleration rule of NAMESPACE/NAME to "
        "prefetch the files of a profile first (Parameters.PriorityFile: one absolute path "
        "per line, base64). Shows every path and asks first, unless --yes.",
    )
    add_common_arguments(u)
    u.add_argument("repo", metavar="NAMESPACE/NAME")
    u.add_argument("--from", dest="from_file", required=True, metavar="FILE", help="the profile")
    u.add_argument("--instance", help="registry instance id (cri-…)")
    u.add_argument("--yes", action="store_true", help="apply without asking")
    u.set_defaults(func=_rule)
