"""On a plain OCI registry profile (no functions) the lab compares images.

Before, the lab opened on "Two functions" with empty A and B lists on such a profile, and
"Two functions" stayed selectable although there are no functions to start.
"""

from __future__ import annotations

from gui.backend import BackendCapabilities
from gui.viewmodels.lab_vm import LabHistory, LabViewModel
from gui.views.lab_view import LabView
from tests.gui.fakes import FakeBackend


def test_registry_profile_compares_images_only(qtbot, ctx, tmp_path) -> None:
    vm = LabViewModel(ctx, LabHistory(tmp_path / "lab.json"))
    view = LabView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.show()
    assert view.functions_radio.isChecked()
    registry = FakeBackend()
    registry._caps = BackendCapabilities(functions=False, acceleration_rules=False)
    ctx.set_backend(registry, profile="team-registry", kind="registry")
    assert view.images_radio.isChecked()
    assert not view.functions_radio.isEnabled()
    ctx.set_backend(FakeBackend(), profile="Local", kind="local")
    assert view.functions_radio.isEnabled()
