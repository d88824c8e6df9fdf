"""`PaletteViewModel`: Ctrl+K — find any function, repository, tag, task or action of every
profile and region the console has been connected to in this session, by a few letters.

What the current connection knows comes from the composition root (``sources``: the loaded
functions, repositories, tags, tasks and the actions they offer); on top of that every
function name of the current connection is listed in the background, page by page, once per
connection. Items of the earlier connections are kept, so that one can be found (and opened:
the window switches profile and region first) without reconnecting to look.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from gui.context import AppContext
from gui.models.palette_model import PaletteIndex, PaletteItem, PaletteModel

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
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._sources = sources
        self._function_label = function_label
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
        self._reindex()

    def _reindex(self) -> None:
        current = self.target
        items: list[PaletteItem] = list(self._by_target.get(current, []))
        seen = {i.key for i in items}
        for item in self._functions.get(current, []):
            if item.key not in seen:
                items.append(item)
        for target, others in self._by_target.items():
            if target == current:
                continue
            items.extend(i for i in others if i.kind != "action")
            items.extend(self._functions.get(target, []))
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
