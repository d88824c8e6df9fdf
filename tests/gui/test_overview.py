"""The acceleration overview screen on a real Local server with every problem case: model
tester, rows and counts, filters, the detail panel, fixes confirmed in a non-modal dialog
(and the row is fixed afterwards), export, several targets and unusable ones."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import json
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt
from PySide6.QtWidgets import QWidget

from core.report import (
    Finding,
    FixKind,
    FunctionRow,
    ProblemCode,
    Report,
    ReportTarget,
    TargetError,
    TargetKey,
    TwinState,
)
from core.settings import AliyunProfile, TomlSettingsStore
from gui.dialogs.fix_dialog import FixDialog
from gui.models.overview_model import (
    ANY_PROBLEM,
    Col,
    OverviewFilter,
    OverviewModel,
    Roles,
    twin_badge,
)
from gui.viewmodels.overview_vm import OverviewViewModel, SettingsTargets
from gui.viewmodels.settings_vm import SettingsViewModel
from gui.views.overview_view import OverviewView
from tests.core.report.scenario import EXPECTED, Scenario, build_scenario
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread
from tests.fixtures.registry import RunningRegistry

LOCAL = TargetKey("Local")
PROD = TargetKey("prod", "cn-hangzhou")
PROD_SH = TargetKey("prod", "cn-shanghai")


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, basic_auth_registry: RunningRegistry
) -> Iterator[tuple[LocalServerHandle, Scenario]]:
    handle = start_local_server_thread(tmp_path_factory.mktemp("overview") / "local")
    try:
        yield (
            handle,
            asyncio.run(build_scenario(handle.url, handle.credentials, basic_auth_registry.host)),
        )
    finally:
        handle.stop()


class ScenarioTargets:
    """Local = the scenario's server; ``prod`` cannot be opened (no credentials)."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.opened: list[list[TargetKey]] = []

    def available(self) -> list[TargetKey]:
        return [LOCAL, PROD, PROD_SH]

    def default(self) -> list[TargetKey]:
        return [LOCAL]

    @contextlib.asynccontextmanager
    async def open(
        self, keys: Sequence[TargetKey]
    ) -> AsyncIterator[tuple[list[ReportTarget], list[TargetError]]]:
        self.opened.append(list(keys))
        async with httpx.AsyncClient(timeout=30) as http:
            targets = [self.scenario.target(http) for k in keys if k == LOCAL]
            errors = [
                TargetError(k, "MissingEnvCredentials", "ALIBABA_CLOUD_ACCESS_KEY_ID is not set")
                for k in keys
                if k != LOCAL
            ]
            yield targets, errors


def _rows() -> list[FunctionRow]:
    def row(name: str, profile: str, *codes: ProblemCode) -> FunctionRow:
        return FunctionRow(
            target=TargetKey(profile, "cn-hangzhou" if profile != "Local" else ""),
            function=name,
            image=f"reg/ns/{name}:v1",
            runs_accelerated=not codes,
            twin_state=TwinState.READY if not codes else TwinState.STALE,
            problems=tuple(Finding(c, since=1.7e9, fix=FixKind.RECONVERT) for c in codes),
        )

    return [
        row("a", "Local"),
        row("b", "Local", ProblemCode.STALE_TWIN),
        row("c", "prod", ProblemCode.ACCELERATION_OFF, ProblemCode.TWIN_MISSING),
    ]


def _many_rows(n: int) -> list[FunctionRow]:
    codes = list(ProblemCode)
    out = []
    for i in range(n):
        picked = tuple(codes[(i + k) % len(codes)] for k in range(i % 3))
        out.append(
            FunctionRow(
                target=TargetKey("Local" if i % 4 else "prod", "" if i % 4 else "cn-hangzhou"),
                function=f"svc-{(i * 7919) % n:05d}",
                image=f"reg/ns{i % 17}/app{i % 5}:v{i % 3}",
                runs_accelerated=i % 2 == 0,
                twin_state=list(TwinState)[i % len(TwinState)],
                problems=tuple(Finding(c, since=1.7e9 + (i % 11) * 60) for c in picked),
            )
        )
    return out


def test_thousands_of_rows_sort_and_filter_like_the_proxy_would(qtmodeltester) -> None:
    """The model sorts itself with precomputed keys (the proxy forwards): the order is the
    stable sort of the report's order by the column's text (case-insensitively), problem
    count or earliest date; a selected row stays selected; filters see the same texts."""
    rows = _many_rows(3000)
    model = OverviewModel()
    model.set_rows(rows)
    proxy = OverviewFilter()
    proxy.setSourceModel(model)
    chosen = QPersistentModelIndex(proxy.index(1234, Col.IMAGE))
    chosen_row = chosen.data(Roles.Row)
    since = {id(r): min((p.since for p in r.problems if p.since), default=0.0) for r in rows}
    keys = {
        Col.FUNCTION: lambda r: r.function.casefold(),
        Col.IMAGE: lambda r: r.image.casefold(),
        Col.ACCELERATED: lambda r: "yes" if r.runs_accelerated else "no",
        Col.TWIN: lambda r: twin_badge(r.twin_state)[0].casefold(),
        Col.PROBLEMS: lambda r: len(r.problems),
        Col.SINCE: lambda r: since[id(r)],
    }
    for col, key in keys.items():
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            proxy.sort(col, order)
            shown = [proxy.index(i, 0).data(Roles.Row) for i in range(proxy.rowCount())]
            expected = sorted(rows, key=key, reverse=order == Qt.SortOrder.DescendingOrder)
            assert shown == expected, (col, order)
            assert chosen.isValid()
            assert chosen.data(Roles.Row) is chosen_row
            assert chosen.column() == Col.IMAGE
    proxy.sort(-1)
    assert [proxy.index(i, 0).data(Roles.Row) for i in range(3)] == rows[:3]
    proxy.set_text("NS16/")
    assert proxy.rowCount() == sum(1 for r in rows if "ns16/" in r.image)
    proxy.set_text("")
    proxy.set_problem(ProblemCode.STALE_TWIN.value)
    assert proxy.rowCount() == sum(1 for r in rows if ProblemCode.STALE_TWIN in r.problem_codes)
    proxy.set_problem(ANY_PROBLEM)
    proxy.set_profile("prod")
    assert proxy.rowCount() == sum(1 for r in rows if r.problems and r.target.profile == "prod")
    qtmodeltester.check(proxy)


def test_model_and_filter_pass_the_model_tester(qtmodeltester) -> None:
    model = OverviewModel()
    model.set_rows(_rows())
    qtmodeltester.check(model)
    proxy = OverviewFilter()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    assert model.index(1, Col.TWIN).data(Roles.Badge) == ("stale", "bad")
    assert model.index(0, Col.PROBLEMS).data() == "—"
    assert model.index(2, Col.PROBLEMS).data() == "Acceleration off, Never converted"
    assert model.index(2, Col.TARGET).data() == "prod · cn-hangzhou"
    proxy.set_problem(ANY_PROBLEM)
    assert proxy.rowCount() == 2
    proxy.set_problem(ProblemCode.TWIN_MISSING.value)
    assert proxy.rowCount() == 1
    proxy.set_problem("")
    proxy.set_profile("Local")
    assert proxy.rowCount() == 2
    proxy.set_text("stale")  # problem words match too
    assert proxy.rowCount() == 1
    model.replace_target_rows([], {TargetKey("Local")})
    assert [r.function for r in model.rows] == ["c"]
    qtmodeltester.check(model)


def _view(qtbot, ctx, scenario: Scenario) -> tuple[OverviewViewModel, OverviewView]:
    vm = OverviewViewModel(ctx, ScenarioTargets(scenario))
    view = OverviewView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)  # Qt deletes the view-model with its view, not a late GC
    view.resize(1400, 800)
    view.show()
    return vm, view


def _run(qtbot, vm: OverviewViewModel, view: OverviewView) -> Report:
    qtbot.waitUntil(lambda: not vm.running, timeout=30000)  # the run on first show
    assert view.refresh_button.isEnabled()
    reports: list[Report] = []
    vm.reportChanged.connect(reports.append)
    view.refresh_button.click()
    qtbot.waitUntil(lambda: bool(reports) and not vm.running, timeout=30000)
    return reports[-1]


def test_overview_lists_counts_filters_and_explains(qtbot, ctx, server) -> None:
    _handle, scenario = server
    vm, view = _view(qtbot, ctx, scenario)
    assert view.selected_targets() == [LOCAL]
    # shown the first time: it inspects the chosen targets at once
    assert vm.running
    assert view.footer.text() == "Inspecting functions…"
    assert not view.export_csv_button.isEnabled()  # nothing to export yet
    assert not view.export_json_button.isEnabled()
    report = _run(qtbot, vm, view)
    assert view.export_csv_button.isEnabled()
    assert view.export_json_button.isEnabled()
    assert {r.function: r.problem_codes for r in report.rows} == EXPECTED
    assert vm.model.rowCount() == 8
    assert view.chips[""].text().endswith("8")
    assert view.chips[ANY_PROBLEM].text().endswith("7")
    assert view.chips[ProblemCode.IMAGE_UNREADABLE.value].text().endswith("2")
    assert view.chips[ProblemCode.STALE_TWIN.value].isVisibleTo(view)
    assert "8 of 8 function(s) shown" in view.footer.text()

    view.chips[ProblemCode.IMAGE_UNREADABLE.value].click()
    assert view.problem_combo.currentData() == ProblemCode.IMAGE_UNREADABLE.value
    assert sorted(r.function for r in view.visible_rows()) == ["ghost", "private"]
    assert view.chips[ProblemCode.IMAGE_UNREADABLE.value].isChecked()
    view.chips[""].click()
    view.search.setText("shop/api")
    view.search.flush()
    assert [r.function for r in view.visible_rows()] == ["api-fast"]
    view.search.setText("")
    view.search.flush()

    assert view.select_function("private")
    texts = [c.findChildren(type(view.footer)) for c in view.detail.cards]
    words = " ".join(label.text() for labels in texts for label in labels)
    assert "access denied" in words
    assert view.detail.card_button(ProblemCode.IMAGE_UNREADABLE) is None  # no fix offered
    assert view.select_function("broken")
    words = " ".join(
        label.text() for c in view.detail.cards for label in c.findChildren(type(view.footer))
    )
    assert "UnsafeContent" in words
    assert "../escape.txt" in words
    assert view.select_function("api-fast")
    words = " ".join(
        label.text() for c in view.detail.cards for label in c.findChildren(type(view.footer))
    )
    assert "old code" in words
    assert scenario.stale_current.split(":")[1][:12] in words

    # the report lists functions without their state: the selected one's is read on demand
    def state_shown() -> bool:
        labels = view.detail.findChildren(type(view.footer))
        return any(label.text() == "Function state: Active" for label in labels)

    assert view.select_function("web-fast")
    qtbot.waitUntil(state_shown, timeout=30000)
    assert vm.model.get(vm.model.rows[0].key) is not None
    assert next(r for r in vm.model.rows if r.function == "web-fast").function_state == "Active"


def test_fix_is_confirmed_in_a_dialog_then_applied(qtbot, ctx, server) -> None:
    _handle, scenario = server
    vm, view = _view(qtbot, ctx, scenario)
    _run(qtbot, vm, view)
    assert view.select_function("web-plain")
    button = view.detail.card_button(ProblemCode.PLAIN_TAG_WITH_TWIN)
    assert button is not None
    assert button.isEnabled()
    assert button.text() == "Switch to the twin…"

    # cancel first: nothing changes
    with qtbot.waitSignal(view.fixDialogOpened, timeout=5000) as opened:
        button.click()
    dialog = opened.args[0]
    assert isinstance(dialog, FixDialog)
    assert dialog.isVisible()
    # opened with open(): window-modal, no nested event loop (the test keeps running)
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    steps = [label.text() for label in dialog.step_labels]
    assert steps == [
        f"1. Function web-plain: change the image from {scenario.host}/shop/web:v1 to "
        f"{scenario.host}/shop/web:v1_accelerated (UpdateFunction)."
    ]
    dialog.reject()
    qtbot.waitUntil(lambda: view.fix_dialog is None, timeout=5000)
    assert not vm.fixing

    finished: list[object] = []
    vm.fixFinished.connect(finished.append)
    with qtbot.waitSignal(view.fixDialogOpened, timeout=5000) as opened:
        view.detail.card_button(ProblemCode.PLAIN_TAG_WITH_TWIN).click()  # type: ignore[union-attr]
    opened.args[0].apply_button.click()
    qtbot.waitUntil(lambda: bool(finished), timeout=60000)
    outcome = finished[0]
    assert outcome.ok  # type: ignore[attr-defined]
    row = vm.model.get(next(r.key for r in vm.model.rows if r.function == "web-plain"))
    assert row is not None
    assert row.problems == ()
    assert row.image.endswith("shop/web:v1_accelerated")
    current = view.current_row()
    assert current is not None
    assert current.function == "web-plain"
    assert ("Fixed", "web-plain: Plain tag, twin exists", "ok") in ctx.notes
    # the other rows were not touched
    assert {r.function: r.problem_codes for r in vm.model.rows if r.function != "web-plain"} == {
        k: v for k, v in EXPECTED.items() if k != "web-plain"
    }


def test_reconvert_a_stale_twin_from_the_screen(qtbot, ctx, server) -> None:
    _handle, scenario = server
    vm, view = _view(qtbot, ctx, scenario)
    _run(qtbot, vm, view)
    assert view.select_function("api-fast")
    with qtbot.waitSignal(view.fixDialogOpened, timeout=5000) as opened:
        view.detail.card_button(ProblemCode.STALE_TWIN).click()  # type: ignore[union-attr]
    dialog = opened.args[0]
    assert len(dialog.step_labels) == 2
    assert "Convert shop/api:v1 into shop/api:v1_accelerated now" in dialog.step_labels[0].text()
    assert "Redeploy function api-fast" in dialog.step_labels[1].text()
    statuses: list[str] = []
    vm.fixProgress.connect(lambda e: statuses.append(view.detail.status.text()))
    finished: list[object] = []
    vm.fixFinished.connect(finished.append)
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: bool(finished), timeout=120000)
    assert any(s.startswith("Converting shop/api:v1") for s in statuses)
    row = next(r for r in vm.model.rows if r.function == "api-fast")
    assert row.problems == ()
    assert row.twin_state is TwinState.READY


def test_exports_csv_of_the_rows_shown_and_json_of_everything(
    qtbot, ctx, server, tmp_path: Path
) -> None:
    _handle, scenario = server
    vm, view = _view(qtbot, ctx, scenario)
    _run(qtbot, vm, view)
    view.chips[ProblemCode.IMAGE_UNREADABLE.value].click()
    view.export_csv_to(tmp_path / "o.csv")
    view.export_json_to(tmp_path / "o.json")
    rows = list(csv.DictReader((tmp_path / "o.csv").read_text("utf-8").splitlines()))
    assert sorted(r["function"] for r in rows) == ["ghost", "private"]
    doc = json.loads((tmp_path / "o.json").read_text("utf-8"))
    assert len(doc["rows"]) == 8
    assert Report.from_json(doc) == vm.report


def test_several_targets_and_one_that_cannot_be_opened(qtbot, ctx, server) -> None:
    _handle, scenario = server
    vm, view = _view(qtbot, ctx, scenario)
    opener = vm.opener
    assert isinstance(opener, ScenarioTargets)
    items = [view.targets.topLevelItem(i) for i in range(view.targets.topLevelItemCount())]
    top = [item.text(0) for item in items if item is not None]
    assert top == ["Local", "prod"]
    view.set_target_checked(PROD, True)
    assert view.selected_targets() == [LOCAL, PROD]
    report = _run(qtbot, vm, view)
    assert [LOCAL, PROD] in opener.opened  # (a selected row's details open its target alone)
    assert report.targets == (LOCAL, PROD)
    assert [e.code for e in report.errors] == ["MissingEnvCredentials"]
    assert "could not inspect prod/cn-hangzhou" in view.footer.text()
    assert [view.profile_combo.itemData(i) for i in range(view.profile_combo.count())] == [
        "",
        "Local",
        "prod",
    ]
    view.set_target_checked(LOCAL, False)
    view.set_target_checked(PROD, False)
    assert not view.refresh_button.isEnabled()


def test_settings_targets_open_the_local_server_and_report_bad_profiles(qtbot, ctx, server) -> None:
    handle, _scenario = server
    store = TomlSettingsStore()
    settings = store.load()
    settings.local.data_dir = str(handle.data_dir)
    settings.add_profile(AliyunProfile("prod", "cn-hangzhou", credential_source="env"))
    store.save(settings)
    settings_vm = SettingsViewModel(store)
    opener = SettingsTargets(ctx, settings_vm, lambda: ["cn-hangzhou", "cn-shanghai"])
    assert opener.available() == [LOCAL, PROD, PROD_SH]
    # By default only the profile in use is inspected (Local here); prod is ticked by hand.
    assert opener.default() == [LOCAL]
    ctx.set_backend(None, profile="prod", kind="aliyun", region="cn-hangzhou")
    assert opener.default() == [PROD]
    ctx.set_backend(None, profile="Local", kind="local")
    vm = OverviewViewModel(ctx, opener)
    vm.selected = [LOCAL, PROD]
    holder = QWidget()  # Qt deletes the view-models with it, not a late GC
    qtbot.addWidget(holder)
    vm.setParent(holder)
    settings_vm.setParent(holder)
    reports: list[Report] = []
    vm.reportChanged.connect(reports.append)
    vm.refresh()
    qtbot.waitUntil(lambda: bool(reports), timeout=30000)
    report = reports[0]
    assert {r.function for r in report.rows} == set(EXPECTED)
    assert [(e.target, e.code) for e in report.errors] == [(PROD, "MissingEnvCredentials")]
    assert ctx.errors == []
