"""A combo box's pop-up shows its current item readable in both themes (in the light theme
it was an empty white box: its text in white)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QComboBox

from gui.theme import apply_theme


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_current_item_is_highlighted_and_readable(qtbot, qapp: QApplication, theme) -> None:
    apply_theme(qapp, theme)
    try:
        combo = QComboBox()
        qtbot.addWidget(combo)
        combo.addItems(["Unshaped", "Data center", "Broadband (100mbit, 20ms)", "Slow"])
        combo.setCurrentIndex(2)
        combo.show()
        combo.showPopup()
        view = combo.view()
        qtbot.waitUntil(lambda: view.isVisible(), timeout=3000)
        rect = view.visualRect(combo.model().index(2, 0))
        image = view.viewport().grab(rect).toImage()
        counts: dict[str, int] = {}
        for x in range(image.width()):
            for y in range(image.height()):
                name = image.pixelColor(x, y).name()
                counts[name] = counts.get(name, 0) + 1
        background = max(counts, key=counts.__getitem__)
        highlight = qapp.palette().color(QPalette.ColorRole.Highlight)
        assert QColor(background) == highlight  # the current item is highlighted …
        text = qapp.palette().color(QPalette.ColorRole.HighlightedText)
        near_text = sum(
            n for name, n in counts.items() if _close(QColor(name), text) and name != background
        )
        assert near_text > 20  # … and its text is drawn on it
        combo.hidePopup()
    finally:
        apply_theme(qapp, "light")


def _close(a: QColor, b: QColor) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < 90
