"""The lab races both sides at once (or one after the other, as chosen), says what each
side is doing while it runs, keeps the runs that finished when a comparison fails or is
cancelled, and defaults A to a plain image and B to its accelerated twin."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from gui.backend import LabPhase, LabProgress
from gui.viewmodels.lab_vm import LabHistory, LabViewModel
from gui.views.lab_view import LabView
from tests.gui.fakes import FakeBackend


def _view(qtbot, ctx, tmp_path: Path, backend: FakeBackend | None = None):
    backend = backend or FakeBackend()
    ctx.set_backend(backend)
    vm = LabViewModel(ctx, LabHistory(tmp_path / "lab.json"))
    view = LabView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.resize(1300, 850)
    view.show()
    view.set_choices(["fn-plain", "fn-accel"], [])
    return backend, vm, view


def test_both_sides_run_at_once_by_default_and_one_after_the_other_on_request(
    qtbot, ctx, tmp_path
) -> None:
    backend, vm, view = _view(qtbot, ctx, tmp_path)
    assert view.order_combo.currentData() is True
    view.runs_spin.setValue(1)
    view.run_button.click()
    qtbot.waitUntil(lambda: not vm.running, timeout=10000)
    assert backend.lab_overlap
    assert vm.model.row(0).request.together
    view.order_combo.setCurrentIndex(view.order_combo.findData(False))
    view.run_button.click()
    qtbot.waitUntil(lambda: not vm.running, timeout=10000)
    assert not backend.lab_overlap
    assert not vm.model.row(0).request.together
    # Images are compared on this machine, one after the other: the choice is off.
    view.images_radio.setChecked(True)
    assert not view.order_combo.isEnabled()
    assert not view.request().together


def test_the_status_line_follows_the_phase_under_way(qtbot, ctx, tmp_path) -> None:
    _backend, vm, view = _view(qtbot, ctx, tmp_path)
    vm.phaseReported.emit(LabProgress(0, 0, LabPhase("resolve", 0.0, 134.0)))
    # 20 s into the pull, with 48 MB arrived: the line says so (not "resolve 134 ms").
    vm.phaseReported.emit(
        LabProgress(0, 0, LabPhase("pull", 134.0, 20_000.0, bytes=48_000_000), finished=False)
    )
    vm.phaseReported.emit(LabProgress(1, 0, LabPhase("mount", 300.0, 400.0), finished=False))
    text = view.status.text()
    assert "A run 1: pull 20.0" in text
    assert "45.8 MiB" in text
    assert "B run 1: mount" in text
    assert "resolve" not in text


def test_a_failed_comparison_keeps_the_runs_that_finished(qtbot, ctx, tmp_path) -> None:
    backend = FakeBackend()
    backend.lab_fail_run = 1  # B's second cold start fails
    _backend, vm, view = _view(qtbot, ctx, tmp_path, backend)
    view.runs_spin.setValue(3)
    view.run_button.click()
    qtbot.waitUntil(lambda: not vm.running, timeout=10000)
    assert vm.model.rowCount() == 1
    kept = vm.model.row(0)
    assert kept.status == "failed"
    assert "HTTP 502" in kept.error
    assert len(kept.sides[1].runs) == 1  # B's first run
    assert len(kept.sides[0].runs) >= 1
    assert view.shown is kept
    assert "failed" in view.headline.text()
    assert "kept in the history" in view.status.text()
    again = LabViewModel(ctx, LabHistory(tmp_path / "lab.json"))
    assert again.model.row(0).status == "failed"


def test_a_cancelled_comparison_keeps_the_runs_that_finished(qtbot, ctx, tmp_path) -> None:
    backend = FakeBackend()
    backend.lab_delay = 0.05
    _backend, vm, view = _view(qtbot, ctx, tmp_path, backend)
    view.runs_spin.setValue(5)
    done: list[object] = []
    vm.partialResult.connect(done.append)
    view.run_button.click()
    qtbot.waitUntil(lambda: len(vm._done) >= 2, timeout=10000)
    view.cancel_button.click()
    assert not vm.running
    assert len(done) == 1
    kept = vm.model.row(0)
    assert kept.status == "cancelled"
    assert sum(len(s.runs) for s in kept.sides) >= 2
    assert "Cancelled." in view.status.text()


def test_a_defaults_to_a_plain_image_and_b_to_its_twin(qtbot, ctx, tmp_path) -> None:
    _backend, _vm, view = _view(qtbot, ctx, tmp_path)
    host = "reg.example.com/demo"
    # Listed newest first: the newest function runs an accelerated image.
    functions = ["newest-fast", "other", "app-plain", "app-fast"]
    images = {
        "newest-fast": f"{host}/web:v9_accelerated",
        "other": f"{host}/tool:v1",
        "app-plain": f"{host}/app:v1",
        "app-fast": f"{host}/app:v1_accelerated",
    }
    view.a_combo.clear()
    view.b_combo.clear()
    view.set_choices(functions, sorted(images.values()), images)
    assert view.a_combo.currentText() == "app-plain"
    assert view.b_combo.currentText() == "app-fast"
    # Without a twin pair: the first plain one against the first accelerated one.
    view.a_combo.clear()
    view.b_combo.clear()
    view.set_choices(["newest-fast", "other"], [], {k: images[k] for k in ("newest-fast", "other")})
    assert view.a_combo.currentText() == "other"
    assert view.b_combo.currentText() == "newest-fast"


def test_a_partial_result_survives_the_history_file(qtbot, ctx, tmp_path) -> None:
    from gui.viewmodels.lab_vm import result_from_dict, result_to_dict

    backend = FakeBackend()
    backend.lab_fail_run = 0
    _backend, vm, view = _view(qtbot, ctx, tmp_path, backend)
    view.runs_spin.setValue(2)
    view.run_button.click()
    qtbot.waitUntil(lambda: not vm.running, timeout=10000)
    # B failed at once: A's run may have finished (a race) or not; nothing else is kept.
    rows = vm.model.rows
    for row in rows:
        assert result_from_dict(result_to_dict(row)) == replace(row)
