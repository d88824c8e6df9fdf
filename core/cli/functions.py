"""``fcaccel functions``: list, inspect, create, update, delete, invoke FC functions; export
and import Serverless Devs ``s.yaml``."""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
import time
from pathlib import Path
from typing import Any

from core._progress import Progress
from core.cli import plain_text
from core.cli._args import duration_argument
from core.cli._cloud_common import (
    CloudContext,
    add_common_arguments,
    emit_json,
    open_profile,
    print_table,
)
from core.cli._status import end_progress, progress_line
from core.cloud import (
    AccelerationStatus,
    CustomContainerConfig,
    Function,
    HealthCheckConfig,
    ValidationProblem,
    acceleration_status,
    function_to_s_yaml,
    functions_from_s_yaml,
    validate_function,
)
from core.errors import InvalidInput
from core.settings import AliyunProfile

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "functions", help="manage Function Compute functions", description=plain_text(__doc__)
    )
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    p = sub.add_parser("list", help="list functions")
    add_common_arguments(p)
    p.add_argument("--prefix", help="only names starting with this")
    p.add_argument(
        "--details", action="store_true", help="read each function's state and acceleration"
    )
    p.set_defaults(func=_list)

    p = sub.add_parser("get", help="show one function")
    add_common_arguments(p)
    p.add_argument("name")
    p.add_argument("--qualifier")
    p.set_defaults(func=_get)

    for action, helptext in (("create", "create a function"), ("update", "update a function")):
        p = sub.add_parser(
            action,
            help=helptext,
            description=f"{helptext.capitalize()}. With --wait-accelerated the image's "
            "_accelerated twin is waited for first (live progress and ETA of its conversion); "
            "when it does not become ready the function is left as it was and the reason is "
            "printed (exit status 3), unless --or-plain deploys the plain image instead.",
        )
        add_common_arguments(p, http_timeout_option="--http-timeout")
        p.add_argument("name", nargs="?" if action == "create" else None)
        _spec_arguments(p, creating=action == "create")
        p.add_argument(
            "--wait", action="store_true", help="wait until the function is ready, with progress"
        )
        p.add_argument(
            "--wait-accelerated",
            action="store_true",
            help="deploy the image's _accelerated twin once it is ready (wait for it first)",
        )
        p.add_argument(
            "--or-plain",
            action="store_true",
            help="with --wait-accelerated: deploy the plain image if the twin does not get ready",
        )
        p.add_argument(
            "--timeout",
            dest="wait_timeout",
            type=duration_argument,
            default=600.0,
            metavar="DURATION",
            help="how long --wait and --wait-accelerated wait (e.g. 90s, 10m; default 10m)",
        )
        p.set_defaults(func=_create if action == "create" else _update)

    p = sub.add_parser("delete", help="delete a function")
    add_common_arguments(p)
    p.add_argument("name")
    p.set_defaults(func=_delete)

    p = sub.add_parser("invoke", help="invoke a function")
    add_common_arguments(p)
    p.add_argument("name")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--event", help="event payload (text)")
    source.add_argument("--event-file", type=Path, help="read the event from a file ('-' = stdin)")
    p.add_argument("--qualifier")
    p.add_argument("--async", dest="asynchronous", action="store_true", help="asynchronous")
    p.add_argument("--log", action="store_true", help="print the tail log (x-fc-log-type: Tail)")
    p.set_defaults(func=_invoke)

    p = sub.add_parser(
        "logs",
        help="what a function's instances print (Local server; --follow as they run)",
        description="Local server: the lines the function's instances printed on stdout and "
        "stderr, with the time and the instance, and the platform's own lines; --follow keeps "
        "printing them as they come. Alibaba Cloud keeps function logs in Simple Log Service "
        "(the function's logConfig), which fcaccel does not read: use 'fcaccel functions invoke "
        "NAME --log' for an invocation's log tail (its last 4 KB).",
    )
    add_common_arguments(p)
    p.add_argument("name")
    p.add_argument("-f", "--follow", action="store_true", help="keep printing new lines")
    p.add_argument("--tail", type=int, default=200, metavar="N", help="the last N lines first")
    p.set_defaults(func=_logs)

    p = sub.add_parser("export", help="write a function as a Serverless Devs s.yaml")
    add_common_arguments(p)
    p.add_argument("name")
    p.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    p.set_defaults(func=_export)


def _spec_arguments(p: argparse.ArgumentParser, *, creating: bool) -> None:
    p.add_argument("--image", help="container image reference")
    p.add_argument("--port", type=int, help="port the server listens on (default 9000)")
    p.add_argument("--cpu", type=float, help="vCPUs (multiple of 0.05)")
    p.add_argument("--memory", type=int, help="memory in MB (multiple of 64)")
    p.add_argument("--disk", type=int, choices=[512, 10240], help="disk in MB")
    p.add_argument("--timeout-seconds", type=int, dest="fn_timeout", help="function timeout")
    p.add_argument("--concurrency", type=int, help="requests per instance")
    p.add_argument("--role", help="RAM role ARN")
    p.add_argument("--description")
    p.add_argument("--env", action="append", default=[], metavar="K=V", help="env variable")
    p.add_argument("--entrypoint", nargs="+", help="container ENTRYPOINT")
    p.add_argument("--command", nargs="+", help="container CMD")
    p.add_argument("--health-check-url", help="HTTP path probed for readiness")
    p.add_argument(
        "--from-s-yaml", type=Path, help="take the settings from a Serverless Devs s.yaml"
    )
    p.add_argument("--resource", help="which s.yaml resource (when it declares several)")


def _spec_from_args(args: argparse.Namespace, *, creating: bool) -> Function:
    fn = Function()
    if args.from_s_yaml:
        found = functions_from_s_yaml(args.from_s_yaml.read_text("utf-8"))
        if args.resource:
            found = [f for f in found if f.resource == args.resource]
        if len(found) != 1:
            names = ", ".join(
                f.resource for f in functions_from_s_yaml(args.from_s_yaml.read_text("utf-8"))
            )
            raise InvalidInput(
                f"choose the resource with --resource (s.yaml has: {names})", code="Ambiguous"
            )
        fn = found[0].function
        if found[0].unresolved:
            print(
                "fcaccel: warning: unresolved s.yaml references: " + ", ".join(found[0].unresolved),
                file=sys.stderr,
            )
    elif creating:
        fn = Function.for_container(args.name or "", args.image or "")
    if args.name:
        fn.function_name = args.name
    if creating and not fn.runtime:
        fn.runtime = "custom-container"
    ccc = fn.custom_container_config or CustomContainerConfig()
    if args.image:
        ccc.image = args.image
    if args.port is not None:
        ccc.port = args.port
    if args.entrypoint:
        ccc.entrypoint = args.entrypoint
    if args.command:
        ccc.command = args.command
    if args.health_check_url:
        ccc.health_check_config = ccc.health_check_config or HealthCheckConfig()
        ccc.health_check_config.http_get_url = args.health_check_url
    if ccc.to_json() or creating:
        fn.custom_container_config = ccc
    for attr, value in (
        ("cpu", args.cpu),
        ("memory_size", args.memory),
        ("disk_size", args.disk),
        ("timeout", args.fn_timeout),
        ("instance_concurrency", args.concurrency),
        ("role", args.role),
        ("description", args.description),
    ):
        if value is not None:
            setattr(fn, attr, value)
    if args.env:
        env = dict(fn.environment_variables or {})
        for item in args.env:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise InvalidInput(f"--env wants KEY=VALUE, not {item!r}", code="InvalidArgument")
            env[key] = value
        fn.environment_variables = env
    return fn


def _problems(problems: list[ValidationProblem], as_json: bool) -> int:
    if as_json:
        emit_json({"problems": [{"field": p.field, "code": p.code, **p.params} for p in problems]})
    else:
        for p in problems:
            extra = ", ".join(f"{k}={v}" for k, v in p.params.items())
            print(
                f"fcaccel: {p.field}: {p.code}" + (f" ({extra})" if extra else ""), file=sys.stderr
            )
    return 2


async def _status(ctx: CloudContext, fn: Function) -> AccelerationStatus:
    instance = None
    if isinstance(ctx.profile, AliyunProfile):
        instance = ctx.profile.acr_instance_id or None
    return await acceleration_status(fn, ctx.clients.acr.image_exists(instance))


def _summary(fn: Function, status: AccelerationStatus | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "functionName": fn.function_name,
        "runtime": fn.runtime,
        "image": fn.image,
        "state": fn.state,
        "lastUpdateStatus": fn.last_update_status,
    }
    if status is not None:
        out["acceleration"] = {
            "state": status.state.value,
            "source": status.source,
            "acceleratedImage": status.accelerated_image,
        }
    return out


async def _list(args: argparse.Namespace) -> int:
    async with open_profile(args) as ctx:
        fns = [f async for f in ctx.clients.fc.list_functions(prefix=args.prefix)]
        statuses: list[AccelerationStatus | None] = [None] * len(fns)
        if args.details:
            sem = asyncio.Semaphore(8)

            async def detail(i: int) -> None:
                async with sem:
                    fns[i] = await ctx.clients.fc.get_function(fns[i].name)
                    statuses[i] = await _status(ctx, fns[i])

            async with asyncio.TaskGroup() as tg:
                for i in range(len(fns)):
                    tg.create_task(detail(i))
    rows = [_summary(f, s) for f, s in zip(fns, statuses, strict=True)]
    if args.json:
        emit_json(rows)
        return 0
    headers = ["NAME", "RUNTIME", "IMAGE"] + (
        ["STATE", "UPDATE", "ACCELERATION"] if args.details else []
    )
    table = []
    for r in rows:
        row = [r["functionName"], r["runtime"], r["image"]]
        if args.details:
            row += [r["state"], r["lastUpdateStatus"], r["acceleration"]["state"]]
        table.append(row)
    print_table(headers, table)
    return 0


async def _get(args: argparse.Namespace) -> int:
    async with open_profile(args) as ctx:
        fn = await ctx.clients.fc.get_function(args.name, qualifier=args.qualifier)
        status = await _status(ctx, fn)
    if args.json:
        emit_json({"function": fn.to_json(), "acceleration": _summary(fn, status)["acceleration"]})
        return 0
    summary = _summary(fn, status)
    for key in ("functionName", "runtime", "image", "state", "lastUpdateStatus"):
        print(f"{key:18} {summary[key]}")
    if fn.resolved_image_uri:
        print(f"{'resolvedImageUri':18} {fn.resolved_image_uri}")
    reason = fn.last_update_status_reason_code or fn.state_reason_code
    if reason:
        print(f"{'reasonCode':18} {reason}")
    acc = summary["acceleration"]
    print(f"{'acceleration':18} {acc['state']} (from {acc['source']})")
    if acc["acceleratedImage"] and acc["acceleratedImage"] != fn.image:
        print(f"{'acceleratedImage':18} {acc['acceleratedImage']}")
    return 0


def _progress_printer(as_json: bool) -> Any:
    def show(event: Progress) -> None:
        if not as_json:
            progress_line(f"{event.phase}: {event.item}")

    return show


async def _create(args: argparse.Namespace) -> int:
    fn = _spec_from_args(args, creating=True)
    problems = validate_function(fn, creating=True)
    if problems:
        return _problems(problems, args.json)
    async with open_profile(args) as ctx:
        if args.wait_accelerated:
            image = await _accelerated_image(ctx, args, fn.image or "", None)
            if image is None:
                return 3
            assert fn.custom_container_config is not None
            fn.custom_container_config.image = image
        result = await ctx.clients.fc.create_function(fn)
        if args.wait:
            result = await ctx.clients.fc.wait_until_ready(
                result.name or fn.name,
                max_wait=args.wait_timeout,
                on_progress=_progress_printer(args.json),
            )
            end_progress()
    if args.json:
        emit_json(result.to_json())
    else:
        print(f"created {result.name} (state {result.state}, update {result.last_update_status})")
    return 0


async def _update(args: argparse.Namespace) -> int:
    patch = _spec_from_args(args, creating=False)
    patch.function_name = None
    problems = validate_function(patch, creating=False)
    if problems:
        return _problems(problems, args.json)
    async with open_profile(args) as ctx:
        if args.wait_accelerated:
            current = await ctx.clients.fc.get_function(args.name)
            image = await _accelerated_image(ctx, args, patch.image or current.image or "", current)
            if image is None:
                return 3
            ccc = patch.custom_container_config or CustomContainerConfig()
            ccc.image = image
            patch.custom_container_config = ccc
        result = await ctx.clients.fc.update_function(args.name, patch)
        if args.wait:
            result = await ctx.clients.fc.wait_until_ready(
                args.name, max_wait=args.wait_timeout, on_progress=_progress_printer(args.json)
            )
            end_progress()
    if args.json:
        emit_json(result.to_json())
    else:
        print(f"updated {args.name} (state {result.state}, update {result.last_update_status})")
    return 0


def _wait_printer(as_json: bool) -> Any:
    def show(event: Progress) -> None:
        if as_json or event.phase != "accelerate" or event.extra.get("done"):
            return
        elapsed = float(event.extra.get("elapsed_s") or 0)
        state = event.extra.get("state", "")
        if event.total:
            eta = event.extra.get("eta_s")
            tail = f", about {eta:.0f} s left" if eta is not None else ""
            progress_line(
                f"converting {event.item}: {event.done / 10:.0f} %{tail} ({elapsed:.0f} s)"
            )
        elif not event.extra.get("done"):
            progress_line(f"waiting for {event.item} ({state}, {elapsed:.0f} s)")

    return show


async def _accelerated_image(
    ctx: CloudContext, args: argparse.Namespace, image: str, current: Function | None
) -> str | None:
    """The image to deploy with --wait-accelerated: the twin once ready; the plain image when
    it is not and --or-plain was given; ``None`` (reason printed) otherwise."""
    from core.cli.accel import ADVICE
    from core.report import ReportTarget, TargetKey, wait_for_twin

    if not image:
        raise InvalidInput("--wait-accelerated needs an image", code="InvalidArgument")
    region = ctx.profile.region if isinstance(ctx.profile, AliyunProfile) else ""
    target = ReportTarget(TargetKey(ctx.profile.name, region), ctx.clients, ctx.http)
    waited = await wait_for_twin(
        target,
        image,
        max_wait=args.wait_timeout,
        function=current,
        on_progress=_wait_printer(args.json),
    )
    end_progress()
    if waited.ready:
        if not args.json:
            print(f"{waited.image} is ready ({waited.seconds:.0f} s)", file=sys.stderr)
        return waited.image
    if waited.outcome.value == "timeout":
        why = f"not ready after {waited.seconds:.0f} s (twin {waited.row.twin_state.value})"
    else:
        why = f"{waited.outcome.value} (twin {waited.row.twin_state.value})"
    print(f"fcaccel: {waited.image} is {why}", file=sys.stderr)
    for p in waited.row.problems:
        reason = f": {p.reason}" if p.reason else ""
        print(f"  {p.code.value}{reason} — {ADVICE.get(p.code.value, '')}", file=sys.stderr)
    if args.or_plain:
        print(f"deploying the plain image {waited.plain} instead", file=sys.stderr)
        return waited.plain
    print("the function was left as it was", file=sys.stderr)
    if args.json:
        emit_json({"deployed": False, "wait": waited.to_json()})
    return None


async def _delete(args: argparse.Namespace) -> int:
    async with open_profile(args) as ctx:
        await ctx.clients.fc.delete_function(args.name)
    if args.json:
        emit_json({"deleted": args.name})
    else:
        print(f"deleted {args.name}")
    return 0


async def _invoke(args: argparse.Namespace) -> int:
    if args.event_file is not None:
        if str(args.event_file) == "-":
            event = await asyncio.to_thread(sys.stdin.buffer.read)
        else:
            event = args.event_file.read_bytes()
    else:
        event = (args.event or "").encode()
    async with open_profile(args) as ctx:
        result = await ctx.clients.fc.invoke_function(
            args.name,
            event,
            qualifier=args.qualifier,
            asynchronous=args.asynchronous,
            log_tail=args.log,
        )
    if args.json:
        try:
            body: dict[str, Any] = {"text": result.body.decode("utf-8")}
        except UnicodeDecodeError:
            body = {"base64": base64.b64encode(result.body).decode()}
        emit_json(
            {
                "status": result.status,
                "requestId": result.request_id,
                "errorType": result.error_type,
                "headers": result.headers,
                "body": body,
                "log": result.log,
            }
        )
    else:
        sys.stdout.buffer.write(result.body)
        if result.body and not result.body.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")
        sys.stdout.flush()
        if args.log and result.log:
            print(result.log, file=sys.stderr)
        print(f"status {result.status}, request id {result.request_id}", file=sys.stderr)
    return 0 if result.ok else 1


#: What needs Simple Log Service on Alibaba Cloud (the console says the same in its words).
SLS_NOTE = (
    "Alibaba Cloud keeps function logs in Simple Log Service: the function needs a logConfig "
    "(project and logstore); read them in the SLS console or with its API. Without it, "
    "'fcaccel functions invoke NAME --log' returns each invocation's log tail (last 4 KB)."
)


def _log_line(doc: dict[str, Any]) -> str:
    when = time.strftime("%H:%M:%S", time.localtime(float(doc.get("time") or 0)))
    millis = int((float(doc.get("time") or 0) % 1) * 1000)
    instance = str(doc.get("instanceId") or "-")
    return f"{when}.{millis:03d} {instance:<24} {doc.get('stream', ''):<8} {doc.get('message', '')}"


async def _logs(args: argparse.Namespace) -> int:
    async with open_profile(args) as ctx:
        local = ctx.clients.local
        if local is None:
            if args.json:
                emit_json({"logs": [], "note": SLS_NOTE})
            else:
                print(f"fcaccel: {SLS_NOTE}", file=sys.stderr)
            return 2
        await ctx.clients.fc.get_function(args.name)  # a clear error for a wrong name
        if not args.follow:
            lines, last = await local.function_logs(args.name, limit=max(0, args.tail))
            if args.json:
                emit_json({"logs": lines, "lastSeq": last})
            else:
                for doc in lines:
                    print(_log_line(doc))
            return 0
        async for doc in local.follow_function_logs(args.name, limit=max(0, args.tail)):
            if args.json:
                print(json.dumps(doc, ensure_ascii=False), flush=True)
            else:
                print(_log_line(doc), flush=True)
    return 0


async def _export(args: argparse.Namespace) -> int:
    async with open_profile(args) as ctx:
        fn = await ctx.clients.fc.get_function(args.name)
        region = ctx.profile.region if isinstance(ctx.profile, AliyunProfile) else "cn-hangzhou"
    text = function_to_s_yaml(fn, region=region)
    if args.output:
        args.output.write_text(text, "utf-8")
    else:
        sys.stdout.write(text)
    return 0
