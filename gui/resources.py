"""Paths of bundled resources (icons, QSS, translations), PyInstaller-aware (STYLE §18)."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

from PySide6.QtCore import QRectF, QSize
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


def _palette() -> QPalette:
    app = QApplication.instance()
    return app.palette() if isinstance(app, QApplication) else QPalette()


@functools.cache
def _icon_cached(name: str, normal: str, selected: str, disabled: str) -> QIcon:
    result = QIcon()
    path = icon_path(name)
    if not path.exists():
        return result
    svg = path.read_text(encoding="utf-8")
    for mode, color in (
        (QIcon.Mode.Normal, normal),
        (QIcon.Mode.Active, normal),
        (QIcon.Mode.Selected, selected),
        (QIcon.Mode.Disabled, disabled),
    ):
        renderer = QSvgRenderer(svg.replace("currentColor", color).encode())
        for size in (16, 20, 24, 32, 48, 64):
            pixmap = QPixmap(QSize(size, size))
            pixmap.fill(QColor(0, 0, 0, 0))
            painter = QPainter(pixmap)
            renderer.render(painter, QRectF(0, 0, size, size))
            painter.end()
            result.addPixmap(pixmap, mode)
    return result


def icon(name: str, color: QColor | None = None) -> QIcon:
    """A line icon from ``resources/icons`` in the palette's text colour — light on selected
    items, dimmed when disabled — rendered crisp at each size. Icons made after a theme change
    use the new palette (the main window re-applies its own)."""
    palette = _palette()
    if color is not None:
        normal = selected = disabled = color.name()
    else:
        normal = palette.color(QPalette.ColorRole.WindowText).name()
        selected = palette.color(QPalette.ColorRole.HighlightedText).name()
        disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText).name()
    return _icon_cached(name, normal, selected, disabled)


def clear_icon_cache() -> None:
    _icon_cached.cache_clear()
