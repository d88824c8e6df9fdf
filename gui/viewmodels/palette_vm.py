"""`PaletteViewModel`: Ctrl+K — find any function, repository, tag, task or action of every
profile and region the console has been connected to in this session, by a few letters.

What the current connection knows comes from the composition root (``sources``: the loaded
functions, repositories, tags, tasks and the actions they offer); on top of that every
function name of the current connection is listed in the background, page by page, and every
repository and tag of its registry instances is read by the `TagCatalog` (a few repositories
at a time, kept up to date by tag events), once per connection. Items of the earlier
connections are kept, so that one can be found (and opened: the window switches profile and
region first) without reconnecting to look.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from gui.context import AppContext
from gui.models.palette_model import PaletteIndex, PaletteItem, PaletteModel
from gui.viewmodels.palette_catalog import RepoLabel, TagCatalog, TagLabel

__all__ = ["PaletteViewModel"]

Target = tuple[str, str]
#: Function names listed per connection (a console, not a search engine).
MAX_FUNCTIONS = 20_000


class PaletteViewModel(QObject):
    activated = Signal(object)  # PaletteItem
    resultsChanged = Signal()

    def __init__(
        self,
        ctx: AppContext,
        sources: Callable[[], list[PaletteItem]],
        parent: QObject | None = None,
        *,
        function_label: Callable[[str, Target], PaletteItem] | None = None,
        repository_label: RepoLabel | None = None,
        tag_label: TagLabel | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._sources = sources
        self._function_label = function_label
        #: Every repository and tag of each connection (None: the sources' alone).
        self.catalog: TagCatalog | None = None
        if repository_label is not None and tag_label is not None:
            self.catalog = TagCatalog(ctx, repository_label, tag_label, self)
            self.catalog.changed.connect(self._reindex)
        self.index = PaletteIndex()
        self.model = PaletteModel(self)
        self.query = ""
        self.search_ms = 0.0
        self._by_target: dict[Target, list[PaletteItem]] = {}
        self._functions: dict[Target, list[PaletteItem]] = {}
        self._listing: set[Target] = set()

    @property
    def target(self) -> Target:
        return (self.ctx.profile_name, self.ctx.region)

    def refresh(self) -> None:
        """Take the current connection's items again (the palette opens) and start listing
        its functions when that was not done yet."""
        target = self.target
        if self.ctx.backend is not None:
            self._by_target[target] = list(self._sources())
            self._list_functions(target)
            if self.catalog is not None:
                self.catalog.read(target)
        self._reindex()

    def _reindex(self) -> None:
        """The index again: the current connection's items first (what its pages hold,
        its functions, its repositories and tags), then the earlier connections' (without
        their actions, which act on the current one); each item once."""
        current = self.target
        items: list[PaletteItem] = list(self._by_target.get(current, []))
        seen = {i.key for i in items}

        def add(more: list[PaletteItem], *, actions: bool = True) -> None:
            for item in more:
                key = item.key
                if key not in seen and (actions or item.kind != "action"):
                    seen.add(key)
                    items.append(item)

        catalog = self.catalog
        add(self._functions.get(current, []))
        if catalog is not None:
            add(catalog.items(current))
        targets = list(self._by_target)
        if catalog is not None:
            targets += [t for t in catalog.targets() if t not in self._by_target]
        for target in targets:
            if target == current:
                continue
            add(self._by_target.get(target, []), actions=False)
            add(self._functions.get(target, []))
            if catalog is not None:
                add(catalog.items(target))
        self.index.set_items(items)
        self.search(self.query)

    def search(self, text: str) -> None:
        self.query = text
        started = time.perf_counter()
        results = self.index.search(text)
        self.search_ms = (time.perf_counter() - started) * 1000
        self.model.set_results(results)
        self.resultsChanged.emit()

    def activate(self, row: int) -> None:
        item = self.model.item(row)
        if item is not None:
            self.activated.emit(item)

    def _list_functions(self, target: Target) -> None:
        backend = self.ctx.backend
        label = self._function_label
        if (
            backend is None
            or label is None
            or not backend.capabilities.functions
            or target in self._listing
        ):
            return
        self._listing.add(target)

        async def job(_sink: Any) -> list[PaletteItem]:
            names: list[str] = []
            token: str | None = None
            while len(names) < MAX_FUNCTIONS:
                page = await backend.list_functions(next_token=token, limit=100)
                names += [f.name for f in page.functions]
                token = page.next_token
                if not token:
                    break
            return [label(name, target) for name in names]

        def done(items: list[PaletteItem]) -> None:
            self._functions[target] = items
            self._reindex()

        def failed(_exc: BaseException) -> None:
            self._listing.discard(target)  # try again the next time the palette opens

        self.ctx.run(f"palette-functions:{target}", job, on_done=done, on_error=failed)
