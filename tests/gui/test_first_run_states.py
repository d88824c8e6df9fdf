"""First-run states say what is happening: while the Local server seeds its demo, the empty
function list says the demo functions are on their way, not "No functions yet. Create one"."""

from __future__ import annotations

from gui.viewmodels.functions_vm import FunctionsViewModel
from gui.viewmodels.seed_vm import seed_view_model
from gui.views.functions_view import FunctionsView
from tests.gui.fakes import FakeBackend


def test_the_empty_list_says_the_demo_is_being_set_up(qtbot, ctx) -> None:
    backend = FakeBackend(functions=0)
    backend.seed = {"state": "running", "kind": "small", "stage": "small", "step": "build"}
    vm = FunctionsViewModel(ctx)
    view = FunctionsView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.show()
    seed = seed_view_model(ctx)
    ctx.set_backend(backend, profile="Local", kind="local")
    qtbot.waitUntil(lambda: seed.state.state == "running", timeout=5000)
    qtbot.waitUntil(lambda: view.empty_label.isVisible(), timeout=5000)
    text = view.empty_label.text()
    assert "setting up its demo" in text
    assert "Create one" not in text
    # Seeded: the functions arrive and the list shows them.
    for queue in list(backend._queues):
        from gui.backend import BackendEvent

        queue.put_nowait(BackendEvent("seed.finished", {"kind": "small", "stage": "small"}))
    qtbot.waitUntil(lambda: seed.state.state != "running", timeout=5000)
    assert "No functions yet" in view.empty_label.text()
