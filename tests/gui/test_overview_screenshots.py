"""Screenshots of the acceleration overview and of demo mode, from real data.

As a script, under Xvfb (real windows)::

    xvfb-run -a -s "-screen 0 1600x1000x24" \\
        .venv/bin/python -m tests.gui.test_overview_screenshots docs/screenshots \\
        [--comparison FILE]

It starts a Local server with every problem case of the report (``tests.core.report.scenario``)
and a private registry, opens the console's main window on it, runs the overview and shoots:
``overview.png`` (all functions, the stale twin selected), ``overview-problems.png`` (filtered
to problems) and ``overview-fix.png`` (the confirmation of a fix). For demo mode it replays
``--comparison`` (a ``fcaccel coldstart --output`` report or the lab's JSON; without it a live
run of the seeded demo functions on a second Local server is recorded first) and shoots
``demo-race.png`` (mid-race, full screen) and ``demo-finished.png``, plus ``demo-window.png``
(the page inside the console).

The comparison behind the committed pictures: ``fcaccel demo build --kind bloated`` into a
Local server, then ``fcaccel coldstart HOST/demo/demo-bloated:v1 --vs …:v1_accelerated
--link 100mbit,20ms --runs 3 --output FILE``.

As a test (offscreen), the same code renders both screens small and checks they are drawn.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from gui.backend import LabRequest


def _wait(app: object, condition: object, timeout: float = 60.0) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    deadline = time.monotonic() + timeout
    while True:
        app.processEvents()
        # deleteLater() happens when control returns to the event loop, which a script
        # driving the window never does: deliver the deferred deletions here.
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if condition():  # type: ignore[operator]
            return
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.01)


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def shoot(out: Path, comparison: Path | None, *, size: tuple[int, int] = (1500, 900)) -> list[Path]:
    """Take every picture into ``out``; returns the files written."""
    import qasync
    from PySide6.QtWidgets import QApplication

    from core.cloud import open_clients
    from core.report import ProblemCode, TargetKey
    from core.settings import AliyunProfile, LocalProfile, TomlSettingsStore
    from gui.backend._core import CoreBackend
    from gui.context import AppContext
    from gui.main_window import MainWindow, Page
    from gui.theme import apply_theme
    from gui.viewmodels.demo_vm import load_comparison
    from gui.viewmodels.functions_vm import FunctionsViewModel
    from gui.viewmodels.images_vm import ImagesViewModel
    from gui.viewmodels.lab_vm import LabHistory, LabViewModel
    from gui.viewmodels.settings_vm import SettingsViewModel
    from gui.viewmodels.tasks_vm import TasksViewModel
    from tests.core.report.scenario import build_scenario
    from tests.fixtures.emulator import start_local_server_thread
    from tests.fixtures.registry import start_registry

    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="fcdesk-shots-"))
    os.environ.setdefault("FCDESK_CONFIG_DIR", str(work / "config"))
    os.environ.setdefault("FCDESK_DATA_DIR", str(work / "data"))
    store = TomlSettingsStore()
    settings = store.load()
    settings.add_profile(
        AliyunProfile("prod", "cn-hangzhou", credential_source="env"), replace=True
    )
    store.save(settings)
    written: list[Path] = []
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    apply_theme(app, "light")
    server = start_local_server_thread(work / "local")
    seeded = None
    try:
        with start_registry(work / "registry", credentials=("ci", "secret-ci")) as private:
            scenario = asyncio.run(build_scenario(server.url, server.credentials, private.host))
            if comparison is None:
                seeded = start_local_server_thread(work / "seeded", seed=True)
                result = asyncio.run(_live_comparison(seeded))
            else:
                result = load_comparison(comparison)
            # a qasync loop driven by Qt's event processing (as in the GUI tests)
            loop = qasync.QEventLoop(app, already_running=True)
            asyncio.set_event_loop(loop)
            ctx = AppContext()
            settings_vm = SettingsViewModel(store)
            lab = LabViewModel(ctx, LabHistory(work / "lab.json"))
            window = MainWindow(
                ctx,
                FunctionsViewModel(ctx),
                ImagesViewModel(ctx),
                TasksViewModel(ctx),
                lab,
                settings_vm,
            )
            window.resize(*size)
            window.show()
            http = httpx.AsyncClient(timeout=60)
            profile = LocalProfile(
                url=scenario.url, access_key_id=scenario.credentials.access_key_id
            )
            clients = open_clients(profile, http, scenario.credentials)
            ctx.set_backend(CoreBackend(clients, http, kind="local"), profile="Local", kind="local")
            ctx.set_connection("running", scenario.url)

            # -- the overview
            window.go(Page.OVERVIEW)
            view = window.overview_view
            vm = window.overview_vm
            reports: list[object] = []
            vm.reportChanged.connect(reports.append)
            view.refresh()
            _wait(app, lambda: bool(reports) and not vm.running)
            assert vm.report is not None
            assert len(vm.report.rows) == 8
            view.select_function("api-fast", TargetKey("Local"))
            _wait(app, lambda: _state_shown(vm, "api-fast"))  # read when selected
            _wait(app, lambda: True, 0.1)
            _wait(app, lambda: True)
            written.append(out / "overview.png")
            window.grab().save(str(written[-1]))
            view.chips["any"].click()
            view.select_function("broken", TargetKey("Local"))
            _wait(app, lambda: _state_shown(vm, "broken"))
            written.append(out / "overview-problems.png")
            window.grab().save(str(written[-1]))
            view.chips[""].click()
            view.select_function("web-plain", TargetKey("Local"))
            _wait(app, lambda: _state_shown(vm, "web-plain"))
            button = view.detail.card_button(ProblemCode.PLAIN_TAG_WITH_TWIN)
            assert button is not None
            dialogs: list[object] = []
            view.fixDialogOpened.connect(dialogs.append)
            button.click()
            _wait(app, lambda: bool(dialogs) and view.fix_dialog is not None)
            dialog = view.fix_dialog
            assert dialog is not None
            _wait(app, lambda: dialog.isVisible())
            _wait(app, lambda: True)
            screen = app.primaryScreen()
            geometry = window.frameGeometry()
            shot = screen.grabWindow(
                0, geometry.x(), geometry.y(), geometry.width(), geometry.height()
            )
            if shot.isNull() or shot.width() < 10:
                shot = window.grab()
            written.append(out / "overview-fix.png")
            shot.save(str(written[-1]))
            dialog.reject()
            _wait(app, lambda: view.fix_dialog is None)

            # -- demo mode
            demo = window.demo_vm
            clock = _Clock()
            demo.clock = clock
            window.go(Page.DEMO)
            demo.load(result)
            demo.start()
            total_s = demo.replay_length_ms() / 1000.0
            fastest = (
                min(
                    (
                        max((p.start_ms + p.duration_ms for p in lane.phases), default=0.0)
                        for lane in demo.state().lanes
                    ),
                )
                / 1000.0
            )
            _wait(app, lambda: True)
            written.append(out / "demo-window.png")
            clock.now = min(total_s, fastest * 0.6)
            demo.tick()
            _wait(app, lambda: True)
            window.grab().save(str(written[-1]))
            window.demo_view.enter_full_screen()
            full = window.demo_view.full_screen
            assert full is not None
            _wait(app, lambda: full.isVisible())
            # Xvfb has no window manager to size a full-screen window: do it by hand.
            full.setGeometry(app.primaryScreen().geometry())
            _wait(app, lambda: True, 0.3)
            clock.now = fastest * 1.3
            demo.tick()
            _wait(app, lambda: True)
            written.append(out / "demo-race.png")
            window.demo_view.stage.grab().save(str(written[-1]))
            clock.now = total_s + 0.1
            demo.tick()
            _wait(app, lambda: True)
            written.append(out / "demo-finished.png")
            window.demo_view.stage.grab().save(str(written[-1]))
            window.demo_view.leave_full_screen()
            _wait(app, lambda: True)
            closing = loop.create_task(http.aclose())
            _wait(app, closing.done)
            window.close()
            window.deleteLater()
            _wait(app, lambda: True)
            _close_loop(loop, app)
    finally:
        server.stop()
        if seeded is not None:
            seeded.stop()
    return written


def _close_loop(loop: object, app: object) -> None:
    """Stop and close an ``already_running`` loop, as qasync asks of its owner (at the end)."""
    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]  # type: ignore[arg-type]
    for t in tasks:
        t.cancel()
    for _ in range(200):
        if all(t.done() for t in tasks):
            break
        app.processEvents()  # type: ignore[attr-defined]
    loop.stop()  # type: ignore[attr-defined]
    loop.close()  # type: ignore[attr-defined]
    asyncio._set_running_loop(None)
    asyncio.set_event_loop(None)


async def _live_comparison(server: object) -> Any:
    """Record a live comparison of the seeded demo functions (a Local server with seed)."""
    from core.cloud import open_clients
    from core.settings import LocalProfile
    from gui.backend._core import CoreBackend

    url = server.url  # type: ignore[attr-defined]
    creds = server.credentials  # type: ignore[attr-defined]
    async with httpx.AsyncClient(timeout=120) as http:
        clients = open_clients(
            LocalProfile(url=url, access_key_id=creds.access_key_id), http, creds
        )
        deadline = time.monotonic() + 300
        while True:
            names = {f.name async for f in clients.fc.list_functions()}
            if {"demo-plain", "demo-accelerated"} <= names:
                ready = [
                    await clients.fc.get_function(n) for n in ("demo-plain", "demo-accelerated")
                ]
                if all(f.is_ready for f in ready):
                    break
            if time.monotonic() > deadline:
                raise TimeoutError("the demo functions were not seeded")
            await asyncio.sleep(0.5)
        backend = CoreBackend(clients, http, kind="local", owns_http=False)
        return await backend.run_coldstart(
            LabRequest("functions", "demo-plain", "demo-accelerated", "broadband", runs=1)
        )


def _state_shown(vm: Any, function: str) -> bool:
    """The selected function's state has been read (the report lists functions without it)."""
    row = next((r for r in vm.model.rows if r.function == function), None)
    return bool(row is not None and row.function_state)


@pytest.mark.slow
def test_screens_render_from_real_data(tmp_path: Path) -> None:
    """The script itself, offscreen in a process of its own (it drives a whole console)."""
    import subprocess

    from PySide6.QtGui import QImage

    from gui.viewmodels.lab_vm import LabViewModel
    from tests.gui.test_demo import _comparison

    comparison = tmp_path / "cmp.json"
    LabViewModel.export_json(_comparison(), comparison)
    out = tmp_path / "shots"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-m", "tests.gui.test_overview_screenshots", str(out)]
    command += ["--comparison", str(comparison), "--size", "1200x760"]
    result = subprocess.run(
        command,
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    files = [Path(line) for line in result.stdout.splitlines()]
    assert [f.name for f in files] == [
        "overview.png",
        "overview-problems.png",
        "overview-fix.png",
        "demo-window.png",
        "demo-race.png",
        "demo-finished.png",
    ]
    for f in files:
        image = QImage(str(f))
        assert not image.isNull(), f
        assert image.width() > 300, f


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, nargs="?", default=Path("docs/screenshots"))
    parser.add_argument("--comparison", type=Path, help="saved comparison to replay")
    parser.add_argument("--size", default="1500x900", help="window size (WxH)")
    args = parser.parse_args(argv)
    width, _, height = args.size.partition("x")
    for path in shoot(args.out, args.comparison, size=(int(width), int(height))):
        sys.stdout.write(f"{path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
