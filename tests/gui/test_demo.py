"""Demo mode: a saved comparison replayed at real speed on a fake clock, live runs phase by
phase, keyboard-only control, full screen, PNG / frames / animated PNG export."""

from __future__ import annotations

import asyncio
import json
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage

from core.errors import InvalidInput
from gui.backend import (
    BackendCapabilities,
    LabPhase,
    LabProgress,
    LabRequest,
    LabResult,
    LabSide,
    LabTimeline,
)
from gui.viewmodels.demo_vm import DemoMode, DemoViewModel, RaceState, load_comparison
from gui.viewmodels.lab_vm import LabHistory, LabViewModel, result_to_dict
from gui.viewmodels.race import LaneView, nice_scale
from gui.views.demo_view import DemoView
from gui.widgets.race_chart import RaceChart
from gui.widgets.race_export import png_chunks


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _timeline(plan: list[tuple[str, float]], fetched: int, size: int) -> LabTimeline:
    t, phases = 0.0, []
    for name, dur in plan:
        phases.append(LabPhase(name, t, dur, bytes=0, requests=1))
        t += dur
    return LabTimeline(tuple(phases), bytes_fetched=fetched, image_size=size)


PLAIN = [
    ("resolve", 100.0),
    ("pull", 4000.0),
    ("unpack", 2000.0),
    ("start", 800.0),
    ("first-invoke", 100.0),
]
FAST = [("resolve", 100.0), ("pull", 300.0), ("mount", 200.0), ("start", 900.0)]
FAST2 = [("resolve", 100.0), ("pull", 250.0), ("mount", 150.0), ("start", 500.0)]


def _comparison() -> LabResult:
    return LabResult(
        run_id="saved1",
        created=1_767_000_000.0,
        request=LabRequest("functions", "demo-plain", "demo-accelerated", "broadband", runs=2),
        sides=(
            LabSide(
                "demo-plain",
                "demo-plain",
                (
                    _timeline(PLAIN, 500_000_000, 500_000_000),
                    _timeline(PLAIN, 500_000_000, 500_000_000),
                ),
            ),
            LabSide(
                "demo-accelerated",
                "demo-accelerated",
                (
                    _timeline(FAST, 14_000_000, 480_000_000),
                    _timeline(FAST2, 12_000_000, 480_000_000),
                ),
            ),
        ),
    )


def _view(
    qtbot, ctx, clock: FakeClock, lab: LabViewModel | None = None
) -> tuple[DemoViewModel, DemoView]:
    vm = DemoViewModel(ctx, lab, clock=clock)
    view = DemoView(vm)
    qtbot.addWidget(view)
    vm.setParent(view)  # Qt deletes the view-model with its view, not a late GC
    view.resize(1280, 720)
    view.show()
    view.stage.setFocus()
    return vm, view


def _key(qtbot, view: DemoView, key: Qt.Key) -> None:
    qtbot.keyClick(view.stage, key)


def _save(tmp_path: Path, result: LabResult) -> Path:
    path = tmp_path / "comparison.json"
    LabViewModel.export_json(result, path)
    return path


def test_replay_of_a_saved_comparison_runs_at_real_speed(qtbot, ctx, tmp_path: Path) -> None:
    clock = FakeClock()
    vm, view = _view(qtbot, ctx, clock)
    states: list[RaceState] = []
    vm.stateChanged.connect(states.append)
    view.open_file(_save(tmp_path, _comparison()))
    assert vm.loaded is not None
    assert vm.mode is DemoMode.IDLE
    assert "Replay of the comparison" in view.stage.subtitle.text()
    assert "run 1 of 2" in view.stage.subtitle.text()

    _key(qtbot, view, Qt.Key.Key_Space)
    assert vm.mode is DemoMode.REPLAY
    a, b = vm.state().lanes
    assert (a.elapsed_ms, b.elapsed_ms) == (0.0, 0.0)
    assert a.running
    assert b.running

    clock.advance(0.25)  # 250 ms of race time: both lanes are in their pull phase
    vm.tick()
    a, b = vm.state().lanes
    assert a.elapsed_ms == pytest.approx(250.0)
    assert b.elapsed_ms == pytest.approx(250.0)
    assert view.stage.ratio.text() == ""

    clock.advance(1.25)  # 1.5 s: the accelerated lane (1.5 s total) has just finished
    vm.tick()
    a, b = vm.state().lanes
    assert b.done
    assert not b.running
    assert b.elapsed_ms == pytest.approx(1500.0)
    assert a.running
    assert a.elapsed_ms == pytest.approx(1500.0)
    assert "fetched 13.4 MiB of 457.8 MiB (3 %)" in b.caption or b.caption.startswith("fetched")
    assert vm.mode is DemoMode.REPLAY

    finished: list[RaceState] = []
    vm.finished.connect(finished.append)
    clock.advance(5.6)  # 7.1 s: the plain lane (7.0 s) is done too
    vm.tick()
    assert vm.mode is DemoMode.FINISHED
    assert finished
    assert finished[0].ratio == pytest.approx(7000.0 / 1500.0)
    assert view.stage.ratio.text() == "4.7× faster"
    assert "Bytes fetched: 476.8 MiB vs 13.4 MiB" in view.stage.bytes.text()
    assert "3 % of the image" in view.stage.bytes.text()
    assert "p50 over 2 runs" in view.stage.bytes.text()
    assert not vm.timer.isActive()

    # N: the next run of the saved comparison, from its start
    _key(qtbot, view, Qt.Key.Key_N)
    assert vm.run_index == 1
    assert vm.mode is DemoMode.REPLAY
    assert "run 2 of 2" in view.stage.subtitle.text()
    clock.advance(10)
    vm.tick()
    assert vm.state().ratio == pytest.approx(7000.0 / 1000.0)
    # R: reset keeps the comparison loaded
    _key(qtbot, view, Qt.Key.Key_R)
    assert vm.mode is DemoMode.IDLE
    assert vm.loaded is not None
    assert all(not lane.phases for lane in vm.state().lanes)
    assert view.stage.ratio.text() == ""
    # the real clock drives it too: a timer ticks while a replay runs
    _key(qtbot, view, Qt.Key.Key_Return)
    assert vm.timer.isActive()


def test_state_at_gives_any_moment_of_the_replay(qtbot, ctx) -> None:
    vm, _ = _view(qtbot, ctx, FakeClock())
    vm.load(_comparison())
    assert vm.prepare_run()
    assert vm.replay_length_ms() == 7000.0
    mid = vm.state_at(3000.0)
    assert [lane.elapsed_ms for lane in mid.lanes] == [3000.0, 1500.0]
    assert [lane.done for lane in mid.lanes] == [False, True]
    assert not mid.finished
    assert mid.ratio is None
    end = vm.state_at(7000.0)
    assert end.finished
    assert end.ratio == pytest.approx(7000.0 / 1500.0)
    assert vm.mode is DemoMode.IDLE  # snapshots change nothing


class LiveBackend:
    """A backend whose cold starts are released phase by phase by the test."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.requests: list[LabRequest] = []

    @property
    def capabilities(self) -> BackendCapabilities:
        return BackendCapabilities(coldstart=True)

    @property
    def region(self) -> str:
        return ""

    async def run_coldstart(
        self, request: LabRequest, on_progress: Callable[[LabProgress], None] | None = None
    ) -> LabResult:
        self.requests.append(request)
        sides = []
        for side, plan in enumerate((PLAIN, FAST)):
            timeline = _timeline(plan, 10_000_000 if side else 500_000_000, 500_000_000)
            for phase in timeline.phases:
                await self.gate.wait()
                self.gate.clear()
                assert on_progress is not None
                on_progress(LabProgress(side, 0, phase))
            sides.append(
                LabSide((request.a, request.b)[side], (request.a, request.b)[side], (timeline,))
            )
        return LabResult("live1", 1_767_000_100.0, request, (sides[0], sides[1]))

    async def aclose(self) -> None:
        return None


def test_live_run_of_the_demo_functions_fills_in_phase_by_phase(qtbot, ctx, tmp_path: Path) -> None:
    clock = FakeClock()
    lab = LabViewModel(ctx, LabHistory(tmp_path / "history.json"))
    vm, view = _view(qtbot, ctx, clock, lab)
    lab.setParent(view)
    backend = LiveBackend()
    ctx.set_backend(backend, profile="Local", kind="local")  # type: ignore[arg-type]
    _key(qtbot, view, Qt.Key.Key_S)  # one after the other (the default is a race)
    assert "one after the other" in view.stage.subtitle.text()
    _key(qtbot, view, Qt.Key.Key_Space)
    assert vm.mode is DemoMode.LIVE
    qtbot.waitUntil(lambda: bool(backend.requests), timeout=5000)
    assert backend.requests[0] == LabRequest(
        "functions", "demo-plain", "demo-accelerated", "broadband", runs=1, together=False
    )
    assert "Live on the Local server" in view.stage.subtitle.text()
    assert "one after the other" in view.stage.subtitle.text()
    assert "Broadband" in view.stage.subtitle.text()  # the link's name, translated

    def release(count: int) -> None:
        for _ in range(count):
            seen = len(vm.state().lanes[0].phases) + len(vm.state().lanes[1].phases)
            backend.gate.set()
            qtbot.waitUntil(
                lambda seen=seen: (
                    len(vm.state().lanes[0].phases) + len(vm.state().lanes[1].phases) > seen
                ),
                timeout=5000,
            )

    release(2)  # resolve, pull of the plain image
    a, b = vm.state().lanes
    assert [p.name for p in a.phases] == ["resolve", "pull"]
    assert a.running
    assert not a.done
    assert b.phases == ()
    assert a.elapsed_ms == pytest.approx(4100.0)
    clock.advance(0.5)  # the lane's clock keeps running between phase events
    vm.tick()
    assert vm.state().lanes[0].elapsed_ms == pytest.approx(4600.0)
    release(3)  # the plain lane's last phases
    release(1)  # the accelerated lane begins: the plain one is done
    a, b = vm.state().lanes
    assert a.done
    assert a.elapsed_ms == pytest.approx(7000.0)
    assert [p.name for p in b.phases] == ["resolve"]
    assert b.running
    _key(qtbot, view, Qt.Key.Key_N)  # ignored while a live run goes on
    assert len(backend.requests) == 1
    finished: list[RaceState] = []
    vm.finished.connect(finished.append)
    backend.gate.set()
    for _ in range(3):
        qtbot.wait(20)
        backend.gate.set()
    qtbot.waitUntil(lambda: bool(finished), timeout=5000)
    assert vm.mode is DemoMode.FINISHED
    assert view.stage.ratio.text() == "4.7× faster"
    assert "Bytes fetched: 476.8 MiB vs 9.5 MiB" in view.stage.bytes.text()
    # kept in the lab's history: L replays it later
    assert [r.run_id for r in lab.model.rows] == ["live1"]
    assert json.loads((tmp_path / "history.json").read_text())["runs"][0]["run_id"] == "live1"
    _key(qtbot, view, Qt.Key.Key_L)
    assert vm.loaded is not None
    assert vm.loaded.run_id == "live1"
    assert vm.source() == "replay"


def test_without_the_local_profile_the_stage_says_what_to_do(qtbot, ctx) -> None:
    vm, view = _view(qtbot, ctx, FakeClock())
    _key(qtbot, view, Qt.Key.Key_Space)  # the Local profile, its server not running yet
    assert vm.mode is DemoMode.IDLE
    assert "not running yet" in view.stage.message.text()
    ctx.profile_kind = "aliyun"  # a cloud profile
    _key(qtbot, view, Qt.Key.Key_Space)
    assert vm.mode is DemoMode.IDLE
    assert "Local profile" in view.stage.message.text()
    assert view.stage.message.isVisibleTo(view)
    _key(qtbot, view, Qt.Key.Key_L)
    assert "no finished comparison" in view.stage.message.text()


def test_full_screen_and_leaving_with_the_keyboard(qtbot, ctx) -> None:
    vm, view = _view(qtbot, ctx, FakeClock())
    left: list[bool] = []
    view.leaveRequested.connect(lambda: left.append(True))
    _key(qtbot, view, Qt.Key.Key_F)
    window = view.full_screen
    assert window is not None
    assert view.stage.window() is window
    assert window.isFullScreen() or window.windowState() & Qt.WindowState.WindowFullScreen
    qtbot.keyClick(view.stage, Qt.Key.Key_Escape)  # leaves full screen only
    assert view.full_screen is None
    assert view.stage.parent() is view
    assert not left
    _key(qtbot, view, Qt.Key.Key_F11)
    assert view.full_screen is not None
    _key(qtbot, view, Qt.Key.Key_F)
    assert view.full_screen is None
    qtbot.keyClick(view.stage, Qt.Key.Key_Escape)
    assert left == [True]
    del vm


def test_export_png_frames_and_an_animated_png(qtbot, ctx, tmp_path: Path) -> None:
    clock = FakeClock()
    vm, view = _view(qtbot, ctx, clock)
    assert view.export_frames(tmp_path / "none") == []  # nothing to export yet
    vm.load(_comparison())
    view.export_png(tmp_path / "stage.png")
    image = QImage(str(tmp_path / "stage.png"))
    assert image.width() == view.stage.width()
    assert not image.isNull()

    paths = view.export_frames(tmp_path / "frames")
    assert paths, ctx.notes
    frames = sorted((tmp_path / "frames").glob("frame_*.png"))
    # 7 s at 15 frames a second, plus the held final frame
    assert 100 <= len(frames) <= 110
    assert paths[-2:] == [tmp_path / "frames" / "race.png", tmp_path / "frames" / "final.png"]
    first, last = QImage(str(frames[0])), QImage(str(frames[-1]))
    assert (first.width(), first.height()) == (1280, 720)
    assert first != last
    chunks = png_chunks((tmp_path / "frames" / "race.png").read_bytes())
    kinds = [k for k, _ in chunks]
    (num_frames, plays) = struct.unpack(">II", dict(chunks)[b"acTL"])
    assert (num_frames, plays) == (len(frames), 0)
    assert kinds.count(b"fcTL") == len(frames)
    assert kinds.count(b"fdAT") == len(frames) - 1
    sequence = [struct.unpack(">I", d[:4])[0] for k, d in chunks if k in (b"fcTL", b"fdAT")]
    assert sequence == list(range(len(sequence)))
    last_delay = [d for k, d in chunks if k == b"fcTL"][-1]
    assert struct.unpack(">HH", last_delay[20:24]) == (2000, 1000)
    # a viewer without APNG support shows the first frame
    assert not QImage(str(tmp_path / "frames" / "race.png")).isNull()
    assert vm.mode is DemoMode.IDLE  # exporting does not start the race


def test_loading_saved_comparisons(tmp_path: Path) -> None:
    result = _comparison()
    lab_file = tmp_path / "lab.json"
    lab_file.write_text(json.dumps(result_to_dict(result)))
    assert load_comparison(lab_file) == result
    history = tmp_path / "history.json"
    history.write_text(json.dumps({"version": 1, "runs": [result_to_dict(result)]}))
    assert load_comparison(history) == result
    report = {
        "link": {"spec": "100mbit,20ms"},
        "run_mode": "exec",
        "image": {
            "reference": "reg/demo:v1",
            "runs": [
                {
                    "started_at": "2026-01-01T00:00:00+00:00",
                    "bytes": 500,
                    "phases": [
                        {
                            "name": "resolve",
                            "start": 0.0,
                            "duration": 0.1,
                            "detail": {"image_size": 1000},
                        },
                        {"name": "pull", "start": 0.1, "duration": 2.0, "bytes": 500},
                    ],
                }
            ],
        },
        "vs": {
            "reference": "reg/demo:v1_accelerated",
            "runs": [{"bytes": 20, "phases": [{"name": "pull", "start": 0.0, "duration": 0.5}]}],
        },
    }
    core_file = tmp_path / "coldstart.json"
    core_file.write_text(json.dumps(report))
    loaded = load_comparison(core_file)
    assert loaded.request.link == "100mbit,20ms"
    assert loaded.sides[0].runs[0].phases[1] == LabPhase("pull", 100.0, 2000.0, 500, 0)
    assert loaded.sides[0].runs[0].image_size == 1000
    assert loaded.sides[1].label == "reg/demo:v1_accelerated"
    for bad in ("not json", json.dumps({"x": 1}), json.dumps({"run_id": "r", "sides": []})):
        path = tmp_path / "bad.json"
        path.write_text(bad)
        with pytest.raises(InvalidInput):
            load_comparison(path)


def test_race_chart_draws_lanes(qtbot) -> None:
    chart = RaceChart()
    qtbot.addWidget(chart)
    lanes = (
        LaneView("Plain", "a", (LabPhase("pull", 0, 3000),), elapsed_ms=1500, running=True),
        LaneView("Fast", "b", (LabPhase("pull", 0, 500),), elapsed_ms=500, done=True),
    )
    chart.set_lanes(lanes, nice_scale(3000))
    image = chart.render_image(QSize(800, 300))
    assert not image.isNull()
    assert "Plain: 1.50 s" in chart.accessibleDescription()
    colors = {image.pixelColor(x, y).name() for x in range(0, 800, 4) for y in range(0, 300, 4)}
    assert "#3d8bfd" in colors  # the pull segment is drawn
    assert nice_scale(3000) == 3000
    assert nice_scale(100) == 1000
    assert nice_scale(12_000) == 12_000


class RaceBackend(LiveBackend):
    """A backend whose live events the test sends itself (both sides interleaved)."""

    def __init__(self) -> None:
        super().__init__()
        self.sink: Callable[[LabProgress], None] | None = None
        self.result: asyncio.Future[LabResult] | None = None

    async def run_coldstart(
        self, request: LabRequest, on_progress: Callable[[LabProgress], None] | None = None
    ) -> LabResult:
        self.requests.append(request)
        self.sink = on_progress
        self.result = asyncio.get_running_loop().create_future()
        return await self.result


def test_a_live_race_runs_both_lanes_at_once(qtbot, ctx, tmp_path: Path) -> None:
    clock = FakeClock()
    vm, view = _view(qtbot, ctx, clock)
    backend = RaceBackend()
    ctx.set_backend(backend, profile="Local", kind="local")  # type: ignore[arg-type]
    assert "both at once" in view.stage.subtitle.text()
    _key(qtbot, view, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: backend.sink is not None, timeout=5000)
    assert backend.requests[0].together
    a, b = vm.state().lanes
    assert a.running
    assert b.running  # both clocks run from the start
    send = backend.sink
    assert send is not None
    # Both begin resolving, then pulling; a phase under way grows (duration so far).
    for side in (0, 1):
        send(LabProgress(side, 0, LabPhase("resolve", 0.0, 0.0), finished=False))
    send(LabProgress(0, 0, LabPhase("resolve", 0.0, 100.0)))
    send(LabProgress(1, 0, LabPhase("resolve", 0.0, 100.0)))
    send(LabProgress(0, 0, LabPhase("pull", 100.0, 1500.0, bytes=30_000_000), finished=False))
    send(LabProgress(1, 0, LabPhase("pull", 100.0, 300.0)))
    a, b = vm.state().lanes
    assert [p.name for p in a.phases] == ["resolve", "pull"]
    assert a.elapsed_ms == pytest.approx(1600.0)
    assert [p.name for p in b.phases] == ["resolve", "pull"]
    clock.advance(1.0)
    vm.tick()
    a, b = vm.state().lanes
    assert a.elapsed_ms == pytest.approx(2600.0)  # both clocks move between events
    assert b.elapsed_ms == pytest.approx(1400.0)
    # The accelerated lane answers first: its clock stops; the plain one keeps running.
    send(LabProgress(1, 0, LabPhase("mount", 400.0, 200.0)))
    send(LabProgress(1, 0, LabPhase("start", 600.0, 500.0)))
    send(LabProgress(1, 0, LabPhase("first-invoke", 1100.0, 50.0)))
    a, b = vm.state().lanes
    assert b.done
    assert not b.running
    assert not a.done
    assert vm.mode is DemoMode.LIVE
    clock.advance(2.0)
    vm.tick()
    a, b = vm.state().lanes
    assert b.elapsed_ms == pytest.approx(1150.0)
    assert a.elapsed_ms > 4000.0
    assert view.stage.ratio.text() == "Accelerated image: answered after 1.1 s"
    assert backend.result is not None
    plain = _timeline(PLAIN, 500_000_000, 500_000_000)
    fast = _timeline(FAST, 10_000_000, 500_000_000)
    backend.result.set_result(
        LabResult(
            "race1",
            1_767_000_100.0,
            backend.requests[0],
            (
                LabSide("demo-plain", "demo-plain", (plain,)),
                LabSide("demo-accelerated", "demo-accelerated", (fast,)),
            ),
        )
    )
    qtbot.waitUntil(lambda: vm.mode is DemoMode.FINISHED, timeout=5000)
    assert view.stage.ratio.text().endswith("× faster")


def test_png_export_is_the_stage_without_key_hints_and_named(qtbot, ctx, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QFileDialog

    vm, view = _view(qtbot, ctx, FakeClock())
    vm.load(_comparison())
    hints_while_grabbing: list[bool] = []
    grab = view.stage.grab

    def watched_grab(*args):  # type: ignore[no-untyped-def]
        hints_while_grabbing.append(view.stage.keys.isVisible())
        return grab(*args)

    view.stage.grab = watched_grab  # type: ignore[method-assign]
    view.export_png(tmp_path / "stage.png")
    assert hints_while_grabbing == [False]
    assert view.stage.keys.isVisible()  # back for the presenter
    assert QImage(str(tmp_path / "stage.png")).height() > 0
    _key(qtbot, view, Qt.Key.Key_E)
    dialog = next(d for d in view.window().findChildren(QFileDialog) if d.isVisible())
    chosen = dialog.selectedFiles()[0]
    assert Path(chosen).name.startswith("cold-start-demo-")
    assert chosen.endswith(".png")
    dialog.reject()
