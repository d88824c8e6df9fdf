"""`FixDialog`: what a fix of the acceleration report will change, step by step; Apply or
Cancel. Non-modal: opened with ``open()`` and awaited with ``gui.async_bridge.dialog_result``."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QSizePolicy, QVBoxLayout, QWidget

from core.report import FixPlan
from gui.i18n import arg
from gui.models.overview_model import problem_title
from gui.viewmodels.overview_text import describe_step

__all__ = ["FixDialog"]


class FixDialog(QDialog):
    """Shows exactly what a fix will change; Apply or Cancel. Opened with ``open()``."""

    def __init__(self, plan: FixPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.setObjectName("fixDialog")
        self.setWindowTitle(self.tr("Confirm fix"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        self.head = head = QLabel(
            arg(
                self.tr("<b>%1</b> on %2 — this will:"),
                problem_title(plan.problem),
                f"{plan.function} ({plan.target})",
            )
        )
        head.setWordWrap(True)
        _keep_to_text(head)
        layout.addWidget(head)
        self.step_labels: list[QLabel] = []
        for i, step in enumerate(plan.steps, 1):
            label = QLabel(f"{i}. {describe_step(step)}")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if not step.automatic:
                label.setObjectName("manualStep")
            _keep_to_text(label)
            self.step_labels.append(label)
            layout.addWidget(label)
        if plan.manual_steps:
            note = QLabel(self.tr("Steps marked “By hand” are left to you."))
            note.setObjectName("hint")
            note.setWordWrap(True)
            _keep_to_text(note)
            layout.addWidget(note)
        # Room the wrapped text does not need goes below it, above the buttons: never between
        # the heading and the steps.
        layout.addStretch(1)
        buttons = QDialogButtonBox()
        self.apply_button = buttons.addButton(
            self.tr("Apply"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button.setEnabled(plan.automatic)
        self.apply_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _fit_height(self) -> None:
        """As tall as the wrapped text needs at the current width (a dialog's first size comes
        from the labels' width-less size hints, which wrap into more lines than they need)."""
        layout = self.layout()
        if layout is None:
            return
        width = max(self.width(), self.minimumWidth())
        needed = layout.heightForWidth(width) if layout.hasHeightForWidth() else -1
        if needed > 0 and needed != self.height():
            self.resize(width, needed)

    def showEvent(self, event: QShowEvent) -> None:
        self._fit_height()
        super().showEvent(event)


def _keep_to_text(label: QLabel) -> None:
    """A wrapped label as tall as its text: extra height is never spread into it."""
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    policy = label.sizePolicy()
    policy.setVerticalPolicy(QSizePolicy.Policy.Maximum)
    label.setSizePolicy(policy)
