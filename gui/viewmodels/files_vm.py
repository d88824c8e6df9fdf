"""`FilesViewModel`: the file tree of the selected tag (the Images page's Files tab), and
that tag compared with another.

One listing at a time ("latest wins" when the selection moves on): loaded through the backend
(an accelerated tag from its TOCs, a plain one streamed once with progress and cached), its
child index prepared off the GUI thread, then handed to the `FilesModel` whole.

A comparison lists the other image the same way and compares the two with
`core.explore.diff_listings` (what ``fcaccel diff`` prints), off the GUI thread, into the
`DiffModel`: by default what changed from the other image to this tag; `swap` turns it round.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from PySide6.QtCore import QObject, Signal

from core import Progress
from core.explore import ImageListing, ListingDiff, diff_listings
from core.oci import validate_tag
from gui.backend import RepoInfo
from gui.context import AppContext
from gui.models.diff_model import DiffModel, diff_search_index
from gui.models.files_model import FilesModel, SearchIndex, search_index

__all__ = ["CompareTarget", "FilesViewModel", "UnknownRepository", "parse_compare_text"]

_KEY = "files"
_COMPARE_KEY = "files-compare"

#: The other image of a comparison: instance id, repository, tag.
CompareTarget = tuple[str, RepoInfo, str]


class UnknownRepository(LookupError):
    """A comparison names a repository the registry instance does not have."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def _not_connected() -> BaseException:
    from core.errors import ServerError

    return ServerError("not connected yet", code="NotConnected")


def parse_compare_text(text: str) -> tuple[list[str], str]:
    """What the user typed to compare with: ``TAG`` (of this repository) or
    ``[HOST/]NAMESPACE/REPO:TAG``. Returns the repository paths to look for (none: this
    repository) and the tag; raises `core.errors.InvalidReference` for a malformed one."""
    from core.errors import InvalidReference

    text = text.strip()
    name, colon, tag = text.rpartition(":")
    if not colon or "/" in tag:
        if "/" in text or not text:
            raise InvalidReference(f"{text!r} names no tag (REPOSITORY:TAG, or a tag)")
        name, tag = "", text
    validate_tag(tag)
    if not name:
        return [], tag
    paths = [name]
    if name.count("/") >= 2:  # a registry host in front
        paths.append(name.partition("/")[2])
    return paths, tag


class FilesViewModel(QObject):
    loadingChanged = Signal(bool)
    progressed = Signal(object)  # core Progress
    loaded = Signal(object)  # ImageListing
    failed = Signal(object)  # BaseException
    compareLoadingChanged = Signal(bool)
    compareProgressed = Signal(object)  # core Progress (the other image's listing)
    compared = Signal(object)  # ListingDiff
    compareFailed = Signal(object)  # BaseException
    compareEnded = Signal()

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
        #: The comparison: the other image, its listing, the diff shown (None: not comparing).
        self.diff_model = DiffModel(self)
        self.other: CompareTarget | None = None
        self.other_listing: ImageListing | None = None
        self._shown: CompareTarget | None = None  # the other image of the diff shown
        self._waiting: ImageListing | None = None  # read while this tag's was not in
        self.reversed = False  # False: from the other image to this tag
        self.comparing = False
        self.compare_error: BaseException | None = None
        ctx.backendChanged.connect(self.clear)

    @property
    def listing(self) -> ImageListing | None:
        return self.model.listing

    def clear(self) -> None:
        self.ctx.jobs.cancel(_KEY)
        self.end_compare()
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
        if target != self.target:
            self.end_compare()
        self.target = target
        self._last = (instance_id, repo, tag)
        self.error = None
        self.model.set_listing(None)
        self.results.set_listing(None)
        backend = self.ctx.backend
        if backend is None:  # (a selection's late update while reconnecting): said, not raised
            self.ctx.jobs.cancel(_KEY)
            self._set_loading(False)
            self.error = _not_connected()
            self.failed.emit(self.error)
            return
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
            if self._waiting is not None or self.other_listing is not None:
                self._diff()  # compared while this tag's listing was being read

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
        self.diff_model.set_filter(text)

    @property
    def searching(self) -> bool:
        return self.results.searching

    # -- comparing with another image ---------------------------------------------------
    @property
    def diff(self) -> ListingDiff | None:
        return self.diff_model.diff

    def compare_with(self, text: str) -> None:
        """Compare this tag with the image ``text`` names (`parse_compare_text`): a tag of
        this repository, or a repository of this registry instance and its tag. Raises
        `core.errors.InvalidReference` (nothing started) for text that names no image."""
        paths, tag = parse_compare_text(text)
        if self._last is None:
            return
        instance_id, repo, _tag = self._last
        if not paths or repo.path in paths:
            self.compare(instance_id, repo, tag)
            return
        backend = self.ctx.backend
        if backend is None:
            self._on_compare_error(_not_connected())
            return

        async def find(_sink: Any) -> RepoInfo:
            namespaces = list(
                dict.fromkeys(p.partition("/")[0] if "/" in p else None for p in paths)
            )
            for namespace in namespaces:
                for found in await backend.list_repositories(instance_id, namespace):
                    if found.path in paths:
                        return found
            raise UnknownRepository(paths[-1])

        self._start_compare()
        self.ctx.run(
            _COMPARE_KEY,
            find,
            on_done=lambda found: self.compare(instance_id, found, tag),
            on_error=self._on_compare_error,
        )

    def compare(self, instance_id: str, repo: RepoInfo, tag: str) -> None:
        """Compare this tag with ``repo:tag`` (its listing read as the Files tab reads one)."""
        backend = self.ctx.backend
        if backend is None:
            self._on_compare_error(_not_connected())
            return
        other: CompareTarget = (instance_id, repo, tag)
        key = (instance_id, repo.path, tag)
        known = self.other_listing if self._other_key() == key else None
        self.other = other
        self._start_compare()

        async def job(sink: Any) -> ImageListing:
            if known is not None:
                return known
            return await backend.image_listing(instance_id, repo, tag, sink)

        def on_progress(event: Any) -> None:
            if self.other == other and isinstance(event, Progress):
                self.compareProgressed.emit(event)

        def done(listing: ImageListing) -> None:
            if self.other != other:
                return
            self._diff(listing)

        self.ctx.run(
            _COMPARE_KEY,
            job,
            on_done=done,
            on_error=self._on_compare_error,
            on_progress=on_progress,
        )

    def swap(self) -> None:
        """Turn the comparison round (what changed from this tag to the other image)."""
        if self.other_listing is None:
            return
        self.reversed = not self.reversed
        self._start_compare()
        self._diff()

    def end_compare(self) -> None:
        was = self.comparing or self.other is not None
        self.ctx.jobs.cancel(_COMPARE_KEY)
        self.other = None
        self.other_listing = None
        self._shown = None
        self._waiting = None
        self.reversed = False
        self.compare_error = None
        self.diff_model.set_diff(None)
        self._set_comparing(False)
        if was:
            self.compareEnded.emit()

    def _other_key(self) -> tuple[str, str, str] | None:
        """The other image of the comparison shown (``other_listing`` is its listing)."""
        if self._shown is None:
            return None
        instance_id, repo, tag = self._shown
        return (instance_id, repo.path, tag)

    def _start_compare(self) -> None:
        self.compare_error = None
        self._set_comparing(True)

    def _set_comparing(self, busy: bool) -> None:
        self.comparing = busy
        self.compareLoadingChanged.emit(busy)

    def _diff(self, listing: ImageListing | None = None) -> None:
        """Compare this tag's listing (once it is in) with ``listing`` (else the other
        image's of the comparison shown) off the GUI thread."""
        mine, theirs = self.listing, listing or self._waiting or self.other_listing
        if theirs is None:
            return
        if mine is None:  # this tag's listing is being read (again): compare when it is in
            self._waiting = theirs
            return
        self._waiting = None
        a, b = (mine, theirs) if self.reversed else (theirs, mine)
        other = self.other

        async def job(_sink: Any) -> tuple[ListingDiff, SearchIndex]:
            def work() -> tuple[ListingDiff, SearchIndex]:
                diff = diff_listings(a, b)
                return diff, diff_search_index(diff)

            return await asyncio.to_thread(work)

        def done(result: tuple[ListingDiff, SearchIndex]) -> None:
            if self.other != other:
                return
            diff, index = result
            self._shown = other
            self.other_listing = theirs
            self.diff_model.set_diff(diff, index)
            self._set_comparing(False)
            self.compared.emit(diff)

        self.ctx.run(_COMPARE_KEY, job, on_done=done, on_error=self._on_compare_error)

    def _on_compare_error(self, exc: BaseException) -> None:
        # the comparison shown (if any) stays, with the image it was made with
        self.other = self._shown
        self.compare_error = exc
        self._set_comparing(False)
        self.compareFailed.emit(exc)
