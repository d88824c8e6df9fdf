"""Demo mode: the cold-start lab as a presentation — full screen, large type, the two
timelines racing side by side, the final ratio and bytes fetched shown big.

Keyboard only:

=========  =====================================================================
Space/⏎    start (replay the loaded comparison, else run the demo functions live)
N          next run (of the loaded comparison, or another live run)
R          reset
L          load the lab's newest comparison for replay
O          open a saved comparison (the lab's JSON)
U          unload it (back to live runs)
S          live runs: both at once (a race, each over its own link) or one after the other
E          export the stage as PNG
X          export the race as PNG frames plus an animated PNG
F          full screen on/off
Esc        leave full screen, then leave demo mode
=========  =====================================================================
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QFont,
    QKeyEvent,
    QPalette,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QFileDialog, QLabel, QVBoxLayout, QWidget

from core.errors import CoreError
from gui.format import format_bytes, link_profile_label
from gui.i18n import arg
from gui.viewmodels.demo_vm import DemoMode, DemoViewModel, RaceState, load_comparison
from gui.viewmodels.race import STAGE_COLORS
from gui.widgets.race_chart import RaceChart
from gui.widgets.race_export import encode_png, write_apng, write_frames

__all__ = ["DemoStage", "DemoView", "export_folder", "export_race"]

_KEYS = {
    Qt.Key.Key_Space: "start",
    Qt.Key.Key_Return: "start",
    Qt.Key.Key_Enter: "start",
    Qt.Key.Key_N: "next",
    Qt.Key.Key_R: "reset",
    Qt.Key.Key_L: "latest",
    Qt.Key.Key_O: "open",
    Qt.Key.Key_U: "unload",
    Qt.Key.Key_S: "order",
    Qt.Key.Key_E: "png",
    Qt.Key.Key_X: "frames",
    Qt.Key.Key_F: "fullscreen",
    Qt.Key.Key_F11: "fullscreen",
    Qt.Key.Key_Escape: "escape",
}


class DemoStage(QWidget):
    """The presentation itself; draws `RaceState` snapshots. Keys become `action` signals."""

    action = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("demoStage")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(self.tr("Cold-start demo"))
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(STAGE_COLORS["background"]))
        palette.setColor(QPalette.ColorRole.WindowText, QColor(STAGE_COLORS["text"]))
        self.setPalette(palette)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 28, 36, 20)
        layout.setSpacing(8)
        self.title = self._label("demoTitle", STAGE_COLORS["text"], bold=True)
        self.title.setText(self.tr("Cold start: plain image vs accelerated image"))
        self.subtitle = self._label("demoSubtitle", STAGE_COLORS["muted"])
        self.chart = RaceChart()
        self.ratio = self._label("demoRatio", STAGE_COLORS["accent_b"], bold=True)
        self.ratio.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bytes = self._label("demoBytes", STAGE_COLORS["text"])
        self.bytes.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = self._label("demoMessage", STAGE_COLORS["accent_a"])
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.keys = self._label("demoKeys", STAGE_COLORS["muted"])
        self.keys.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.keys.setText(
            self.tr(
                "Space start · S race or one after the other · N next run · R reset · "
                "L last lab comparison · O open… · E PNG · X frames · F full screen · Esc leave"
            )
        )
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.ratio)
        layout.addWidget(self.bytes)
        layout.addWidget(self.message)
        layout.addWidget(self.keys)
        self._ratio_share = 0.09
        self._scale_fonts()

    def _label(self, name: str, color: str, *, bold: bool = False) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setStyleSheet(f"color: {color}; background: transparent;")
        font = QFont(label.font())
        font.setBold(bold)
        label.setFont(font)
        return label

    def _scale_fonts(self) -> None:
        h = max(300, self.height())
        for label, share in (
            (self.title, 0.045),
            (self.subtitle, 0.024),
            (self.ratio, self._ratio_share),
            (self.bytes, 0.034),
            (self.message, 0.03),
            (self.keys, 0.019),
        ):
            font = label.font()
            font.setPixelSize(max(11, int(h * share)))
            label.setFont(font)
        chart_font = self.chart.font()
        chart_font.setPixelSize(max(11, int(h * 0.02)))
        self.chart.setFont(chart_font)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._scale_fonts()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        name = _KEYS.get(Qt.Key(event.key()))
        if name is None or event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        ):
            super().keyPressEvent(event)
            return
        event.accept()
        self.action.emit(name)

    def show_state(self, state: RaceState) -> None:
        self.chart.set_lanes(state.lanes, state.scale_ms)
        if self._ratio_share != 0.09:
            self._ratio_share = 0.09
            self._scale_fonts()
        link = link_profile_label(state.link)
        order = (
            self.tr("both at once, each over its own link")
            if state.together
            else self.tr("one after the other")
        )
        if state.source == "replay":
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(state.created or 0))
            sub = self.tr("Replay of the comparison of %1 · run %2 of %3 · link %4 · %5")
            sub = arg(sub, when, str(state.run_index + 1), str(max(1, state.runs)), link, order)
        elif state.source == "live":
            sub = arg(self.tr("Live on the Local server · link %1 · %2"), link, order)
        else:
            sub = arg(
                self.tr(
                    "Space: race the demo functions live (%1; S changes it) · "
                    "L: replay the lab's last comparison"
                ),
                order,
            )
        self.subtitle.setText(sub)
        if state.ratio and state.ratio >= 1:
            self.ratio.setStyleSheet(f"color: {STAGE_COLORS['accent_b']}; background: transparent;")
            self.ratio.setText(arg(self.tr("%1× faster"), f"{state.ratio:.1f}"))
        elif state.ratio:
            self.ratio.setStyleSheet(f"color: {STAGE_COLORS['accent_a']}; background: transparent;")
            self.ratio.setText(arg(self.tr("%1× slower"), f"{1 / state.ratio:.1f}"))
        else:
            done = [lane for lane in state.lanes if lane.done and lane.phases]
            if len(done) == 1 and not state.finished:
                lane = done[0]
                self._ratio_share = 0.05
                self._scale_fonts()
                self.ratio.setStyleSheet(f"color: {lane.accent}; background: transparent;")
                self.ratio.setText(
                    arg(
                        self.tr("%1: answered after %2 s"),
                        lane.label,
                        f"{lane.elapsed_ms / 1000:.1f}",
                    )
                )
            else:
                self.ratio.setText("")
        a, b = state.bytes_fetched
        if state.finished and (a or b):
            text = arg(self.tr("Bytes fetched: %1 vs %2"), format_bytes(a), format_bytes(b))
            size = state.image_size[1] or state.image_size[0]
            if size and b:
                text += arg(self.tr(" — %1 % of the image"), f"{b / size * 100:.0f}")
            if state.p50_ratio and state.runs > 1:
                text += arg(
                    self.tr(" · p50 over %1 runs: %2×"), str(state.runs), f"{state.p50_ratio:.1f}"
                )
            self.bytes.setText(text)
        else:
            self.bytes.setText("")
        self.message.setText(state.message)
        self.message.setVisible(bool(state.message))
        self.setAccessibleDescription(
            " ".join(x for x in (sub, self.ratio.text(), self.bytes.text()) if x)
        )


def export_folder() -> Path:
    """Where exports are offered first: the user's pictures folder when there is one."""
    from PySide6.QtCore import QStandardPaths

    pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    return Path(pictures) if pictures and Path(pictures).is_dir() else Path.home()


def export_race(
    vm: DemoViewModel, directory: Path, *, fps: int = 15, size: QSize | None = None
) -> list[Path]:
    """The current race as ``frame_NNNN.png`` frames at ``fps`` (of race time), an animated
    ``race.png`` (APNG, looping, the last frame held for 2 s) and ``final.png``.

    Raises `ValueError` when there is no race to export.
    """
    if not vm.prepare_run():
        raise ValueError("no comparison to export: run or load one first")
    size = size or QSize(1280, 720)
    stage = DemoStage()
    stage.keys.setVisible(False)  # frames for an audience: no keyboard hints
    stage.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    stage.resize(size)
    stage.show()
    try:
        length = vm.replay_length_ms()
        step = 1000.0 / max(1, fps)
        count = min(600, int(length / step) + 1)
        step = length / max(1, count - 1) if count > 1 else step
        frames = []
        # Fonts follow the stage's size and the race's state: lay the labels out for the
        # new fonts before each grab (the layout request would only be handled later), or
        # titles and figures come out cut off.
        layout = stage.layout()
        assert layout is not None
        for i in range(count):
            stage.show_state(vm.state_at(i * step))
            layout.activate()
            frames.append(encode_png(stage.grab().toImage()))
        stage.show_state(vm.state_at(length + 1))
        layout.activate()
        final = encode_png(stage.grab().toImage())
        frames.append(final)
        paths = write_frames(directory, frames)
        delays = [round(step)] * (len(frames) - 1) + [2000]
        write_apng(directory / "race.png", frames, delays)
        (directory / "final.png").write_bytes(final)
        return [*paths, directory / "race.png", directory / "final.png"]
    finally:
        stage.close()  # Python owns the stage: it is deleted when this returns


class _FullScreenWindow(QWidget):
    closing = Signal()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        super().closeEvent(event)


class DemoView(QWidget):
    crumbsChanged = Signal(list)
    leaveRequested = Signal()
    exported = Signal(object)  # list[Path]

    def __init__(self, vm: DemoViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setObjectName("demoView")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.stage = DemoStage()
        self._layout.addWidget(self.stage)
        self.full_screen: _FullScreenWindow | None = None
        self._retired_window: _FullScreenWindow | None = None
        self._last_folder: Path | None = None  # where the last export or file was chosen
        self.stage.action.connect(self.handle)
        vm.stateChanged.connect(self.stage.show_state)
        self.stage.show_state(vm.state())
        self.setFocusProxy(self.stage)

    def crumbs(self) -> list[str]:
        return [self.tr("Demo mode")]

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.stage.setFocus()

    # -- actions --------------------------------------------------------------------------------
    def handle(self, action: str) -> None:
        if action == "start":
            self.vm.start()
        elif action == "next":
            self.vm.next_run()
        elif action == "reset":
            self.vm.reset()
        elif action == "latest":
            self.vm.load_latest()
        elif action == "unload":
            self.vm.unload()
        elif action == "order":
            self.vm.set_together(not self.vm.together)
        elif action == "open":
            self._choose(self.tr("Open a saved comparison"), "JSON (*.json)", self.open_file)
        elif action == "png":
            self._choose(
                self.tr("Export PNG"),
                "PNG (*.png)",
                self.export_png,
                save=True,
                name=time.strftime("cold-start-demo-%Y%m%d-%H%M%S.png"),
            )
        elif action == "frames":
            self._choose_directory()
        elif action == "fullscreen":
            self.toggle_full_screen()
        elif action == "escape":
            if self.full_screen is not None:
                self.leave_full_screen()
            else:
                if self.vm.mode == DemoMode.LIVE:
                    self.vm.reset()
                self.leaveRequested.emit()

    def open_file(self, path: Path) -> None:
        try:
            self.vm.load(load_comparison(path))
        except CoreError as exc:
            self.vm.ctx.presenter.show(exc)

    def export_png(self, path: Path) -> None:
        # The picture is the stage as the audience sees it, without the keyboard hints.
        self.stage.keys.setVisible(False)
        try:
            picture = self.stage.grab()
        finally:
            self.stage.keys.setVisible(True)
        if not picture.save(str(path), "PNG"):
            self.vm.ctx.notify(self.tr("Export failed"), str(path), "bad")
            return
        self.exported.emit([path])
        self.vm.ctx.notify(self.tr("Exported"), str(path), "ok")

    def export_frames(self, directory: Path) -> list[Path]:
        try:
            paths = export_race(self.vm, directory)
        except (ValueError, OSError) as exc:
            self.vm.ctx.notify(self.tr("Export failed"), str(exc), "bad")
            return []
        self.exported.emit(paths)
        self.vm.ctx.notify(
            self.tr("Exported"),
            arg(
                self.tr("%1 frames and an animated PNG in %2"), str(len(paths) - 2), str(directory)
            ),
            "ok",
        )
        return paths

    def _choose(
        self,
        title: str,
        pattern: str,
        then: Callable[[Path], None],
        *,
        save: bool = False,
        name: str = "",
    ) -> None:
        folder = self._last_folder or (export_folder() if save else Path.home())
        dialog = QFileDialog(self.stage.window(), title, str(folder), pattern)
        dialog.setAcceptMode(
            QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen
        )
        if save:
            dialog.setDefaultSuffix("png")
        if name:
            dialog.selectFile(str(folder / name))
        dialog.fileSelected.connect(lambda p: self._remember_folder(Path(p).parent))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda p: then(Path(p)))
        dialog.open()

    def _remember_folder(self, folder: Path) -> None:
        self._last_folder = folder

    def _choose_directory(self) -> None:
        folder = self._last_folder or export_folder()
        dialog = QFileDialog(self.stage.window(), self.tr("Export frames into"), str(folder))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda p: self.export_frames(Path(p)))
        dialog.open()

    # -- full screen ----------------------------------------------------------------------------
    def toggle_full_screen(self) -> None:
        if self.full_screen is None:
            self.enter_full_screen()
        else:
            self.leave_full_screen()

    def enter_full_screen(self) -> None:
        if self.full_screen is not None:
            return
        window = _FullScreenWindow(None, Qt.WindowType.Window)
        window.setObjectName("demoFullScreen")
        window.setWindowTitle(self.tr("fcdesk — demo"))
        layout = QVBoxLayout(window)
        layout.setContentsMargins(0, 0, 0, 0)
        self._layout.removeWidget(self.stage)
        layout.addWidget(self.stage)
        window.closing.connect(self._on_full_screen_closing)
        self.full_screen = window
        window.showFullScreen()
        window.activateWindow()
        self.stage.setFocus()

    def _on_full_screen_closing(self) -> None:
        if self.full_screen is not None:
            self._take_stage_back()

    def _take_stage_back(self) -> None:
        window = self.full_screen
        self.full_screen = None
        self._layout.addWidget(self.stage)
        self.stage.show()
        self.stage.setFocus()
        if window is not None:
            window.hide()
            # Often called from inside one of the window's own events (the Esc key): keep
            # the wrapper alive until Qt deletes the window after the event.
            self._retired_window = window
            window.deleteLater()

    def leave_full_screen(self) -> None:
        if self.full_screen is not None:
            self._take_stage_back()
