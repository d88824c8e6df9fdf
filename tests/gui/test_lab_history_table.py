"""The lab history's date column fits its dates when the first run is added.

Before, the column was sized when the (empty) history was built, 43 px wide, so the first
run's date showed as "2026-…" with the time wrapped under it.
"""

from __future__ import annotations

from gui.models.lab_runs_model import Col
from gui.viewmodels.lab_vm import LabHistory, LabViewModel
from gui.views.lab_view import LabView
from tests.gui.fakes import FakeBackend


def test_when_column_fits_the_first_runs_date(qtbot, ctx, tmp_path) -> None:
    ctx.set_backend(FakeBackend())
    vm = LabViewModel(ctx, LabHistory(tmp_path / "lab.json"))
    view = LabView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.resize(1300, 850)
    view.show()
    view.set_choices(["fn-plain", "fn-accel"], [])
    view.runs_spin.setValue(1)
    view.run_button.click()
    qtbot.waitUntil(lambda: vm.model.rowCount() == 1 and not vm.running, timeout=10000)
    qtbot.wait(50)
    needed = view.history.sizeHintForColumn(Col.WHEN)
    assert needed > 60
    assert view.history.columnWidth(Col.WHEN) >= needed
