"""Status badges: a delegate that draws ``(text, kind)`` as a rounded pill, and a label."""

from __future__ import annotations

import collections
import math

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

__all__ = ["BadgeDelegate", "BadgeLabel", "badge_colors", "is_dark"]

# Hues per kind; the pill uses a tinted background and a readable foreground.
_HUES: dict[str, str] = {
    "ok": "#1f9d55",
    "busy": "#2b7bd6",
    "bad": "#d64545",
    "warn": "#c77c02",
    "info": "#7a4fd6",
    "muted": "#7f8794",
}


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def badge_colors(kind: str, palette: QPalette) -> tuple[QColor, QColor]:
    """(background, foreground) for a badge kind under ``palette``."""
    hue = QColor(_HUES.get(kind, _HUES["muted"]))
    dark = is_dark(palette)
    bg = QColor(hue)
    bg.setAlpha(70 if dark else 38)
    fg = hue.lighter(150) if dark else hue.darker(135)
    return bg, fg


_PILL_CACHE_SIZE = 512
_pills: collections.OrderedDict[tuple[object, ...], QPixmap] = collections.OrderedDict()


def paint_badge(
    painter: QPainter,
    rect: QRectF,
    text: str,
    kind: str,
    palette: QPalette,
    selected: bool = False,
) -> None:
    """Draw the pill for ``(text, kind)`` at the left of ``rect``, vertically centred.

    Table cells repaint often (every live update of their row) while few distinct pills
    exist, so each is rendered once per size, font, palette and screen scale and then
    drawn as a pixmap (a pill rendered anew costs about 70 µs, a cached one about 3 µs).
    """
    font = painter.font()
    device = painter.device()
    scale = device.devicePixelRatio() if device is not None else 1.0
    key = (
        text,
        kind,
        selected,
        palette.cacheKey(),
        font.key(),
        round(rect.width()),
        round(rect.height()),
        scale,
    )
    pixmap = _pills.get(key)
    if pixmap is None:
        pixmap = _render_pill(
            text, kind, palette, selected, font, rect.width(), rect.height(), scale
        )
        _pills[key] = pixmap
        if len(_pills) > _PILL_CACHE_SIZE:
            _pills.popitem(last=False)
    else:
        _pills.move_to_end(key)
    size = pixmap.deviceIndependentSize()
    painter.drawPixmap(QPointF(rect.left() + 4, rect.center().y() - size.height() / 2), pixmap)


def _render_pill(
    text: str,
    kind: str,
    palette: QPalette,
    selected: bool,
    font: QFont,
    rect_width: float,
    rect_height: float,
    scale: float,
) -> QPixmap:
    bg, fg = badge_colors(kind, palette)
    if selected:
        # On the selection colour a tinted pill is unreadable: draw it light on dark.
        bg = QColor(palette.color(QPalette.ColorRole.HighlightedText))
        bg.setAlpha(235)
        fg = QColor(_HUES.get(kind, _HUES["muted"])).darker(140)
    fm = QFontMetrics(font)
    width = max(1.0, min(rect_width - 4, fm.horizontalAdvance(text) + 16))
    height = max(1.0, min(rect_height - 6, fm.height() + 6))
    pixmap = QPixmap(max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale)))
    pixmap.setDevicePixelRatio(scale)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setFont(font)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(bg)
    pill = QRectF(0, 0, width, height)
    painter.drawRoundedRect(pill, height / 2, height / 2)
    painter.setPen(fg)
    elided = fm.elidedText(text, Qt.TextElideMode.ElideRight, int(pill.width() - 12))
    painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, elided)
    painter.end()
    return pixmap


class BadgeDelegate(QStyledItemDelegate):
    """Draws the model's ``badge_role`` value ``(text, kind)`` as a pill."""

    def __init__(self, badge_role: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._role = badge_role

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        badge = index.data(self._role)
        if not badge:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        text, kind = badge
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        paint_badge(painter, QRectF(option.rect), str(text), str(kind), option.palette, selected)

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        badge = index.data(self._role)
        if badge:
            fm = QFontMetrics(option.font)
            size.setWidth(max(size.width(), fm.horizontalAdvance(str(badge[0])) + 28))
            size.setHeight(max(size.height(), fm.height() + 12))
        return size


class BadgeLabel(QLabel):
    """A standalone badge (detail pages, picker hints)."""

    def __init__(self, text: str = "", kind: str = "muted", parent: QWidget | None = None):
        super().__init__(parent)
        self.set_badge(text, kind)

    def set_badge(self, text: str, kind: str) -> None:
        if text == self.text() and kind == getattr(self, "_kind", None):
            return  # a style sheet re-polishes the label: only when something changed
        self.setText(text)
        self._kind = kind
        self.setProperty("kind", kind)
        self._restyle()
        self.setAccessibleName(text)

    def _restyle(self) -> None:
        # The application palette, not the label's own: a style sheet freezes the latter.
        app = QApplication.instance()
        palette = app.palette() if isinstance(app, QApplication) else self.palette()
        bg, fg = badge_colors(getattr(self, "_kind", "muted"), palette)
        self.setStyleSheet(
            f"QLabel {{ background: rgba({bg.red()},{bg.green()},{bg.blue()},{bg.alpha()});"
            f" color: {fg.name()}; border-radius: 9px; padding: 2px 9px; }}"
        )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            self._restyle()
