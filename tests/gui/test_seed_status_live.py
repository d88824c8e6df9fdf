"""The seeding indication against a real Local server (small seed): the state read from
``/x-fcdesk/info`` on connect, then followed live on the event stream to the end; a console
connecting afterwards shows nothing."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from core.cloud import open_clients
from core.settings import LocalProfile
from gui.backend._core import CoreBackend
from gui.viewmodels.seed_vm import SeedState, seed_view_model
from gui.widgets.seed_banner import SeedBanner
from tests.fixtures.emulator import start_local_server_thread

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def test_seeding_is_followed_from_info_and_events(qtbot, ctx, tmp_path: Path) -> None:
    server = start_local_server_thread(tmp_path / "local", seed=True, seed_image="small")
    http = httpx.AsyncClient(timeout=60, trust_env=False)
    try:
        profile = LocalProfile(url=server.url, access_key_id=server.access_key_id)
        backend = CoreBackend(open_clients(profile, http, server.credentials), http, kind="local")
        vm = seed_view_model(ctx)
        states: list[SeedState] = []
        vm.changed.connect(states.append)
        banner = SeedBanner(vm)
        qtbot.addWidget(banner)
        ctx.set_backend(backend, profile="Local", kind="local")
        qtbot.waitUntil(lambda: vm.state.state != "none", timeout=30_000)
        first = vm.state
        assert first.kind == "small"
        assert first.state in ("running", "finished")
        if first.running:
            assert not banner.isHidden()
        qtbot.waitUntil(lambda: vm.state.state == "finished", timeout=180_000)
        assert banner.isHidden()
        assert all(s.state != "failed" for s in states), [s.reason for s in states]
        if first.running:
            # followed live to the end, and announced
            assert any(s.step == "ready" for s in states)
            assert ("Demo ready", "demo-plain and demo-accelerated run demo/hello.", "ok") in (
                ctx.notes
            )
        # A console connecting now reads "finished" and shows nothing.
        # (a client of its own: replacing the backend closes the first one's)
        http2 = httpx.AsyncClient(timeout=60, trust_env=False)
        again = CoreBackend(open_clients(profile, http2, server.credentials), http2, kind="local")
        ctx.set_backend(again, profile="Local", kind="local")
        qtbot.waitUntil(lambda: not ctx.jobs.is_running("seed-info"), timeout=30_000)
        qtbot.waitUntil(lambda: vm.state.state == "finished", timeout=30_000)
        assert not vm.visible
        assert banner.isHidden()
    finally:
        ctx.set_backend(None)
        server.stop()
