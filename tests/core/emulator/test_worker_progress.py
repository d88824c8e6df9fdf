"""A conversion task's progress only moves forward, and its log reads as sentences with
sizes, durations and rates (the real converter, three layers of incompressible data)."""

from __future__ import annotations

import asyncio
from typing import Any

from core.registry import RegistryClient
from tests.core.emulator.helpers import acr
from tests.core.emulator.test_worker import _collect_events, _rule_on, _tasks, _wait_task
from tests.fixtures.emulator import LocalServerHandle, wait_subscribed
from tests.fixtures.images import build_image, make_layer, push_image, random_bytes


async def test_progress_never_goes_back_and_the_log_reads_as_sentences(
    local_server_thread: LocalServerHandle,
) -> None:
    srv = local_server_thread
    image = build_image(
        [
            make_layer({f"layer{i}/blob.bin": random_bytes(3 << 20, seed=i)}, "gzip")
            for i in range(3)
        ]
    )
    async with srv.signed_client() as http:
        async with RegistryClient(srv.url, credentials=srv.registry_auth) as reg:
            await push_image(reg, "prog/app", image, "v0")
        await _rule_on(http, "prog/app")
        events: list[dict[str, Any]] = []
        subscribed = asyncio.Event()
        watcher = asyncio.create_task(_collect_events(srv, "task.finished", events, subscribed))
        await wait_subscribed(watcher, subscribed)
        async with RegistryClient(srv.url, credentials=srv.registry_auth) as reg:
            await push_image(reg, "prog/app", image, "v1")
        (task,) = await _tasks(http, repo="prog/app")
        done = await _wait_task(http, task["BuildTaskId"], limit=180)
        assert done["TaskStatus"] == "SUCCESS", done
        await watcher
        shares = [
            float(e["data"]["progress"])
            for e in events
            if e["type"] == "task.progress" and e["data"].get("progress") is not None
        ]
        assert len(shares) >= 5
        assert shares == sorted(shares), shares  # never backwards
        assert shares[-1] > 0.9
        logs = await acr(
            http, "ListArtifactBuildTaskLog", BuildTaskId=task["BuildTaskId"], Page=1, PageSize=100
        )
        lines = [entry["Message"] for entry in logs["BuildTaskLogs"]]
    converted = [line for line in lines if line.startswith("Converted layer")]
    assert len(converted) == 3, lines
    for line in converted:
        # "Converted layer 2 of 3 (sha256:…): 3.0 MiB → 3.0 MiB in 0.4 s, 7.5 MiB/s"
        assert " of 3 (sha256:" in line
        assert "MiB" in line
        assert "/s" in line
    assert any(line.startswith("Uploaded sha256:") for line in lines), lines
    assert not any(":" in line and line.split(":")[-1].strip().isdigit() for line in lines), lines
