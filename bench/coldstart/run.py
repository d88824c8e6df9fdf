"""Benchmark: cold start of the >= 1 GiB demo image, full pull vs accelerated, same run.

Usage: python bench/coldstart/run.py [--runs 3] [--link 100mbit,20ms] [--registry HOST/NS]
                                     [--kind bloated] [--workdir DIR] [--json FILE]

1. Starts a private docker-registry on loopback (unless ``--registry`` names one that already
   holds ``demo-bloated:latest`` and ``:latest_accelerated``) and builds the bloated demo image
   into it with ``build_demo_image``: plain, then accelerated in optimized order with the
   start-up profile recorded over a lazy mount.
2. Measures the reference in the same run: the function's own start on a local disk (the plain
   image pulled and unpacked beforehand, page cache warm; sandbox start until the port answers,
   plus the first ``POST /invoke``), once before each pair of cold starts so that it sees the
   same machine load; the median is used.
3. Cold-starts plain (full pull) and accelerated (lazy) alternately over the emulated link,
   ``--runs`` times each, every run with an empty cache and fresh connections (exec mode).
4. Physical bound = bytes the accelerated start fetched ÷ bandwidth + 4 RTTs + connection set-up
   + the local start. Targets: accelerated time to first response <= 10 % of the full pull's,
   and <= 1.3 x the physical bound.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.coldstart import (  # noqa: E402
    ColdStartOptions,
    Comparison,
    InstanceConfig,
    LinkSpec,
    Sandbox,
    SandboxSpec,
    build_demo_image,
    cold_start,
    exec_available,
    fc_environment,
    image_argv,
)
from core.pull import ContentCache, close_mount_helpers, pull_image  # noqa: E402
from core.registry import RegistryClient  # noqa: E402


@contextmanager
def private_registry(root: Path) -> Iterator[str]:
    """docker-registry (CNCF distribution) with filesystem storage under ``root``."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = root / "config.yml"
    config.write_text(
        f"version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
        f"storage:\n  filesystem:\n    rootdirectory: {root / 'data'}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n  secret: {secrets.token_hex(8)}\n"
    )
    log = open(root / "registry.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        ["docker-registry", "serve", str(config)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v2/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("docker-registry did not start; see " + str(root))
            time.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


class LocalStart:
    """The function's own start on a local disk: the plain image pulled and unpacked once
    (page cache warm), then started in the same sandbox as the cold starts, as often as asked."""

    def __init__(self, spec: SandboxSpec, rootfs: Path) -> None:
        self.spec = spec
        self.rootfs = rootfs
        self.ready: list[float] = []
        self.first: list[float] = []

    @classmethod
    async def prepare(cls, registry: RegistryClient, plain: str, work: Path) -> LocalStart:
        pulled = await pull_image(
            registry, plain, work / "local-rootfs", cache=ContentCache(work / "c")
        )
        config = InstanceConfig(image=plain, function_name="bench")
        image = pulled.resolved.config
        spec = SandboxSpec(
            rootfs=pulled.rootfs,
            argv=image_argv(config, image),
            env=fc_environment(config, image, "c-local"),
            workdir=image.working_dir or "/",
        )
        return cls(spec, pulled.rootfs)

    async def once(self) -> float:
        async with httpx.AsyncClient() as http:
            box = Sandbox(self.spec)
            t0 = time.monotonic()
            await box.start()
            try:
                await box.wait_ready()
                t1 = time.monotonic()
                r = await http.post(box.endpoint + "/invoke", content=b"{}")
                r.raise_for_status()
                t2 = time.monotonic()
            finally:
                await box.stop(grace=0.5)
        self.ready.append(t1 - t0)
        self.first.append(t2 - t0)
        return t2 - t0

    def as_dict(self) -> dict[str, Any]:
        return {
            "ready_s": statistics.median(self.ready),
            "first_response_s": statistics.median(self.first),
            "runs": [
                {"ready_s": a, "first_response_s": b}
                for a, b in zip(self.ready, self.first, strict=True)
            ],
        }


async def main(args: argparse.Namespace) -> int:
    reason = exec_available()
    if reason is not None:
        raise SystemExit(f"exec mode is needed for this benchmark: {reason}")
    link = LinkSpec.parse(args.link)
    work = Path(tempfile.mkdtemp(prefix="bench-coldstart-", dir=args.workdir))
    report: dict[str, Any] = {"link": link.as_dict(), "runs": args.runs}
    kind = args.kind
    try:
        with contextlib_registry(args, work) as target:
            host = target.split("/", 1)[0]
            plain = f"{target}/demo-{kind}:latest"
            async with RegistryClient(host) as client:
                if not args.registry:
                    print(f"building the {kind} demo image into {target} …", file=sys.stderr)
                    t = time.monotonic()
                    built = await build_demo_image(client, kind, plain, work / "build")
                    await close_mount_helpers()
                    report["build"] = built.as_dict()
                    print(f"  built in {time.monotonic() - t:.0f}s", file=sys.stderr)
                accelerated = plain + "_accelerated"
                print("preparing the local start (plain image unpacked) …", file=sys.stderr)
                local = await LocalStart.prepare(client, plain, work)
            print(
                f"cold starts over {link.describe()}, {args.runs} runs each, each run preceded "
                "by a local start (same load) …",
                file=sys.stderr,
            )
            options = ColdStartOptions(link=link, run_mode="exec")
            result = Comparison(plain, accelerated, link, options.resolved_run_mode())
            try:
                for i in range(args.runs):
                    await local.once()
                    for target_ref, runs_list in ((plain, result.a), (accelerated, result.b)):
                        runs_list.append(
                            await cold_start(
                                target_ref,
                                workdir=work / "runs",
                                options=options,
                                keep_helper=True,
                            )
                        )
                    print(
                        f"  run {i + 1}: local {local.first[-1]:.3f}s, "
                        f"full {result.a[-1].total:.3f}s, accelerated {result.b[-1].total:.3f}s",
                        file=sys.stderr,
                    )
            finally:
                await close_mount_helpers()
            report["local_start"] = local.as_dict()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report["comparison"] = result.as_dict()
    sa, sb = result.summaries()
    full_total = sa["total"]["p50"]
    acc_total = sb["total"]["p50"]
    acc_bytes = sb["bytes_p50"]
    rate = link.bytes_per_second or float("inf")
    rtts = 4 + link.connection_setup_rtts
    bound = acc_bytes / rate + rtts * link.rtt_s + report["local_start"]["first_response_s"]
    ratio_full = acc_total / full_total if full_total else float("nan")
    ratio_bound = acc_total / bound
    report["bound"] = {
        "startup_bytes": acc_bytes,
        "transfer_s": acc_bytes / rate,
        "rtts": rtts,
        "rtt_s": rtts * link.rtt_s,
        "local_start_s": report["local_start"]["first_response_s"],
        "bound_s": bound,
    }
    report["targets"] = {
        "accelerated_vs_full": ratio_full,
        "accelerated_vs_full_target": 0.10,
        "accelerated_vs_full_met": ratio_full <= 0.10,
        "accelerated_vs_bound": ratio_bound,
        "accelerated_vs_bound_target": 1.3,
        "accelerated_vs_bound_met": ratio_bound <= 1.3,
        "load_average": os.getloadavg(),
    }
    print(result.table())
    print()
    image_size = (report.get("build") or {}).get("uncompressed_size")
    if image_size:
        print(
            f"image: {image_size / 2**30:.2f} GiB unpacked, "
            f"{report['build']['plain_bytes'] / 2**20:.0f} MiB plain (gzip), "
            f"{report['build']['accelerated_bytes'] / 2**20:.0f} MiB accelerated, "
            f"profile of {report['build']['profile_files']} files"
        )
    print(
        f"local start (disk, warm cache): ready {report['local_start']['ready_s']:.3f}s, "
        f"first response {report['local_start']['first_response_s']:.3f}s"
    )
    print(
        f"physical bound: {acc_bytes / 2**20:.1f} MiB / {link.describe()} = "
        f"{acc_bytes / rate:.3f}s + {rtts} RTT {rtts * link.rtt_s:.3f}s + local "
        f"{report['local_start']['first_response_s']:.3f}s = {bound:.3f}s"
    )
    print(
        f"accelerated / full pull: {ratio_full:.3f} (target <= 0.10) "
        f"{'OK' if ratio_full <= 0.10 else 'MISSED'}"
    )
    print(
        f"accelerated / bound:     {ratio_bound:.3f} (target <= 1.30) "
        f"{'OK' if ratio_bound <= 1.3 else 'MISSED'}"
    )
    print(f"load average during the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        await asyncio.to_thread(Path(args.json).write_text, json.dumps(report, indent=2))
    return 0


@contextmanager
def contextlib_registry(args: argparse.Namespace, work: Path) -> Iterator[str]:
    if args.registry:
        yield args.registry.rstrip("/")
        return
    root = work / "registry"
    root.mkdir()
    with private_registry(root) as host:
        yield f"{host}/bench"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--link", default="100mbit,20ms")
    parser.add_argument(
        "--registry", metavar="HOST/NS", help="use demo-<kind> images already pushed there"
    )
    parser.add_argument(
        "--kind",
        default="bloated",
        choices=["bloated", "medium"],
        help="demo image (the targets are set for the >= 1 GiB bloated one)",
    )
    parser.add_argument("--workdir", metavar="DIR", help="scratch space (needs ~4 GiB)")
    parser.add_argument("--json", metavar="FILE", help="write the full report here")
    arguments = parser.parse_args()
    if arguments.workdir:
        Path(arguments.workdir).mkdir(parents=True, exist_ok=True)
    sys.exit(asyncio.run(main(arguments)))
