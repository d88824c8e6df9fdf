"""Demo mode on a real Local server with no account: the seeded demo functions race live
(forced cold starts through the server's runtime), phase by phase, to a final ratio."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt

from core.cloud import LOCAL_DEMO_FUNCTIONS as DEMO_FUNCTIONS
from core.cloud import open_clients
from core.settings import LocalProfile
from gui.backend._core import CoreBackend
from gui.viewmodels.demo_vm import DemoMode, DemoViewModel, RaceState
from gui.viewmodels.lab_vm import LabHistory, LabViewModel
from gui.views.demo_view import DemoView
from tests.fixtures.emulator import LocalServerHandle, start_local_server

pytestmark = [pytest.mark.slow, pytest.mark.integration]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServerHandle]:
    # A server process of its own: its runtime mounts lazy images (FUSE) and runs sandboxes.
    server = start_local_server(tmp_path_factory.mktemp("demo") / "local", extra_args=())
    try:
        asyncio.run(_wait_for_demo(server))
        yield server
    finally:
        server.stop()


async def _wait_for_demo(server: LocalServerHandle) -> None:
    async with httpx.AsyncClient(timeout=60) as http:
        profile = LocalProfile(url=server.url, access_key_id=server.access_key_id)
        clients = open_clients(profile, http, server.credentials)
        deadline = time.monotonic() + 300
        while True:
            names = {f.name async for f in clients.fc.list_functions()}
            if set(DEMO_FUNCTIONS) <= names:
                fns = [await clients.fc.get_function(n) for n in DEMO_FUNCTIONS]
                if all(f.is_ready for f in fns):
                    return
            assert time.monotonic() < deadline, "the demo was not seeded"
            await asyncio.sleep(0.5)


def test_space_races_the_seeded_demo_functions_live(
    qtbot, ctx, seeded: LocalServerHandle, tmp_path: Path
) -> None:
    http = httpx.AsyncClient(timeout=120)
    profile = LocalProfile(url=seeded.url, access_key_id=seeded.access_key_id)
    backend = CoreBackend(open_clients(profile, http, seeded.credentials), http, kind="local")
    ctx.set_backend(backend, profile="Local", kind="local")
    lab = LabViewModel(ctx, LabHistory(tmp_path / "history.json"))
    vm = DemoViewModel(ctx, lab)
    view = DemoView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)  # Qt deletes the view-models with their view, not a late GC
    lab.setParent(view)
    view.resize(1280, 720)
    view.show()
    states: list[RaceState] = []
    vm.stateChanged.connect(states.append)
    qtbot.keyClick(view.stage, Qt.Key.Key_Space)
    assert vm.mode is DemoMode.LIVE
    qtbot.waitUntil(lambda: vm.mode in (DemoMode.FINISHED, DemoMode.IDLE), timeout=300_000)
    assert vm.mode is DemoMode.FINISHED, vm.state().message
    final = vm.state()
    names = [[p.name for p in lane.phases] for lane in final.lanes]
    assert "pull" in names[0]
    assert "pull" in names[1]
    assert names[1][-1] == "first-invoke"
    assert final.ratio is not None
    assert final.bytes_fetched[0] > final.bytes_fetched[1] > 0
    # the lanes filled in live: the plain lane had phases before the accelerated one began
    partial = [s for s in states if s.lanes[0].phases and not s.lanes[1].phases]
    assert partial
    assert any(len(s.lanes[0].phases) < len(final.lanes[0].phases) for s in partial)
    text = view.stage.ratio.text()
    assert text.endswith(("× faster", "× slower"))
    assert view.stage.bytes.text().startswith("Bytes fetched:")
    assert len(lab.model.rows) == 1  # kept in the lab's history for replays
    assert lab.model.rows[0].sides[0].target == "demo-plain"
    assert "Live on the Local server" in view.stage.subtitle.text()
    ctx.set_backend(None)
    closing = asyncio.ensure_future(http.aclose())
    qtbot.waitUntil(closing.done, timeout=10_000)
