"""Cold-start lab: live phases, figures, history across restarts, export JSON and PNG."""

from __future__ import annotations

import json
from pathlib import Path

from gui.backend import LabProgress
from gui.viewmodels.lab_vm import LabHistory, LabViewModel
from gui.views.lab_view import LabView
from tests.gui.fakes import FakeBackend


def _view(qtbot, ctx, tmp_path: Path):
    backend = FakeBackend()
    ctx.set_backend(backend)
    vm = LabViewModel(ctx, LabHistory(tmp_path / "lab.json"))
    view = LabView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)  # the view-model lives exactly as long as its view
    view.resize(1300, 850)
    view.show()
    view.set_choices(["fn-plain", "fn-accel"], [])
    return vm, view


def test_run_fills_timelines_live_and_reports_figures(qtbot, ctx, tmp_path) -> None:
    vm, view = _view(qtbot, ctx, tmp_path)
    assert view.a_combo.currentText() == "fn-plain"
    assert view.b_combo.currentText() == "fn-accel"
    view.runs_spin.setValue(3)
    phases: list[LabProgress] = []
    vm.phaseReported.connect(phases.append)
    view.run_button.click()
    assert not view.run_button.isEnabled()
    qtbot.waitUntil(lambda: len(phases) >= 3, timeout=5000)
    assert view.timeline.totals()[0] > 0  # filling in while running
    qtbot.waitUntil(lambda: not vm.running, timeout=10000)
    assert len([p for p in phases if p.finished]) == 3 * 2 * 5  # each phase ended …
    assert len([p for p in phases if not p.finished]) == 3 * 2 * 5  # … after it began
    assert vm.model.rowCount() == 1
    a_total, b_total = view.timeline.totals()
    assert b_total < a_total
    assert "faster" in view.headline.text()
    assert view.stats.item(0, 0).text().endswith(" s")  # p50 A (seconds)
    assert view.stats.item(0, 1).text().endswith(" ms")  # p50 B (milliseconds)
    assert "%" in view.stats.item(3, 1).text()
    assert view.stats.item(4, 1).text() == "36"  # on-demand fetches over 3 runs
    assert view.runs_chart.set_a.count() == 3
    note = next(n for n in ctx.notes if n[0] == "Cold-start comparison finished")
    assert note[1].startswith("fn-accel starts ")  # the faster side is named
    assert note[1].endswith("× faster than fn-plain")


def test_history_survives_a_restart_and_exports(qtbot, ctx, tmp_path) -> None:
    vm, view = _view(qtbot, ctx, tmp_path)
    view.runs_spin.setValue(1)
    view.run_button.click()
    qtbot.waitUntil(lambda: vm.model.rowCount() == 1 and not vm.running, timeout=10000)
    run_id = vm.model.row(0).run_id
    again = LabViewModel(ctx, LabHistory(tmp_path / "lab.json"))
    assert [r.run_id for r in again.model.rows] == [run_id]
    assert again.model.row(0).sides[1].runs[0].phases[1].name == "pull"
    view.export_json(tmp_path / "run.json")
    data = json.loads((tmp_path / "run.json").read_text())
    assert data["run_id"] == run_id
    assert data["request"]["a"] == "fn-plain"
    assert view.export_png(tmp_path / "run.png")
    assert (tmp_path / "run.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    view._on_delete_clicked()
    assert LabHistory(tmp_path / "lab.json").load() == []


def test_cancel_stops_the_run(qtbot, ctx, tmp_path) -> None:
    vm, view = _view(qtbot, ctx, tmp_path)
    ctx.backend.lab_delay = 0.05
    view.runs_spin.setValue(10)
    view.run_button.click()
    qtbot.waitUntil(lambda: view.progress.value() > 0, timeout=5000)
    view.cancel_button.click()
    qtbot.waitUntil(lambda: not vm.running, timeout=5000)
    assert view.run_button.isEnabled()
    assert vm.model.rowCount() == 0


def test_same_target_twice_is_refused(qtbot, ctx, tmp_path) -> None:
    vm, view = _view(qtbot, ctx, tmp_path)
    view.b_combo.setCurrentText("fn-plain")
    view.run_button.click()
    assert "same" in view.status.text()
    assert not vm.running


def test_corrupt_history_is_skipped(tmp_path) -> None:
    path = tmp_path / "lab.json"
    path.write_text('{"runs": [{"run_id": "x"}]}')
    assert LabHistory(path).load() == []
    path.write_text("not json")
    assert LabHistory(path).load() == []
