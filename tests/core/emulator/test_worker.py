"""Conversion worker: rules → tasks → <tag>_accelerated, through the real conversion core."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from core._progress import Progress, ProgressCallback
from core.emulator._worker import ConversionJob
from core.errors import ConvertError
from core.formats import detect_format
from tests.core.emulator.helpers import acr, fc_headers, push_image
from tests.fixtures.emulator import (
    LocalServerHandle,
    start_local_server_thread,
    wait_subscribed,
)

FILES = {f"app/file{i}.txt": (f"content {i} " * 500).encode() for i in range(20)}


async def _rule_on(http: httpx.AsyncClient, repo: str) -> str:
    ns, name = repo.split("/")
    got = await acr(http, "GetRepository", RepoNamespaceName=ns, RepoName=name)
    rule = await acr(
        http,
        "CreateArtifactBuildRule",
        ScopeType="REPOSITORY",
        ScopeId=got["RepoId"],
        ArtifactType="ACCELERATED_IMAGE",
    )
    assert rule["IsSuccess"], rule
    return str(got["RepoId"])


async def _wait_task(http: httpx.AsyncClient, task_id: str, limit: float = 60) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + limit
    while True:
        task = await acr(http, "GetArtifactBuildTask", BuildTaskId=task_id)
        if task["TaskStatus"] in ("SUCCESS", "FAILED", "CANCELED"):
            return task
        assert asyncio.get_running_loop().time() < deadline, task
        await asyncio.sleep(0.1)


async def _tasks(http: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    r = await http.get("/x-fcdesk/tasks", params=params, headers={"x-acs-action": "ListTasks"})
    assert r.status_code == 200, r.text
    tasks: list[dict[str, Any]] = r.json()["tasks"]
    return tasks


async def _collect_events(
    srv: LocalServerHandle,
    stop_type: str,
    into: list[dict[str, Any]],
    subscribed: asyncio.Event,
) -> None:
    async with (
        srv.signed_client(timeout=None) as http,
        http.stream("GET", "/x-fcdesk/events", params={"format": "ndjson"}) as r,
    ):
        lines: AsyncIterator[str] = r.aiter_lines()
        async for line in lines:
            event = json.loads(line)
            into.append(event)
            if event["type"] == "hello":
                subscribed.set()
            if event["type"] == stop_type:
                return


async def test_push_with_rule_converts_and_function_goes_ready(
    local_server_thread: LocalServerHandle,
) -> None:
    srv = local_server_thread
    async with srv.registry_client() as reg:
        await push_image(reg, "acc/app", "v0", FILES)
    events: list[dict[str, Any]] = []
    async with srv.signed_client() as http:
        await _rule_on(http, "acc/app")
        subscribed = asyncio.Event()
        watcher = asyncio.create_task(_collect_events(srv, "task.finished", events, subscribed))
        await wait_subscribed(watcher, subscribed)
        async with srv.registry_client() as reg:
            await push_image(reg, "acc/app", "v1", FILES)
        tasks = await _tasks(http, repo="acc/app")
        assert len(tasks) == 1  # v0 was pushed before the rule
        task = await _wait_task(http, tasks[0]["BuildTaskId"])
        assert task["TaskStatus"] == "SUCCESS", task
        assert task["TargetArtifact"]["Version"] == "v1_accelerated"
        await watcher
        types = [e["type"] for e in events]
        assert "tag.pushed" in types
        assert "task.created" in types
        assert types[-1] == "task.finished"
        logs = await acr(
            http, "ListArtifactBuildTaskLog", BuildTaskId=task["BuildTaskId"], Page=1, PageSize=100
        )
        assert isinstance(logs["TotalCount"], int)
        assert logs["TotalCount"] >= 3
        assert logs["BuildTaskLogs"][-1]["Message"].startswith("succeeded")
        # the accelerated twin is a seekable image; pushing it did not queue another task
        async with srv.registry_client() as reg:
            r = await reg.get(
                "/v2/acc/app/manifests/v1_accelerated",
                headers={"Accept": "application/vnd.oci.image.manifest.v1+json"},
            )
            manifest = r.json()
        assert all(detect_format(layer.get("annotations")) for layer in manifest["layers"])
        assert len(await _tasks(http, repo="acc/app")) == 1

        # existing tags convert on request (local extension)
        r = await http.post("/x-fcdesk/convert", json={"repo": "acc/app"})
        assert r.status_code == 200, r.text
        queued = r.json()["tasks"]
        by_tag = {q["tag"]: q for q in queued}
        assert by_tag["v1"]["skipped"] == "accelerated twin exists"
        assert by_tag["v1_accelerated"]["skipped"]
        task = await _wait_task(http, by_tag["v0"]["taskId"])
        assert task["TaskStatus"] == "SUCCESS"

        # FC: an accelerated function verifies the TOCs and reports Ready
        body = {
            "functionName": "fast",
            "runtime": "custom-container",
            "handler": "h",
            "customContainerConfig": {"image": "localhost:1/acc/app:v1_accelerated"},
        }
        r = await http.post(
            "/2023-03-30/functions", json=body, headers=fc_headers("CreateFunction")
        )
        assert r.status_code == 200, r.text
        for _ in range(100):
            r = await http.get("/2023-03-30/functions/fast", headers=fc_headers("GetFunction"))
            if r.json()["state"] == "Active":
                break
            await asyncio.sleep(0.05)
        fn = r.json()
        assert fn["state"] == "Active", fn
        assert fn["lastUpdateStatus"] == "Successful"
        assert fn["customContainerConfig"]["accelerationInfo"] == {"status": "Ready"}
        assert "@sha256:" in fn["customContainerConfig"]["resolvedImageUri"]


class _GatedConverter:
    """A converter that waits for a gate, then fails or copies the source manifest."""

    def __init__(self, fail: bool = False) -> None:
        self.gate = asyncio.Event()
        self.started = asyncio.Event()
        self.fail = fail
        self.loop: asyncio.AbstractEventLoop | None = None

    async def __call__(self, job: ConversionJob, on_progress: ProgressCallback) -> None:
        self.loop = asyncio.get_running_loop()
        on_progress(Progress("convert", 0, 10, item="layer"))
        self.started.set()
        await self.gate.wait()
        on_progress(Progress("convert", 10, 10, item="layer"))
        if self.fail:
            raise ConvertError("layer 0: entry /etc/x is a device", entry="/etc/x")
        async with httpx.AsyncClient(
            base_url=f"http://{job.registry}", auth=job.credentials
        ) as reg:
            r = await reg.get(f"/v2/{job.repo}/manifests/{job.source_digest}")
            ct = r.headers["content-type"]
            await reg.put(
                f"/v2/{job.repo}/manifests/{job.target_tag}",
                content=r.content,
                headers={"Content-Type": ct},
            )

    def release(self) -> None:
        assert self.loop is not None
        self.loop.call_soon_threadsafe(self.gate.set)


async def _wait(cond: Any, limit: float = 20) -> None:
    for _ in range(int(limit / 0.05)):
        if await cond():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met")


async def test_failure_and_cancel_and_plain_function_waits(tmp_path: Path) -> None:
    conv = _GatedConverter(fail=True)
    srv = start_local_server_thread(tmp_path / "d", converter=conv)
    try:
        async with srv.registry_client() as reg:
            await push_image(reg, "acc/app", "seed")
        async with srv.signed_client() as http:
            await _rule_on(http, "acc/app")
            async with srv.registry_client() as reg:
                await push_image(reg, "acc/app", "v1", {"a": b"1"})
            # a plain-tag function waits (ImageOptimizing / Preparing) while its twin converts
            body = {
                "functionName": "plain",
                "runtime": "custom-container",
                "handler": "h",
                "customContainerConfig": {"image": f"{srv.host}/acc/app:v1"},
            }
            r = await http.post(
                "/2023-03-30/functions", json=body, headers=fc_headers("CreateFunction")
            )
            assert r.status_code == 200

            async def preparing() -> bool:
                r = await http.get("/2023-03-30/functions/plain", headers=fc_headers("GetFunction"))
                fn = r.json()
                return bool(
                    fn["lastUpdateStatusReasonCode"] == "ImageOptimizing"
                    and fn["customContainerConfig"].get("accelerationInfo", {}).get("status")
                    == "Preparing"
                )

            await _wait(preparing)
            tasks = await _tasks(http, repo="acc/app", status="BUILDING,PENDING")
            assert len(tasks) == 1
            conv.release()
            task = await _wait_task(http, tasks[0]["BuildTaskId"])
            assert task["TaskStatus"] == "FAILED"
            assert "device" in task["Reason"]

            async def active() -> bool:
                r = await http.get("/2023-03-30/functions/plain", headers=fc_headers("GetFunction"))
                fn = r.json()
                return bool(fn["state"] == "Active" and fn["lastUpdateStatus"] == "Successful")

            await _wait(active)
            r = await http.get("/2023-03-30/functions/plain", headers=fc_headers("GetFunction"))
            assert r.json()["customContainerConfig"]["accelerationInfo"]["status"] == "Failed"

            # cancel a running task
            conv.fail = False
            conv.gate = asyncio.Event()
            async with srv.registry_client() as reg:
                await push_image(reg, "acc/app", "v2", {"b": b"2"})
            tasks = await _tasks(http, repo="acc/app", status="BUILDING,PENDING")
            assert len(tasks) == 1
            await acr(http, "CancelArtifactBuildTask", BuildTaskId=tasks[0]["BuildTaskId"])
            task = await _wait_task(http, tasks[0]["BuildTaskId"])
            assert task["TaskStatus"] == "CANCELED"
            again = await acr(http, "CancelArtifactBuildTask", BuildTaskId=task["BuildTaskId"])
            assert again["IsSuccess"] is False
            async with srv.registry_client() as reg:
                r = await reg.get("/v2/acc/app/tags/list")
            assert "v2_accelerated" not in r.json()["tags"]
    finally:
        srv.stop()


async def test_worker_survives_a_crashing_converter(tmp_path: Path) -> None:
    calls: list[str] = []

    async def crashing(job: ConversionJob, on_progress: ProgressCallback) -> None:
        calls.append(job.source_tag)
        if job.source_tag == "bad":
            raise KeyError("unexpected")
        await _GatedConverter.__call__(_released(), job, on_progress)

    srv = start_local_server_thread(tmp_path / "d", converter=crashing)
    try:
        async with srv.registry_client() as reg:
            await push_image(reg, "acc/app", "seed")
        async with srv.signed_client() as http:
            await _rule_on(http, "acc/app")
            async with srv.registry_client() as reg:
                await push_image(reg, "acc/app", "bad", {"x": b"1"})
                await push_image(reg, "acc/app", "good", {"y": b"2"})
            tasks = {t["SourceArtifact"]["Version"]: t for t in await _tasks(http, repo="acc/app")}
            bad = await _wait_task(http, tasks["bad"]["BuildTaskId"])
            good = await _wait_task(http, tasks["good"]["BuildTaskId"])
        assert bad["TaskStatus"] == "FAILED"
        assert "internal error: KeyError" in bad["Reason"]
        assert good["TaskStatus"] == "SUCCESS"
        assert calls == ["bad", "good"]
    finally:
        srv.stop()


def _released() -> _GatedConverter:
    conv = _GatedConverter()
    conv.gate.set()
    return conv
