"""A lab run that fails or is cancelled says so, and the page shows again what it showed
before the run.

Before, a comparison that failed (for example an image registry that could not be
reached) left "Running: A vs B" above empty charts and the status line at its last phase
("A run 1: resolve 0 ms · estimating…"), as if it were still running; Cancel did the same.
"""

from __future__ import annotations

from pathlib import Path

from core.errors import ColdStartError
from gui.backend import LabPhase, LabProgress
from gui.viewmodels.lab_vm import LabHistory, LabViewModel
from gui.views.lab_view import LabView
from tests.gui.fakes import FakeBackend


def _view(qtbot, ctx, tmp_path: Path):
    backend = FakeBackend()
    ctx.set_backend(backend)
    vm = LabViewModel(ctx, LabHistory(tmp_path / "lab.json"))
    view = LabView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.resize(1300, 850)
    view.show()
    view.set_choices(["fn-plain", "fn-accel"], [])
    return backend, vm, view


def test_failed_run_says_why_and_shows_the_previous_result_again(qtbot, ctx, tmp_path) -> None:
    backend, vm, view = _view(qtbot, ctx, tmp_path)
    view.runs_spin.setValue(1)
    view.run_button.click()
    qtbot.waitUntil(lambda: vm.model.rowCount() == 1 and not vm.running, timeout=10000)
    before = view.headline.text()
    assert "faster" in before

    async def failing(request, on_progress=None):
        if on_progress is not None:
            on_progress(LabProgress(0, 0, LabPhase("resolve", 0.0, 0.0)))
        raise ColdStartError("localhost:1/demo/app:v1: TransportError: ConnectError")

    backend.run_coldstart = failing
    view.run_button.click()
    qtbot.waitUntil(lambda: not vm.running, timeout=5000)
    assert "Running" not in view.headline.text()
    assert view.headline.text() == before
    assert "ConnectError" in view.status.text()
    assert "resolve" not in view.status.text()
    assert view.run_button.isEnabled()


def test_cancelled_run_says_cancelled(qtbot, ctx, tmp_path) -> None:
    backend, vm, view = _view(qtbot, ctx, tmp_path)
    backend.lab_delay = 0.05
    view.runs_spin.setValue(10)
    assert view.headline.text().startswith("No comparison yet")  # a first visit explains
    view.run_button.click()
    qtbot.waitUntil(lambda: view.progress.value() > 0, timeout=5000)
    view.cancel_button.click()
    qtbot.waitUntil(lambda: not vm.running, timeout=5000)
    qtbot.wait(100)
    assert view.status.text() == "Cancelled."
    assert not view.headline.text().startswith("Running")
    assert view.headline.text().startswith("No comparison yet")  # nothing to show again
