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
from core.cloud import ProfileClients, open_clients
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
    # the lanes filled in live, both at once (a race, the default): the plain lane showed
    # some of its phases before all, and the accelerated one had begun while the plain one
    # had not answered yet (which of the two reported its first phase first is not fixed)
    assert vm.together
    assert any(0 < len(s.lanes[0].phases) < len(final.lanes[0].phases) for s in states)
    assert any(s.lanes[1].phases and not s.lanes[0].done for s in states)
    text = view.stage.ratio.text()
    assert text.endswith(("× faster", "× slower"))
    assert view.stage.bytes.text().startswith("Bytes fetched:")
    assert len(lab.model.rows) == 1  # kept in the lab's history for replays
    assert lab.model.rows[0].sides[0].target == "demo-plain"
    assert "Live on the Local server" in view.stage.subtitle.text()
    ctx.set_backend(None)
    closing = asyncio.ensure_future(http.aclose())
    qtbot.waitUntil(closing.done, timeout=10_000)


async def _slowest_api_call(clients: ProfileClients) -> float:
    """The slowest of the signed API calls the race makes before its invocations (reading
    a function, arming its cold start), in seconds."""
    assert clients.local is not None
    slowest = 0.0
    for name in DEMO_FUNCTIONS:
        for call in (clients.fc.get_function(name), clients.local.force_cold_start(name)):
            started = time.monotonic()
            await call
            slowest = max(slowest, time.monotonic() - started)
    return slowest


def test_a_race_longer_than_the_http_timeout_finishes_with_live_progress(
    qtbot, ctx, seeded: LocalServerHandle
) -> None:
    """The lab's cold starts on a real Local server: both at once, each over its own slow
    link, for longer than the HTTP client's own timeout (3 s here, 30 s in the console):
    they finish, because an invocation waits as long as the server shows progress."""
    from gui.backend import LabEvent, LabProgress, LabRequest, LabRunDone

    profile = LocalProfile(url=seeded.url, access_key_id=seeded.access_key_id)
    # The client's timeout: 3 s, or more where the machine is so busy that a plain API call
    # (arming a cold start, reading a function) comes near it; the race must outlast it.
    probe_http = httpx.AsyncClient()
    probe = asyncio.ensure_future(
        _slowest_api_call(open_clients(profile, probe_http, seeded.credentials))
    )
    qtbot.waitUntil(probe.done, timeout=600_000)
    closing = asyncio.ensure_future(probe_http.aclose())
    qtbot.waitUntil(closing.done, timeout=10_000)
    limit = max(3.0, 10 * probe.result())
    http = httpx.AsyncClient(timeout=httpx.Timeout(limit, connect=limit))
    backend = CoreBackend(open_clients(profile, http, seeded.credentials), http, kind="local")
    events: list[LabEvent] = []
    request = LabRequest("functions", *DEMO_FUNCTIONS, link="4mbit,40ms", runs=1, together=True)
    started = time.monotonic()
    task = asyncio.ensure_future(backend.run_coldstart(request, events.append))
    qtbot.waitUntil(task.done, timeout=600_000)
    elapsed = time.monotonic() - started
    result = task.result()
    assert elapsed > limit, f"the race should outlast the client's timeout ({limit:.1f} s)"
    assert [len(side.runs) for side in result.sides] == [1, 1]
    done = [e for e in events if isinstance(e, LabRunDone)]
    assert sorted(e.side for e in done) == [0, 1]
    live = [e for e in events if isinstance(e, LabProgress) and not e.finished]
    assert any(e.side == 0 and e.phase.name == "pull" for e in live)
    assert any(e.side == 1 for e in live)
    # Both started before either answered: B's first live event precedes A's last one.
    first_b = next(i for i, e in enumerate(events) if getattr(e, "side", None) == 1)
    last_a = max(i for i, e in enumerate(events) if getattr(e, "side", None) == 0)
    assert first_b < last_a
    closing = asyncio.ensure_future(backend.aclose())
    qtbot.waitUntil(closing.done, timeout=10_000)
