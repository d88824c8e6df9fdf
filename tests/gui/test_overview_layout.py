"""The overview's fix dialog and problem cards lay out tightly at every size: no empty band
between the dialog's heading and its steps, the card's badge and fix button reflow one under
the other when the panel is narrow (long translations) instead of being clipped, and the
card's border stays visible in the dark theme."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QLabel

from core.report import (
    Finding,
    FixKind,
    FixPlan,
    FixStep,
    FunctionRow,
    ProblemCode,
    StepAction,
    TargetKey,
    TwinState,
)
from gui.dialogs.fix_dialog import FixDialog
from gui.theme import apply_theme
from gui.viewmodels.overview_vm import OverviewViewModel
from gui.views.overview_view import _DetailPanel
from gui.widgets.problem_card import ProblemCard

_IMAGE = "registry.example.com:5000/shop/web:v1"


def _plan(steps: int = 3) -> FixPlan:
    step = FixStep(
        StepAction.UPDATE_FUNCTION_IMAGE,
        function="web-plain",
        before=_IMAGE,
        after=_IMAGE + "_accelerated",
    )
    return FixPlan(
        FixKind.SWITCH_TO_TWIN,
        ProblemCode.PLAIN_TAG_WITH_TWIN,
        TargetKey("Local"),
        "web-plain",
        (step,) * steps,
    )


def _row(code: ProblemCode = ProblemCode.PLAIN_TAG_WITH_TWIN) -> FunctionRow:
    return FunctionRow(
        target=TargetKey("Local"),
        function="web-plain",
        image=_IMAGE,
        runs_accelerated=False,
        twin_state=TwinState.READY,
        registry="registry.example.com:5000",
        repository="shop/web",
        tag="v1",
        source_tag="v1",
        twin_tag="v1_accelerated",
        problems=(Finding(code, since=1.7e9, fix=FixKind.SWITCH_TO_TWIN),),
    )


def _gaps(dialog: FixDialog) -> list[int]:
    labels = [dialog.head, *dialog.step_labels]
    return [b.geometry().top() - a.geometry().bottom() - 1 for a, b in itertools.pairwise(labels)]


@pytest.mark.parametrize("steps", [1, 4])
def test_fix_dialog_has_no_gap_above_its_steps_at_any_size(qtbot, steps: int) -> None:
    dialog = FixDialog(_plan(steps))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    layout = dialog.layout()
    assert layout is not None
    spacing = layout.spacing()
    # as tall as the wrapped text needs at its width, not the taller width-less guess
    assert dialog.height() == layout.heightForWidth(dialog.width())
    assert all(gap <= spacing + 1 for gap in _gaps(dialog)), _gaps(dialog)
    for width, height in ((900, 700), (560, 900), (1400, 300)):
        dialog.resize(width, height)
        qtbot.waitUntil(lambda w=width: dialog.width() == w)  # type: ignore[misc]
        QApplication.processEvents()
        assert all(gap <= spacing + 1 for gap in _gaps(dialog)), (width, height, _gaps(dialog))
        # each step's label is no taller than its text
        for label in dialog.step_labels:
            assert label.height() <= label.heightForWidth(label.width()) + 1


@pytest.fixture
def panel(qtbot) -> _DetailPanel:
    row = _row()
    assert OverviewViewModel.plan(row, ProblemCode.PLAIN_TAG_WITH_TWIN) is not None
    detail = _DetailPanel()
    qtbot.addWidget(detail)
    detail.show_row(row, busy=False)
    detail.show()
    qtbot.waitExposed(detail)
    return detail


def _settle(qtbot, panel: _DetailPanel, width: int) -> ProblemCard:
    panel.resize(width, 500)
    qtbot.waitUntil(lambda: panel.width() == width)
    QApplication.processEvents()
    card = panel.cards[0]
    qtbot.waitUntil(lambda: card.width() <= panel.viewport().width())
    return card


def test_card_keeps_badge_and_button_on_one_line_when_they_fit(qtbot, panel) -> None:
    card = _settle(qtbot, panel, 700)
    assert card.button is not None
    assert not card.top.wrapped()
    badge, button = card.badge.geometry(), card.button.geometry()
    assert badge.top() < button.bottom()  # the same line
    assert button.top() < badge.bottom()
    assert button.right() <= card.contentsRect().right()  # at the right, inside the card
    assert button.left() > badge.right()


def test_card_reflows_badge_and_button_when_narrow(qtbot, panel) -> None:
    card = _settle(qtbot, panel, 340)
    button = card.button
    assert button is not None
    one_line = card.badge.sizeHint().width() + button.sizeHint().width() + card.top.spacing()
    if one_line <= card.top.geometry().width():  # a small font: narrower than the two
        panel.setMinimumWidth(0)
        card = _settle(qtbot, panel, one_line)
        button = card.button
        assert button is not None
    assert card.top.wrapped()
    badge, fix = card.badge.geometry(), button.geometry()
    assert fix.top() > badge.bottom()  # one under the other
    inside = card.contentsRect()
    assert inside.contains(fix)  # nothing clipped
    assert inside.contains(badge)
    assert button.width() == button.sizeHint().width()
    # the explanation starts below the button, not over it
    texts = [w for w in card.findChildren(QLabel) if w is not card.badge and w.wordWrap()]
    assert texts
    assert all(t.geometry().top() > fix.bottom() for t in texts)


def _contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())
        )

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_card_border_is_visible_in_both_themes(qtbot, theme: str) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, theme)
    try:
        detail = _DetailPanel()
        qtbot.addWidget(detail)
        detail.show_row(_row(), busy=False)
        detail.resize(500, 500)
        detail.show()
        qtbot.waitExposed(detail)
        card = detail.cards[0]
        image = card.grab().toImage()
        middle = image.height() // 2
        border = image.pixelColor(0, middle)
        inside = image.pixelColor(4, middle)
        # a 1 px frame that stands out from the panel it sits on (3:1 is for UI components;
        # a thin separator line is accepted from 1.5:1)
        assert _contrast(border, inside) >= 1.5, (theme, border.name(), inside.name())
    finally:
        apply_theme(app, "light")
