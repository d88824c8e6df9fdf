"""`WhyViewModel`: "why is this image not accelerated?" for the Images page and the function
form — one check at a time through the backend (`core.report.check_image`), latest wins."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from core.report import FunctionRow
from gui.context import AppContext

__all__ = ["WhyViewModel"]


class WhyViewModel(QObject):
    checking = Signal(str)  # image
    checked = Signal(object)  # FunctionRow
    failed = Signal(object)  # BaseException
    unavailable = Signal()  # the profile has nothing to check (a plain registry)

    def __init__(self, ctx: AppContext, parent: QObject | None = None, *, key: str = "why") -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._key = key
        self.image = ""
        self.function = ""
        self.row: FunctionRow | None = None
        ctx.backendChanged.connect(self.clear)

    def clear(self) -> None:
        self.ctx.jobs.cancel(self._key)
        self.image = self.function = ""
        self.row = None

    def check(self, image: str, function: str = "") -> None:
        backend = self.ctx.backend
        if backend is None or not image:
            self.clear()
            return
        self.image, self.function, self.row = image, function, None
        self.checking.emit(image)

        async def job(_sink: Any) -> FunctionRow:
            return await backend.check_image(image, function)

        def done(row: FunctionRow) -> None:
            if (image, function) == (self.image, self.function):
                self.row = row
                self.checked.emit(row)

        def on_error(exc: BaseException) -> None:
            if (image, function) != (self.image, self.function):
                return
            if isinstance(exc, NotImplementedError):
                self.unavailable.emit()
            else:
                self.failed.emit(exc)

        self.ctx.run(self._key, job, on_done=done, on_error=on_error)

    def recheck(self) -> None:
        if self.image:
            self.check(self.image, self.function)
