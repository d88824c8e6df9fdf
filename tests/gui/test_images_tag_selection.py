"""The selected tag stays selected while the tag list changes under it.

Before, "Convert now" on a tag ended with nothing selected: when the twin arrived the tag
model was rebuilt, the selection was dropped and the tag details fell back to "—", so the
user had to find the tag again to see that it was ready.
"""

from __future__ import annotations

from gui.backend import AccelState
from gui.viewmodels.images_vm import ImagesViewModel
from gui.views.images_view import ImagesView
from tests.gui.fakes import FakeBackend


def _view(qtbot, ctx, backend):
    vm = ImagesViewModel(ctx)
    view = ImagesView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.resize(1300, 800)
    view.show()
    loaded: list[int] = []
    vm.tagsLoaded.connect(loaded.append)
    ctx.set_backend(backend)
    qtbot.waitUntil(lambda: bool(loaded) and vm.tags.rowCount() > 0, timeout=5000)
    qtbot.waitUntil(
        lambda: (repo := vm.repos.get("crr-app")) is not None and repo.acceleration is not None,
        timeout=5000,
    )
    return vm, view


def test_selection_survives_the_twin_arriving(qtbot, ctx) -> None:
    backend = FakeBackend(tags=3, convert_steps=3, step_delay=0.02)
    vm, view = _view(qtbot, ctx, backend)
    view.tag_table.selectRow(vm.tags.row_of_tag("v0"))
    assert view.selected_tags() == ["v0"]
    view.convert_button.click()
    qtbot.waitUntil(lambda: vm.tags.twin_state("v0") is AccelState.READY, timeout=10000)
    qtbot.waitUntil(lambda: vm.tags.has_tag("v0_accelerated"), timeout=5000)
    qtbot.wait(100)
    assert view.selected_tags() == ["v0"]
    assert view.d_state.text() == "Ready"
    assert "v0_accelerated" in view.d_pair.text()


def test_selection_survives_a_rebuild_and_a_filter(qtbot, ctx) -> None:
    backend = FakeBackend(tags=4)
    vm, view = _view(qtbot, ctx, backend)
    view.tag_table.selectRow(vm.tags.row_of_tag("v1"))
    vm.tags.set_tags(list(vm.tags.all_tags()))
    assert view.selected_tags() == ["v1"]
    view.tag_search.setText("v1")
    view.tag_search.flush()
    assert view.selected_tags() == ["v1"]
    assert view.d_tag.text().startswith("<b>v1</b>")
