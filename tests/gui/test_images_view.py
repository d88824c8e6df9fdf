"""Images view: repositories with the acceleration switch, tags with twins and live
conversion state, convert now, show task."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from gui.backend import AccelState
from gui.models.repositories_model import Col as RepoCol
from gui.models.tags_model import Roles as TagRoles
from gui.viewmodels.images_vm import ImagesViewModel
from gui.views.images_view import ImagesView
from tests.gui.fakes import FakeBackend


def _view(qtbot, ctx, backend):
    vm = ImagesViewModel(ctx)
    view = ImagesView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)  # the view-model lives exactly as long as its view
    view.resize(1300, 800)
    view.show()
    loaded: list[int] = []
    vm.tagsLoaded.connect(loaded.append)
    ctx.set_backend(backend)
    qtbot.waitUntil(lambda: bool(loaded) and vm.tags.rowCount() > 0, timeout=5000)
    qtbot.waitUntil(
        lambda: (repo := vm.repos.get("crr-app")) is not None and repo.acceleration is not None,
        timeout=5000,
    )
    return vm, view


def _answer(qtbot, view, button) -> None:
    qtbot.waitUntil(lambda: view.findChild(QMessageBox, "askBox") is not None, timeout=3000)
    view.findChild(QMessageBox, "askBox").button(button).click()


def test_repositories_and_tags_with_twins(qtbot, ctx) -> None:
    backend = FakeBackend(tags=3)
    vm, view = _view(qtbot, ctx, backend)
    assert [r.path for r in vm.repos.rows] == ["demo/app", "demo/web"]
    assert vm.repos.index(0, RepoCol.ACCELERATION).data() == "On"
    assert view.accel_check.isChecked()
    assert view.crumbs() == ["Images", "test-ee", "demo/app"]
    # Each tag with its twin right under it (a pair), newest first.
    keys = [vm.tags.index(r, 0).data(TagRoles.Key) for r in range(vm.tags.rowCount())]
    assert keys[:2] == ["v2", "v2_accelerated"]
    assert vm.tags.index(1, 0).data() == "  ↳ v2_accelerated"
    view.tag_table.selectRow(vm.tags.row_of_tag("v2"))
    assert view.d_state.text() == "Ready"
    assert "v2_accelerated" in view.d_pair.text()
    view._on_pair_link_activated("v2_accelerated")
    assert view.selected_tags() == ["v2_accelerated"]
    assert "accelerated image of" in view.d_pair.text()
    assert view.d_address.text().endswith("demo/app:v2_accelerated")
    assert "3 tag(s)" not in view.footer.text()  # 4 tags incl. the twin
    assert "4 tag(s)" in view.footer.text()


def test_convert_now_shows_live_progress_then_ready(qtbot, ctx) -> None:
    backend = FakeBackend(tags=3, convert_steps=5, step_delay=0.05)
    vm, view = _view(qtbot, ctx, backend)
    qtbot.waitUntil(lambda: ctx.events.live or True, timeout=100)
    view.tag_table.selectRow(vm.tags.row_of_tag("v0"))
    assert view.convert_button.isEnabled()
    view.convert_button.click()
    qtbot.waitUntil(lambda: vm.tags.twin_state("v0") is AccelState.CONVERTING, timeout=5000)
    qtbot.waitUntil(lambda: view.d_progress.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: vm.tags.twin_state("v0") is AccelState.READY, timeout=10000)
    assert vm.tags.has_tag("v0_accelerated")


def test_failed_conversion_shows_the_reason(qtbot, ctx) -> None:
    backend = FakeBackend(tags=3, fail_tags=("v1",))
    vm, view = _view(qtbot, ctx, backend)
    assert view.select_tags(["v1"])
    assert not view.d_reason.isVisibleTo(view)  # no empty reason row before a failure
    view.convert_button.click()
    qtbot.waitUntil(lambda: vm.tags.twin_state("v1") is AccelState.FAILED, timeout=10000)
    assert view.select_tags(["v1"])
    assert "whiteout" in view.d_reason.text()
    assert view.d_reason.isVisibleTo(view)
    assert view.d_task_link.isVisibleTo(view)
    assert view.select_tags(["v2_accelerated"])
    assert not view.d_reason.isVisibleTo(view)


def test_switching_acceleration_on_offers_existing_tags(qtbot, ctx) -> None:
    backend = FakeBackend(tags=3)
    vm, view = _view(qtbot, ctx, backend)
    view.repo_table.selectRow(1)  # demo/web, acceleration off
    qtbot.waitUntil(lambda: vm.repo is not None and vm.repo.repo_id == "crr-web", timeout=3000)
    qtbot.waitUntil(lambda: view.accel_check.isEnabled(), timeout=3000)
    assert not view.accel_check.isChecked()
    view.accel_check.click()
    _answer(qtbot, view, QMessageBox.StandardButton.Yes)  # convert the existing tag
    qtbot.waitUntil(lambda: "convert_now:latest" in backend.calls, timeout=5000)
    assert vm.repos.get("crr-web").acceleration is True
    qtbot.waitUntil(lambda: vm.tags.twin_state("latest") is AccelState.READY, timeout=10000)


def test_pushed_tag_appears_live_and_converts(qtbot, ctx) -> None:
    from gui.async_bridge import spawn

    backend = FakeBackend(tags=2)
    vm, _v = _view(qtbot, ctx, backend)
    qtbot.waitUntil(lambda: ctx.events.live or ctx.events.received >= 0, timeout=1000)
    qtbot.wait(100)
    spawn(backend.push_tag("crr-app", "v9"))
    qtbot.waitUntil(lambda: vm.tags.has_tag("v9"), timeout=5000)
    qtbot.waitUntil(lambda: vm.tags.has_tag("v9_accelerated"), timeout=10000)
    assert vm.tags.twin_state("v9") is AccelState.READY


def test_without_events_conversions_are_polled(qtbot, ctx) -> None:
    backend = FakeBackend(tags=2, events=False, step_delay=0.02)
    vm, view = _view(qtbot, ctx, backend)
    view.tag_table.selectRow(vm.tags.row_of_tag("v0"))
    view.convert_button.click()
    qtbot.waitUntil(lambda: vm.tags.has_tag("v0_accelerated"), timeout=15000)
    assert vm.tags.twin_state("v0") is AccelState.READY


def test_convert_all_with_nothing_left_says_so(qtbot, ctx) -> None:
    backend = FakeBackend(tags=1)  # v0 and its twin v0_accelerated
    vm, view = _view(qtbot, ctx, backend)
    assert vm.unconverted_tags() == []
    view.convert_all_button.click()
    qtbot.waitUntil(lambda: any(n[0] == "Nothing to convert" for n in ctx.notes), timeout=3000)
    note = next(n for n in ctx.notes if n[0] == "Nothing to convert")
    assert "demo/app" in note[1]
    assert backend.tasks == {}  # no conversion was started
