"""The Local server's demo seeding in the console: the status bar, the Overview banner and the
Cold-start lab's note follow ``seed.*`` events and ``/x-fcdesk/info``'s ``seed``; finishing
and failing are announced; a console started while seeding runs (or after it failed) shows it
from the first paint."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from gui.backend import BackendEvent
from gui.main_window import Page
from gui.viewmodels.lab_vm import LabHistory, LabViewModel
from gui.viewmodels.overview_vm import OverviewViewModel
from gui.viewmodels.seed_vm import SeedState, SeedViewModel, seed_view_model
from gui.views.lab_view import LabView
from gui.views.overview_view import OverviewView
from gui.widgets.seed_banner import SeedBanner, SeedStatusIndicator
from tests.gui.fakes import FakeBackend

REALISTIC_STEPS = ["build", "convert", "record-profile", "optimize", "switch-functions"]


def _connect(qtbot, ctx, backend: FakeBackend) -> SeedViewModel:
    vm = seed_view_model(ctx)
    ctx.set_backend(backend, profile="Local", kind="local")
    qtbot.waitUntil(lambda: ctx.events.live, timeout=5000)
    qtbot.waitUntil(lambda: not ctx.jobs.is_running("seed-info"), timeout=5000)
    return vm


def _publish(backend: FakeBackend, event_type: str, /, **data: object) -> None:
    """Like ``backend.publish``, for events whose data has a ``kind`` of its own."""
    for queue in list(backend._queues):
        queue.put_nowait(BackendEvent(event_type, dict(data)))


def _send(
    qtbot, backend: FakeBackend, vm: SeedViewModel, event_type: str, /, **data: object
) -> None:
    before = vm._events_seen
    _publish(backend, event_type, **data)
    qtbot.waitUntil(lambda: vm._events_seen > before, timeout=5000)


def _widgets(qtbot, vm: SeedViewModel) -> tuple[SeedStatusIndicator, SeedBanner]:
    indicator = SeedStatusIndicator(vm)
    banner = SeedBanner(vm)
    for w in (indicator, banner):
        qtbot.addWidget(w)
    banner.resize(900, 120)
    return indicator, banner


class _NoTargets:
    def available(self) -> list[object]:
        return []

    def default(self) -> list[object]:
        return []


def _overview(qtbot, ctx) -> OverviewView:
    view = OverviewView(OverviewViewModel(ctx, _NoTargets()))  # type: ignore[arg-type]
    qtbot.addWidget(view)
    view.resize(1200, 700)
    return view


def test_running_seed_shows_the_step_and_progress_then_announces_the_switch(qtbot, ctx) -> None:
    backend = FakeBackend()
    vm = _connect(qtbot, ctx, backend)
    indicator, banner = _widgets(qtbot, vm)
    assert vm.state.state == "none"
    assert indicator.isHidden()
    assert banner.isHidden()

    _send(qtbot, backend, vm, "seed.started", repo="demo/hello", kind="medium")
    assert not indicator.isHidden()
    assert not banner.isHidden()
    assert banner.bar.maximum() == 0  # busy until the first step is known
    _send(qtbot, backend, vm, "seed.progress", stage="small", step="convert", done=1, total=3)
    assert "Seeding the demo" in indicator.label.text()
    assert "step 2 of 3 (converting)" in banner.title.text()

    # The realistic stage, step by step.
    for done, step in enumerate(REALISTIC_STEPS):
        _send(qtbot, backend, vm, "seed.progress", stage="medium", step=step, done=done, total=5)
        assert f"Preparing the realistic demo {done + 1}/5" in indicator.label.text()
        assert banner.bar.value() == round(done / 5 * 1000)
    _send(qtbot, backend, vm, "seed.progress", stage="medium", step="convert", done=1, total=5)
    title = banner.title.text()
    assert "Preparing the realistic demo image…" in title
    assert "step 2 of 5 (converting for on-demand loading)" in title
    # Byte progress inside a long step moves the bar within the step.
    _send(
        qtbot,
        backend,
        vm,
        "seed.progress",
        stage="medium",
        step="convert",
        phase="convert",
        bytes=50 * 2**20,
        totalBytes=100 * 2**20,
    )
    assert banner.bar.value() == 300  # (1 + 0.5) / 5
    assert "50.0 MiB of 100.0 MiB" in banner.title.text()
    assert "demo-plain and demo-accelerated run the small image demo/hello" in banner.detail.text()
    assert not banner.dismiss_button.isVisibleTo(banner)
    assert "step 2 of 5" in indicator.toolTip()

    _send(qtbot, backend, vm, "seed.finished", kind="medium", seconds=71.5)
    assert indicator.isHidden()
    assert banner.isHidden()
    title, text, kind = ctx.notes[-1]
    assert title == "Realistic demo ready"
    assert "now run demo/python-app" in text
    assert kind == "ok"
    assert not ctx.errors


def test_failure_shows_the_reason_and_that_the_small_demo_still_works(qtbot, ctx) -> None:
    backend = FakeBackend()
    vm = _connect(qtbot, ctx, backend)
    _indicator, banner = _widgets(qtbot, vm)
    _send(qtbot, backend, vm, "seed.started", repo="demo/hello", kind="medium")
    _send(qtbot, backend, vm, "seed.progress", stage="medium", step="build", done=0, total=5)
    _send(
        qtbot,
        backend,
        vm,
        "seed.failed",
        kind="medium",
        reason="DemoSourcesMissing: no Python runtime was found",
    )
    assert not banner.isHidden()
    assert "could not be prepared" in banner.title.text()
    detail = banner.detail.text()
    assert "Reason: DemoSourcesMissing: no Python runtime was found" in detail
    assert "The small demo still works" in detail
    assert banner.bar.isHidden()
    title, text, kind = ctx.notes[-1]
    assert title == "Realistic demo image failed"
    assert kind == "bad"
    assert "DemoSourcesMissing" in text
    # Dismissed, it stays hidden (and so does the status bar's line).
    assert banner.dismiss_button.isVisibleTo(banner)
    banner.dismiss_button.click()
    assert banner.isHidden()
    assert not vm.visible


def test_failure_in_the_small_stage_says_the_demo_is_missing(qtbot, ctx) -> None:
    backend = FakeBackend()
    vm = _connect(qtbot, ctx, backend)
    _indicator, banner = _widgets(qtbot, vm)
    _send(qtbot, backend, vm, "seed.started", repo="demo/hello", kind="small")
    _send(qtbot, backend, vm, "seed.progress", stage="small", step="build", done=0, total=3)
    _send(qtbot, backend, vm, "seed.failed", kind="small", reason="OSError: disk full")
    assert "The demo could not be seeded" in banner.title.text()
    assert "Your own functions and images are not affected" in banner.detail.text()


@pytest.mark.parametrize(
    ("seed", "shown"),
    [
        (None, False),
        ({"state": "finished"}, False),
        (
            {
                "kind": "medium",
                "state": "running",
                "stage": "medium",
                "step": "optimize",
                "done": 3,
                "total": 5,
            },
            True,
        ),
        (
            {
                "kind": "bloated",
                "state": "failed",
                "stage": "bloated",
                "step": "record-profile",
                "done": 2,
                "total": 5,
                "reason": "SeedProfileFailed: HTTP 502",
            },
            True,
        ),
    ],
)
def test_state_is_read_from_info_when_connecting(qtbot, ctx, seed, shown) -> None:
    backend = FakeBackend()
    backend.seed = seed
    vm = _connect(qtbot, ctx, backend)
    assert "seed_status" in backend.calls
    # The Overview built afterwards is right from its first paint.
    view = _overview(qtbot, ctx)
    assert view.seed_banner.isVisibleTo(view) is shown
    if seed is None or seed["state"] == "finished":
        assert vm.state.state in ("none", "finished")
        assert not ctx.notes  # finished in an earlier run: nothing to announce
    elif seed["state"] == "running":
        assert "step 4 of 5 (converting in start-up order)" in view.seed_banner.title.text()
        assert view.seed_banner.bar.value() == 600
    else:
        assert "SeedProfileFailed: HTTP 502" in view.seed_banner.detail.text()
        assert "could not be prepared" in view.seed_banner.title.text()


def test_info_is_read_again_when_the_stream_reconnects(qtbot, ctx) -> None:
    backend = FakeBackend()
    backend.seed = {"kind": "medium", "state": "running", "stage": "small", "done": 0, "total": 3}
    vm = _connect(qtbot, ctx, backend)
    assert vm.state.running
    assert vm.state.stage == "small"
    # Meanwhile (stream down) the server went on and finished.
    backend.seed = {"kind": "medium", "state": "finished", "stage": "medium", "seconds": 80.0}
    calls = backend.calls.count("seed_status")
    ctx.events.liveChanged.emit(True)
    qtbot.waitUntil(lambda: backend.calls.count("seed_status") > calls, timeout=5000)
    qtbot.waitUntil(lambda: vm.state.state == "finished", timeout=5000)
    assert not vm.visible


def test_an_info_answer_older_than_the_events_is_ignored(qtbot, ctx, monkeypatch) -> None:
    backend = FakeBackend()
    vm = _connect(qtbot, ctx, backend)
    release = asyncio.Event()
    old = {"kind": "medium", "state": "running", "stage": "small", "done": 0, "total": 3}

    async def slow_info() -> dict[str, object]:
        await release.wait()
        return old

    monkeypatch.setattr(backend, "seed_status", slow_info)
    vm.refresh()  # answered only after the event below has arrived
    _send(qtbot, backend, vm, "seed.progress", stage="medium", step="optimize", done=3, total=5)
    release.set()
    qtbot.waitUntil(lambda: not ctx.jobs.is_running("seed-info"), timeout=5000)
    assert vm.state.stage == "medium"
    assert vm.state.done == 3
    # Without events meanwhile, the answer is taken.
    vm.refresh()
    qtbot.waitUntil(lambda: not ctx.jobs.is_running("seed-info"), timeout=5000)
    assert vm.state.stage == "small"
    assert vm.state.done == 0


def test_a_profile_without_a_local_server_never_asks(qtbot, ctx) -> None:
    backend = FakeBackend()
    backend.seed = {"kind": "medium", "state": "running", "stage": "medium", "done": 1, "total": 5}
    vm = seed_view_model(ctx)
    ctx.set_backend(backend, profile="cloud", kind="aliyun", region="cn-hangzhou")
    qtbot.wait(50)
    assert "seed_status" not in backend.calls
    assert not vm.visible


def _lab(qtbot, ctx, tmp_path: Path) -> LabView:
    lab_vm = LabViewModel(ctx, LabHistory(tmp_path / "lab.json"))
    view = LabView(lab_vm)
    qtbot.addWidget(view)
    lab_vm.setParent(view)
    view.resize(1300, 850)
    view.show()
    view.set_choices(["demo-accelerated", "demo-plain", "fn-000"], ["img:a", "img:b"])
    return view


def test_lab_notes_that_the_demo_functions_will_switch(qtbot, ctx, tmp_path) -> None:
    backend = FakeBackend()
    vm = _connect(qtbot, ctx, backend)
    view = _lab(qtbot, ctx, tmp_path)
    view.preset("functions", "demo-plain", "demo-accelerated")
    assert view.seed_note.isHidden()  # nothing is being seeded
    _send(qtbot, backend, vm, "seed.started", repo="demo/hello", kind="medium")
    _send(
        qtbot, backend, vm, "seed.progress", stage="medium", step="record-profile", done=2, total=5
    )
    assert view.seed_note.isVisible()
    note = view.seed_note.text()
    assert "switch to the realistic image demo/python-app when it is ready" in note
    assert "Preparing it: step 3 of 5." in note
    assert "acceleration has little to save" in note
    # Other functions, or images: no note.
    view.a_combo.setCurrentText("fn-000")
    view.b_combo.setCurrentText("fn-000")
    assert view.seed_note.isHidden()
    view.b_combo.setCurrentText("demo-accelerated")
    assert view.seed_note.isVisible()
    view.images_radio.setChecked(True)
    assert view.seed_note.isHidden()
    view.functions_radio.setChecked(True)
    view.preset("functions", "demo-plain", "demo-accelerated")
    assert view.seed_note.isVisible()
    _send(qtbot, backend, vm, "seed.finished", kind="medium", seconds=60.0)
    assert view.seed_note.isHidden()


def test_lab_has_no_note_when_only_the_small_demo_is_seeded(qtbot, ctx, tmp_path) -> None:
    backend = FakeBackend()
    vm = _connect(qtbot, ctx, backend)
    view = _lab(qtbot, ctx, tmp_path)
    view.preset("functions", "demo-plain", "demo-accelerated")
    _send(qtbot, backend, vm, "seed.started", repo="demo/hello", kind="small")
    _send(qtbot, backend, vm, "seed.progress", stage="small", step="convert", done=1, total=3)
    assert view.seed_note.isHidden()
    _send(qtbot, backend, vm, "seed.finished", kind="small", seconds=9.0)
    assert ctx.notes[-1][0] == "Demo ready"


def test_console_status_bar_shows_the_seeding_and_opens_the_overview(
    qtbot, qloop, data_dir, tmp_path
) -> None:
    from gui.app import Console

    console = Console(lab_history=tmp_path / "lab.json")
    window = console.window
    assert window is not None
    try:
        window.show()
        backend = FakeBackend()
        backend.seed = {
            "kind": "medium",
            "state": "running",
            "stage": "medium",
            "step": "build",
            "done": 0,
            "total": 5,
        }
        console.ctx.set_backend(backend, profile="Local", kind="local")
        indicator = window.seed_status
        qtbot.waitUntil(indicator.isVisible, timeout=5000)
        assert "Preparing the realistic demo 1/5" in indicator.label.text()
        qtbot.mouseClick(indicator, Qt.MouseButton.LeftButton)
        assert window.current_page() == Page.OVERVIEW
        assert window.overview_view.seed_banner.isVisible()
        _publish(backend, "seed.finished", kind="medium", seconds=70.0)
        qtbot.waitUntil(lambda: not indicator.isVisible(), timeout=5000)
        assert not window.overview_view.seed_banner.isVisible()
    finally:
        task = console.shutdown()
        qtbot.waitUntil(task.done, timeout=5000)
        window.close()
        window.deleteLater()
        console.deleteLater()


def test_seed_state_from_events_and_info() -> None:
    state = SeedState().apply(BackendEvent("seed.started", {"kind": "bloated", "repo": "x"}))
    assert state.running
    assert state.realistic_pending
    assert not state.in_realistic_stage
    state = state.apply(
        BackendEvent("seed.progress", {"stage": "bloated", "step": "build", "done": 0, "total": 5})
    )
    state = state.apply(
        BackendEvent(
            "seed.progress",
            {"stage": "bloated", "step": "record-profile", "warning": "no FUSE here"},
        )
    )
    assert state.warning == "no FUSE here"
    assert state.step == "build"
    assert SeedState.from_info({"state": "weird"}).state == "none"
    assert SeedState.from_info({"state": "running", "done": "x", "total": None}).fraction == 0.0
    done = state.apply(BackendEvent("seed.finished", {"kind": "bloated"}))
    assert done.state == "finished"
    assert not done.realistic_pending
