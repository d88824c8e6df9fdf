"""``fcaccel accel``: switch image acceleration on or off for a repository and watch it."""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from core import is_accelerated_tag, twin_tag_of
from core.cli._cloud_common import (
    CloudContext,
    add_common_arguments,
    choose_instance,
    emit_json,
    open_profile,
    print_table,
    split_repo,
)
from core.cli._status import end_progress, progress_line
from core.cloud import BuildTask
from core.errors import CloudError
from core.pull import is_profile_tag

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("accel", help="repository image acceleration")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, helptext, func in (
        ("enable", "switch acceleration on for NAMESPACE/NAME", _enable),
        ("disable", "switch acceleration off for NAMESPACE/NAME", _disable),
        ("status", "show the rule, tags and conversion tasks of NAMESPACE/NAME", _status),
    ):
        p = sub.add_parser(action, help=helptext)
        add_common_arguments(p)
        p.add_argument("repo", help="NAMESPACE/NAME")
        p.add_argument("--instance", help="registry instance id (cri-…)")
        if action == "enable":
            p.add_argument(
                "--convert-existing",
                action="store_true",
                help="also convert tags pushed before (Local server)",
            )
            p.add_argument(
                "--wait", action="store_true", help="wait for the conversions, with progress"
            )
        p.set_defaults(func=func)

    p = sub.add_parser(
        "why",
        help="why an image is not accelerated (or is): every problem, what to do, the fix",
        description="The checks of fcaccel report for one image: the twin's state, and "
        "for each problem what it means and what to do. Exit status 0 when nothing is wrong, "
        "3 when something is.",
    )
    add_common_arguments(p)
    p.add_argument("image", help="image reference (HOST/NAMESPACE/REPO:TAG)")
    p.add_argument("--function", help="check the image as this function would run it")
    p.set_defaults(func=_why)


#: What to do about each problem (the console words the same advice in the user's language).
ADVICE = {
    "plain-tag-with-twin": "switch the function to the _accelerated twin",
    "stale-twin": "convert the tag again (Local: fcaccel report --fix stale-twin; cloud: push "
    "the tag again), then redeploy the function",
    "acceleration-off": "switch acceleration on for the repository (fcaccel accel enable)",
    "twin-failed": "fix what the reason names, then convert again",
    "twin-missing": "convert the tag (Local: convert now; cloud: push the tag again: tags "
    "pushed before the rule are not converted)",
    "image-unreadable": "check the image address and that the profile may read it",
    "edition-unsupported": "use a Standard or Advanced Enterprise instance (upgrade the "
    "instance or push the image to another one): a Basic instance has no acceleration",
    "multi-arch": "push a single-platform image (e.g. fcaccel copy --platform linux/amd64): "
    "multi-architecture images are not converted",
    "too-large": "make the image smaller (compressed) than the edition's limit, or use an "
    "Advanced instance",
    "index-only": "switch the repository's acceleration to full mode in the Container "
    "Registry console (index-only twins cannot be used by Function Compute), then push again",
    "public-endpoint": "use the instance's VPC address for the image",
    "vpc-not-linked": "link the function's VPC to the instance's VPC endpoint (Container "
    "Registry console: Access Control › VPC)",
    "region-mismatch": "push the image to an instance in the function's region",
    "not-enterprise": "push the image to a Container Registry Enterprise instance with "
    "acceleration on (a Personal edition or another registry converts nothing)",
    "redeploy-needed": "update the function with its image again (fcaccel report --fix "
    "redeploy-needed): Function Compute runs the digest it recorded at deployment and fails "
    "the function once the tag points elsewhere",
}


async def _why(args: argparse.Namespace) -> int:
    from core.report import FIX_FOR, ReportTarget, TargetKey, check_image, plan_fix
    from core.settings import AliyunProfile

    async with open_profile(args) as ctx:
        region = ctx.profile.region if isinstance(ctx.profile, AliyunProfile) else ""
        target = ReportTarget(TargetKey(ctx.profile.name, region), ctx.clients, ctx.http)
        fn = await ctx.clients.fc.get_function(args.function) if args.function else None
        row = await check_image(target, args.image, function=fn)
    plans = {p.code: plan_fix(row, p.code) for p in row.problems if p.code in FIX_FOR}
    if args.json:
        data = row.to_json()
        data["advice"] = {p.code.value: ADVICE.get(p.code.value, "") for p in row.problems}
        data["fixes"] = {
            code.value: plan.to_json() for code, plan in plans.items() if plan is not None
        }
        emit_json(data)
        return 3 if row.problems else 0
    state = row.twin_state.value
    print(f"{row.image}: {'accelerated' if row.runs_accelerated else 'plain'}, twin {state}")
    if not row.problems:
        print("nothing stands in the way of acceleration")
        return 0
    for p in row.problems:
        extra = f" ({p.reason})" if p.reason else ""
        detail = ", ".join(f"{k}={v}" for k, v in p.detail.items() if k != "message")
        print(f"- {p.code.value}{extra}" + (f" [{detail}]" if detail else ""))
        print(f"  what to do: {ADVICE.get(p.code.value, '-')}")
        plan = plans.get(p.code)
        if plan is not None:
            print(f"  fix offered: {plan.kind.value} (fcaccel report --fix {p.code.value})")
        elif p.fix_blocked:
            print(f"  no fix offered while {p.fix_blocked}")
    return 3


async def _repo_id(ctx: CloudContext, args: argparse.Namespace) -> tuple[str, str]:
    namespace, name = split_repo(args.repo)
    instance = await choose_instance(ctx, args.instance)
    repo = await ctx.clients.acr.get_repository(instance, namespace=namespace, name=name)
    if not repo.repo_id:
        raise CloudError(f"repository {args.repo} has no id", code="InvalidResponse")
    return instance, repo.repo_id


def _task_row(task: BuildTask) -> dict[str, Any]:
    return {
        "taskId": task.build_task_id,
        "status": task.task_status,
        "source": task.source_tag,
        "target": task.target_tag,
        "progress": task.extra.get("Progress"),
    }


async def _wait(ctx: CloudContext, repo: str, task_ids: set[str], as_json: bool) -> list[BuildTask]:
    assert ctx.clients.local is not None
    while True:
        tasks = [
            t
            for t in await ctx.clients.local.list_tasks(repo=repo, limit=1000)
            if t.build_task_id in task_ids
        ]
        done = sum(1 for t in tasks if t.finished)
        if not as_json:
            building = [t for t in tasks if t.task_status == "BUILDING"]
            detail = f" — {building[0].source_tag}" if building else ""
            progress_line(f"converting: {done}/{len(task_ids)} finished{detail}")
        if done >= len(task_ids):
            if not as_json:
                end_progress()
            return tasks
        await asyncio.sleep(0.5)


async def _enable(args: argparse.Namespace) -> int:
    async with open_profile(args) as ctx:
        instance, repo_id = await _repo_id(ctx, args)
        rule_id = await ctx.clients.acr.create_acceleration_rule(instance, repo_id)
        queued: list[dict[str, Any]] = []
        skipped: list[dict[str, Any]] = []
        note = None
        if args.convert_existing:
            if ctx.clients.local is not None:
                result = await ctx.clients.local.convert(repo_id=repo_id)
                entries = [e for e in result.get("tasks") or [] if isinstance(e, dict)]
                queued = [e for e in entries if e.get("taskId")]
                skipped = [e for e in entries if not e.get("taskId")]
            else:
                note = "existing tags are converted only by a manual conversion in the console"
        tasks: list[BuildTask] = []
        if args.wait and queued and ctx.clients.local is not None:
            ids = {str(q["taskId"]) for q in queued}
            tasks = await _wait(ctx, args.repo, ids, args.json)
    failed = [t for t in tasks if t.task_status != "SUCCESS"]
    if args.json:
        emit_json(
            {
                "buildRuleId": rule_id,
                "queued": queued,
                "skipped": skipped,
                "tasks": [_task_row(t) for t in tasks],
                "note": note,
            }
        )
    else:
        print(f"acceleration on for {args.repo} (rule {rule_id})")
        if queued:
            print(f"{len(queued)} existing tag(s) queued for conversion")
        for entry in skipped:
            print(f"  {entry.get('tag')}: skipped ({entry.get('skipped')})")
        for t in tasks:
            print(f"  {t.source_tag} -> {t.target_tag}: {t.task_status}")
        if note:
            print(f"note: {note}")
    return 1 if failed else 0


async def _disable(args: argparse.Namespace) -> int:
    async with open_profile(args) as ctx:
        instance, repo_id = await _repo_id(ctx, args)
        removed = await ctx.clients.acr.delete_acceleration_rule(instance, repo_id)
    if args.json:
        emit_json({"removed": removed})
    else:
        print(f"acceleration {'switched off' if removed else 'was already off'} for {args.repo}")
    return 0


def _profile_cell(profile: dict[str, Any] | None) -> str:
    """``85 files, 12.2 MB, recorded 2025-01-31 09:12 UTC``, or the state."""
    if profile is None or profile.get("state") in (None, "NONE"):
        return "not recorded"
    state = str(profile["state"])
    if state == "RECORDED":
        when = profile.get("recordedAt")
        stamp = (
            time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(when / 1000))
            if isinstance(when, int | float)
            else "?"
        )
        size = profile.get("bytes", 0) / 1e6
        return f"{profile.get('files', 0)} files, {size:.1f} MB, recorded {stamp}"
    if state == "FAILED":
        return f"failed: {profile.get('reason') or '?'}"
    return state.lower()


async def _status(args: argparse.Namespace) -> int:
    started = time.monotonic()
    async with open_profile(args) as ctx:
        instance, repo_id = await _repo_id(ctx, args)
        acr = ctx.clients.acr
        rule = await acr.get_acceleration_rule(instance, repo_id)
        tags = [t.tag async for t in acr.list_tags(instance, repo_id) if t.tag]
        tasks: list[BuildTask] | None = None
        profiles: dict[str, dict[str, Any]] | None = None
        if ctx.clients.local is not None:
            tasks = await ctx.clients.local.list_tasks(repo=args.repo, limit=50)
            profiles = {
                str(p.get("tag")): p for p in await ctx.clients.local.list_profiles(args.repo)
            }
    names = set(tags)
    plain = sorted(t for t in tags if not is_accelerated_tag(t) and not is_profile_tag(t))
    rows = [{"tag": t, "accelerated": twin_tag_of(t) in names} for t in plain]
    if args.json:
        emit_json(
            {
                "repo": args.repo,
                "enabled": rule is not None,
                "rule": rule.to_json() if rule else None,
                "tags": rows,
                "tasks": [_task_row(t) for t in tasks] if tasks is not None else None,
                "profiles": list(profiles.values()) if profiles is not None else None,
                "elapsedSeconds": round(time.monotonic() - started, 3),
            }
        )
        return 0
    print(
        f"acceleration: {'on' if rule else 'off'}"
        + (f" (rule {rule.build_rule_id})" if rule else "")
    )
    if profiles is None:
        print_table(
            ["TAG", "ACCELERATED TWIN"],
            [[r["tag"], "yes" if r["accelerated"] else "no"] for r in rows],
        )
    else:
        print_table(
            ["TAG", "ACCELERATED TWIN", "START-UP PROFILE"],
            [
                [
                    r["tag"],
                    "yes" if r["accelerated"] else "no",
                    _profile_cell(profiles.get(str(r["tag"]))),
                ]
                for r in rows
            ],
        )
    if tasks:
        print()
        print_table(
            ["TASK", "STATUS", "SOURCE", "TARGET", "PROGRESS"],
            [list(_task_row(t).values()) for t in tasks],
        )
    return 0
