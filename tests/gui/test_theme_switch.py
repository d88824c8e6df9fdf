"""Switching the theme while the console runs repaints what was already on screen: the lab's
charts follow the dark theme at once (they stayed white until a restart)."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from gui.theme import apply_theme
from gui.widgets.timeline_chart import RunsChart, TimelineChart


def test_shown_charts_follow_a_theme_change(qtbot, qapp: QApplication) -> None:
    apply_theme(qapp, "light")
    timeline = TimelineChart()
    charts: list[TimelineChart | RunsChart] = [timeline, RunsChart()]
    for chart in charts:
        qtbot.addWidget(chart)
        chart.show()
        qtbot.waitExposed(chart)
    try:
        base = qapp.palette().color(QPalette.ColorRole.Base)
        assert all(c.chart().backgroundBrush().color() == base for c in charts)
        apply_theme(qapp, "dark")
        dark = qapp.palette().color(QPalette.ColorRole.Base)
        assert dark != base
        qtbot.waitUntil(
            lambda: all(c.chart().backgroundBrush().color() == dark for c in charts),
            timeout=3000,
        )
        text = qapp.palette().color(QPalette.ColorRole.Text)
        assert timeline.axis_x.labelsColor() == text
    finally:
        apply_theme(qapp, "light")
