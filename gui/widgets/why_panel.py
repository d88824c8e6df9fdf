"""`WhyPanel`: why an image is (not) accelerated — its state in a sentence, then one card per
problem (what it means, what to do, the fix when there is one). Shown by the Images page for
the selected tag and by the function form for the chosen image."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from core.report import FunctionRow, ProblemCode, TwinState
from gui.errors import ErrorPresenter
from gui.i18n import arg
from gui.widgets.problem_card import ProblemCard

__all__ = ["WhyPanel"]


class WhyPanel(QWidget):
    fixRequested = Signal(object, object)  # FunctionRow, ProblemCode

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("whyPanel")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName("whyStatus")
        self._layout.addWidget(self.status)
        self.cards: list[ProblemCard] = []

    def _clear_cards(self) -> None:
        for card in self.cards:
            card.hide()
            card.deleteLater()
        self.cards = []

    def show_checking(self) -> None:
        self._clear_cards()
        self.status.setText(self.tr("Checking why…"))

    def show_error(self, exc: BaseException) -> None:
        self._clear_cards()
        msg = ErrorPresenter.describe(exc)
        self.status.setText(arg(self.tr("Could not check: %1"), msg.text))

    def show_row(self, row: FunctionRow) -> None:
        self._clear_cards()
        self.status.setText(self.summary(row))
        for finding in row.problems:
            card = ProblemCard(row, finding.code, False)
            card.fixRequested.connect(self.fixRequested.emit)
            self.cards.append(card)
            self._layout.addWidget(card)

    def summary(self, row: FunctionRow) -> str:
        codes = row.problem_codes
        if not codes:
            if row.runs_accelerated or row.twin_state is TwinState.READY:
                return self.tr("Nothing stands in the way of acceleration.")
            if row.twin_state is TwinState.CONVERTING:
                return self.tr("Its accelerated twin is being converted.")
            return self.tr("No problem found.")
        if codes <= {ProblemCode.PLAIN_TAG_WITH_TWIN, ProblemCode.PUBLIC_ENDPOINT}:
            return self.tr("Accelerated twin ready, but:")
        return self.tr("Not accelerated, because:")
