"""A delegate that draws a progress bar (``progress_role`` in 0..1) behind the cell text."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from gui.widgets.badge import paint_badge

__all__ = ["ProgressDelegate"]


class ProgressDelegate(QStyledItemDelegate):
    def __init__(
        self, progress_role: int, badge_role: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._progress_role = progress_role
        self._badge_role = badge_role

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        frac = index.data(self._progress_role)
        badge = index.data(self._badge_role) if self._badge_role is not None else None
        if frac is None and not badge:
            super().paint(painter, option, index)
            return
        if badge is None:
            super().paint(painter, option, index)
        else:
            opt = QStyleOptionViewItem(option)
            self.initStyleOption(opt, index)
            opt.text = ""
            if opt.widget is not None:
                opt.widget.style().drawControl(
                    QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget
                )
        rect = QRectF(option.rect).adjusted(4, 0, -4, 0)
        if frac is not None:
            bar = QRectF(rect.left(), rect.bottom() - 5, rect.width(), 3)
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            track = QColor(option.palette.color(QPalette.ColorRole.Mid))
            track.setAlpha(90)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(bar, 1.5, 1.5)
            fill = QRectF(bar)
            fill.setWidth(bar.width() * max(0.0, min(1.0, float(frac))))
            selected = bool(option.state & QStyle.StateFlag.State_Selected)
            # on a selected row the highlight colour is the row's own: the bar would vanish
            role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight
            painter.setBrush(option.palette.color(role))
            painter.drawRoundedRect(fill, 1.5, 1.5)
            painter.restore()
        if badge:
            text, kind = badge
            paint_badge(
                painter,
                QRectF(option.rect).adjusted(0, -2, 0, -4),
                str(text),
                str(kind),
                option.palette,
                bool(option.state & QStyle.StateFlag.State_Selected),
            )
