"""Functions table, lazy details, paging, search, the detail page and invoking."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt

from gui.backend import FunctionInfo
from gui.models.functions_model import Col, Roles
from gui.viewmodels.functions_vm import FunctionsViewModel
from gui.views.functions_view import FunctionsView
from tests.gui.fakes import FakeBackend


def _view(qtbot, ctx, backend):
    vm = FunctionsViewModel(ctx)
    view = FunctionsView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)  # the view-model lives exactly as long as its view
    view.resize(1200, 700)
    view.show()
    ctx.set_backend(backend, profile="Test", kind="aliyun", region="cn-hangzhou")
    return vm, view


def test_table_lists_functions_and_loads_state_lazily(qtbot, ctx) -> None:
    backend = FakeBackend(functions=120)
    vm, view = _view(qtbot, ctx, backend)
    qtbot.waitUntil(lambda: vm.model.rowCount() == 50, timeout=5000)  # first page only
    assert vm.model.has_more
    # Only rows on screen get a GetFunction.
    qtbot.waitUntil(lambda: backend.get_calls > 0, timeout=5000)
    qtbot.wait(200)
    visible = view.table.rowAt(view.table.viewport().height() - 1) + 1 or 50
    assert backend.get_calls <= visible + 3
    assert backend.get_calls < 50
    first = view.proxy.index(0, 0).data(Roles.Key)
    qtbot.waitUntil(lambda: vm.model.get(first).state == "Active", timeout=5000)
    idx = view.proxy.index(0, Col.STATE)
    assert idx.data(Roles.Badge)[0] == "Active"
    assert "function(s)" in view.footer.text()


def test_scrolling_fetches_the_next_page(qtbot, ctx) -> None:
    backend = FakeBackend(functions=120)
    vm, view = _view(qtbot, ctx, backend)
    qtbot.waitUntil(lambda: vm.model.rowCount() == 50, timeout=5000)
    view.table.scrollToBottom()
    qtbot.waitUntil(lambda: vm.model.rowCount() >= 100, timeout=5000)
    view.table.scrollToBottom()
    qtbot.waitUntil(lambda: vm.model.rowCount() == 120, timeout=5000)
    assert not vm.model.has_more


def test_search_filters_and_sorting_works(qtbot, ctx) -> None:
    backend = FakeBackend(functions=12)
    vm, view = _view(qtbot, ctx, backend)
    qtbot.waitUntil(lambda: vm.model.rowCount() == 12, timeout=5000)
    view.search.setText("fn-01")
    view.search.flush()
    assert view.proxy.rowCount() == 2  # fn-010, fn-011
    assert "of" in view.footer.text()
    view.search.setText("")
    view.search.flush()
    view.table.sortByColumn(Col.NAME, Qt.SortOrder.AscendingOrder)
    names = [view.proxy.index(r, 0).data() for r in range(view.proxy.rowCount())]
    assert names == sorted(names)


def test_detail_page_shows_tabs_and_invoke_result(qtbot, ctx) -> None:
    backend = FakeBackend(functions=2)
    vm, view = _view(qtbot, ctx, backend)
    qtbot.waitUntil(lambda: vm.model.rowCount() == 2, timeout=5000)
    crumbs: list[list[str]] = []
    view.crumbsChanged.connect(crumbs.append)
    view.open_function("fn-001")
    assert view.stack.currentWidget() is view.detail
    qtbot.waitUntil(lambda: view.detail.ov["state"].text() == "Active", timeout=5000)
    assert view.detail.ov["resolved"].text().endswith("c" * 64)
    tabs = [view.detail.tabs.tabText(i) for i in range(view.detail.tabs.count())]
    assert tabs == [
        "Overview",
        "Configuration",
        "Image && acceleration",
        "Invoke",
        "Cold starts",
        "Logs",
    ]
    assert view.detail.cfg["memory"].text() == "512.0 MiB"
    assert view.detail.env_table.rowCount() == 1
    assert crumbs[-1][:2] == ["Functions", "fn-001"]
    view.detail.tabs.setCurrentIndex(3)
    view.detail.event_edit.setPlainText('{"hello": 1}')
    view.detail.invoke_button.click()
    qtbot.waitUntil(lambda: view.detail.response_edit.toPlainText() != "", timeout=5000)
    assert '"echo"' in view.detail.response_edit.toPlainText()
    assert "1-6650-req" in view.detail.invoke_meta.text()
    assert view.detail.log_edit.toPlainText().startswith("START")
    assert view.detail.invoke_button.isEnabled()
    # Asynchronous invocations show "Accepted".
    view.detail.async_radio.setChecked(True)
    view.detail.invoke_button.click()
    qtbot.waitUntil(lambda: "Accepted" in view.detail.invoke_status.text(), timeout=5000)


def test_invoking_a_missing_function_shows_the_reason(qtbot, ctx) -> None:
    backend = FakeBackend(functions=1)
    vm, view = _view(qtbot, ctx, backend)
    qtbot.waitUntil(lambda: vm.model.rowCount() == 1, timeout=5000)
    view.detail.show_function(FunctionInfo("ghost"))
    view.detail._on_invoke_clicked()
    qtbot.waitUntil(lambda: view.detail.invoke_status.text() == "Failed", timeout=5000)
    assert "does not exist" in view.detail.response_edit.toPlainText()
    assert "1-abc" in view.detail.response_edit.toPlainText()


def test_created_function_is_watched_until_active_and_announced(qtbot, ctx) -> None:
    from gui.backend import FunctionSpec

    backend = FakeBackend(functions=1)
    vm, _v = _view(qtbot, ctx, backend)
    qtbot.waitUntil(lambda: vm.model.rowCount() == 1, timeout=5000)
    spec = FunctionSpec(name="new-fn", image=backend.address(backend.repos[0], "v1"))
    vm.save(spec, creating=True)
    qtbot.waitUntil(lambda: vm.model.get("new-fn") is not None, timeout=5000)
    qtbot.waitUntil(lambda: vm.model.get("new-fn").state == "Active", timeout=15000)
    qtbot.waitUntil(lambda: any(n[0] == "Deployment finished" for n in ctx.notes), timeout=5000)


def test_cold_starts_tab_reads_from_this_functions_side(qtbot, ctx) -> None:
    from gui.models.lab_runs_model import LabRunsModel
    from tests.gui.test_models import _result

    backend = FakeBackend(functions=3)
    vm, view = _view(qtbot, ctx, backend)
    qtbot.waitUntil(lambda: vm.model.rowCount() == 3, timeout=5000)
    lab = LabRunsModel()
    vm.lab_model = lab
    detail = view.detail
    view.open_function("fn-000")
    detail.tabs.setCurrentIndex(4)
    assert detail.cs_empty.isVisible()  # no comparison yet: said, not an empty table
    assert not detail.cs_table.isVisible()
    # fn-000 was side A (4 s), fn-001 side B (0.5 s); fn-002 ran against itself's twin
    first, second = _result("r1", 4000, 500), _result("r2", 1000, 1000)
    first = replace(
        first,
        sides=(replace(first.sides[0], target="fn-000"), replace(first.sides[1], target="fn-001")),
    )
    second = replace(second, sides=(replace(second.sides[0], target="fn-001"), second.sides[1]))
    lab.set_rows([first, second])
    view.open_function("fn-000")
    detail.tabs.setCurrentIndex(4)
    assert detail.cs_table.isVisible()
    assert not detail.cs_empty.isVisible()
    cells = [detail.cs_table.item(0, c).text() for c in range(4)]
    assert cells[1:] == ["b", "4.00 s / 500 ms", "8.0× slower"]
    view.open_function("fn-001")
    rows = {
        detail.cs_table.item(r, 1).text(): detail.cs_table.item(r, 3).text()
        for r in range(detail.cs_table.rowCount())
    }
    assert rows == {"a": "8.0× faster", "b": "about as fast"}


def test_configuration_says_when_there_are_no_environment_variables(qtbot, ctx) -> None:
    backend = FakeBackend(functions=2)
    backend.functions["fn-001"] = replace(backend.functions["fn-001"], environment={})
    vm, view = _view(qtbot, ctx, backend)
    qtbot.waitUntil(lambda: vm.model.rowCount() == 2, timeout=5000)
    detail = view.detail
    view.open_function("fn-000")
    detail.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: detail.env_table.rowCount() == 1, timeout=5000)
    assert detail.env_table.isVisible()
    assert not detail.env_empty.isVisible()
    view.open_function("fn-001")
    detail.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: detail.env_empty.isVisible(), timeout=5000)
    assert not detail.env_table.isVisible()
