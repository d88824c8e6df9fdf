"""Two sides that start equally fast are not reported as "1.0× slower".

Before, a comparison of the seeded demo functions (901 ms against 901 ms at p50) was
headlined "B starts 1.0× slower (p50)" and announced as "1.0× slower", because the ratio
was a hair below 1.
"""

from __future__ import annotations

from gui.models.lab_runs_model import about_even
from gui.viewmodels.lab_vm import LabHistory, LabViewModel
from gui.views.lab_view import LabView
from tests.gui.fakes import FakeBackend


def test_about_even() -> None:
    assert about_even(900.647 / 900.868)
    assert about_even(1.04)
    assert not about_even(1.06)
    assert not about_even(0.9)
    assert not about_even(None)


def test_equal_sides_are_about_as_fast(qtbot, ctx, tmp_path) -> None:
    ctx.set_backend(FakeBackend())
    vm = LabViewModel(ctx, LabHistory(tmp_path / "lab.json"))
    view = LabView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.show()
    view.set_choices(["fn-one", "fn-two"], [])  # the fake times both alike
    view.a_combo.setCurrentText("fn-one")
    view.b_combo.setCurrentText("fn-two")
    view.runs_spin.setValue(1)
    view.run_button.click()
    qtbot.waitUntil(lambda: vm.model.rowCount() == 1 and not vm.running, timeout=10000)
    assert "about as fast" in view.headline.text()
    assert "slower" not in view.headline.text()
    note = next(n for n in ctx.notes if n[0] == "Cold-start comparison finished")
    assert note[1] == "fn-one and fn-two start about as fast"
