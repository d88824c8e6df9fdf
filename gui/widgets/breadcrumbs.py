"""Breadcrumbs: ``Functions › my-fn › Invoke``; each crumb but the last is a link."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

__all__ = ["Breadcrumbs"]


class Breadcrumbs(QWidget):
    activated = Signal(int)  # index of the clicked crumb

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("breadcrumbs")
        self.setAccessibleName(self.tr("Breadcrumbs"))
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self._crumbs: list[str] = []

    def set_path(self, crumbs: Sequence[str]) -> None:
        if list(crumbs) == self._crumbs:
            return
        self._crumbs = list(crumbs)
        while self._layout.count():
            item = self._layout.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                # Hidden at once: until the deferred delete, the old crumb would otherwise
                # still paint under the new ones.
                w.hide()
                w.deleteLater()
        for i, crumb in enumerate(self._crumbs):
            if i:
                sep = QLabel("›")
                sep.setObjectName("crumbSeparator")
                self._layout.addWidget(sep)
            last = i == len(self._crumbs) - 1
            label = QLabel(crumb if last else f'<a href="{i}">{crumb}</a>')
            label.setObjectName("crumbCurrent" if last else "crumbLink")
            label.setAccessibleName(crumb)
            if not last:
                label.linkActivated.connect(lambda href: self.activated.emit(int(href)))
            self._layout.addWidget(label)
        self._layout.addStretch(1)

    def path(self) -> list[str]:
        return list(self._crumbs)
