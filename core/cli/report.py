"""``fcaccel report``: the acceleration overview of every function across profiles and regions,
for a terminal or a scheduled job.

Exit status: ``0`` no problem found, ``3`` problems found, ``1`` a profile, region or function
could not be inspected (the report is incomplete), ``2`` bad arguments.

``--fix CODE`` shows what fixing every function with problem ``CODE`` would change; with
``--yes`` it applies the fixes, waits for them, runs the report again and reports on that.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import sys
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from core._files import atomic_write
from core._progress import Progress
from core.cli import plain_text
from core.cli._cloud_common import (
    load_settings,
    print_table,
)
from core.cli._status import end_progress, progress_line
from core.cloud import (
    open_clients,
    resolve_credentials,
    resolve_local_profile,
    secret_key,
    secret_store_for,
)
from core.errors import CoreError, InvalidInput, SettingsError
from core.report import (
    FIX_FOR,
    FixKind,
    FixOutcome,
    FixPlan,
    FixStep,
    FunctionRow,
    ProblemCode,
    Report,
    ReportTarget,
    StepAction,
    StepStatus,
    TargetError,
    TargetKey,
    apply_fix,
    build_report,
    plan_fixes,
)
from core.settings import AliyunProfile, LocalProfile, RegistryProfile, Settings

__all__ = ["EXIT_ERRORS", "EXIT_PROBLEMS", "describe_step", "register"]

EXIT_PROBLEMS = 3
EXIT_ERRORS = 1


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="acceleration overview of every function (exit 3 when problems are found)",
        description=plain_text(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--profile",
        action="append",
        default=None,
        metavar="P",
        help="profile to inspect (repeat for several; default: the default profile)",
    )
    parser.add_argument(
        "--region",
        action="append",
        default=None,
        metavar="R",
        help="region of Alibaba Cloud profiles (repeat for several; default: the profile's)",
    )
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="FILE",
        help="write the report as JSON to FILE (or stdout)",
    )
    parser.add_argument(
        "--csv", nargs="?", const="-", metavar="FILE", help="write the report as CSV to FILE"
    )
    parser.add_argument(
        "--problem",
        action="append",
        choices=[c.value for c in ProblemCode],
        metavar="CODE",
        help="list only functions with this problem (repeatable)",
    )
    parser.add_argument(
        "--fix",
        metavar="CODE",
        choices=[c.value for c in FIX_FOR] + [k.value for k in FixKind],
        help="fix every function with problem CODE (or fix kind): shows the plan; "
        "applies it with --yes",
    )
    parser.add_argument("--yes", action="store_true", help="apply the --fix plans")
    parser.add_argument(
        "--wait-timeout",
        type=float,
        default=600.0,
        help="longest wait per fix step in seconds (default 600)",
    )
    parser.add_argument(
        "--details",
        action="store_true",
        help="also read each function's state and last update for the JSON and CSV output "
        "(one GetFunction request per function: slower with thousands of functions)",
    )
    parser.add_argument(
        "--concurrency", type=int, default=8, help="functions inspected at once (default 8)"
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="HTTP timeout in seconds (default 30)"
    )
    parser.set_defaults(func=_run)


# -- targets ---------------------------------------------------------------------------------


def _registry_logins(settings: Settings) -> dict[str, tuple[str, str]]:
    """``host -> (username, password)`` of the plain registry profiles (for foreign images)."""
    out: dict[str, tuple[str, str]] = {}
    store = None
    for profile in settings.all_profiles():
        if not isinstance(profile, RegistryProfile) or not profile.username:
            continue
        if store is None:
            store = secret_store_for(settings)
        try:
            password = store.get(secret_key(profile.name, "password"))
        except CoreError:
            password = None
        host = urlsplit(profile.url).netloc
        if password and host:
            out[host] = (profile.username, password)
    return out


@contextlib.asynccontextmanager
async def open_targets(
    settings: Settings,
    profiles: Sequence[str] | None,
    regions: Sequence[str] | None,
    *,
    http_timeout: float = 30.0,
) -> AsyncIterator[tuple[list[ReportTarget], list[TargetError]]]:
    """Targets for the chosen profiles × regions on one HTTP client (closed at the end), and
    the targets whose credentials could not be resolved."""
    logins = await asyncio.to_thread(_registry_logins, settings)
    names = list(profiles or [settings.default_profile])
    targets: list[ReportTarget] = []
    errors: list[TargetError] = []
    async with httpx.AsyncClient(timeout=httpx.Timeout(http_timeout, connect=10.0)) as http:
        for name in names:
            profile = settings.profile(name)
            if isinstance(profile, RegistryProfile):
                raise SettingsError(
                    f"profile {profile.name!r} is a plain registry profile: it has no functions",
                    code="WrongProfileKind",
                )
            variants: list[AliyunProfile | LocalProfile]
            if isinstance(profile, LocalProfile):
                variants = [profile]
            else:
                variants = [
                    dataclasses.replace(profile, region=r) for r in (regions or [profile.region])
                ]
            for variant in variants:
                key = TargetKey(
                    variant.name, variant.region if isinstance(variant, AliyunProfile) else ""
                )
                try:
                    if isinstance(variant, LocalProfile):
                        variant, creds = await resolve_local_profile(variant, settings)
                    else:
                        store = secret_store_for(settings)
                        creds = await asyncio.to_thread(resolve_credentials, variant, store)
                    clients = open_clients(variant, http, creds)
                except CoreError as exc:
                    errors.append(TargetError(key, exc.code, str(exc)))
                    continue
                targets.append(ReportTarget(key, clients, http, foreign_auth=logins.get))
        yield targets, errors


# -- output ----------------------------------------------------------------------------------


def _date(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else ""


def _problem_text(row: FunctionRow) -> str:
    parts = []
    for p in row.problems:
        note = p.reason if p.code is ProblemCode.IMAGE_UNREADABLE else ""
        if p.since and not note:
            note = f"since {_date(p.since)}"
        parts.append(f"{p.code.value}({note})" if note else p.code.value)
    return ", ".join(parts) or "-"


def describe_step(step: FixStep) -> str:
    """One plan step in words."""
    if step.action is StepAction.UPDATE_FUNCTION_IMAGE:
        return f"function {step.function}: image {step.before} -> {step.after}"
    if step.action is StepAction.CREATE_BUILD_RULE:
        return (
            f"switch acceleration on for repository {step.repository} "
            f"(CreateArtifactBuildRule, {step.scope or 'REPOSITORY'} scope)"
        )
    if step.action is StepAction.CONVERT_TAG:
        return f"convert {step.repository}:{step.tag} into {step.tag}_accelerated now"
    if step.action is StepAction.REDEPLOY_FUNCTION:
        return f"redeploy function {step.function} (same image {step.after}, new twin digest)"
    return (
        f"by hand: push {step.repository}:{step.tag} again so the registry converts it "
        "(the cloud API cannot convert an existing tag)"
    )


def _print_report(report: Report, only: set[ProblemCode] | None) -> None:
    rows = [r for r in report.rows if not only or r.problem_codes & only]
    multi = len(report.targets) > 1
    headers = ["FUNCTION", "IMAGE", "ACCELERATED", "TWIN", "PROBLEMS"]
    if multi:
        headers.insert(0, "TARGET")
    table = []
    for r in rows:
        line = [
            r.function,
            r.image,
            "yes" if r.runs_accelerated else "no",
            r.twin_state.value,
            _problem_text(r),
        ]
        if multi:
            line.insert(0, str(r.target))
        table.append(line)
    print_table(headers, table)
    counts = report.counts()
    with_problems = sum(1 for r in report.rows if r.problems)
    print()
    print(
        f"{len(report.rows)} function(s) in {len(report.targets)} target(s), "
        f"{with_problems} with problems"
    )
    for code, n in counts.items():
        if n:
            print(f"  {code.value}: {n}")
    for row in rows:
        for p in row.problems:
            if p.code is ProblemCode.TWIN_FAILED and p.reason:
                print(f"  {row.function}: conversion failed: {p.reason}")


def _print_errors(errors: Sequence[TargetError]) -> None:
    for e in errors:
        where = f"{e.target}" + (f" function {e.function}" if e.function else "")
        print(f"fcaccel: {where}: {e.message} [{e.code}]", file=sys.stderr)


def _write(path: str, text: str) -> None:
    if path == "-":
        sys.stdout.write(text)
        return
    atomic_write(path, text)


def _status(report: Report) -> int:
    if report.errors:
        return EXIT_ERRORS
    return EXIT_PROBLEMS if report.has_problems else 0


def _fix_problem(code: str) -> ProblemCode:
    for problem, kind in FIX_FOR.items():
        if code in (problem.value, kind.value):
            return problem
    raise InvalidInput(f"no fix for {code!r}", code="NoFix")


def _progress(event: Progress) -> None:
    if event.phase == "report.functions" and event.total:
        progress_line(f"inspecting: {event.done}/{event.total} {event.item}")
    elif event.phase.startswith("fix."):
        extra = event.extra or {}
        status = extra.get("status") or ""
        progress_line(f"{event.phase[4:]}: {event.item} {status}".rstrip())


# -- the command -----------------------------------------------------------------------------


async def _apply(
    plans: list[FixPlan], targets: dict[TargetKey, ReportTarget], args: argparse.Namespace
) -> list[FixOutcome]:
    outcomes = []
    done_steps: set[tuple[TargetKey, FixStep]] = set()
    for plan in plans:
        target = targets[plan.target]
        # The same repository step for several functions is done once.
        steps = tuple(s for s in plan.steps if (plan.target, s) not in done_steps)
        outcome = await apply_fix(
            dataclasses.replace(plan, steps=steps),
            target,
            max_wait=args.wait_timeout,
            on_progress=_progress if sys.stderr.isatty() else None,
        )
        done_steps.update(
            (plan.target, s.step) for s in outcome.steps if s.status is StepStatus.DONE
        )
        outcomes.append(outcome)
    if sys.stderr.isatty():
        end_progress()
    return outcomes


async def _run(args: argparse.Namespace) -> int:
    if args.yes and not args.fix:
        raise InvalidInput("--yes applies a --fix; give --fix CODE", code="InvalidArgument")
    _store, settings = await asyncio.to_thread(load_settings)
    quiet = bool(args.json == "-" or args.csv == "-")
    progress = _progress if sys.stderr.isatty() else None
    async with open_targets(settings, args.profile, args.region, http_timeout=args.timeout) as (
        targets,
        open_errors,
    ):
        report = await build_report(
            targets,
            concurrency=args.concurrency,
            on_progress=progress,
            function_details=args.details,
        )
        report = dataclasses.replace(
            report,
            targets=tuple(e.target for e in open_errors) + report.targets,
            errors=tuple(open_errors) + report.errors,
        )
        if progress:
            end_progress()
        outcomes: list[FixOutcome] = []
        plans: list[FixPlan] = []
        if args.fix:
            problem = _fix_problem(args.fix)
            plans = plan_fixes(report.rows, problem)
            if args.yes and plans:
                outcomes = await _apply(plans, {t.key: t for t in targets}, args)
                again = await build_report(
                    targets, concurrency=args.concurrency, function_details=args.details
                )
                report = dataclasses.replace(
                    again, targets=report.targets, errors=tuple(open_errors) + again.errors
                )
    only = {ProblemCode(p) for p in args.problem} if args.problem else None
    if args.json:
        doc = report.to_json()
        if args.fix:
            doc["fixes"] = (
                [o.to_json() for o in outcomes] if outcomes else [p.to_json() for p in plans]
            )
        _write(args.json, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    if args.csv:
        rows = [r for r in report.rows if not only or r.problem_codes & only]
        _write(args.csv, report.to_csv(rows))
    if not quiet:
        if args.fix:
            _print_fixes(plans, outcomes, applied=args.yes)
        _print_report(report, only)
    _print_errors(report.errors)
    failed_fix = any(o.failed for o in outcomes)
    status = _status(report)
    return EXIT_ERRORS if failed_fix else status


def _print_fixes(plans: list[FixPlan], outcomes: list[FixOutcome], *, applied: bool) -> None:
    if not plans:
        print("nothing to fix")
        print()
        return
    if not applied:
        print(f"{len(plans)} fix(es) would change (run again with --yes to apply):")
        for plan in plans:
            print(f"- {plan.function} [{plan.target}] {plan.kind.value}:")
            for step in plan.steps:
                print(f"    {describe_step(step)}")
        print()
        return
    for outcome in outcomes:
        plan = outcome.plan
        print(f"- {plan.function} [{plan.target}] {plan.kind.value}:")
        for s in outcome.steps:
            detail = f" ({s.code}: {s.message})" if s.status is StepStatus.FAILED else ""
            if s.status is StepStatus.SKIPPED:
                detail = f" ({s.code})"
            print(f"    {s.status.value}: {describe_step(s.step)}{detail}")
    print()
