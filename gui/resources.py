"""Paths of bundled resources (icons, QSS, translations), PyInstaller-aware."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

from PySide6.QtCore import QRect, QRectF, QSize
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication
from shiboken6 import Shiboken

__all__ = [
    "PaletteIconEngine",
    "clear_icon_cache",
    "icon",
    "icon_path",
    "read_qss",
    "resource_root",
    "translations_dir",
]


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
    """A style sheet from ``resources/qss``; ``@ICONS@`` in it names the icon directory
    (``url()`` paths in a style sheet are otherwise relative to the working directory)."""
    path = resource_root() / "qss" / f"{name}.qss"
    if not path.exists():
        return ""
    icons = (resource_root() / "icons").as_posix()
    return path.read_text(encoding="utf-8").replace("@ICONS@", icons)


def _palette() -> QPalette:
    app = QApplication.instance()
    return app.palette() if isinstance(app, QApplication) else QPalette()


_CLONES: list[QIconEngine] = []  # clones handed to Qt, kept alive while Qt uses them
_STANDARD_SIZES = (16, 20, 24, 32, 48, 64)


class PaletteIconEngine(QIconEngine):
    """Draws an SVG line icon whose ``currentColor`` is taken from the application palette
    when it is painted — the text colour, light on selected items, dimmed when disabled — or
    from a fixed colour. A theme change therefore re-colours every icon already on screen at
    its next repaint (Qt repaints all widgets on a palette change). Renders are cached per
    device-pixel size and colour, so each is crisp on high-DPI screens."""

    def __init__(self, name: str, svg: str, color: str | None) -> None:
        super().__init__()
        self._name = name
        self._svg = svg
        self._fixed = color
        self._renderers: dict[str, QSvgRenderer] = {}
        self._pixmaps: dict[tuple[int, int, str], QPixmap] = {}

    def _color(self, mode: QIcon.Mode) -> str:
        if self._fixed is not None:
            return self._fixed
        palette = _palette()
        if mode == QIcon.Mode.Selected:
            return palette.color(QPalette.ColorRole.HighlightedText).name()
        if mode == QIcon.Mode.Disabled:
            group = QPalette.ColorGroup.Disabled
            return palette.color(group, QPalette.ColorRole.WindowText).name()
        return palette.color(QPalette.ColorRole.WindowText).name()

    def _render(self, width: int, height: int, color: str) -> QPixmap:
        key = (width, height, color)
        pixmap = self._pixmaps.get(key)
        if pixmap is not None:
            return pixmap
        if len(self._pixmaps) >= 64:  # old palettes' renders
            self._pixmaps.clear()
        renderer = self._renderers.get(color)
        if renderer is None:
            renderer = QSvgRenderer(self._svg.replace("currentColor", color).encode())
            self._renderers[color] = renderer
        pixmap = QPixmap(QSize(max(1, width), max(1, height)))
        pixmap.fill(QColor(0, 0, 0, 0))
        painter = QPainter(pixmap)
        renderer.render(painter, QRectF(0, 0, width, height))
        painter.end()
        self._pixmaps[key] = pixmap
        return pixmap

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return QPixmap(self._render(size.width(), size.height(), self._color(mode)))

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        width, height = round(size.width() * scale), round(size.height() * scale)
        pixmap = QPixmap(self._render(width, height, self._color(mode)))
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        device = painter.device()
        scale = device.devicePixelRatio() if device is not None else 1.0
        width, height = round(rect.width() * scale), round(rect.height() * scale)
        painter.drawPixmap(rect, self._render(width, height, self._color(mode)))

    def availableSizes(
        self, mode: QIcon.Mode = QIcon.Mode.Normal, state: QIcon.State = QIcon.State.Off
    ) -> list[QSize]:
        return [QSize(n, n) for n in _STANDARD_SIZES]

    def iconName(self) -> str:
        return self._name

    def key(self) -> str:
        return "fcdesk-palette-svg"

    def clone(self) -> QIconEngine:
        # Qt owns clones (it clones when a shared icon is modified); the Python side must
        # keep them alive until Qt deletes them, which invalidates the wrapper.
        _CLONES[:] = [engine for engine in _CLONES if Shiboken.isValid(engine)]
        engine = PaletteIconEngine(self._name, self._svg, self._fixed)
        _CLONES.append(engine)
        return engine


@functools.cache
def _icon_cached(name: str, color: str | None) -> QIcon:
    path = icon_path(name)
    if not path.exists():
        return QIcon()
    return QIcon(PaletteIconEngine(name, path.read_text(encoding="utf-8"), color))


def icon(name: str, color: QColor | None = None) -> QIcon:
    """A line icon from ``resources/icons`` drawn in the palette's text colour at paint time
    — light on selected items, dimmed when disabled — or in ``color``; rendered crisp at
    each size. Icons follow theme changes live (see `PaletteIconEngine`)."""
    return _icon_cached(name, color.name() if color is not None else None)


def clear_icon_cache() -> None:
    """Forget the cached icons and their renders (icons on screen keep following the
    palette; this only releases memory)."""
    _icon_cached.cache_clear()
