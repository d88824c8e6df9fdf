"""The second stage of acceleration in the Tasks screen, on a real Local server: the optimized
conversion the server runs after recording a start-up profile is announced as such, not as a
second, identical 'Conversion finished' for the same twin."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.cloud import LOCAL_DEMO_REPO, LOCAL_DEMO_TAG, open_clients
from core.settings import LocalProfile
from gui.backend._core import CoreBackend
from gui.viewmodels.tasks_vm import TasksViewModel
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread

pytestmark = [pytest.mark.integration]


def _run(qtbot: Any, coro: Any, timeout: int = 120_000) -> Any:
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


async def _seeded(srv: LocalServerHandle) -> None:
    """The seed's (first, preserve-order) conversion of the demo image has ended."""
    async with srv.signed_client() as http:
        while True:
            r = await http.get(
                "/x-fcdesk/tasks", params={"repo": LOCAL_DEMO_REPO, "tag": LOCAL_DEMO_TAG}
            )
            tasks = r.json()["tasks"]
            if tasks and all(t["TaskStatus"] == "SUCCESS" for t in tasks):
                return
            await asyncio.sleep(0.1)


async def _record(srv: LocalServerHandle) -> None:
    async with srv.signed_client() as http:
        r = await http.post(
            "/x-fcdesk/profiles/record", json={"repo": LOCAL_DEMO_REPO, "tag": LOCAL_DEMO_TAG}
        )
        assert r.status_code == 202, r.text


def test_the_optimized_conversion_is_announced_as_the_second_stage(
    qtbot: Any, ctx: Any, tmp_path: Path
) -> None:
    srv = start_local_server_thread(tmp_path / "local", seed=True, auto_profile=False)
    http = httpx.AsyncClient(timeout=60)
    try:
        _run(qtbot, _seeded(srv))
        profile = LocalProfile(url=srv.url, access_key_id=srv.access_key_id)
        backend = CoreBackend(open_clients(profile, http, srv.credentials), http, kind="local")
        vm = TasksViewModel(ctx)
        ctx.set_backend(backend, profile="Local", kind="local")
        qtbot.waitUntil(lambda: ctx.events.live, timeout=20_000)
        qtbot.waitUntil(lambda: len(vm.model.rows) > 0, timeout=20_000)
        first = {t.task_id: t.trigger for t in vm.model.rows}
        assert "profile" not in first.values(), first
        assert all(first.values()), first  # the trigger is read from the task list too

        _run(qtbot, _record(srv))
        qtbot.waitUntil(lambda: len(ctx.notes) > 0, timeout=120_000)
        title, text, kind = ctx.notes[0]
        assert (title, kind) == ("Optimized conversion finished", "ok")
        assert text == f"{LOCAL_DEMO_REPO}:{LOCAL_DEMO_TAG}_accelerated, start-up files first"
        [optimized] = [t for t in vm.model.rows if t.task_id not in first]
        assert optimized.trigger == "profile"
        ctx.set_backend(None)
        vm.deleteLater()
    finally:
        _run(qtbot, http.aclose())
        srv.stop()
