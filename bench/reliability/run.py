"""Reliability figures: faults injected and survived, hostile inputs tried and refused, crash
points tried and recovered, load held.

Usage: python bench/reliability/run.py [--no-suite] [--load-seconds 90] [--scale 2]
                                       [--walk 40] [--no-requests] [--json FILE]

1. Runs the reliability test suite (``tests/reliability``) with its report plugin, which tallies
   every fault the proxy injected (survived = its test passed), every hostile input (refused
   with a specific error, or accepted by documented policy) and every crash point.
2. Walks crash points exhaustively: ``during-sqlite-write#N`` and ``after-blob-write#N`` of a
   push and of a conversion for N = 1, 2, … until the flow no longer reaches N (each: kill -9,
   restart, integrity check, redo to a correct end state).
3. Holds a longer load on a seeded ``fcaccel serve``: ``--scale`` times the test's workers for
   ``--load-seconds``; errors must stay 0 and nothing may be lost.
4. Hostile requests against ``fcaccel serve`` with its default request timeouts: huge unsigned
   bodies on every API (declared 1 GiB, and 1 GiB sent without a length), 200 slow request
   heads while normal requests go on, 20 abandoned uploads; the server's resident memory and
   open descriptors before and after (leaks: descriptors not back to where they were), the
   store's integrity (lost: anything the check finds); and the converter/puller policy
   agreement over the hostile corpus.

Prints the figures and writes them as JSON (``--json``, default a temporary file).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.reliability._report import check_line  # noqa: E402


def run_suite(report: Path) -> dict[str, Any]:
    env = dict(os.environ, FCDESK_RELIABILITY_REPORT=str(report), QT_QPA_PLATFORM="offscreen")
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/reliability",
            "-q",
            "-rfE",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    lines = proc.stdout.strip().splitlines()
    tail = lines[-1] if lines else ""
    failed = [line for line in lines if line.startswith(("FAILED ", "ERROR "))]
    doc = json.loads(report.read_text()) if report.exists() else {"figures": {}}
    return {
        "seconds": round(seconds, 1),
        "result": tail,
        "rc": proc.returncode,
        "failed": failed,
        **doc["figures"],
    }


async def walk_crash_points(limit: int, work: Path) -> dict[str, Any]:
    from core import RetryPolicy
    from tests.fixtures.emulator import start_local_server
    from tests.reliability import test_crash as crash
    from tests.reliability._integrity import check_store

    empty = work / "empty" / "data"
    start_local_server(empty).stop()
    conv = work / "conv" / "data"
    srv = start_local_server(conv)
    try:
        async with crash._client(srv) as client:
            await crash._push(client, "crash/conv", crash.IMAGE, "v1")
        async with srv.signed_client() as http:
            repo = await crash._acr(
                http, "GetRepository", RepoNamespaceName="crash", RepoName="conv"
            )
            await crash._acr(
                http,
                "CreateArtifactBuildRule",
                ScopeType="REPOSITORY",
                ScopeId=repo["RepoId"],
                ArtifactType="ACCELERATED_IMAGE",
            )
    finally:
        srv.stop()

    async def push_act(s: Any) -> None:
        async with crash._client(s, retry=RetryPolicy.none()) as client:
            await crash._push(client, "crash/push", crash.IMAGE, "v1")

    async def push_check(s: Any) -> None:
        async with crash._client(s) as client:
            await crash._push(client, "crash/push", crash.IMAGE, "v1")
        await crash._verify_image(s, "crash/push", "v1", crash.IMAGE)

    async def conv_check(s: Any) -> None:
        report = await crash._settle(s)
        if report.tasks.get("SUCCESS") != 1:
            await crash._convert(s)
            report = await crash._settle(s)
        assert report.tasks.get("SUCCESS") == 1, report.tasks

    flows = {
        "push": (empty, push_act, push_check, 5.0),
        "conversion": (conv, crash._convert, conv_check, 30.0),
    }
    results: list[dict[str, Any]] = []
    for flow, (base, act, check, wait) in flows.items():
        for point in ("during-sqlite-write", "after-blob-write"):
            for n in range(1, limit + 1):
                spec = f"{point}#{n}"
                tmp = work / f"{flow}-{point}-{n}"
                tmp.mkdir()
                try:
                    s = await crash._run_point(base, tmp, spec, act, wait=wait)
                except subprocess.TimeoutExpired:
                    shutil.rmtree(tmp, ignore_errors=True)
                    break  # the flow never reaches this hit: the walk of this point is complete
                except AssertionError as exc:
                    results.append(
                        {"flow": flow, "point": spec, "recovered": False, "error": str(exc)[:300]}
                    )
                    continue
                try:
                    report = await crash._settle(s)
                    report.assert_ok()
                    await check(s)
                    check_store(s.data_dir).assert_ok()
                    results.append({"flow": flow, "point": spec, "recovered": True})
                except Exception as exc:  # noqa: BLE001 - every failure is reported, not raised
                    results.append(
                        {"flow": flow, "point": spec, "recovered": False, "error": repr(exc)[:300]}
                    )
                finally:
                    s.stop()
                    shutil.rmtree(tmp, ignore_errors=True)
    return {
        "tried": len(results),
        "recovered": sum(1 for r in results if r["recovered"]),
        "points": results,
    }


async def hold_load(seconds: float, scale: int, work: Path) -> dict[str, Any]:
    from tests.fixtures.emulator import start_local_server
    from tests.reliability._load import LoadConfig, run_load

    data = work / "load" / "data"
    srv = start_local_server(data, extra_args=())
    try:
        # wait for the seeded demo (image, twin and two Active functions)
        from tests.reliability._integrity import check_store

        headers = {"x-acs-action": "GetFunction", "x-acs-version": "2023-03-30"}
        async with srv.signed_client() as http:
            for _ in range(1200):
                r = await http.get("/2023-03-30/functions/demo-plain", headers=headers)
                if (
                    r.status_code == 200
                    and r.json()["state"] == "Active"
                    and check_store(data).settled
                ):
                    break
                await asyncio.sleep(0.25)
    finally:
        srv.stop()
    srv = start_local_server(
        data, extra_args=("--no-seed", "--workers", "2", "--idle-timeout", "600")
    )
    try:
        cfg = LoadConfig(
            seconds=seconds,
            pushers=3 * scale,
            pullers=6 * scale,
            invokers=4 * scale,
            api_callers=3 * scale,
            max_pushes=max(4, int(seconds / 5)),
            settle_seconds=600,
        )
        outcome = await run_load(srv, cfg)
    finally:
        srv.stop()
    return {
        "figures": [f.__dict__ for f in outcome.figures],
        "errors": outcome.errors,
        "lost": outcome.lost,
        "images_pushed": len(outcome.pushed),
        "tasks": outcome.tasks,
        "invocations": len(outcome.request_ids),
    }


async def hostile_requests(work: Path) -> dict[str, Any]:
    from tests.fixtures.emulator import start_local_server
    from tests.fixtures.timing import wait_until
    from tests.reliability._agreement import agreement
    from tests.reliability._integrity import check_store
    from tests.reliability._requests import (
        abandoned_uploads,
        huge_unsigned_bodies,
        open_fds,
        repositories,
        resident_bytes,
        slow_heads,
        upload_leftovers,
    )

    data = work / "requests" / "data"
    header_timeout = 20.0  # the default
    srv = start_local_server(data, extra_args=("--no-seed", "--upload-ttl", "5"))
    try:
        # a first request of each kind warms the server up (imports, caches)
        async with srv.signed_client() as http:
            await http.get("/x-fcdesk/info")
        fds0, rss0 = open_fds(srv.pid), resident_bytes(srv.pid)
        bodies = await huge_unsigned_bodies(srv, chunked_bytes=1 << 30)
        heads, latencies = await slow_heads(srv, 200, header_timeout)
        uploads = await abandoned_uploads(srv, 20)
        await wait_until(lambda: upload_leftovers(data) == (0, 0), 60, "uploads swept")
        await wait_until(lambda: open_fds(srv.pid) <= fds0, 60, "descriptors back")
        fds1, rss1 = open_fds(srv.pid), resident_bytes(srv.pid)
        report = check_store(data)
        lost = list(report.problems)
        stray_repos = repositories(data)
    finally:
        srv.stop()
    latencies.sort()
    agree = await asyncio.to_thread(agreement)
    return {
        "attacks": [a.__dict__ for a in (*bodies, heads, *uploads)],
        "normal_during_slow_heads": {
            "requests": len(latencies),
            "p50_ms": round(1000 * latencies[len(latencies) // 2], 1) if latencies else None,
            "max_ms": round(1000 * latencies[-1], 1) if latencies else None,
        },
        "fds": [fds0, fds1],
        "rss_mib": [round(rss0 / (1 << 20), 1), round(rss1 / (1 << 20), 1)],
        "leaks": max(0, fds1 - fds0),
        "lost": lost + [f"repository without content: {r}" for r in stray_repos],
        "agreement": agree,
    }


def print_figures(doc: dict[str, Any]) -> None:
    suite = doc.get("suite") or {}
    if suite:
        print(f"suite: {suite['result']} in {suite['seconds']} s")
        for line in suite.get("failed", []):
            print(f"  {line}")
        faults = suite.get("faults", {})
        print(f"faults injected {faults.get('injected', 0)}, survived {faults.get('survived', 0)}")
        for kind, row in faults.get("by_kind", {}).items():
            print(f"  {kind:<14} {row['injected']:>5} injected {row['survived']:>5} survived")
        hostile = suite.get("hostile", {})
        print(
            f"hostile inputs tried {hostile.get('tried', 0)}, refused {hostile.get('refused', 0)}, "
            f"accepted by documented policy {hostile.get('policy', 0)}"
        )
        for comp, row in hostile.get("by_component", {}).items():
            print(
                f"  {comp:<26} tried {row['tried']:>4} refused {row['refused']:>4} "
                f"policy {row['policy']:>3}"
            )
        benign = suite.get("benign", {})
        if benign.get("tried"):
            print(
                f"legitimate inputs the safeguards must let through: tried {benign['tried']}, "
                f"accepted {benign['accepted']}"
            )
        for name, row in suite.get("checks", {}).items():
            print(f"  check {name:<21} {check_line(row)}")
        crash = suite.get("crash", {})
        print(
            f"crash points (suite) tried {crash.get('tried', 0)}, "
            f"recovered {crash.get('recovered', 0)}"
        )
        for row in suite.get("load", []):
            print(
                f"load (suite) {row['name']:<7} {row['requests']:>5} requests, concurrency "
                f"{row['concurrency']}, errors {row['errors']}, p50 {row['p50_ms']} ms, "
                f"p95 {row['p95_ms']} ms"
            )
    walk = doc.get("walk")
    if walk:
        print(f"crash points (walk) tried {walk['tried']}, recovered {walk['recovered']}")
        for r in walk["points"]:
            if not r["recovered"]:
                print(f"  NOT RECOVERED {r['flow']} {r['point']}: {r.get('error')}")
    req = doc.get("requests")
    if req:
        for a in req["attacks"]:
            answer = f"{a['status']} {a['code']}".strip() if a["status"] else "closed"
            print(
                f"request {a['name']:<28} sent {a['sent'] >> 10:>8} KiB, answer {answer:<20} "
                f"in {a['seconds']:.2f} s, server memory {a['rss_growth'] / (1 << 20):+.1f} MiB"
            )
        n = req["normal_during_slow_heads"]
        print(
            f"requests: normal requests during the slow heads {n['requests']}, p50 "
            f"{n['p50_ms']} ms, max {n['max_ms']} ms; server descriptors {req['fds'][0]} -> "
            f"{req['fds'][1]}, memory {req['rss_mib'][0]} -> {req['rss_mib'][1]} MiB; "
            f"leaks: {req['leaks']}; lost: {len(req['lost'])}"
        )
        g = req["agreement"]
        print(
            f"policy agreement: {g['cases']} hostile cases; a reader refuses "
            f"{g['reader_refuses']}, the converter refuses {g['converter_first']} of them "
            f"first; all three refuse {g['all_unsafe']} as unsafe, {g['same_words']} in the "
            "same words"
        )
    load = doc.get("load")
    if load:
        for row in load["figures"]:
            print(
                f"load {row['name']:<7} {row['requests']:>6} requests, "
                f"concurrency {row['concurrency']}, "
                f"errors {row['errors']}, p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
                f"max {row['max_ms']} ms over {row['seconds']} s"
            )
        print(
            f"load: {load['images_pushed']} images pushed and converted ({load['tasks']}), "
            f"{load['invocations']} invocations; lost: {len(load['lost'])}; "
            f"errors: {len(load['errors'])}"
        )
        for line in load["lost"] + load["errors"]:
            print(f"  {line}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--no-suite", action="store_true", help="skip the test suite")
    parser.add_argument("--load-seconds", type=float, default=90.0)
    parser.add_argument("--scale", type=int, default=2, help="workers = scale x the test's")
    parser.add_argument("--walk", type=int, default=40, help="largest N walked per crash point")
    parser.add_argument("--no-requests", action="store_true", help="skip the hostile requests")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    doc: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "loadavg_start": [round(v, 2) for v in os.getloadavg()],
    }
    with tempfile.TemporaryDirectory(prefix="fcdesk-reliability-") as tmp:
        work = Path(tmp)
        if not args.no_suite:
            doc["suite"] = run_suite(work / "suite.json")
        if args.walk > 0:
            doc["walk"] = asyncio.run(walk_crash_points(args.walk, work / "walk"))
        if args.load_seconds > 0:
            doc["load"] = asyncio.run(hold_load(args.load_seconds, args.scale, work / "soak"))
        if not args.no_requests:
            doc["requests"] = asyncio.run(hostile_requests(work))
    doc["cpus"] = os.cpu_count()
    doc["loadavg_end"] = [round(v, 2) for v in os.getloadavg()]
    print_figures(doc)
    print(
        f"machine: {doc['cpus']} CPUs, load average (1, 5, 15 min) "
        f"{doc['loadavg_start']} at the start, {doc['loadavg_end']} at the end"
    )
    out = args.json or Path(tempfile.gettempdir()) / "fcdesk-reliability.json"
    out.write_text(json.dumps(doc, indent=2, default=str))
    print(f"figures written to {out}")
    ok = (
        (not doc.get("suite") or doc["suite"]["rc"] == 0)
        and (not doc.get("walk") or doc["walk"]["recovered"] == doc["walk"]["tried"])
        and (not doc.get("load") or (not doc["load"]["lost"] and not doc["load"]["errors"]))
        and (
            not doc.get("requests")
            or (
                not doc["requests"]["leaks"]
                and not doc["requests"]["lost"]
                and doc["requests"]["agreement"]["converter_first"]
                == doc["requests"]["agreement"]["reader_refuses"]
            )
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
