"""When the function list cannot be loaded, the Functions page says so instead of
"No functions yet. Create one to get started." (seen offline on an Alibaba Cloud profile)."""

from __future__ import annotations

from core.errors import TransportError
from gui.viewmodels.functions_vm import FunctionsViewModel
from gui.views.functions_view import FunctionsView
from tests.gui.fakes import FakeBackend


class _Offline(FakeBackend):
    def __init__(self) -> None:
        super().__init__(functions=2)
        self.offline = True

    async def list_functions(self, prefix="", next_token=None, limit=50):
        if self.offline:
            raise TransportError("ListFunctions: cannot reach fcv3.cn-hangzhou.aliyuncs.com")
        return await super().list_functions(prefix, next_token, limit)


def test_failed_listing_is_not_an_empty_account(qtbot, ctx) -> None:
    backend = _Offline()
    vm = FunctionsViewModel(ctx)
    view = FunctionsView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.show()
    ctx.set_backend(backend, profile="prod", kind="aliyun", region="cn-hangzhou")
    qtbot.waitUntil(lambda: bool(ctx.errors), timeout=5000)
    qtbot.waitUntil(lambda: view.empty_label.isVisible(), timeout=5000)
    assert "No functions yet" not in view.empty_label.text()
    assert "could not be listed" in view.empty_label.text()
    assert "fcv3.cn-hangzhou.aliyuncs.com" in view.empty_label.text()
    # back online: Refresh lists them and the message goes
    backend.offline = False
    view.refresh()
    qtbot.waitUntil(lambda: vm.model.rowCount() == 2, timeout=5000)
    assert vm.list_error == ""


def test_an_empty_list_says_why_it_is_empty(qtbot, ctx) -> None:
    from gui.backend import BackendCapabilities

    vm = FunctionsViewModel(ctx)
    view = FunctionsView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.resize(1000, 600)
    view.show()
    # Not connected yet: no promise of an empty account.
    assert view.empty_label.isVisible()
    assert "Not connected" in view.empty_label.text()
    ctx.set_connection("starting", "")
    assert "Connecting" in view.empty_label.text()
    # The footer stays at the bottom of the page, under the hint.
    assert view.footer.geometry().top() > view.height() * 0.8
    # A plain registry profile has no functions at all.
    registry = FakeBackend(functions=0)
    registry._caps = BackendCapabilities(functions=False)
    ctx.set_backend(registry, profile="plain", kind="registry")
    qtbot.waitUntil(lambda: "plain OCI registry" in view.empty_label.text(), timeout=3000)
    # A connected profile without functions invites to create one.
    ctx.set_backend(FakeBackend(functions=0), profile="Local", kind="local")
    qtbot.waitUntil(lambda: "No functions yet" in view.empty_label.text(), timeout=3000)
