"""A cancelled conversion is not described as "pushed before acceleration was on", and a
failed one is retried with "Convert again" (as the user guide says) in Images too."""

from __future__ import annotations

from gui.backend import AccelState, TaskInfo, TaskStatus
from gui.dialogs.image_picker_dialog import ImagePickerDialog
from gui.viewmodels.images_vm import ImagesViewModel
from gui.views.images_view import ImagesView
from tests.gui.fakes import FakeBackend


def test_picker_says_a_cancelled_conversion_was_cancelled(qtbot, ctx) -> None:
    ctx.set_backend(FakeBackend(tags=4))
    picker = ImagePickerDialog(ctx)
    qtbot.addWidget(picker)
    picker.show()
    picker.start()
    qtbot.waitUntil(lambda: picker.selected_tag() is not None, timeout=5000)
    picker.vm.tags.update_task(
        TaskInfo("i2a-1", "cri-test", "crr-app", "v1", "v1_accelerated", TaskStatus.CANCELED)
    )
    picker.select_tag("v1")
    assert picker.vm.tags.twin_state("v1") is AccelState.NONE
    assert "cancelled" in picker.hint.text()
    assert "pushed before" not in picker.hint.text()
    assert picker.convert_button.isVisibleTo(picker)


def test_images_offers_convert_again_for_a_failed_tag(qtbot, ctx) -> None:
    vm = ImagesViewModel(ctx)
    view = ImagesView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.show()
    loaded: list[int] = []
    vm.tagsLoaded.connect(loaded.append)
    ctx.set_backend(FakeBackend(tags=3, fail_tags=("v1",)))
    qtbot.waitUntil(lambda: bool(loaded) and vm.tags.rowCount() > 0, timeout=5000)
    qtbot.waitUntil(
        lambda: (repo := vm.repos.get("crr-app")) is not None and repo.acceleration is not None,
        timeout=5000,
    )
    view.tag_table.selectRow(vm.tags.row_of_tag("v1"))
    assert view.convert_button.text() == "Convert now"
    view.convert_button.click()
    qtbot.waitUntil(lambda: vm.tags.twin_state("v1") is AccelState.FAILED, timeout=10000)
    view.tag_table.selectRow(vm.tags.row_of_tag("v1"))
    assert view.convert_button.text() == "Convert again"
    assert view.convert_button.isEnabled()
    view.tag_table.selectRow(vm.tags.row_of_tag("v0"))
    assert view.convert_button.text() == "Convert now"


def test_a_running_tasks_progress_never_goes_back() -> None:
    from gui.viewmodels.images_vm import task_from_event

    task = None
    shown = []
    for data in (
        {"taskId": "t1", "tag": "v1", "status": "BUILDING", "progress": 0.03},
        {"taskId": "t1", "status": "BUILDING", "progress": 0.41},
        {"taskId": "t1", "status": "BUILDING", "progress": 0.06},  # a layer's own share
        {"taskId": "t1", "status": "BUILDING", "phase": "push", "done": 68, "total": 100},
        {"taskId": "t1", "status": "BUILDING", "progress": 0.97},
        {"taskId": "t1", "status": "BUILDING", "progress": 0.77},
    ):
        task = task_from_event(data, task)
        assert task is not None
        shown.append(round(task.done / (task.total or 1), 2))
    assert shown == [0.03, 0.41, 0.41, 0.41, 0.97, 0.97]
    task = task_from_event({"taskId": "t1", "status": "SUCCESS"}, task)
    assert task is not None
    assert task.done == task.total == 1000
