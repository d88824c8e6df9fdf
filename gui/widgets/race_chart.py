"""`RaceChart`: two cold-start timelines racing side by side, drawn large for a presentation.

Each lane is a track whose phase segments (resolve, pull, mount/unpack, start, first-invoke)
fill in up to the lane's elapsed time, with a runner line while it runs and the elapsed time
in big type at the end. The chart paints from a `RaceState` snapshot only, so the same state
can be drawn on screen, into a PNG, or as one frame of an animation.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui.format import phase_label
from gui.viewmodels.race import STAGE_COLORS, LaneView, tick_step

__all__ = [
    "PHASE_COLORS",
    "RaceChart",
    "phase_color",
]

PHASE_COLORS: dict[str, str] = {
    "resolve": "#8e9aaf",
    "pull": "#3d8bfd",
    "mount": "#9b6cff",
    "unpack": "#f0a020",
    "start": "#2fbf71",
    "first-invoke": "#ff5c5c",
}


def phase_color(name: str) -> QColor:
    key = name.lower()
    if key not in PHASE_COLORS:
        key = next((p for p in PHASE_COLORS if p in key), "start")
    return QColor(PHASE_COLORS[key])


def _seconds(ms: float) -> str:
    return f"{ms / 1000:.2f} s" if ms < 10_000 else f"{ms / 1000:.1f} s"


class RaceChart(QWidget):
    """Draws two `LaneView` s on a time axis of ``scale_ms``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("raceChart")
        self.setAccessibleName(self.tr("Cold-start race"))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(QSize(480, 220))
        self.lanes: tuple[LaneView, ...] = ()
        self.scale_ms = 1000.0

    def set_lanes(self, lanes: Sequence[LaneView], scale_ms: float) -> None:
        self.lanes = tuple(lanes)
        self.scale_ms = max(1.0, scale_ms)
        parts = [f"{lane.label}: {_seconds(lane.elapsed_ms)}" for lane in self.lanes]
        self.setAccessibleDescription("; ".join(parts))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self.paint(painter, QRectF(self.rect()))
        finally:
            painter.end()

    def render_image(self, size: QSize) -> QImage:
        image = QImage(size, QImage.Format.Format_RGB32)
        image.fill(QColor(STAGE_COLORS["background"]))
        painter = QPainter(image)
        try:
            self.paint(painter, QRectF(0, 0, size.width(), size.height()))
        finally:
            painter.end()
        return image

    # -- painting ----------------------------------------------------------------------------

    def paint(self, painter: QPainter, rect: QRectF) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(rect, QColor(STAGE_COLORS["background"]))
        if not self.lanes:
            return
        w, h = rect.width(), rect.height()
        margin = max(12.0, w * 0.02)
        legend_h = max(24.0, h * 0.09)
        axis_h = max(22.0, h * 0.08)
        lanes_h = h - legend_h - axis_h - 2 * margin
        lane_h = lanes_h / len(self.lanes)
        left = rect.left() + margin
        width = max(10.0, w - 2 * margin)
        scale = self.scale_ms

        def x_of(ms: float) -> float:
            return left + width * min(1.0, max(0.0, ms / scale))

        def font(share: float, cap: float, *, bold: bool = False) -> QFont:
            f = QFont(self.font())
            f.setBold(bold)
            f.setPixelSize(max(11, int(min(lane_h * share, w * cap))))
            return f

        big = font(0.2, 0.03, bold=True)
        small = font(0.1, 0.014)
        seg_font = font(0.1, 0.013)
        for i, lane in enumerate(self.lanes):
            top = rect.top() + margin + i * lane_h
            head = QRectF(left, top, width, lane_h * 0.3)
            track = QRectF(left, head.bottom() + lane_h * 0.04, width, lane_h * 0.36)
            # label, target and the lane's clock
            painter.setFont(big)
            fm = QFontMetricsF(big)
            painter.setPen(QColor(lane.accent) if lane.done else QColor(STAGE_COLORS["text"]))
            clock = _seconds(lane.elapsed_ms) + ("  ✓" if lane.done else "")
            clock_w = fm.horizontalAdvance(clock) + 4
            painter.drawText(
                head, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom, clock
            )
            painter.setPen(QColor(lane.accent))
            label_w = min(fm.horizontalAdvance(lane.label) + 4, head.width() - clock_w - 20)
            painter.drawText(
                QRectF(head.left(), head.top(), label_w, head.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
                fm.elidedText(lane.label, Qt.TextElideMode.ElideRight, label_w),
            )
            painter.setFont(small)
            painter.setPen(QColor(STAGE_COLORS["muted"]))
            target_rect = QRectF(
                head.left() + label_w + 16,
                head.top(),
                max(0.0, head.width() - label_w - clock_w - 32),
                head.height() - fm.descent(),
            )
            painter.drawText(
                target_rect,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
                QFontMetricsF(small).elidedText(
                    lane.target, Qt.TextElideMode.ElideMiddle, target_rect.width()
                ),
            )
            # track and segments
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(STAGE_COLORS["track"]))
            painter.drawRoundedRect(track, 6, 6)
            painter.save()
            painter.setClipRect(track)
            last_end = 0.0
            for phase in lane.phases:
                if phase.start_ms >= lane.elapsed_ms:
                    continue
                end = min(phase.start_ms + phase.duration_ms, lane.elapsed_ms)
                seg = QRectF(x_of(phase.start_ms), track.top(), 0, track.height())
                seg.setRight(max(seg.left() + 1.5, x_of(end)))
                painter.setBrush(phase_color(phase.name))
                painter.setPen(Qt.PenStyle.NoPen)
                painter.drawRect(seg)
                last_end = max(last_end, end)
                painter.setFont(seg_font)
                label = phase_label(phase.name)
                if seg.width() > QFontMetricsF(seg_font).horizontalAdvance(label) + 10:
                    painter.setPen(QColor("#0b0f14"))
                    painter.drawText(seg, Qt.AlignmentFlag.AlignCenter, label)
            if lane.running and lane.elapsed_ms > last_end:
                pending = QRectF(x_of(last_end), track.top(), 0, track.height())
                pending.setRight(x_of(lane.elapsed_ms))
                color = QColor(STAGE_COLORS["muted"])
                color.setAlpha(110)
                painter.setBrush(color)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.drawRect(pending)
            painter.restore()
            if lane.running:
                painter.setPen(QPen(QColor(STAGE_COLORS["runner"]), 3))
                x = x_of(lane.elapsed_ms)
                painter.drawLine(int(x), int(track.top() - 5), int(x), int(track.bottom() + 5))
            if lane.caption:
                painter.setFont(small)
                painter.setPen(QColor(STAGE_COLORS["muted"]))
                cap = QRectF(track.left(), track.bottom() + 3, track.width(), lane_h * 0.2)
                painter.drawText(
                    cap, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, lane.caption
                )
        # axis
        axis_top = rect.top() + margin + lanes_h
        painter.setPen(QPen(QColor(STAGE_COLORS["muted"]), 1))
        painter.drawLine(int(left), int(axis_top), int(left + width), int(axis_top))
        painter.setFont(small)
        step = tick_step(scale)
        ticks = round(scale / step)
        for k in range(ticks + 1):
            ms = step * k
            x = x_of(ms)
            painter.drawLine(int(x), int(axis_top), int(x), int(axis_top + 6))
            align = Qt.AlignmentFlag.AlignHCenter
            box = QRectF(x - 50, axis_top + 6, 100, axis_h - 6)
            if k == 0:
                align, box = Qt.AlignmentFlag.AlignLeft, QRectF(x, axis_top + 6, 100, axis_h - 6)
            elif k == ticks:
                align = Qt.AlignmentFlag.AlignRight
                box = QRectF(x - 100, axis_top + 6, 100, axis_h - 6)
            painter.drawText(box, align | Qt.AlignmentFlag.AlignTop, f"{ms / 1000:g} s")
        # legend
        legend_top = axis_top + axis_h
        x = left
        for name in ("resolve", "pull", "unpack", "mount", "start", "first-invoke"):
            sw = QRectF(x, legend_top + legend_h * 0.3, legend_h * 0.4, legend_h * 0.4)
            painter.setBrush(phase_color(name))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(sw, 3, 3)
            painter.setPen(QColor(STAGE_COLORS["muted"]))
            label = phase_label(name)
            text_w = QFontMetricsF(small).horizontalAdvance(label)
            painter.drawText(
                QRectF(sw.right() + 6, legend_top, text_w + 4, legend_h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                label,
            )
            x = sw.right() + 6 + text_w + 24
