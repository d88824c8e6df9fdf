"""`FlowRow`: a row of widgets side by side (the last one at the right) while they fit, else
one under the other, so that long translations reflow instead of being clipped."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget

__all__ = ["FlowRow"]


class FlowRow(QLayout):
    """Items side by side, the last one at the right (a badge and its button), while they all
    fit at the layout's width; else one under the other. Has a height for its width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setSpacing(8)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def sizeHint(self) -> QSize:
        hints = [i.sizeHint() for i in self._visible()]
        margins = self.contentsMargins()
        width = sum(h.width() for h in hints) + self.spacing() * max(0, len(hints) - 1)
        height = max((h.height() for h in hints), default=0)
        return QSize(
            width + margins.left() + margins.right(), height + margins.top() + margins.bottom()
        )

    def minimumSize(self) -> QSize:
        # one item a line: as narrow as the widest item
        margins = self.contentsMargins()
        width = max((i.minimumSize().width() for i in self._visible()), default=0)
        return QSize(width + margins.left() + margins.right(), 0)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def wrapped(self) -> bool:
        """Whether the items are one under the other at the current width."""
        return self._wraps(self.geometry().width())

    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _wraps(self, width: int) -> bool:
        margins = self.contentsMargins()
        return self.sizeHint().width() > width or (
            width <= margins.left() + margins.right() and len(self._visible()) > 1
        )

    def _place(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        inner = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        items = self._visible()
        if not self._wraps(rect.width()):
            height = max((i.sizeHint().height() for i in items), default=0)
            if move:
                x = inner.x()
                for n, item in enumerate(items):
                    hint = item.sizeHint()
                    if n == len(items) - 1 and n > 0:
                        x = inner.right() + 1 - hint.width()  # the button at the right
                    top = inner.y() + (height - hint.height()) // 2
                    item.setGeometry(QRect(QPoint(x, top), hint))
                    x += hint.width() + self.spacing()
            return height + margins.top() + margins.bottom()
        y = inner.y()
        for item in items:
            hint = item.sizeHint()
            if move:
                size = QSize(min(hint.width(), inner.width()), hint.height())
                item.setGeometry(QRect(QPoint(inner.x(), y), size))
            y += hint.height() + self.spacing()
        return y - inner.y() - (self.spacing() if items else 0) + margins.top() + margins.bottom()
