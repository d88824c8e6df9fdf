""" "Why is this not accelerated?" on the Images page: the selected plain tag without a ready
twin is checked, each problem shown with what to do and its fix; the fix acts through the
page's own actions; the check follows the tag's state. Then the same panel over a real Local
server's answer."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from core.cloud import open_clients
from core.report import ProblemCode
from core.settings import LocalProfile
from gui.backend._core import CoreBackend
from gui.viewmodels.why_vm import WhyViewModel
from gui.widgets.why_panel import WhyPanel
from tests.core.report.scenario import files_for, push_image
from tests.fixtures.emulator import start_local_server_thread
from tests.gui.fakes import FakeBackend
from tests.gui.pages import images_page


def test_why_panel_on_the_images_page(qtbot, ctx) -> None:
    backend = FakeBackend(tags=3, convert_steps=3, step_delay=0.02, fail_tags=("v0",))
    vm, view = images_page(qtbot, ctx, backend)
    # a tag whose twin is ready: nothing to explain, nothing asked
    view.select_tags(["v2"])
    assert not view._d_form.isRowVisible(view._why_row)
    assert not any(c.startswith("check_image") for c in backend.calls)

    # v1 has no twin yet (acceleration on): never converted, convert it now
    view.select_tags(["v1"])
    assert view._d_form.isRowVisible(view._why_row)
    panel = view.why_panel
    assert panel is not None
    qtbot.waitUntil(lambda: len(panel.cards) == 1, timeout=5000)
    assert panel.status.text() == "Not accelerated, because:"
    card = panel.cards[0]
    assert card.badge.text() == "Never converted"
    assert card.advice.text().startswith("What to do: convert the tag")
    assert card.button is not None
    assert card.button.text() == "Convert now…"
    card.button.click()
    qtbot.waitUntil(lambda: vm.tags.twin_state("v1").value == "ready", timeout=5000)
    assert "convert_now" in " ".join(backend.calls)
    qtbot.waitUntil(lambda: not view._d_form.isRowVisible(view._why_row), timeout=5000)

    # v0's conversion fails: the reason, and no fix but what to do
    view.select_tags(["v0"])
    view.convert_button.click()
    qtbot.waitUntil(lambda: vm.tags.twin_state("v0").value == "failed", timeout=5000)
    qtbot.waitUntil(
        lambda: bool(panel.cards) and panel.cards[0].badge.text() == "Conversion failed",
        timeout=5000,
    )
    failed = panel.cards[0]
    assert "layer 2: unsupported whiteout" in failed.findChildren(type(panel.status))[1].text()
    assert failed.button is None

    # a repository without acceleration: switch it on from the card (and convert)
    vm.select_repo("crr-web")
    qtbot.waitUntil(lambda: vm.tags.rowCount() == 1, timeout=5000)
    view.select_tags(["latest"])
    qtbot.waitUntil(
        lambda: bool(panel.cards) and panel.cards[0].badge.text() == "Acceleration off",
        timeout=5000,
    )
    off = panel.cards[0]
    assert off.button is not None
    assert off.button.text() == "Switch acceleration on…"
    off.button.click()
    qtbot.waitUntil(lambda: "set_acceleration:True" in backend.calls, timeout=5000)
    qtbot.waitUntil(lambda: vm.tags.twin_state("latest").value == "ready", timeout=5000)
    assert ctx.errors == []


@pytest.mark.integration
def test_why_from_a_local_server(qtbot, ctx, tmp_path: Path) -> None:
    server = start_local_server_thread(tmp_path / "local")
    http = httpx.AsyncClient(timeout=60, trust_env=False)
    auth = server.registry_auth
    try:
        with ThreadPoolExecutor(1) as pool:  # the test's own loop is the GUI's
            pool.submit(
                asyncio.run, push_image(server.url, auth, "shop/batch", "v1", files_for("batch"))
            ).result()
        profile = LocalProfile(url=server.url, access_key_id=server.access_key_id)
        backend = CoreBackend(open_clients(profile, http, server.credentials), http, kind="local")
        ctx.set_backend(backend, profile="Local", kind="local")
        vm = WhyViewModel(ctx)
        panel = WhyPanel()
        qtbot.addWidget(panel)
        vm.checked.connect(panel.show_row)
        vm.failed.connect(panel.show_error)
        vm.check(f"{server.host}/shop/batch:v1")
        qtbot.waitUntil(lambda: vm.row is not None, timeout=60_000)
        assert vm.row is not None
        assert vm.row.problem_codes == {ProblemCode.ACCELERATION_OFF}
        assert [c.badge.text() for c in panel.cards] == ["Acceleration off"]
        assert panel.cards[0].button is not None
        vm.check(f"{server.host}/shop/none:v1")
        qtbot.waitUntil(lambda: vm.row is not None, timeout=60_000)
        assert [c.badge.text() for c in panel.cards] == ["Image unreadable"]
        assert "not found" in panel.cards[0].findChildren(type(panel.status))[1].text()
    finally:
        ctx.set_backend(None)
        qtbot.waitUntil(lambda: http.is_closed, timeout=10_000)
        server.stop()
