"""Cold-start charts (QtCharts): phase timelines of two sides, and per-run totals."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QEvent, QMargins, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from gui.format import phase_label

__all__ = ["PHASES", "RunsChart", "TimelineChart"]

PHASES: tuple[str, ...] = ("resolve", "pull", "mount", "unpack", "start", "first-invoke")
_PHASE_COLORS = {
    "resolve": "#8e9aaf",
    "pull": "#2b7bd6",
    "mount": "#7a4fd6",
    "unpack": "#c77c02",
    "start": "#1f9d55",
    "first-invoke": "#d64545",
}


def _app_palette() -> QPalette:
    app = QApplication.instance()
    return app.palette() if isinstance(app, QApplication) else QPalette()


def _style_chart(chart: QChart, palette: QPalette) -> None:
    chart.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))
    chart.setBackgroundRoundness(4)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setLabelColor(palette.color(QPalette.ColorRole.Text))
    chart.setTitleBrush(palette.color(QPalette.ColorRole.Text))
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)


#: Events after which a chart takes the colours of the theme now in effect. With the
#: application's style sheet, a theme change reaches shown widgets as PaletteChange or
#: StyleChange, not as ApplicationPaletteChange (the charts stayed white in the dark theme).
_THEME_EVENTS = (
    QEvent.Type.ApplicationPaletteChange,
    QEvent.Type.PaletteChange,
    QEvent.Type.StyleChange,
)


def _style_axis(axis: QValueAxis | QBarCategoryAxis, palette: QPalette) -> None:
    axis.setLabelsColor(palette.color(QPalette.ColorRole.Text))
    grid = QColor(palette.color(QPalette.ColorRole.Mid))
    grid.setAlpha(80)
    axis.setGridLineColor(grid)


class TimelineChart(QChartView):
    """Two horizontal stacked bars (A and B) whose segments are the cold-start phases in ms.

    `set_phase` updates one segment in place, so the bars fill in live phase by phase.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName(self.tr("Cold-start timelines"))
        self.setMinimumHeight(200)
        self._labels = [self.tr("A"), self.tr("B")]
        self._values: dict[str, list[float]] = {p: [0.0, 0.0] for p in PHASES}
        self._build()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in _THEME_EVENTS:
            self.restyle()

    def restyle(self) -> None:
        palette = _app_palette()
        _style_chart(self.chart(), palette)
        _style_axis(self.axis_x, palette)
        _style_axis(self.axis_y, palette)

    def _build(self) -> None:
        palette = _app_palette()
        chart = QChart()
        _style_chart(chart, palette)
        chart.setTitle(self.tr("Cold-start phases (ms)"))
        self.series = QHorizontalStackedBarSeries()
        self.sets: dict[str, QBarSet] = {}
        for phase in PHASES:
            bar = QBarSet(phase_label(phase))
            bar.setColor(QColor(_PHASE_COLORS[phase]))
            bar.setBorderColor(QColor(_PHASE_COLORS[phase]))
            bar.append(list(reversed(self._values[phase])))
            self.sets[phase] = bar
            self.series.append(bar)
        chart.addSeries(self.series)
        self.axis_y = QBarCategoryAxis()
        # Horizontal bars stack from the bottom: B first so that A is drawn on top.
        self.axis_y.append(list(reversed(self._labels)))
        self.axis_x = QValueAxis()
        self.axis_x.setLabelFormat("%.0f")
        self.axis_x.setRange(0, 1000)
        _style_axis(self.axis_x, palette)
        _style_axis(self.axis_y, palette)
        chart.addAxis(self.axis_y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(self.axis_x, Qt.AlignmentFlag.AlignBottom)
        self.series.attachAxis(self.axis_y)
        self.series.attachAxis(self.axis_x)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.setChart(chart)

    def set_labels(self, a: str, b: str) -> None:
        self._labels = [a, b]
        self.axis_y.clear()
        self.axis_y.append([b, a])

    def clear(self) -> None:
        for phase in PHASES:
            self._values[phase] = [0.0, 0.0]
            self.sets[phase].replace(0, 0.0)
            self.sets[phase].replace(1, 0.0)

        self.axis_x.setRange(0, 1000)

    def set_phase(self, side: int, phase: str, duration_ms: float) -> None:
        key = phase if phase in self.sets else _closest_phase(phase)
        self._values[key][side] = duration_ms
        self.sets[key].replace(1 - side, duration_ms)
        total = max(sum(v[i] for v in self._values.values()) for i in (0, 1))
        top = max(1000.0, total * 1.1)
        if top > self.axis_x.max() or top < self.axis_x.max() / 3:
            self.axis_x.setRange(0, _nice(top))

    def totals(self) -> tuple[float, float]:
        return (
            sum(v[0] for v in self._values.values()),
            sum(v[1] for v in self._values.values()),
        )

    def value(self, side: int, phase: str) -> float:
        return self._values[phase][side]


def _closest_phase(name: str) -> str:
    name = name.lower()
    if "invoke" in name:
        return "first-invoke"
    for phase in PHASES:
        if phase in name:
            return phase
    return "start"


def _nice(value: float) -> float:
    for step in (1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000):
        if value <= step:
            return float(step)
    return float(int(value / 100_000 + 1) * 100_000)


class RunsChart(QChartView):
    """Grouped bars: each run's total cold-start time, A next to B."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName(self.tr("Cold-start time per run"))
        self.setMinimumHeight(180)
        palette = _app_palette()
        chart = QChart()
        _style_chart(chart, palette)
        chart.setTitle(self.tr("Total per run (ms)"))
        self.series = QBarSeries()
        self.set_a = QBarSet(self.tr("A"))
        self.set_a.setColor(QColor("#8e9aaf"))
        self.set_b = QBarSet(self.tr("B"))
        self.set_b.setColor(QColor("#1f9d55"))
        self.series.append(self.set_a)
        self.series.append(self.set_b)
        chart.addSeries(self.series)
        self.axis_x = QBarCategoryAxis()
        self.axis_y = QValueAxis()
        self.axis_y.setLabelFormat("%.0f")
        _style_axis(self.axis_x, palette)
        _style_axis(self.axis_y, palette)
        chart.addAxis(self.axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.axis_y, Qt.AlignmentFlag.AlignLeft)
        self.series.attachAxis(self.axis_x)
        self.series.attachAxis(self.axis_y)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.setChart(chart)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in _THEME_EVENTS:
            palette = _app_palette()
            _style_chart(self.chart(), palette)
            _style_axis(self.axis_x, palette)
            _style_axis(self.axis_y, palette)

    def set_labels(self, a: str, b: str) -> None:
        self.set_a.setLabel(a)
        self.set_b.setLabel(b)

    def set_runs(self, a: Sequence[float], b: Sequence[float]) -> None:
        n = max(len(a), len(b))
        self.set_a.remove(0, self.set_a.count())
        self.set_b.remove(0, self.set_b.count())
        self.set_a.append([float(x) for x in a] + [0.0] * (n - len(a)))
        self.set_b.append([float(x) for x in b] + [0.0] * (n - len(b)))
        self.axis_x.clear()
        self.axis_x.append([str(i + 1) for i in range(n)])
        top = max([*a, *b, 1.0])
        self.axis_y.setRange(0, _nice(top * 1.1))
