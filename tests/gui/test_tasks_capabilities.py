"""The Tasks page does not promise tasks a profile cannot list.

Before, on an Alibaba Cloud profile (no API lists conversion tasks) and on a plain OCI
registry (which converts nothing), the empty Tasks page told the user to switch
acceleration on so that pushed tags would convert "here" — they never appear.
"""

from __future__ import annotations

from gui.backend import BackendCapabilities
from gui.viewmodels.tasks_vm import TasksViewModel
from gui.views.tasks_view import TasksView
from tests.gui.fakes import FakeBackend


def test_empty_text_follows_the_profile(qtbot, ctx) -> None:
    vm = TasksViewModel(ctx)
    view = TasksView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.show()
    cloud = FakeBackend(tags=0)
    cloud._caps = BackendCapabilities(task_list=False)
    ctx.set_backend(cloud, profile="prod", kind="aliyun", region="cn-hangzhou")
    qtbot.wait(50)
    assert view.empty_label.isVisible()
    assert "cannot list conversion tasks" in view.empty_label.text()
    assert "converts here" not in view.empty_label.text()
    local = FakeBackend(tags=0)
    ctx.set_backend(local, profile="Local", kind="local")
    qtbot.wait(50)
    assert "converts here" in view.empty_label.text()
