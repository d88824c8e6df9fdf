"""The main window: navigation, shortcuts, breadcrumbs, status bar, toasts, dialogs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from gui.app import Console
from gui.main_window import Page
from tests.gui.fakes import FakeBackend


@pytest.fixture
def consoles(qtbot, qloop):
    made: list[Console] = []
    yield made
    for console in made:
        task = console.shutdown()
        qtbot.waitUntil(task.done, timeout=5000)
        console.window.close()
        console.window.deleteLater()
        console.deleteLater()


def _console(qtbot, tmp_path, consoles):
    console = Console(lab_history=tmp_path / "lab.json")
    consoles.append(console)
    window = console.window
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    backend = FakeBackend()
    console.ctx.set_backend(backend, profile="Local", kind="local")
    console.ctx.set_connection("running", "http://127.0.0.1:1")
    return console, window, backend


def test_navigation_shortcuts_and_breadcrumbs(qtbot, qloop, data_dir, tmp_path, consoles) -> None:
    console, window, _backend = _console(qtbot, tmp_path, consoles)
    assert window.current_page() == Page.FUNCTIONS
    assert window.breadcrumbs.path() == ["Functions"]
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == Page.LAB
    assert window.breadcrumbs.path() == ["Cold-start lab"]
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.breadcrumbs.path()[:2] == ["Images", "test-ee"], timeout=5000)
    window.go(Page.FUNCTIONS)
    qtbot.waitUntil(lambda: console.functions.model.rowCount() == 3, timeout=5000)
    window.functions_view.open_function("fn-000")
    assert window.breadcrumbs.path()[:2] == ["Functions", "fn-000"]
    window._on_crumb_activated(0)
    assert window.breadcrumbs.path() == ["Functions"]
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert (
        window.functions_view.search.hasFocus()
        or window.focusWidget() is window.functions_view.search
    )


def test_status_bar_shows_connection_profile_and_region(qtbot, qloop, data_dir, tmp_path, consoles):
    console, window, _backend = _console(qtbot, tmp_path, consoles)
    assert "Local server running" in window.connection_label.text()
    assert window.profile_label.text() == "Profile: Local"
    assert window.region_label.text() == "Region: local"
    qtbot.waitUntil(lambda: window.live_label.text() == "● live", timeout=5000)
    console.ctx.set_connection("failed", "boom")
    assert "Not connected" in window.connection_label.text()


def test_notifications_become_toasts(qtbot, qloop, data_dir, tmp_path, consoles) -> None:
    console, window, _backend = _console(qtbot, tmp_path, consoles)
    console.ctx.notify("Conversion finished", "demo/app:v1_accelerated", "ok")
    assert window.toasts.visible_toasts()
    assert window.toasts.history[-1][0] == "Conversion finished"
    from core.errors import CloudError

    console.presenter.show(CloudError("x", code="AccessDenied"))
    assert window.toasts.history[-1][0] == "Request failed"


def test_ctrl_n_opens_the_create_dialog_and_creating_opens_the_detail(
    qtbot, qloop, data_dir, tmp_path, consoles
) -> None:
    _c, window, backend = _console(qtbot, tmp_path, consoles)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.function_dialog
    assert dialog.isVisible()
    dialog.name_edit.setText("created-fn")
    dialog.image_edit.setText(backend.address(backend.repos[0], "v3_accelerated"))
    dialog._on_save_clicked()
    qtbot.waitUntil(lambda: "create_function" in backend.calls, timeout=5000)
    qtbot.waitUntil(lambda: window.functions_view.detail.name == "created-fn", timeout=5000)
    qtbot.waitUntil(
        lambda: window.functions_view.detail.ov["state"].text() == "Active", timeout=15000
    )


def test_use_accelerated_image_prefills_the_twin(
    qtbot, qloop, data_dir, tmp_path, consoles
) -> None:
    console, window, _backend = _console(qtbot, tmp_path, consoles)
    qtbot.waitUntil(lambda: console.functions.model.rowCount() == 3, timeout=5000)
    info = console.functions.model.get("fn-001")
    window._use_accelerated(info)
    assert window.function_dialog.image_edit.text().endswith(":v1_accelerated")
    window.function_dialog.reject()


def test_delete_asks_and_removes(qtbot, qloop, data_dir, tmp_path, consoles) -> None:
    from PySide6.QtWidgets import QMessageBox

    console, window, backend = _console(qtbot, tmp_path, consoles)
    qtbot.waitUntil(lambda: console.functions.model.rowCount() == 3, timeout=5000)
    window._confirm_delete("fn-002")
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "askBox") is not None, timeout=3000)
    window.findChild(QMessageBox, "askBox").button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: console.functions.model.get("fn-002") is None, timeout=5000)
    assert "delete_function" in backend.calls


def test_closing_the_window_cancels_and_awaits_every_job(
    qtbot, qloop, data_dir, tmp_path, consoles
) -> None:
    import asyncio

    console, window, _backend = _console(qtbot, tmp_path, consoles)
    qtbot.waitUntil(lambda: console.functions.model.rowCount() == 3, timeout=5000)
    cleaned: list[str] = []

    async def long_job(key: str) -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            cleaned.append(key)

    for key in ("slow-a", "slow-b"):
        console.jobs.start(key, lambda _s, key=key: long_job(key))
    qtbot.wait(50)
    assert {"events", "slow-a", "slow-b"} <= set(console.jobs.running_keys())
    window.close()  # nothing else: closing the window stops the jobs
    qtbot.waitUntil(lambda: len(cleaned) == 2 and not console.jobs.pending(), timeout=5000)
    shutdown = console.shutdown()  # the one closing the window started
    qtbot.waitUntil(shutdown.done, timeout=5000)
    assert sorted(cleaned) == ["slow-a", "slow-b"]  # cancelled, and their clean-up ran
    assert console.jobs.pending() == []
    assert not [
        t.get_name()
        for t in asyncio.all_tasks(qloop)
        if t.get_name().startswith("job:") and not t.done()
    ]
    # Late requests start nothing once closed.
    console.functions.request_details(["fn-000"])
    late = console.jobs.start("late", lambda _s: long_job("late"))
    assert late.cancelled()
    assert console.jobs.pending() == []


def test_replaced_breadcrumbs_do_not_paint_under_the_new_ones(qtbot) -> None:
    from PySide6.QtWidgets import QLabel

    from gui.widgets.breadcrumbs import Breadcrumbs

    crumbs = Breadcrumbs()
    qtbot.addWidget(crumbs)
    crumbs.show()
    crumbs.set_path(["Images", "instance", "demo/hello"])
    qtbot.waitUntil(lambda: all(w.isVisible() for w in crumbs.findChildren(QLabel)))
    old = crumbs.findChildren(QLabel)
    assert len(old) == 5  # three crumbs, two separators
    crumbs.set_path(["Settings"])  # the old labels are deleted later, not at once
    assert all(w.isHidden() for w in old)
    qtbot.waitUntil(lambda: [w.text() for w in crumbs.findChildren(QLabel)] == ["Settings"])
