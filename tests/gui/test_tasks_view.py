"""Tasks view: live progress, logs, cancel, notifications."""

from __future__ import annotations

from gui.backend import TaskStatus
from gui.viewmodels.tasks_vm import TasksViewModel
from gui.views.tasks_view import TasksView
from tests.gui.fakes import FakeBackend


def _view(qtbot, ctx, backend):
    vm = TasksViewModel(ctx)
    view = TasksView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)  # the view-model lives exactly as long as its view
    view.resize(1100, 700)
    view.show()
    ctx.set_backend(backend)
    return vm, view


def test_tasks_appear_progress_and_finish_with_a_notification(qtbot, ctx) -> None:
    backend = FakeBackend(convert_steps=4, step_delay=0.05)
    vm, view = _view(qtbot, ctx, backend)
    qtbot.waitUntil(lambda: view.empty_label.isVisible(), timeout=3000)
    qtbot.wait(100)
    backend.start_task(backend.repos[0], "v1")
    qtbot.waitUntil(lambda: vm.model.rowCount() == 1, timeout=5000)
    assert not view.empty_label.isVisible()
    view.select_task(vm.model.row(0).task_id)
    qtbot.waitUntil(lambda: "queued" in view.log.toPlainText(), timeout=5000)
    qtbot.waitUntil(lambda: vm.model.row(0).status is TaskStatus.SUCCESS, timeout=10000)
    qtbot.waitUntil(lambda: "SUCCESS" in view.log.toPlainText(), timeout=10000)
    assert ("Conversion finished", "demo/app:v1_accelerated", "ok") in ctx.notes
    assert not view.cancel_button.isEnabled()


def test_cancel_a_running_task(qtbot, ctx) -> None:
    backend = FakeBackend(convert_steps=50, step_delay=0.05)
    vm, view = _view(qtbot, ctx, backend)
    qtbot.wait(100)
    task_id = backend.start_task(backend.repos[0], "v2")
    qtbot.waitUntil(lambda: vm.model.get(task_id) is not None, timeout=5000)
    view.select_task(task_id)
    qtbot.waitUntil(view.cancel_button.isEnabled, timeout=5000)
    view.cancel_button.click()
    qtbot.waitUntil(lambda: vm.model.get(task_id).status is TaskStatus.CANCELED, timeout=5000)
    assert f"cancel_task:{task_id}" in backend.calls


def test_running_only_filter(qtbot, ctx) -> None:
    backend = FakeBackend(convert_steps=2, step_delay=0.01)
    vm, view = _view(qtbot, ctx, backend)
    qtbot.wait(100)
    backend.start_task(backend.repos[0], "v1")
    qtbot.waitUntil(
        lambda: vm.model.rowCount() == 1 and vm.model.row(0).status.finished, timeout=5000
    )
    view.active_check.setChecked(True)
    assert view.proxy.rowCount() == 0
    view.active_check.setChecked(False)
    assert view.proxy.rowCount() == 1


def test_polls_when_there_is_no_event_stream(qtbot, ctx) -> None:
    backend = FakeBackend(convert_steps=3, step_delay=0.02, events=False)
    backend.start_task(backend.repos[0], "v1")
    vm, _v = _view(qtbot, ctx, backend)
    qtbot.waitUntil(lambda: vm.model.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(lambda: vm.model.row(0).status is TaskStatus.SUCCESS, timeout=15000)


def test_the_progress_bar_shows_on_a_selected_row(qapp) -> None:
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QTableView

    from gui.widgets.progress_delegate import ProgressDelegate

    role = Qt.ItemDataRole.UserRole + 7
    model = QStandardItemModel(1, 1)
    item = QStandardItem("100%")
    item.setData(1.0, role)
    model.setItem(0, 0, item)
    view = QTableView()
    view.setModel(model)
    delegate = ProgressDelegate(role, None, view)
    palette = qapp.palette()
    for selected in (False, True):
        image = QImage(200, 30, QImage.Format.Format_ARGB32)
        image.fill(QColor("#000000"))
        painter = QPainter(image)
        option = QStyleOptionViewItem()
        option.rect = QRect(0, 0, 200, 30)
        option.palette = palette
        option.widget = view
        option.state = QStyle.StateFlag.State_Enabled | (
            QStyle.StateFlag.State_Selected if selected else QStyle.StateFlag.State_None
        )
        delegate.paint(painter, option, model.index(0, 0))
        painter.end()
        bar = image.pixelColor(100, 30 - 4)  # the bar's middle, 3 px above the bottom
        expected = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight
        )
        assert bar.name() == expected.name(), selected
    view.deleteLater()
