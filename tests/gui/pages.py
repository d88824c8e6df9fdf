"""Pages of the console built for a test, on a given backend."""

from __future__ import annotations

from typing import Any

from gui.backend import RepoInfo
from gui.context import AppContext
from gui.viewmodels.images_vm import ImagesViewModel
from gui.views.images_view import ImagesView

__all__ = ["images_page", "local_repository"]


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


def local_repository(
    qtbot: Any, ctx: AppContext, server: Any, http: Any, path: str
) -> tuple[ImagesViewModel, RepoInfo]:
    """The console's backend on a running Local server (``start_local_server_thread``) over
    ``http``, and repository ``path`` (``namespace/name``) once the Images page lists it."""
    from core.cloud import open_clients
    from core.settings import LocalProfile
    from gui.backend._core import CoreBackend

    profile = LocalProfile(url=server.url, access_key_id=server.access_key_id)
    backend = CoreBackend(open_clients(profile, http, server.credentials), http, kind="local")
    images = ImagesViewModel(ctx)
    ctx.set_backend(backend, profile="Local", kind="local")
    qtbot.waitUntil(lambda: bool(images.instances), timeout=30_000)
    images.select_namespace(path.partition("/")[0])
    qtbot.waitUntil(lambda: any(r.path == path for r in images.repos.rows), timeout=30_000)
    return images, next(r for r in images.repos.rows if r.path == path)
