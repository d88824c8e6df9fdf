"""The Functions screen on a real Local server when a deployed function's image changes:
the server's own re-conversion of its twin is announced as a redeploy on the optimized image
(not as a failure, nor as a deployment the user made), and a push over the image the function
runs is announced as the failure it is, with the server's reason."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.cloud import open_clients
from core.settings import LocalProfile
from gui.backend import FunctionInfo
from gui.backend._core import CoreBackend
from gui.viewmodels.functions_vm import FunctionsViewModel
from tests.core.emulator.helpers import (
    accelerate,
    convert,
    fc_headers,
    finished_task,
    push_image,
)
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread

pytestmark = [pytest.mark.integration]

FILES = {"a.txt": b"alpha " * 100, "b.txt": b"bravo " * 100, "c.txt": b"charlie " * 100}


def _run(qtbot: Any, coro: Any) -> Any:
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=60_000)
    return task.result()


async def _deploy_on_twin(srv: LocalServerHandle) -> str:
    """ns/app:v1, accelerated (preserve order), and function ``acc`` on its twin, Active."""
    async with srv.registry_client() as reg:
        await push_image(reg, "ns/app", "v1", FILES)
    async with srv.signed_client() as http:
        await accelerate(http, "ns/app")
        task = await finished_task(http, await convert(http, "ns/app", "v1"))
        image = f"{srv.host}/ns/app:v1_accelerated"
        r = await http.post(
            "/2023-03-30/functions",
            json={
                "functionName": "acc",
                "runtime": "custom-container",
                "handler": "index.handler",
                "customContainerConfig": {"image": image, "port": 9000},
            },
            headers=fc_headers("CreateFunction"),
        )
        assert r.status_code == 200, r.text
        while True:
            r = await http.get("/2023-03-30/functions/acc", headers=fc_headers("GetFunction"))
            if r.json()["lastUpdateStatus"] == "Successful":
                return str(task["TargetDigest"])
            await asyncio.sleep(0.05)


async def _reoptimize(srv: LocalServerHandle) -> str:
    """The rule gets a start-up profile and the server converts v1 again (optimized)."""
    async with srv.signed_client() as http:
        await accelerate(http, "ns/app", ["/c.txt"])
        task = await finished_task(http, await convert(http, "ns/app", "v1", force=True))
        return str(task["TargetDigest"])


async def _push_again(srv: LocalServerHandle) -> None:
    async with srv.registry_client() as reg:
        await push_image(reg, "ns/app", "v1_accelerated", {"a.txt": b"another image"})


def _acc(vm: FunctionsViewModel) -> FunctionInfo:
    """The function "acc" as the list shows it (there once listed)."""
    row = vm.model.get("acc")
    assert row is not None
    return row


def test_functions_screen_announces_a_carried_over_twin_and_an_overwritten_one(
    qtbot: Any, ctx: Any, tmp_path: Path
) -> None:
    srv = start_local_server_thread(tmp_path / "local", auto_profile=False)
    http = httpx.AsyncClient(timeout=60)
    try:
        preserved = _run(qtbot, _deploy_on_twin(srv))
        profile = LocalProfile(url=srv.url, access_key_id=srv.access_key_id)
        backend = CoreBackend(open_clients(profile, http, srv.credentials), http, kind="local")
        vm = FunctionsViewModel(ctx)
        ctx.set_backend(backend, profile="Local", kind="local")
        qtbot.waitUntil(lambda: ctx.events.live, timeout=20_000)
        qtbot.waitUntil(lambda: vm.model.get("acc") is not None, timeout=20_000)
        vm.request_details(["acc"])
        qtbot.waitUntil(lambda: getattr(vm.model.get("acc"), "detailed", False), timeout=20_000)
        assert _acc(vm).resolved_image.endswith(preserved)

        optimized = _run(qtbot, _reoptimize(srv))
        assert optimized != preserved
        qtbot.waitUntil(lambda: len(ctx.notes) > 0, timeout=20_000)
        qtbot.waitUntil(lambda: _acc(vm).resolved_image.endswith(optimized), timeout=20_000)
        (title, text, kind) = ctx.notes[0]
        assert title == "Redeployed on the optimized image"
        assert kind == "ok"
        assert text.startswith("acc now runs ns/app:v1_accelerated (" + optimized[:19] + ")")
        row = _acc(vm)
        assert (row.state, row.last_update_status) == ("Active", "Successful")

        # a push over the tag (not the server's conversion): the function fails, and says why
        _run(qtbot, _push_again(srv))
        qtbot.waitUntil(lambda: _acc(vm).state == "Failed", timeout=20_000)
        qtbot.waitUntil(lambda: len(ctx.notes) == 2, timeout=20_000)
        (title, text, kind) = ctx.notes[1]
        assert (title, kind) == ("Function failed", "bad")
        assert text.startswith("acc can no longer be invoked: the image tag ")
        assert "was overwritten" in text
        assert re.search(r"sha256:[0-9a-f]{12}…", text), text
        assert not re.search(r"[0-9a-f]{64}", text), text  # full digests: on its own page
        assert [n[0] for n in ctx.notes] == ["Redeployed on the optimized image", "Function failed"]
        ctx.set_backend(None)
        vm.deleteLater()
    finally:
        _run(qtbot, http.aclose())
        srv.stop()
