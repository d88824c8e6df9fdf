"""The console's whole workflow through core.cloud's client classes (FCClient, ACRClient,
LocalExtensions) against a seeded ``fcaccel serve`` subprocess: browse, acceleration on/off,
tasks and logs, convert existing tags, events, function lifecycle, invoke, cold-start
comparison, instances. Every request is ACS3-signed and verified by the server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from core.cloud import (
    ACRClient,
    CustomContainerConfig,
    FCClient,
    Function,
    LocalExtensions,
    ServerEvent,
    local_endpoints,
)
from core.errors import CloudError, ResourceNotFound
from tests.fixtures.emulator import LocalServerHandle, start_local_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
async def seeded(tmp_path: Path) -> AsyncIterator[LocalServerHandle]:
    srv = start_local_server(tmp_path / "seeded", extra_args=())
    try:
        yield srv
    finally:
        srv.stop()


async def test_console_workflow(seeded: LocalServerHandle) -> None:
    srv = seeded
    endpoints = local_endpoints(srv.url)
    async with httpx.AsyncClient(timeout=120) as http:
        fc = FCClient(http, srv.credentials, endpoint=endpoints.fc)
        acr = ACRClient(http, srv.credentials, endpoint=endpoints.acr)
        local = LocalExtensions(http, srv.credentials, base_url=srv.url)

        events: list[ServerEvent] = []

        async def watch() -> None:
            async for event in local.events(since=0):
                events.append(event)

        watcher = asyncio.create_task(watch())
        try:
            assert (await local.health())["status"] == "ok"
            info = await local.info()
            assert info["accessKeyId"] == srv.access_key_id

            # -- browse ------------------------------------------------------------------
            instances = [i async for i in acr.list_instances()]
            instance_id = instances[0].instance_id
            assert instance_id is not None
            hosts = await acr.registry_hosts(instance_id)
            assert hosts.public == srv.host
            namespaces = [n.namespace_name async for n in acr.list_namespaces(instance_id)]
            assert "demo" in namespaces
            repos = [r async for r in acr.list_repositories(instance_id, namespace="demo")]
            assert [r.repo_name for r in repos] == ["hello"]
            repo_id = repos[0].repo_id
            assert repo_id is not None

            # the seed converted v1 → v1_accelerated
            for _ in range(600):
                tags = [t.tag async for t in acr.list_tags(instance_id, repo_id)]
                if "v1_accelerated" in tags:
                    break
                await asyncio.sleep(0.2)
            assert set(tags) >= {"v1", "v1_accelerated"}
            tag = await acr.get_tag(instance_id, repo_id, "v1_accelerated")
            assert tag.digest
            exists = acr.image_exists(instance_id)
            assert await exists(f"{hosts.public}/demo/hello:v1_accelerated") is True
            assert await exists(f"{hosts.public}/demo/hello:v9") is False

            # -- acceleration rule and tasks -------------------------------------------
            rule = await acr.get_acceleration_rule(instance_id, repo_id)
            assert rule is not None
            tasks = await local.list_tasks(repo="demo/hello")
            assert tasks
            task_id = tasks[0].build_task_id
            assert task_id is not None
            task = await acr.get_build_task(instance_id, task_id)
            assert task.task_status == "SUCCESS"
            assert (await local.get_task(task_id)).task_status == "SUCCESS"
            lines = [line async for line in acr.list_build_task_logs(instance_id, task_id)]
            assert len(lines) >= 3
            with pytest.raises(CloudError):
                await acr.cancel_build_task(instance_id, task_id)  # already finished
            queued = await local.convert(repo="demo/hello", tags=["v1"], force=True)
            new_task = queued["tasks"][0]["taskId"]
            for _ in range(600):
                done = await local.get_task(new_task)
                if done.task_status in ("SUCCESS", "FAILED"):
                    break
                await asyncio.sleep(0.2)
            assert done.task_status == "SUCCESS"
            assert await acr.delete_acceleration_rule(instance_id, repo_id) is True
            assert await acr.get_acceleration_rule(instance_id, repo_id) is None
            await acr.create_acceleration_rule(instance_id, repo_id)
            assert await acr.get_acceleration_rule(instance_id, repo_id) is not None

            # -- functions -------------------------------------------------------------
            for _ in range(600):  # the seed creates them once the demo image is in
                names = [f.function_name async for f in fc.list_functions()]
                if {"demo-plain", "demo-accelerated"} <= set(names):
                    break
                await asyncio.sleep(0.2)
            assert {"demo-plain", "demo-accelerated"} <= set(names)
            demo = await fc.wait_until_ready("demo-accelerated", interval=0.2, max_wait=120)
            assert demo.state == "Active"
            created = await fc.create_function(
                Function(
                    function_name="console-made",
                    runtime="custom-container",
                    handler="index.handler",
                    memory_size=512,
                    timeout=30,
                    custom_container_config=CustomContainerConfig(
                        image=f"{hosts.vpc or hosts.public}/demo/hello:v1_accelerated", port=9000
                    ),
                )
            )
            assert created.state == "Pending"
            ready = await fc.wait_until_ready("console-made", interval=0.2, max_wait=120)
            assert ready.last_update_status == "Successful"
            await fc.update_function("console-made", {"description": "edited"})
            edited = await fc.wait_until_ready("console-made", interval=0.2, max_wait=120)
            assert edited.description == "edited"

            # -- invoke and the cold-start comparison ---------------------------------------
            result = await fc.invoke_function("console-made", b'{"hi": 1}', log_tail=True)
            assert result.status == 200
            assert result.request_id
            assert result.log
            assert "FC Invoke Start" in result.log
            warm = await fc.invoke_function("console-made", b"again")
            assert warm.instance_id == result.instance_id
            fc_instances = await fc.list_instances("console-made")
            assert len(fc_instances) == 1
            stopped = await local.force_cold_start("console-made")
            assert stopped["stoppedInstances"] == 1
            cold = await fc.invoke_function("console-made", b"cold")
            assert cold.instance_id != result.instance_id
            history = await local.function_invocations("console-made")
            assert [h["coldStart"] for h in history] == [True, False, True]
            assert history[0]["timeline"][-1]["name"] == "first-invoke"

            await fc.delete_function("console-made")
            with pytest.raises(ResourceNotFound):
                await fc.get_function("console-made")
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
        types = {e.type for e in events}
        assert {"task.created", "task.finished", "function.state", "invocation.finished"} <= types
