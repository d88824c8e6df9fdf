"""A search box with a debounce, a clear button and Ctrl+F focus."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QWidget

from gui.resources import icon

__all__ = ["SearchField"]


class SearchField(QLineEdit):
    searchChanged = Signal(str)  # debounced

    def __init__(self, placeholder: str, parent: QWidget | None = None, delay_ms: int = 150):
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setAccessibleName(placeholder)
        self.setClearButtonEnabled(True)
        self.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(lambda: self.searchChanged.emit(self.text()))
        self.textChanged.connect(lambda _t: self._timer.start())
        self.setMinimumWidth(220)

    def flush(self) -> None:
        """Emit now (tests, Enter key)."""
        self._timer.stop()
        self.searchChanged.emit(self.text())
