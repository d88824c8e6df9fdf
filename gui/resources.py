"""Paths of bundled resources (icons, QSS, translations), PyInstaller-aware (STYLE §18)."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
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


def _tinted_svg(name: str, color: QColor) -> bytes:
    data = icon_path(name).read_text(encoding="utf-8")
    return data.replace("currentColor", color.name()).encode()


@functools.cache
def _icon_cached(name: str, color_name: str) -> QIcon:
    result = QIcon()
    path = icon_path(name)
    if not path.exists():
        return result
    svg = _tinted_svg(name, QColor(color_name))
    renderer = QSvgRenderer(svg)
    for size in (16, 20, 24, 32, 48, 64):
        pixmap = QPixmap(QSize(size, size))
        pixmap.fill(QColor(0, 0, 0, 0))
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        result.addPixmap(pixmap)
    return result


def icon(name: str, color: QColor | None = None) -> QIcon:
    """A line icon from ``resources/icons`` drawn in the palette's text colour (so it follows
    light and dark themes), rendered crisp at each size."""
    if color is None:
        app = QApplication.instance()
        palette = app.palette() if isinstance(app, QApplication) else QPalette()
        color = palette.color(QPalette.ColorRole.WindowText)
    return _icon_cached(name, color.name())


def clear_icon_cache() -> None:
    _icon_cached.cache_clear()
