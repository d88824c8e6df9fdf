"""Paths of bundled resources (icons, QSS, translations), PyInstaller-aware (STYLE §18)."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

from PySide6.QtCore import QRect, QRectF, QSize
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

__all__ = ["icon", "icon_path", "read_qss", "resource_root", "translations_dir"]


@functools.cache
def resource_root() -> Path:
    """The ``resources/`` directory: next to the packages in a checkout or install, or in
    the PyInstaller bundle's extraction directory."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    import gui

    here = Path(gui.__file__).resolve().parent
    for candidate in (here.parent / "resources", here / "resources"):
        if candidate.is_dir():
            return candidate
    return here.parent / "resources"


def icon_path(name: str) -> Path:
    return resource_root() / "icons" / f"{name}.svg"


def translations_dir() -> Path:
    return resource_root() / "i18n"


def read_qss(name: str) -> str:
    path = resource_root() / "qss" / f"{name}.qss"
    return path.read_text(encoding="utf-8") if path.exists() else ""


_CLONES: list[QIconEngine] = []


class _TintedSvgEngine(QIconEngine):
    """Renders a ``currentColor`` SVG in the application palette's colour *when painted*, so
    icons follow light/dark changes and turn light on a selected (highlighted) item."""

    def __init__(self, path: Path, fixed: QColor | None = None) -> None:
        super().__init__()
        self._path = path
        self._fixed = fixed
        self._svg = path.read_text(encoding="utf-8") if path.exists() else ""
        self._renderers: dict[str, QSvgRenderer] = {}

    def _color(self, mode: QIcon.Mode) -> QColor:
        if self._fixed is not None:
            return self._fixed
        app = QApplication.instance()
        palette = app.palette() if isinstance(app, QApplication) else QPalette()
        if mode == QIcon.Mode.Selected:
            return palette.color(QPalette.ColorRole.HighlightedText)
        if mode == QIcon.Mode.Disabled:
            return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
        return palette.color(QPalette.ColorRole.WindowText)

    def _renderer(self, color: QColor) -> QSvgRenderer:
        key = color.name(QColor.NameFormat.HexArgb)
        renderer = self._renderers.get(key)
        if renderer is None:
            renderer = QSvgRenderer(self._svg.replace("currentColor", color.name()).encode())
            self._renderers[key] = renderer
        return renderer

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        if self._svg:
            self._renderer(self._color(mode)).render(painter, QRectF(rect))

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(QColor(0, 0, 0, 0))
        painter = QPainter(pixmap)
        self.paint(painter, QRect(0, 0, size.width(), size.height()), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        copy = _TintedSvgEngine(self._path, self._fixed)
        # Qt owns the clone; keep the Python side alive so the wrapper is never collected
        # under it (a handful of objects per detached icon).
        _CLONES.append(copy)
        return copy


def icon(name: str, color: QColor | None = None) -> QIcon:
    """A line icon from ``resources/icons``, drawn in the palette's text colour at paint time
    (light and dark themes, highlighted items), crisp at every size."""
    return QIcon(_TintedSvgEngine(icon_path(name), color))


def clear_icon_cache() -> None:
    """Kept for callers; icons are re-coloured when painted, nothing is cached globally."""
