"""On the Local profile the Invoke tab does not offer asynchronous invocation.

The Local server refuses ``x-fc-invocation-type: Async`` (documented), so choosing
"Asynchronous" there could only ever end in an error.
"""

from __future__ import annotations

from gui.viewmodels.functions_vm import FunctionsViewModel
from gui.views.functions_view import FunctionsView
from tests.gui.fakes import FakeBackend


def _detail(qtbot, ctx, kind: str):
    vm = FunctionsViewModel(ctx)
    view = FunctionsView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.show()
    ctx.set_backend(FakeBackend(functions=1), profile="P", kind=kind)
    qtbot.waitUntil(lambda: vm.model.rowCount() == 1, timeout=5000)
    view.open_function(vm.model.rows[0].name)
    return view.detail


def test_local_profile_invokes_synchronously_only(qtbot, ctx) -> None:
    detail = _detail(qtbot, ctx, "local")
    assert detail.sync_radio.isChecked()
    assert not detail.async_radio.isEnabled()
    assert "synchronously" in detail.async_radio.toolTip()


def test_cloud_profile_offers_asynchronous(qtbot, ctx) -> None:
    detail = _detail(qtbot, ctx, "aliyun")
    assert detail.async_radio.isEnabled()
