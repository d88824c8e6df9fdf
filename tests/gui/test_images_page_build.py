"""The Images page shows what its view-model loaded before the page was first opened.

Pages are built when first shown; the Images view-model starts loading as soon as the
profile connects. Opening Images afterwards showed empty Instance and Namespace selectors,
"No repository selected" over the repository's tags, no tag selected, and the Image
acceleration switch disabled — so acceleration could not be switched on for the only
repository (clicking it again changed nothing).
"""

from __future__ import annotations

from gui.viewmodels.images_vm import ImagesViewModel
from gui.views.images_view import ImagesView
from tests.gui.fakes import FakeBackend


def test_view_built_after_loading_shows_the_loaded_state(qtbot, ctx) -> None:
    vm = ImagesViewModel(ctx)
    loaded: list[int] = []
    vm.tagsLoaded.connect(loaded.append)
    ctx.set_backend(FakeBackend(tags=3))
    qtbot.waitUntil(lambda: bool(loaded) and vm.tags.rowCount() > 0, timeout=5000)
    qtbot.waitUntil(
        lambda: (repo := vm.repos.get("crr-app")) is not None and repo.acceleration is not None,
        timeout=5000,
    )

    view = ImagesView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.show()
    assert view.instance_combo.count() == 1
    assert vm.instance is not None
    assert view.instance_combo.currentData() == vm.instance.instance_id
    assert [view.namespace_combo.itemText(i) for i in range(view.namespace_combo.count())][1:] == [
        "demo"
    ]
    assert view.repo_title.text() == "demo/app"
    assert view.accel_check.isEnabled()
    assert view.accel_check.isChecked()
    assert view.selected_tags()
    assert view.crumbs() == ["Images", "test-ee", "demo/app"]
    assert vm.repo is not None
    assert vm.repo.repo_id == "crr-app"  # building the view did not reload or reselect
