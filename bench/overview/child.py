"""The console side of bench/overview (run by run.py, in its own process).

``child.py setup DATA_DIR``: point the Local profile of ``$FCDESK_CONFIG_DIR`` at the server.
``child.py page N``: build the real Overview page (offscreen), refresh it, and print one JSON
line: time until its N rows are shown, the GUI thread's lateness meanwhile (a 5 ms
heartbeat), and the time of every column sort and of text and problem filters.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import sys
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def setup(data_dir: str) -> None:
    from core.settings import TomlSettingsStore

    store = TomlSettingsStore()
    settings = store.load()
    settings.local.data_dir = data_dir
    store.save(settings)


class _LocalTargets:
    """The Local profile of the settings file, opened as the console opens it without a
    connected backend (`SettingsTargets`: URL and credentials from the server's data dir)."""

    def __init__(self) -> None:
        from core.report import TargetKey

        self.key = TargetKey("Local")

    def available(self) -> list[object]:
        return [self.key]

    def default(self) -> list[object]:
        return [self.key]

    @contextlib.asynccontextmanager
    async def open(
        self, keys: Sequence[object]
    ) -> AsyncIterator[tuple[list[object], list[object]]]:
        import httpx

        from core.cloud import open_clients, resolve_local_profile
        from core.report import ReportTarget
        from core.settings import TomlSettingsStore

        settings = TomlSettingsStore().load()
        async with httpx.AsyncClient(timeout=60, trust_env=False) as http:
            profile, creds = await resolve_local_profile(settings.local, settings)
            yield [ReportTarget(self.key, open_clients(profile, http, creds), http)], []


def page(expected: int) -> None:
    import qasync
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from gui.context import AppContext
    from gui.models.overview_model import ANY_PROBLEM
    from gui.viewmodels.overview_vm import OverviewViewModel
    from gui.views.overview_view import OverviewView

    app = QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    ctx = AppContext()
    vm = OverviewViewModel(ctx, _LocalTargets())  # type: ignore[arg-type]
    view = OverviewView(vm)
    view.resize(1400, 900)
    view.show()
    app.processEvents()

    late: list[float] = []
    period = 0.005
    last = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        late.append(max(0.0, now - last[0] - period))
        last[0] = now

    timer = QTimer()
    timer.setInterval(int(period * 1000))
    timer.timeout.connect(beat)
    result: dict[str, float] = {}

    async def run() -> None:
        done = asyncio.get_running_loop().create_future()
        vm.reportChanged.connect(lambda _r: done.done() or done.set_result(None))
        vm.failed.connect(lambda exc: done.done() or done.set_exception(exc))
        timer.start()
        last[0] = time.perf_counter()
        t0 = time.perf_counter()
        vm.refresh()
        await done
        app.processEvents()  # the rows painted
        result["fill_s"] = time.perf_counter() - t0
        timer.stop()
        rows = view.proxy.rowCount()
        if rows != expected:
            raise SystemExit(f"the page shows {rows} rows, expected {expected}")
        sorts = []
        for col in range(view.proxy.columnCount()):
            for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                t = time.perf_counter()
                view.table.sortByColumn(col, order)
                app.processEvents()
                sorts.append(time.perf_counter() - t)
        filters = []
        for action in (
            lambda: view.proxy.set_text("svc-01"),
            lambda: view.proxy.set_text("stale"),
            lambda: view.proxy.set_text(""),
            lambda: view.proxy.set_problem(ANY_PROBLEM),
            lambda: view.proxy.set_problem(""),
        ):
            t = time.perf_counter()
            action()
            app.processEvents()
            filters.append(time.perf_counter() - t)
        lateness = sorted(late) or [0.0]
        result.update(
            sort_max_ms=max(sorts) * 1000,
            filter_max_ms=max(filters) * 1000,
            late_p99_ms=lateness[int(0.99 * (len(lateness) - 1))] * 1000,
            late_max_ms=lateness[-1] * 1000,
            late_median_ms=statistics.median(lateness) * 1000,
        )

    with loop:
        loop.run_until_complete(run())
    print(json.dumps(result))


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup(sys.argv[2])
    else:
        page(int(sys.argv[2]))
