"""Pages of the console built for a test, on a given backend."""

from __future__ import annotations

from typing import Any

from gui.context import AppContext
from gui.viewmodels.images_vm import ImagesViewModel
from gui.views.images_view import ImagesView

__all__ = ["images_page"]


def images_page(qtbot: Any, ctx: AppContext, backend: Any) -> tuple[ImagesViewModel, ImagesView]:
    """The Images page shown (1300×900) on ``backend``, once its first repository's tags
    are in."""
    vm = ImagesViewModel(ctx)
    view = ImagesView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.resize(1300, 900)
    view.show()
    loaded: list[int] = []
    vm.tagsLoaded.connect(loaded.append)
    ctx.set_backend(backend)
    qtbot.waitUntil(lambda: bool(loaded) and vm.tags.rowCount() > 0, timeout=5000)
    return vm, view
