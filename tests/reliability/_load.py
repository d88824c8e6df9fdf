"""A bounded load on a running Local server: concurrent pushes (each converted by the worker),
pulls, invocations and API calls, with every latency recorded, then a check that nothing was
lost. Used by ``test_load.py`` (tens of seconds) and ``bench/reliability/run.py`` (longer).

Nothing lost means: every tag pushed points at exactly the manifest pushed and every blob of it
is whole; every push was converted (task SUCCESS, ``<tag>_accelerated`` whole); every invocation
answered 200 with the function's own body and is recorded under its request id; the store passes
the integrity check.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from core.errors import CoreError
from core.registry import RegistryClient
from tests.fixtures.emulator import LocalServerHandle
from tests.reliability._images import BuiltImage, build_image, push_built
from tests.reliability._integrity import check_store
from tests.reliability._report import LoadFigures

__all__ = ["LoadConfig", "LoadOutcome", "run_load"]

FCV = "2023-03-30"
INSTANCE = "cri-local0000000001"


@dataclass(frozen=True)
class LoadConfig:
    seconds: float = 20.0
    pushers: int = 3
    pullers: int = 6
    invokers: int = 4
    api_callers: int = 3
    max_pushes: int = 4  # per pusher
    file_size: int = 48_000
    settle_seconds: float = 120.0
    function: str = "demo-plain"
    pull_image: str = "demo/hello:v1"


@dataclass
class LoadOutcome:
    figures: list[LoadFigures]
    errors: list[str] = field(default_factory=list)
    pushed: dict[tuple[str, str], BuiltImage] = field(default_factory=dict)
    request_ids: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    tasks: dict[str, int] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return sum(f.requests for f in self.figures)


def _fc(action: str) -> dict[str, str]:
    return {"x-acs-action": action, "x-acs-version": FCV}


class _Meter:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.messages: list[str] = []

    async def time(self, kind: str, op: Callable[[], Awaitable[None]]) -> bool:
        started = time.perf_counter()
        try:
            await op()
        except (CoreError, httpx.HTTPError, AssertionError, ValueError, KeyError) as exc:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            if len(self.messages) < 30:
                self.messages.append(f"{kind}: {type(exc).__name__}: {exc}"[:300])
            return False
        self.latencies.setdefault(kind, []).append(time.perf_counter() - started)
        return True


async def run_load(srv: LocalServerHandle, cfg: LoadConfig) -> LoadOutcome:
    meter = _Meter()
    outcome = LoadOutcome(figures=[])
    seeds = itertools.count(1)
    deadline = time.monotonic() + cfg.seconds
    demo_repo, demo_tag = cfg.pull_image.split(":")

    # The namespace and its acceleration rule: every push below is converted by the worker.
    async with RegistryClient(srv.url, credentials=srv.registry_auth) as reg:
        await push_built(reg, "load/warmup", build_image(0, layers=1, files_per_layer=1), "v0")
    async with srv.signed_client() as http:
        ns = await _acr(http, "GetNamespace", NamespaceName="load")
        await _acr(
            http,
            "CreateArtifactBuildRule",
            ScopeType="NAMESPACE",
            ScopeId=ns["NamespaceId"],
            ArtifactType="ACCELERATED_IMAGE",
        )
        # the first invocation may be a cold start: keep it out of the timed figures
        r = await http.post(
            f"/{FCV}/functions/{cfg.function}/invocations",
            content=b"{}",
            headers=_fc("InvokeFunction"),
        )
        if r.status_code != 200:
            outcome.errors.append(f"warm-up invoke: {r.status_code} {r.text[:200]}")

    async def pusher(i: int) -> None:
        async with RegistryClient(srv.url, credentials=srv.registry_auth) as reg:
            for n in range(cfg.max_pushes):
                if time.monotonic() > deadline:
                    return
                image = build_image(
                    1000 * i + next(seeds), layers=1, files_per_layer=2, file_size=cfg.file_size
                )
                repo, tag = f"load/p{i}", f"t{n}"

                async def op(image: BuiltImage = image, repo: str = repo, tag: str = tag) -> None:
                    await push_built(reg, repo, image, tag)

                if await meter.time("push", op):
                    outcome.pushed[(repo, tag)] = image

    async def puller(i: int) -> None:
        rng = random.Random(i)
        async with RegistryClient(srv.url, credentials=srv.registry_auth) as reg:
            while time.monotonic() < deadline:
                choices = [(demo_repo, demo_tag), *outcome.pushed]
                repo, tag = rng.choice(choices)

                async def op(repo: str = repo, tag: str = tag) -> None:
                    manifest = await reg.get_manifest(repo, tag)
                    for desc in getattr(manifest, "blobs", ()):
                        async for _ in reg.stream_blob(repo, desc.digest, expected_size=desc.size):
                            pass  # verified while streaming
                    expected = outcome.pushed.get((repo, tag))
                    if expected is not None:
                        assert manifest.raw == expected.manifest.raw

                await meter.time("pull", op)

    async def invoker(i: int) -> None:
        async with srv.signed_client(timeout=120) as http:
            n = 0
            while time.monotonic() < deadline:
                n += 1
                payload = json.dumps({"invoker": i, "n": n}).encode()

                async def op(payload: bytes = payload) -> None:
                    r = await http.post(
                        f"/{FCV}/functions/{cfg.function}/invocations",
                        content=payload,
                        headers=_fc("InvokeFunction"),
                    )
                    assert r.status_code == 200, f"{r.status_code} {r.text[:200]}"
                    body = r.json()
                    assert body.get("eventBytes") == len(payload), body
                    outcome.request_ids.append(r.headers["x-fc-request-id"])

                await meter.time("invoke", op)

    async def api_caller(i: int) -> None:
        async with srv.signed_client() as http:
            calls: list[Callable[[], Awaitable[httpx.Response]]] = [
                lambda: http.get(f"/{FCV}/functions", headers=_fc("ListFunctions")),
                lambda: http.get(f"/{FCV}/functions/{cfg.function}", headers=_fc("GetFunction")),
                lambda: http.post(
                    "/",
                    params={"InstanceId": INSTANCE, "RepoNamespaceName": "load"},
                    headers={"x-acs-action": "ListRepository", "x-acs-version": "2018-12-01"},
                ),
                lambda: http.get("/x-fcdesk/tasks", params={"limit": "50"}),
            ]
            k = i
            while time.monotonic() < deadline:
                call = calls[k % len(calls)]
                k += 1

                async def op(call: Callable[[], Awaitable[httpx.Response]] = call) -> None:
                    r = await call()
                    assert r.status_code == 200, f"{r.status_code} {r.text[:200]}"

                await meter.time("api", op)

    started = time.monotonic()
    workers = (
        [pusher(i) for i in range(cfg.pushers)]
        + [puller(i) for i in range(cfg.pullers)]
        + [invoker(i) for i in range(cfg.invokers)]
        + [api_caller(i) for i in range(cfg.api_callers)]
    )
    await asyncio.gather(*workers)
    elapsed = time.monotonic() - started
    concurrency = len(workers)
    for kind in ("push", "pull", "invoke", "api"):
        outcome.figures.append(
            LoadFigures.from_latencies(
                kind,
                meter.latencies.get(kind, []),
                concurrency=concurrency,
                errors=meter.errors.get(kind, 0),
                seconds=elapsed,
            )
        )
    all_latencies = [v for vs in meter.latencies.values() for v in vs]
    outcome.figures.append(
        LoadFigures.from_latencies(
            "all",
            all_latencies,
            concurrency=concurrency,
            errors=sum(meter.errors.values()),
            seconds=elapsed,
        )
    )
    outcome.errors += meter.messages
    await _check_nothing_lost(srv, cfg, outcome)
    return outcome


async def _acr(http: httpx.AsyncClient, action: str, **params: Any) -> dict[str, Any]:
    params.setdefault("InstanceId", INSTANCE)
    r = await http.post(
        "/",
        params={k: str(v) for k, v in params.items()},
        headers={"x-acs-action": action, "x-acs-version": "2018-12-01"},
    )
    r.raise_for_status()
    body: dict[str, Any] = r.json()
    return body


async def _check_nothing_lost(srv: LocalServerHandle, cfg: LoadConfig, out: LoadOutcome) -> None:
    lost = out.lost
    deadline = time.monotonic() + cfg.settle_seconds
    while time.monotonic() < deadline:
        report = await asyncio.to_thread(check_store, srv.data_dir)
        if report.settled:
            break
        await asyncio.sleep(0.5)
    report = await asyncio.to_thread(check_store, srv.data_dir)
    lost += report.problems
    if not report.settled:
        lost.append(f"still pending after {cfg.settle_seconds} s: {report.pending_tasks}")
    out.tasks = dict(report.tasks)
    async with RegistryClient(srv.url, credentials=srv.registry_auth) as reg:
        for (repo, tag), image in out.pushed.items():
            manifest = await reg.get_manifest(repo, tag)
            if manifest.raw != image.manifest.raw:
                lost.append(f"{repo}:{tag} does not hold the manifest pushed")
            try:
                await reg.get_manifest(repo, tag + "_accelerated")
            except CoreError as exc:
                lost.append(f"{repo}:{tag} was not converted: {exc}")
    conn = sqlite3.connect(f"file:{srv.data_dir / 'state.db'}?mode=ro", uri=True)
    try:
        recorded = {r[0] for r in conn.execute("SELECT request_id FROM invocations")}
        failed = conn.execute(
            "SELECT count(*) FROM tasks WHERE repo LIKE 'load/%' AND status != 'SUCCESS'"
        ).fetchone()[0]
    finally:
        conn.close()
    missing = [rid for rid in out.request_ids if rid not in recorded]
    if missing:
        lost.append(f"{len(missing)} invocations not recorded, e.g. {missing[:3]}")
    if failed:
        lost.append(f"{failed} conversion tasks did not succeed")
