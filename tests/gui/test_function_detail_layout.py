"""The function page's layout under real content: a long invoke error does not squeeze the
event editor, the breadcrumb names the tab as it reads, and the greyed-out asynchronous
invocation says why."""

from __future__ import annotations

from core.errors import CloudError
from gui.viewmodels.functions_vm import FunctionsViewModel
from gui.views.functions_view import FunctionsView
from tests.gui.fakes import FakeBackend


def _page(qtbot, ctx, kind: str = "aliyun"):
    backend = FakeBackend(functions=1)
    vm = FunctionsViewModel(ctx)
    view = FunctionsView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.resize(1100, 700)
    view.show()
    qtbot.waitExposed(view)
    ctx.set_backend(backend, profile="P", kind=kind, region="cn-hangzhou")
    qtbot.waitUntil(lambda: vm.model.rowCount() == 1, timeout=5000)
    view.open_function(vm.model.rows[0].name)
    return vm, view, view.detail


def test_a_long_invoke_error_leaves_the_event_editor_its_width(qtbot, ctx) -> None:
    vm, _view, detail = _page(qtbot, ctx)
    detail.tabs.setCurrentIndex(3)
    qtbot.waitUntil(lambda: detail.event_edit.isVisible(), timeout=3000)
    before = detail.event_edit.width()
    assert before > 300
    reason = "InvokeFunction: ReadTimeout while waiting for " + "a very long host name " * 20
    vm.invokeFailed.emit(CloudError(reason, code="InvalidArgument"))
    qtbot.wait(50)  # let the layout settle (the width is checked, not waited for)
    # Neither side nor the window grew to fit the error on one line.
    assert _view.width() == 1100
    assert detail.event_edit.width() >= before * 0.9
    right = detail.invoke_split.widget(1)
    assert right.minimumSizeHint().width() < 500
    assert detail.invoke_meta.isVisible()


def test_the_breadcrumb_reads_image_and_acceleration(qtbot, ctx) -> None:
    _vm, view, detail = _page(qtbot, ctx)
    crumbs: list[list[str]] = []
    view.crumbsChanged.connect(crumbs.append)
    detail.tabs.setCurrentIndex(2)
    assert crumbs[-1][-1] == "Image & acceleration"
    assert "&&" not in " ".join(view.crumbs())


def test_asynchronous_invocation_is_greyed_with_a_visible_reason_on_local(qtbot, ctx) -> None:
    _vm, _view, detail = _page(qtbot, ctx, kind="local")
    detail.tabs.setCurrentIndex(3)
    assert not detail.async_radio.isEnabled()
    assert detail.async_hint.isVisible()
    assert "Local server" in detail.async_hint.text()
    assert "synchronously" in detail.async_hint.toolTip()
