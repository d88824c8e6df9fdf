"""Images › tag detail › Start-up profile: "N files, X MB, recorded <when>" and Record against a
real Local server (small seed, profiles recorded by the server after the first conversion);
on Alibaba Cloud, "Set prefetch list…" shows every path before the rule gets it."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from core.cloud import open_clients
from core.settings import LocalProfile
from gui.backend import BackendCapabilities, RepoInfo
from gui.backend._core import CoreBackend
from gui.viewmodels.images_vm import ImagesViewModel
from gui.views.images_view import ImagesView
from tests.fixtures.emulator import start_local_server_thread
from tests.gui.fakes import FakeBackend

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def _select(view: ImagesView, vm: ImagesViewModel, tag: str) -> None:
    view.tag_table.selectRow(vm.tags.row_of_tag(tag))


def test_profile_shown_per_tag_and_recorded_again(qtbot, ctx, tmp_path: Path) -> None:
    server = start_local_server_thread(
        tmp_path / "local", seed=True, seed_image="small", auto_profile=True
    )
    http = httpx.AsyncClient(timeout=60, trust_env=False)
    try:
        profile = LocalProfile(url=server.url, access_key_id=server.access_key_id)
        backend = CoreBackend(open_clients(profile, http, server.credentials), http, kind="local")
        vm = ImagesViewModel(ctx)
        view = ImagesView(vm)
        qtbot.addWidget(view)
        vm.setParent(view)
        view.show()
        ctx.set_backend(backend, profile="Local", kind="local")
        qtbot.waitUntil(
            lambda: vm.repo is not None and vm.repo.path == "demo/hello", timeout=60_000
        )
        qtbot.waitUntil(lambda: vm.tags.row_of_tag("v1") >= 0, timeout=60_000)
        _select(view, vm, "v1")
        # the server records it by itself once v1_accelerated exists; the console follows
        qtbot.waitUntil(
            lambda: getattr(vm.profile_for("v1"), "state", "") == "RECORDED", timeout=240_000
        )
        _select(view, vm, "v1")
        text = view.d_profile.text()
        when = r"\d{4}-\d\d-\d\d \d\d:\d\d"
        assert re.fullmatch(rf"\d+ files, [\d.]+ [kMG]i?B, recorded {when}", text), text
        info = vm.profile_for("v1")
        assert info is not None
        assert info.files > 10
        assert str(info.files) in text
        assert view.d_profile_button.text() == "Record again"
        assert view.d_profile_button.isEnabled()
        # the accelerated tag shows its source's profile
        _select(view, vm, "v1_accelerated")
        assert view.d_profile.text() == text

        _select(view, vm, "v1")
        first_recorded = info.recorded_at
        view.d_profile_button.click()
        assert not view.d_profile_button.isEnabled()  # queued at once
        qtbot.waitUntil(
            lambda: (
                getattr(vm.profile_for("v1"), "state", "") == "RECORDED"
                and getattr(vm.profile_for("v1"), "recorded_at", 0) != first_recorded
            ),
            timeout=240_000,
        )
        _select(view, vm, "v1")
        assert view.d_profile_button.isEnabled()
        assert not ctx.errors
    finally:
        ctx.set_backend(None)
        server.stop()


class _CloudBackend(FakeBackend):
    """Alibaba Cloud as the console sees it: rules take a prefetch list; no recording."""

    def __init__(self) -> None:
        super().__init__(tags=2)
        self._caps = BackendCapabilities(events=True, priority_file=True)
        self.priority: list[tuple[str, list[str]]] = []

    async def set_priority_file(self, instance_id: str, repo: RepoInfo, paths: list[str]) -> str:
        self.priority.append((repo.path, list(paths)))
        return "crabr-new"


def test_cloud_prefetch_list_needs_the_dialog(qtbot, ctx, tmp_path: Path) -> None:
    backend = _CloudBackend()
    vm = ImagesViewModel(ctx)
    view = ImagesView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.show()
    ctx.set_backend(backend)
    qtbot.waitUntil(lambda: vm.tags.row_of_tag("v0") >= 0, timeout=5000)
    qtbot.waitUntil(
        lambda: (repo := vm.repos.get("crr-app")) is not None and repo.acceleration is not None,
        timeout=5000,
    )
    _select(view, vm, "v0")
    assert view.d_profile_button.text() == "Set prefetch list…"
    assert view.d_profile_button.isVisibleTo(view)
    profile = tmp_path / "startup.txt"
    profile.write_text("# fcdesk start-up profile v1\nusr/bin/node\n/app/server.js\n")

    cancelled = view.confirm_priority_file(str(profile))
    assert cancelled is not None
    listing = cancelled.listing.toPlainText()
    assert listing.splitlines() == ["1  /usr/bin/node", "2  /app/server.js"]
    assert "replaced" in cancelled.effect.text()  # the repository has a rule
    cancelled.reject()
    qtbot.wait(50)
    assert backend.priority == []  # nothing sent without Apply

    dialog = view.confirm_priority_file(str(profile))
    assert dialog is not None
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: bool(backend.priority), timeout=5000)
    assert backend.priority == [("demo/app", ["usr/bin/node", "app/server.js"])]
    qtbot.waitUntil(lambda: any(n[0] == "Prefetch list set" for n in ctx.notes), timeout=5000)

    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n")
    assert view.confirm_priority_file(str(empty)) is None
    assert any(n[0] == "Nothing to prefetch" for n in ctx.notes)


def test_plain_registry_has_no_profile_row(qtbot, ctx) -> None:
    backend = FakeBackend(tags=2)
    backend._caps = BackendCapabilities(events=True)
    vm = ImagesViewModel(ctx)
    view = ImagesView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.show()
    ctx.set_backend(backend)
    qtbot.waitUntil(lambda: vm.tags.row_of_tag("v0") >= 0, timeout=5000)
    _select(view, vm, "v0")
    assert not view.d_profile_button.isVisibleTo(view)
