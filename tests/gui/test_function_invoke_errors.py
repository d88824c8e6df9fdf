"""A failed invocation does not show the previous invocation's log tail, and its request id
line is translated like the rest of the page."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTranslator

from core.errors import CloudError
from gui.backend import FunctionInfo
from gui.viewmodels.functions_vm import FunctionsViewModel
from gui.views.functions_view import FunctionsView
from tests.gui.fakes import FakeBackend


class _Marker(QTranslator):
    def translate(self, context, source, disambiguation=None, n=-1):
        if context == "FunctionDetailView" and source == "Request id: %1":
            return "RID<%1>"
        return None


def test_failed_invoke_clears_the_old_log_and_translates_the_request_id(qtbot, ctx) -> None:
    backend = FakeBackend(functions=1)
    vm = FunctionsViewModel(ctx)
    view = FunctionsView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.show()
    ctx.set_backend(backend, profile="Test", kind="aliyun", region="cn-hangzhou")
    qtbot.waitUntil(lambda: vm.model.rowCount() == 1, timeout=5000)
    name = vm.model.rows[0].name
    view.open_function(name)
    detail = view.detail
    detail.event_edit.setPlainText("{}")
    detail.invoke_button.click()
    qtbot.waitUntil(lambda: detail.log_edit.toPlainText().startswith("START"), timeout=5000)

    marker = _Marker()
    QCoreApplication.installTranslator(marker)
    try:
        vm.invokeFailed.emit(
            CloudError(
                "the function instance could not be started: bwrap: execvp python3: "
                "No such file or directory",
                code="CAExited",
                request_id="1-dead-beef",
            )
        )
        assert detail.invoke_status.text() == "Failed"
        assert detail.log_edit.toPlainText() == ""
        body = detail.response_edit.toPlainText()
        assert "RID<1-dead-beef>" in body
        assert "Request id: 1-dead-beef" not in body
        # The status line keeps to one line; the reason is in the body.
        assert "\n" not in detail.invoke_meta.text()
        assert "execvp python3" in body
    finally:
        QCoreApplication.removeTranslator(marker)
    detail.show_function(FunctionInfo(name))
