"""Demo mode's phase legend is in the user's language.

Before, the lanes showed translated phase names but the legend under the axis drew the
raw names (resolve, pull, unpack, mount, start, first-invoke) in Japanese and Chinese too.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSize, QTranslator
from PySide6.QtGui import QPainter

from gui.backend import LabPhase
from gui.viewmodels.race import LaneView, nice_scale
from gui.widgets.race_chart import RaceChart


class _Upper(QTranslator):
    def translate(self, context, source, disambiguation=None, n=-1):
        return f"<{source}>" if context == "Phase" else None


def test_legend_uses_translated_phase_names(qtbot, monkeypatch) -> None:
    drawn: list[str] = []
    real = QPainter.drawText

    def recording(self, *args):
        texts = [a for a in args if isinstance(a, str)]
        drawn.extend(texts)
        return real(self, *args)

    monkeypatch.setattr(QPainter, "drawText", recording)
    chart = RaceChart()
    qtbot.addWidget(chart)
    chart.set_lanes(
        (LaneView("Plain", "a", (LabPhase("pull", 0, 3000),), elapsed_ms=3000, done=True),),
        nice_scale(3000),
    )
    tr = _Upper()
    QCoreApplication.installTranslator(tr)
    try:
        chart.render_image(QSize(900, 300))
    finally:
        QCoreApplication.removeTranslator(tr)
    for name in ("resolve", "unpack", "mount", "first-invoke"):
        assert f"<{name}>" in drawn
        assert name not in drawn
