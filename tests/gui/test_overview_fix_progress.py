"""A finished fix leaves no progress line behind in the overview's detail panel.

Before, after "Switch to the twin…" had been applied, the panel kept saying "Function
demo-plain updated; waiting until it is ready…" under the function's (fixed) state, and
still did after the next overview run and with other functions selected.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence

from core import Progress
from core.report import (
    FixKind,
    FixOutcome,
    FixPlan,
    FixStep,
    ProblemCode,
    ReportTarget,
    StepAction,
    StepStatus,
    TargetError,
    TargetKey,
)
from core.report._fix import StepOutcome
from gui.viewmodels.overview_vm import OverviewViewModel
from gui.views.overview_view import OverviewView


class _NoTargets:
    def available(self) -> list[TargetKey]:
        return []

    def default(self) -> list[TargetKey]:
        return []

    @contextlib.asynccontextmanager
    async def open(
        self, keys: Sequence[TargetKey]
    ) -> AsyncIterator[tuple[list[ReportTarget], list[TargetError]]]:
        yield [], []


def test_progress_line_is_cleared_when_the_fix_finishes(qtbot, ctx) -> None:
    vm = OverviewViewModel(ctx, _NoTargets())
    view = OverviewView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)
    view.show()
    step = FixStep(StepAction.UPDATE_FUNCTION_IMAGE, function="demo-plain", after="x:v1_a")
    plan = FixPlan(
        FixKind.SWITCH_TO_TWIN,
        ProblemCode.PLAIN_TAG_WITH_TWIN,
        TargetKey("Local"),
        "demo-plain",
        (step,),
    )
    view._on_fix_progress(Progress("fix.function-updated", item="demo-plain"))
    assert "waiting until it is ready" in view.detail.status.text()
    view._on_fix_finished(FixOutcome(plan, (StepOutcome(step, StepStatus.DONE),)))
    assert view.detail.status.text() == ""
