"""How the console shows the Local server's demo seeding (`gui.viewmodels.seed_vm`):

* `SeedStatusIndicator` — compact, in the status bar: a line and a small progress bar while
  the demo is prepared, a warning when it failed; clicking it opens the page with the banner;
* `SeedBanner` — on a page (Overview): the step, a progress bar and what it means; a failure
  with its reason and a dismiss button;
* `SeedLabNote` — in the Cold-start lab, while the demo functions still run the small image
  and the user compares them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.resources import icon
from gui.viewmodels.seed_vm import SeedState, SeedViewModel, demo_names
from gui.widgets.badge import badge_colors

__all__ = ["SeedBanner", "SeedLabNote", "SeedStatusIndicator"]

_PROGRESS_STEPS = 1000


def _kind(state: SeedState) -> str:
    return "bad" if state.state == "failed" else "busy"


def _set_progress(bar: QProgressBar, state: SeedState) -> None:
    if state.total:
        bar.setRange(0, _PROGRESS_STEPS)
        bar.setValue(round(state.fraction * _PROGRESS_STEPS))
    else:
        bar.setRange(0, 0)  # busy until the first step is known


class SeedStatusIndicator(QWidget):
    """The status bar's line for the seeding; hidden when there is nothing to show."""

    activated = Signal()

    def __init__(self, vm: SeedViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setObjectName("seedStatus")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.setSpacing(6)
        self.label = QLabel()
        self.label.setObjectName("seedStatusLabel")
        layout.addWidget(self.label)
        self.bar = QProgressBar()
        self.bar.setObjectName("seedStatusBar")
        self.bar.setTextVisible(False)
        self.bar.setFixedSize(90, 10)
        self.bar.setAccessibleName(self.tr("Demo preparation progress"))
        layout.addWidget(self.bar)
        layout.addStretch(1)
        vm.changed.connect(self._update)
        self._update(vm.state)

    def _update(self, state: SeedState) -> None:
        self.setVisible(self.vm.visible)
        if not self.vm.visible:
            return
        _bg, fg = badge_colors(_kind(state), self.palette())
        if state.running:
            short = self.tr("Preparing the realistic demo") if state.in_realistic_stage else None
            text = short or self.tr("Seeding the demo")
            if state.total:
                text += f" {state.step_number}/{state.total}"
            self.bar.setVisible(True)
            _set_progress(self.bar, state)
        else:
            text = state.notification_title()
            self.bar.setVisible(False)
        self.label.setText(f'<span style="color:{fg.name()}">●</span> {text}')
        tip = state.summary() + "\n" + state.explanation()
        self.setToolTip(tip.strip())
        self.setAccessibleName(state.summary())
        self.setAccessibleDescription(state.explanation())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.activated.emit()
        super().mouseReleaseEvent(event)


class SeedBanner(QFrame):
    """A page's banner for the seeding; hidden when there is nothing to show."""

    def __init__(self, vm: SeedViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setObjectName("seedBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 6, 8)
        layout.setSpacing(10)
        self.icon_label = QLabel()
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.icon_label)
        body = QVBoxLayout()
        body.setSpacing(4)
        self.title = QLabel()
        self.title.setObjectName("seedBannerTitle")
        self.title.setWordWrap(True)
        body.addWidget(self.title)
        self.bar = QProgressBar()
        self.bar.setObjectName("seedBannerProgress")
        self.bar.setAccessibleName(self.tr("Demo preparation progress"))
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(8)
        body.addWidget(self.bar)
        self.detail = QLabel()
        self.detail.setObjectName("seedBannerDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body.addWidget(self.detail)
        layout.addLayout(body, 1)
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("✕")
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.setAccessibleName(self.tr("Dismiss"))
        self.dismiss_button.setToolTip(self.tr("Dismiss"))
        self.dismiss_button.clicked.connect(vm.dismiss)
        layout.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        vm.changed.connect(self._update)
        self._update(vm.state)

    def _update(self, state: SeedState) -> None:
        self.setVisible(self.vm.visible)
        if not self.vm.visible:
            return
        kind = _kind(state)
        bg, fg = badge_colors(kind, self.palette())
        self.setStyleSheet(
            f"QFrame#seedBanner {{ background: {bg.name(bg.NameFormat.HexArgb)};"
            f" border: 1px solid {fg.name()}; border-left: 4px solid {fg.name()};"
            " border-radius: 6px; }"
        )
        self.icon_label.setPixmap(icon("info", fg).pixmap(20, 20))
        detail = state.progress_text() if state.running else ""
        title = f"<b>{state.headline()}</b>"
        if detail:
            title += f" {detail}"
        self.title.setText(title)
        self.bar.setVisible(state.running)
        if state.running:
            _set_progress(self.bar, state)
        explanation = state.explanation()
        if state.warning:
            explanation += "\n" + state.warning
        self.detail.setText(explanation)
        self.dismiss_button.setVisible(state.state == "failed")
        self.setAccessibleName(state.summary())


class SeedLabNote(QLabel):
    """The Cold-start lab's note: shown while the seeding still prepares the realistic image
    and a demo function is chosen (functions mode)."""

    def __init__(
        self,
        vm: SeedViewModel,
        combos: tuple[QComboBox, QComboBox],
        functions_mode: QAbstractButton,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.vm = vm
        self.combos = combos
        self.functions_mode = functions_mode
        self.setObjectName("seedLabNote")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        vm.changed.connect(lambda _s: self.update_note())
        for combo in combos:
            combo.currentTextChanged.connect(lambda _t: self.update_note())
        functions_mode.toggled.connect(lambda _c: self.update_note())
        self.update_note()

    def demo_chosen(self) -> bool:
        functions = demo_names()[:2]
        return self.functions_mode.isChecked() and any(
            c.currentText().strip() in functions for c in self.combos
        )

    def update_note(self) -> None:
        text = self.vm.state.lab_note() if self.demo_chosen() else ""
        if text:
            bg, fg = badge_colors("warn", self.palette())
            self.setStyleSheet(
                f"QLabel#seedLabNote {{ background: {bg.name(bg.NameFormat.HexArgb)};"
                f" border: 1px solid {fg.name()}; border-left: 4px solid {fg.name()};"
                " border-radius: 4px; padding: 6px 8px; }"
            )
        self.setText(text)
        self.setAccessibleName(text)
        self.setVisible(bool(text))
