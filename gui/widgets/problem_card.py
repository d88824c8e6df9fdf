"""`ProblemCard`: one problem of the acceleration report — its badge, what it means, what to
do, and its fix button (the Overview page, the Images page and the function form's "why is
this not accelerated?"). The sentences come from `gui.viewmodels.overview_text`."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout

from core.report import FunctionRow, ProblemCode
from gui.i18n import arg
from gui.models.overview_model import problem_kind, problem_title
from gui.viewmodels.overview_text import advice, describe_step, explain, fix_button_text
from gui.viewmodels.overview_vm import OverviewViewModel
from gui.widgets.badge import BadgeLabel
from gui.widgets.flow_layout import FlowRow

__all__ = ["ProblemCard"]


class ProblemCard(QFrame):
    """One problem of a row: its badge, what it means, what to do, and its fix button.
    Also used by the Images page and the function form ("why is this not accelerated?")."""

    fixRequested = Signal(object, object)  # FunctionRow, ProblemCode

    def __init__(self, row: FunctionRow, code: ProblemCode, busy: bool) -> None:
        super().__init__()
        self.setObjectName("problemCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        if self.palette().color(QPalette.ColorRole.Window).lightness() < 128:
            # the style's panel frame all but vanishes on a dark window (1.1:1): the palette's
            # border colour instead (2:1)
            self.setStyleSheet(
                "QFrame#problemCard { border: 1px solid palette(mid); border-radius: 6px; }"
            )
        layout.setContentsMargins(10, 8, 10, 8)
        self.top = top = FlowRow()
        self.badge = BadgeLabel(problem_title(code), problem_kind(code))
        top.addWidget(self.badge)
        finding = row.finding(code)
        self.button: QPushButton | None = None
        plan = OverviewViewModel.plan(row, code)
        if finding is not None and finding.fix is not None and plan is not None:
            self.button = QPushButton(fix_button_text(finding.fix))
            self.button.setObjectName(f"fix-{code.value}")
            self.button.setEnabled(plan.automatic and not busy)
            if not plan.automatic:
                self.button.setToolTip("\n".join(describe_step(s) for s in plan.steps))
            self.button.clicked.connect(lambda: self.fixRequested.emit(row, code))
            top.addWidget(self.button)
        layout.addLayout(top)
        text = QLabel(explain(row, code))
        text.setWordWrap(True)
        if finding is not None and finding.reason:
            text.setToolTip(finding.reason)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(text)
        self.advice = QLabel(
            arg(QCoreApplication.translate("OverviewView", "What to do: %1"), advice(code))
        )
        self.advice.setWordWrap(True)
        self.advice.setObjectName("adviceLabel")
        self.advice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.advice)
        if plan is not None and plan.manual_steps and not plan.automatic:
            manual = QLabel("\n".join(describe_step(s) for s in plan.manual_steps))
            manual.setWordWrap(True)
            manual.setObjectName("hint")
            layout.addWidget(manual)
