"""`FilesViewModel`: the file tree of the selected tag (the Images page's Files tab).

One listing at a time ("latest wins" when the selection moves on): loaded through the backend
(an accelerated tag from its TOCs, a plain one streamed once with progress and cached), its
child index prepared off the GUI thread, then handed to the `FilesModel` whole.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from PySide6.QtCore import QObject, Signal

from core import Progress
from core.explore import ImageListing
from gui.backend import RepoInfo
from gui.context import AppContext
from gui.models.files_model import FilesModel, SearchIndex, search_index

__all__ = ["FilesViewModel"]

_KEY = "files"


class FilesViewModel(QObject):
    loadingChanged = Signal(bool)
    progressed = Signal(object)  # core Progress
    loaded = Signal(object)  # ImageListing
    failed = Signal(object)  # BaseException

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = FilesModel(self)  # the tree
        #: Search results: a flat list over the same listing (a table shows it; a tree view
        #: would lay every result row out in Python on each search).
        self.results = FilesModel(self)
        self.target: tuple[str, str, str] | None = None  # instance id, repo path, tag
        self._last: tuple[str, RepoInfo, str] | None = None
        self.loading = False
        self.seconds = 0.0
        self.error: BaseException | None = None
        ctx.backendChanged.connect(self.clear)

    @property
    def listing(self) -> ImageListing | None:
        return self.model.listing

    def clear(self) -> None:
        self.ctx.jobs.cancel(_KEY)
        self.target = None
        self._last = None
        self.error = None
        self._set_loading(False)
        self.model.set_listing(None)
        self.results.set_listing(None)

    def _set_loading(self, loading: bool) -> None:
        if loading != self.loading:
            self.loading = loading
            self.loadingChanged.emit(loading)

    def load(self, instance_id: str, repo: RepoInfo, tag: str, *, force: bool = False) -> None:
        target = (instance_id, repo.path, tag)
        if target == self.target and not force and (self.loading or self.listing is not None):
            return
        backend = self.ctx.require_backend()
        self.target = target
        self._last = (instance_id, repo, tag)
        self.error = None
        self.model.set_listing(None)
        self.results.set_listing(None)
        self._set_loading(True)
        started = time.monotonic()

        async def job(sink: Any) -> tuple[ImageListing, SearchIndex]:
            listing = await backend.image_listing(instance_id, repo, tag, sink)

            def prepare() -> SearchIndex:  # off the GUI thread: child and search indexes
                listing.child_rows(0)
                return search_index(listing)

            return listing, await asyncio.to_thread(prepare)

        def done(result: tuple[ImageListing, SearchIndex]) -> None:
            if self.target != target:
                return
            listing, index = result
            self.seconds = time.monotonic() - started
            self.model.set_listing(listing, index)
            self.results.set_listing(listing, index)
            self._set_loading(False)
            self.loaded.emit(listing)

        def on_error(exc: BaseException) -> None:
            if self.target != target:
                return
            self.error = exc
            self._set_loading(False)
            self.failed.emit(exc)

        def on_progress(event: Any) -> None:
            if self.target == target and isinstance(event, Progress):
                self.progressed.emit(event)

        self.ctx.run(_KEY, job, on_done=done, on_error=on_error, on_progress=on_progress)

    def reload(self) -> None:
        if self._last is not None:
            self.load(*self._last, force=True)

    def set_filter(self, text: str) -> None:
        self.results.set_filter(text)

    @property
    def searching(self) -> bool:
        return self.results.searching
