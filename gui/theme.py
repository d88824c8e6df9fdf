"""Light and dark themes: follow the system's colour scheme, or force one (Settings)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QStyledItemDelegate

from gui.resources import clear_icon_cache, read_qss

__all__ = ["apply_theme", "dark_palette", "light_palette", "system_prefers_dark"]


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def dark_palette() -> QPalette:
    p = QPalette()
    window, base, text = QColor("#1f2227"), QColor("#17191d"), QColor("#e6e8eb")
    p.setColor(QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorRole.AlternateBase, QColor("#1c1f23"))
    p.setColor(QPalette.ColorRole.ToolTipBase, QColor("#2b2f36"))
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor("#8b929c"))
    p.setColor(QPalette.ColorRole.Button, QColor("#2a2e35"))
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.BrightText, QColor("#ff6b6b"))
    p.setColor(QPalette.ColorRole.Highlight, QColor("#3d7fd9"))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.Link, QColor("#6aa7ff"))
    p.setColor(QPalette.ColorRole.Mid, QColor("#4d535d"))  # borders visible on Base
    p.setColor(QPalette.ColorRole.Midlight, QColor("#30343b"))
    p.setColor(QPalette.ColorRole.Dark, QColor("#121417"))
    p.setColor(QPalette.ColorRole.Shadow, QColor("#000000"))
    disabled = QColor("#6b717a")
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


def light_palette() -> QPalette:
    p = QPalette()
    text = QColor("#1d2129")
    p.setColor(QPalette.ColorRole.Window, QColor("#f4f5f7"))
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.AlternateBase, QColor("#f7f8fa"))
    p.setColor(QPalette.ColorRole.ToolTipBase, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor("#8a919c"))
    p.setColor(QPalette.ColorRole.Button, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.BrightText, QColor("#d64545"))
    p.setColor(QPalette.ColorRole.Highlight, QColor("#1f6fd1"))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.Link, QColor("#1f6fd1"))
    p.setColor(QPalette.ColorRole.Mid, QColor("#c9ced6"))
    p.setColor(QPalette.ColorRole.Midlight, QColor("#e3e6eb"))
    p.setColor(QPalette.ColorRole.Dark, QColor("#a0a6b0"))
    disabled = QColor("#a3a9b2")
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


class _ComboPopups(QObject):
    """Gives every combo box a styled item delegate as it is polished. Under the style sheet,
    the pop-up's own delegate drew the current item as an empty frame (its text in the
    highlighted-text colour on the plain base: invisible in the light theme); the styled
    delegate follows the ``QComboBox QAbstractItemView::item`` rules of the style sheet."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Polish
            and isinstance(watched, QComboBox)
            and not isinstance(watched.itemDelegate(), QStyledItemDelegate)
        ):
            watched.setItemDelegate(QStyledItemDelegate(watched))
        return False


_combo_popups: _ComboPopups | None = None


def apply_theme(app: QApplication, theme: str = "system") -> str:
    """Apply ``system``, ``light`` or ``dark``; returns the scheme in effect."""
    global _combo_popups
    if _combo_popups is None:
        _combo_popups = _ComboPopups(app)
        app.installEventFilter(_combo_popups)
    dark = system_prefers_dark() if theme == "system" else theme == "dark"
    app.setStyle("Fusion")
    app.setPalette(dark_palette() if dark else light_palette())
    qss = read_qss("app")
    app.setStyleSheet(qss)
    clear_icon_cache()
    return "dark" if dark else "light"
