"""The Overview's report runs on an event loop of its own in a worker thread: whatever its
coroutine does (a blocking wait here, thousands of parsed responses in real use), the GUI
thread goes on; a newer run cancels the older one there, and its clean-up runs."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Sequence

from PySide6.QtCore import QTimer

from core.report import ReportTarget, TargetError, TargetKey
from gui.viewmodels.overview_vm import OverviewViewModel

LOCAL = TargetKey("Local")


class _BlockingTargets:
    """``open`` blocks its thread until the GUI thread has run a timer (it never would if the
    report ran on the GUI loop), or waits forever for a cancellation (``hang``)."""

    def __init__(self) -> None:
        self.gui_ran = threading.Event()
        self.threads: list[int] = []
        self.hang = False
        self.cleaned: list[int] = []

    def available(self) -> list[TargetKey]:
        return [LOCAL]

    def default(self) -> list[TargetKey]:
        return [LOCAL]

    @contextlib.asynccontextmanager
    async def open(
        self, keys: Sequence[TargetKey]
    ) -> AsyncIterator[tuple[list[ReportTarget], list[TargetError]]]:
        self.threads.append(threading.get_ident())
        try:
            if self.hang:
                await asyncio.Event().wait()
            assert self.gui_ran.wait(120), "the GUI thread was blocked by the report"
            yield [], [TargetError(k, "Unreachable", "test target") for k in keys]
        finally:
            self.cleaned.append(threading.get_ident())


def test_report_runs_beside_the_gui_thread(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    targets = _BlockingTargets()
    vm = OverviewViewModel(ctx, targets)
    reports: list[object] = []
    vm.reportChanged.connect(reports.append)
    vm.refresh()
    QTimer.singleShot(0, targets.gui_ran.set)  # runs only if the GUI thread is free
    qtbot.waitUntil(lambda: bool(reports), timeout=120_000)
    assert targets.threads
    assert targets.threads[0] != threading.get_ident()
    assert not vm.running
    assert [e.target for e in reports[0].errors] == [LOCAL]  # type: ignore[attr-defined]


def test_newer_run_cancels_the_older_in_its_thread(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    targets = _BlockingTargets()
    targets.hang = True
    vm = OverviewViewModel(ctx, targets)
    reports: list[object] = []
    vm.reportChanged.connect(reports.append)
    vm.refresh()
    qtbot.waitUntil(lambda: len(targets.threads) == 1, timeout=60_000)
    targets.hang = False
    targets.gui_ran.set()
    vm.refresh()  # latest wins: the first run is cancelled on its own loop
    qtbot.waitUntil(lambda: bool(reports), timeout=120_000)
    qtbot.waitUntil(lambda: len(targets.cleaned) == 2, timeout=60_000)
    # Each run's clean-up ran in the thread it ran in (the cancelled one's may finish after
    # the newer one's), never on the GUI thread.
    assert sorted(targets.cleaned) == sorted(targets.threads)
    assert threading.get_ident() not in targets.cleaned
    assert len(reports) == 1
    assert not vm.running
