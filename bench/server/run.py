"""Local server benchmark: concurrent pulls of the demo image from ``fcaccel serve`` vs the same
image from Debian's ``docker-registry`` (CNCF distribution) in the same run, and the latency of
API calls (ListFunctions, ListRepoTag) while the Local server is under that pull load.

    .venv/bin/python bench/server/run.py [--clients 16] [--rounds 3] [--procs 4] [--json OUT]

Both registries serve the same bytes from local disk with HTTP Basic auth (docker-registry via
htpasswd). Clients are spread over ``--procs`` processes so the client side is not the
bottleneck of one interpreter. Loopback only; bounded rounds; stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.fixtures.emulator import LocalServerHandle, start_local_server  # noqa: E402
from tests.fixtures.registry import start_registry  # noqa: E402

ACCEPT = ", ".join(
    [
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)
REPO = "demo/hello"


async def _pull_once(http: httpx.AsyncClient, tag: str) -> int:
    r = await http.get(f"/v2/{REPO}/manifests/{tag}", headers={"Accept": ACCEPT})
    r.raise_for_status()
    manifest = r.json()
    total = len(r.content)
    for desc in [manifest["config"], *manifest["layers"]]:
        async with http.stream("GET", f"/v2/{REPO}/blobs/{desc['digest']}") as resp:
            resp.raise_for_status()
            async for chunk in resp.aiter_raw(1 << 20):
                total += len(chunk)
    return total


async def _client_proc(url: str, auth: tuple[str, str], clients: int, rounds: int, tag: str) -> int:
    async with httpx.AsyncClient(
        base_url=url,
        auth=auth,
        timeout=120,
        limits=httpx.Limits(max_connections=clients, max_keepalive_connections=clients),
    ) as http:

        async def one() -> int:
            return sum([await _pull_once(http, tag) for _ in range(rounds)])

        return sum(await asyncio.gather(*(one() for _ in range(clients))))


def _proc_main(args: tuple[str, tuple[str, str], int, int, str]) -> int:
    return asyncio.run(_client_proc(*args))


def pull_load(
    url: str, auth: tuple[str, str], clients: int, rounds: int, procs: int, tag: str
) -> tuple[int, float]:
    """Run ``clients`` concurrent pullers over ``procs`` processes; return (bytes, seconds)."""
    per = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    jobs = [(url, auth, n, rounds, tag) for n in per if n]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(len(jobs)) as pool:
        start = time.perf_counter()
        total = sum(pool.map(_proc_main, jobs))
        return total, time.perf_counter() - start


async def api_latencies(srv: LocalServerHandle, stop: asyncio.Event, repo_id: str) -> list[float]:
    out: list[float] = []
    async with srv.signed_client() as http:
        while not stop.is_set():
            for call in ("fc", "acr"):
                t0 = time.perf_counter()
                if call == "fc":
                    r = await http.get(
                        "/2023-03-30/functions",
                        params={"limit": "20"},
                        headers={"x-acs-action": "ListFunctions", "x-acs-version": "2023-03-30"},
                    )
                else:
                    r = await http.post(
                        "/",
                        params={"InstanceId": "cri-local0000000001", "RepoId": repo_id},
                        headers={"x-acs-action": "ListRepoTag", "x-acs-version": "2018-12-01"},
                    )
                r.raise_for_status()
                out.append((time.perf_counter() - t0) * 1000)
            await asyncio.sleep(0.02)
    return out


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def wait_seeded(srv: LocalServerHandle, limit: float = 300) -> str:
    deadline = time.monotonic() + limit
    async with srv.registry_client() as reg, srv.signed_client() as http:
        while time.monotonic() < deadline:
            r = await reg.get(f"/v2/{REPO}/tags/list")
            if r.status_code == 200 and "v1_accelerated" in r.json().get("tags", []):
                body = await http.post(
                    "/",
                    params={
                        "InstanceId": "cri-local0000000001",
                        "RepoNamespaceName": "demo",
                        "RepoName": "hello",
                    },
                    headers={"x-acs-action": "GetRepository", "x-acs-version": "2018-12-01"},
                )
                return str(body.json()["RepoId"])
            await asyncio.sleep(0.5)
    raise SystemExit("the Local server did not finish seeding the demo image")


def copy_image(src: str, dst: str, src_creds: str, dst_creds: str) -> None:
    subprocess.run(
        [
            "skopeo",
            "copy",
            "--preserve-digests",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
            "--src-creds",
            src_creds,
            "--dest-creds",
            dst_creds,
            src,
            dst,
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--procs", type=int, default=min(4, os.cpu_count() or 2))
    parser.add_argument("--tag", default="v1", help="v1 (plain) or v1_accelerated")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fcdesk-bench-") as tmp:
        tmp_path = Path(tmp)
        t0 = time.perf_counter()
        srv = start_local_server(tmp_path / "local", extra_args=())
        try:
            repo_id = await wait_seeded(srv)
            seed_s = time.perf_counter() - t0
            creds = ("bench", "bench-password")
            with start_registry(tmp_path / "distribution", credentials=creds) as dist:
                for tag in ("v1", "v1_accelerated"):
                    await asyncio.to_thread(
                        copy_image,
                        f"docker://{srv.host}/{REPO}:{tag}",
                        f"docker://{dist.host}/{REPO}:{tag}",
                        f"{srv.access_key_id}:{srv.access_key_secret}",
                        f"{creds[0]}:{creds[1]}",
                    )
                # idle API latency first
                stop = asyncio.Event()
                idle_task = asyncio.create_task(api_latencies(srv, stop, repo_id))
                await asyncio.sleep(3)
                stop.set()
                idle = await idle_task

                results: dict[str, list[float]] = {"local": [], "distribution": []}
                loaded: list[float] = []
                for _ in range(2):  # alternate, keep the best of two per registry
                    for name in ("distribution", "local"):
                        url = srv.url if name == "local" else dist.url
                        auth = srv.registry_auth if name == "local" else creds
                        stop = asyncio.Event()
                        lat_task = (
                            asyncio.create_task(api_latencies(srv, stop, repo_id))
                            if name == "local"
                            else None
                        )
                        total, secs = await asyncio.to_thread(
                            pull_load, url, auth, args.clients, args.rounds, args.procs, args.tag
                        )
                        stop.set()
                        if lat_task is not None:
                            loaded.extend(await lat_task)
                        results[name].append(total / secs / 1e6)
        finally:
            srv.stop()

    local_mbs = max(results["local"])
    dist_mbs = max(results["distribution"])
    figures: dict[str, Any] = {
        "clients": args.clients,
        "rounds": args.rounds,
        "processes": args.procs,
        "tag": args.tag,
        "first_start_with_seed_s": round(seed_s, 2),
        "local_MBps": round(local_mbs, 1),
        "distribution_MBps": round(dist_mbs, 1),
        "throughput_ratio_local_vs_distribution": round(local_mbs / dist_mbs, 3),
        "api_idle_p50_ms": round(statistics.median(idle), 2) if idle else None,
        "api_idle_p95_ms": round(pct(idle, 0.95), 2),
        "api_under_load_p50_ms": round(statistics.median(loaded), 2) if loaded else None,
        "api_under_load_p95_ms": round(pct(loaded, 0.95), 2),
        "api_under_load_calls": len(loaded),
    }
    print(f"first start incl. demo seed: {figures['first_start_with_seed_s']} s")
    print(
        f"pulls of {REPO}:{args.tag}, {args.clients} clients x {args.rounds} rounds "
        f"over {args.procs} processes"
    )
    print(f"  docker-registry : {dist_mbs:8.1f} MB/s")
    print(f"  Local server    : {local_mbs:8.1f} MB/s")
    print(f"  ratio Local / docker-registry: {figures['throughput_ratio_local_vs_distribution']}")
    print(
        "API latency (ListFunctions + ListRepoTag, signed): "
        f"idle p50 {figures['api_idle_p50_ms']} ms p95 {figures['api_idle_p95_ms']} ms; "
        f"under pull load p50 {figures['api_under_load_p50_ms']} ms "
        f"p95 {figures['api_under_load_p95_ms']} ms ({len(loaded)} calls)"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
