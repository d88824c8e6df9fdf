"""`DemoViewModel`: the cold-start race for presentations.

Two sources:

* **live** — runs a comparison of the Local profile's seeded demo functions (``demo-plain``
  vs ``demo-accelerated``) through the backend, like the lab: both cold starts at once, each
  instance pulling over an emulated link of its own (``together``, the default: a real
  race), or one after the other; each lane fills in as the server reports its phases
  beginning, growing and ending, and a running lane's clock keeps moving in between;
* **replay** — a saved comparison (the lab's JSON, or the lab's history) played back at real
  speed: both lanes start together and race, phase by phase, on the recorded timings.

Time comes from an injectable ``clock`` (seconds), so tests replay with a fake clock; a
`QTimer` calls `tick` about 30 times a second. `state` (or `state_at` for any moment of a
replay) is a `RaceState` snapshot that views and exporters draw.
"""

from __future__ import annotations

import contextlib
import enum
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from core.errors import InvalidInput
from gui.backend import LabPhase, LabProgress, LabRequest, LabResult, LabSide, LabTimeline
from gui.context import AppContext
from gui.i18n import arg
from gui.models.lab_runs_model import ratio as p50_ratio
from gui.viewmodels.lab_vm import LabViewModel, result_from_dict
from gui.viewmodels.race import STAGE_COLORS, LaneView, lane_total_ms, nice_scale
from gui.viewmodels.seed_vm import demo_names

__all__ = [
    "DemoMode",
    "DemoViewModel",
    "RaceState",
    "load_comparison",
]

log = logging.getLogger(__name__)

DEMO_LINK = "broadband"
TICK_MS = 33


class DemoMode(enum.StrEnum):
    IDLE = "idle"
    LIVE = "live"
    REPLAY = "replay"
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class RaceState:
    """Everything the stage shows at one moment."""

    mode: DemoMode
    lanes: tuple[LaneView, LaneView]
    scale_ms: float
    source: str = ""  # "live" | "replay"
    run_index: int = 0
    runs: int = 0
    link: str = ""
    created: float | None = None
    ratio: float | None = None  # this run: A total / B total, once both are done
    p50_ratio: float | None = None  # the comparison's p50 ratio (replays of several runs)
    bytes_fetched: tuple[int, int] = (0, 0)
    image_size: tuple[int, int] = (0, 0)
    message: str = ""
    together: bool = True  # both sides at once (a race), or one after the other

    @property
    def finished(self) -> bool:
        return all(lane.done for lane in self.lanes) and any(lane.phases for lane in self.lanes)


def _from_coldstart_report(data: dict[str, Any], name: str) -> LabResult:
    """A ``fcaccel coldstart --output`` comparison (``image``/``vs`` sides, seconds)."""
    import datetime as dt

    sides = []
    created = 0.0
    for key in ("image", "vs"):
        side = data[key]
        runs = []
        for run in side.get("runs") or []:
            if run.get("error"):
                continue
            phases = tuple(
                LabPhase(
                    name=str(p["name"]),
                    start_ms=float(p["start"]) * 1000.0,
                    duration_ms=float(p["duration"]) * 1000.0,
                    bytes=int(p.get("bytes") or 0),
                    requests=int(p.get("requests") or 0),
                )
                for p in run.get("phases") or []
            )
            details = [p.get("detail") or {} for p in run.get("phases") or []]
            size = next((int(d["image_size"]) for d in details if d.get("image_size")), 0)
            runs.append(
                LabTimeline(
                    phases=phases,
                    bytes_fetched=int(run.get("bytes") or 0),
                    image_size=size,
                    note=str(run.get("run_mode") or ""),
                )
            )
            if not created and run.get("started_at"):
                with contextlib.suppress(ValueError):
                    created = dt.datetime.fromisoformat(str(run["started_at"])).timestamp()
        reference = str(side.get("reference") or key)
        sides.append(LabSide(label=reference, target=reference, runs=tuple(runs)))
    link = data.get("link") or {}
    request = LabRequest(
        "images",
        sides[0].target,
        sides[1].target,
        str(link.get("spec") or "") if isinstance(link, dict) else str(link),
        runs=max(len(sides[0].runs), len(sides[1].runs)),
    )
    return LabResult(name, created or time.time(), request, (sides[0], sides[1]))


def load_comparison(path: Path) -> LabResult:
    """A saved comparison: the lab's exported JSON or history file (newest run), or a
    ``fcaccel coldstart --output`` report."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read {path.name}: {exc}", code="UnreadableComparison") from exc
    if isinstance(data, dict) and isinstance(data.get("runs"), list) and data["runs"]:
        data = data["runs"][0]  # a lab history file
    try:
        if isinstance(data, dict) and "vs" in data and "image" in data:
            result = _from_coldstart_report(data, path.stem)
        else:
            result = result_from_dict(data)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise InvalidInput(
            f"{path.name} is not a saved cold-start comparison: {exc}", code="NotAComparison"
        ) from exc
    if not all(side.runs for side in result.sides):
        raise InvalidInput(f"{path.name} holds no finished runs", code="NotAComparison")
    return result


def _lane(label: str, target: str, accent: str) -> LaneView:
    return LaneView(label=label, target=target, accent=accent)


class DemoViewModel(QObject):
    stateChanged = Signal(object)  # RaceState
    modeChanged = Signal(str)
    finished = Signal(object)  # RaceState at the finish
    failed = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        lab: LabViewModel | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.lab = lab
        self.clock = clock
        self.functions = demo_names()[:2]
        self.link = DEMO_LINK
        self.together = True
        self.loaded: LabResult | None = None
        self.run_index = 0
        self.mode = DemoMode.IDLE
        self._t0 = 0.0
        self._lanes: list[LaneView] = [
            _lane(self.tr("Plain image"), self.functions[0], STAGE_COLORS["accent_a"]),
            _lane(self.tr("Accelerated image"), self.functions[1], STAGE_COLORS["accent_b"]),
        ]
        self._anchors: list[float | None] = [None, None]
        self._active = -1
        self._result: LabResult | None = None
        self._message = ""
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)

    # -- state --------------------------------------------------------------------------------
    def _set_mode(self, mode: DemoMode) -> None:
        if mode != self.mode:
            self.mode = mode
            self.modeChanged.emit(mode.value)
        if mode in (DemoMode.LIVE, DemoMode.REPLAY):
            self.timer.start()
        else:
            self.timer.stop()

    def _current_result(self) -> LabResult | None:
        return self.loaded if self.loaded is not None else self._result

    def _replay_run(self) -> tuple[LabTimeline | None, LabTimeline | None]:
        result = self._current_result()
        if result is None:
            return None, None
        runs = [
            side.runs[self.run_index] if self.run_index < len(side.runs) else None
            for side in result.sides
        ]
        return runs[0], runs[1]

    def state(self) -> RaceState:
        lanes = (self._lanes[0], self._lanes[1])
        known = max(lane_total_ms(lane.phases) for lane in lanes)
        elapsed = max(lane.elapsed_ms for lane in lanes)
        scale = nice_scale(max(known * 1.05, elapsed * 1.15))
        result = self._current_result()
        a, b = self._replay_run()
        done = all(lane.done for lane in lanes) and any(lane.phases for lane in lanes)
        ratio = None
        if done:
            ta, tb = (lane_total_ms(lane.phases) for lane in lanes)
            ratio = ta / tb if ta and tb else None
        return RaceState(
            mode=self.mode,
            lanes=lanes,
            scale_ms=scale,
            source=self.source(),
            run_index=self.run_index,
            runs=max((len(s.runs) for s in result.sides), default=0) if result else 0,
            link=result.request.link if result else self.link,
            created=result.created if result else None,
            ratio=ratio,
            p50_ratio=p50_ratio(result) if result and done else None,
            bytes_fetched=(a.bytes_fetched if a else 0, b.bytes_fetched if b else 0),
            image_size=(a.image_size if a else 0, b.image_size if b else 0),
            message=self._message,
            together=result.request.together if result else self.together,
        )

    def source(self) -> str:
        if self.loaded is not None:
            return "replay"
        return "live" if self.mode == DemoMode.LIVE or self._result is not None else ""

    def _emit(self) -> None:
        state = self.state()
        self.stateChanged.emit(state)
        # Live, the race is over once the backend has returned the whole result (a lane
        # that has answered stops its clock before that).
        over = self.mode == DemoMode.REPLAY or (
            self.mode == DemoMode.LIVE and self._result is not None
        )
        if state.finished and over:
            self._set_mode(DemoMode.FINISHED)
            final = self.state()
            self.stateChanged.emit(final)
            self.finished.emit(final)

    # -- controls -----------------------------------------------------------------------------
    def start(self) -> None:
        """Space/Enter: replay the loaded comparison, else run the demo functions live."""
        if self.mode in (DemoMode.LIVE, DemoMode.REPLAY):
            return
        if self.loaded is not None:
            self.replay()
        else:
            self.start_live()

    def reset(self) -> None:
        """R: stop whatever runs and clear both lanes (a loaded comparison stays loaded)."""
        self.ctx.jobs.cancel("demo")
        self._set_mode(DemoMode.IDLE)
        self._result = None
        self._message = ""
        self._clear_lanes()
        self._emit()

    def next_run(self) -> None:
        """N: the next run of the loaded comparison, or another live run."""
        if self.mode == DemoMode.LIVE:
            return
        if self.loaded is not None:
            runs = max(len(s.runs) for s in self.loaded.sides)
            self.run_index = (self.run_index + 1) % max(1, runs)
            self.replay()
        else:
            self.start_live()

    def set_together(self, together: bool) -> None:
        """S: race both sides at once (each over its own link), or one after the other
        (not while a live run is under way)."""
        if self.mode == DemoMode.LIVE or together == self.together:
            return
        self.together = together
        self._emit()

    def load(self, result: LabResult) -> None:
        self.ctx.jobs.cancel("demo")
        self.loaded = result
        self.run_index = 0
        self._result = None
        self._message = ""
        self._set_mode(DemoMode.IDLE)
        self._clear_lanes()
        self._emit()

    def unload(self) -> None:
        self.loaded = None
        self.reset()

    def load_latest(self) -> bool:
        """L: the newest comparison of the lab's history."""
        rows = self.lab.model.rows if self.lab is not None else []
        usable = [r for r in rows if r.status == "finished" and all(s.runs for s in r.sides)]
        if not usable:
            self._message = self.tr("The lab has no finished comparison yet.")
            self._emit()
            return False
        self.load(usable[0])
        return True

    def _clear_lanes(self) -> None:
        result = self.loaded
        labels = (
            (
                (result.sides[0].label, result.sides[0].target),
                (result.sides[1].label, result.sides[1].target),
            )
            if result is not None
            else (
                (self.tr("Plain image"), self.functions[0]),
                (self.tr("Accelerated image"), self.functions[1]),
            )
        )
        self._lanes = [
            _lane(labels[0][0], labels[0][1], STAGE_COLORS["accent_a"]),
            _lane(labels[1][0], labels[1][1], STAGE_COLORS["accent_b"]),
        ]
        if result is not None and labels[0][0] == labels[0][1]:
            self._lanes = [
                replace(self._lanes[0], label=self.tr("Plain image")),
                replace(self._lanes[1], label=self.tr("Accelerated image")),
            ]
        self._anchors = [None, None]
        self._active = -1

    # -- replay -------------------------------------------------------------------------------
    def prepare_run(self) -> bool:
        """Put the current run's phases on the lanes (nothing drawn yet); False without one."""
        a, b = self._replay_run()
        if a is None and b is None:
            return False
        if not any(lane.phases for lane in self._lanes):
            self._clear_lanes()
            self._lanes = [
                replace(self._lanes[0], phases=a.phases if a else ()),
                replace(self._lanes[1], phases=b.phases if b else ()),
            ]
        return True

    def replay(self) -> None:
        if self.loaded is None:
            return
        self._message = ""
        self._clear_lanes()
        self.prepare_run()
        self._t0 = self.clock()
        self._set_mode(DemoMode.REPLAY)
        self.tick()

    def state_at(self, t_ms: float) -> RaceState:
        """The replay as it looks ``t_ms`` after the start (for frame export)."""
        lanes = []
        for side, lane in enumerate(self._lanes):
            total = lane_total_ms(lane.phases)
            elapsed = min(t_ms, total)
            done = bool(lane.phases) and t_ms >= total
            lanes.append(
                replace(
                    lane,
                    elapsed_ms=elapsed,
                    running=not done and bool(lane.phases),
                    done=done,
                    caption=self._caption(side, done),
                )
            )
        saved = self._lanes, self.mode
        self._lanes = lanes
        self.mode = DemoMode.FINISHED if all(lane.done for lane in lanes) else DemoMode.REPLAY
        try:
            return self.state()
        finally:
            self._lanes, self.mode = saved

    def replay_length_ms(self) -> float:
        return max((lane_total_ms(lane.phases) for lane in self._lanes), default=0.0)

    def _caption(self, side: int, done: bool) -> str:
        if not done:
            return ""
        run = self._replay_run()[side]
        if run is None or not run.bytes_fetched:
            return ""
        from gui.format import format_bytes

        text = arg(self.tr("fetched %1"), format_bytes(run.bytes_fetched))
        if run.image_size:
            share = run.bytes_fetched / run.image_size * 100
            text += arg(self.tr(" of %1 (%2 %)"), format_bytes(run.image_size), f"{share:.0f}")
        return text

    # -- live ---------------------------------------------------------------------------------
    def start_live(self) -> None:
        backend = self.ctx.backend
        if backend is None and self.ctx.profile_kind == "local":
            # The Local profile, not connected yet (its server starting, or stopped).
            self._message = self.tr(
                "The Local server is not running yet (see the status bar): press Space again "
                "once it is."
            )
            self._emit()
            return
        if backend is None or not backend.capabilities.coldstart:
            self._message = self.tr(
                "Demo mode runs on the Local profile (no account needed): switch to it first."
            )
            self._emit()
            return
        self.loaded = None
        self.run_index = 0
        self._result = None
        self._message = ""
        self._clear_lanes()
        request = LabRequest(
            "functions",
            self.functions[0],
            self.functions[1],
            self.link,
            runs=1,
            together=self.together,
        )
        self._set_mode(DemoMode.LIVE)
        now = self.clock()
        for side in (0, 1) if self.together else (0,):
            # The clocks start when the cold starts do (both at once in a race).
            self._anchors[side] = now
            self._lanes[side] = replace(self._lanes[side], running=True)
        self._emit()

        async def job(sink: Any) -> LabResult:
            return await backend.run_coldstart(request, sink)

        def progress(event: Any) -> None:
            if isinstance(event, LabProgress):
                self.on_phase(event)

        def done(result: LabResult) -> None:
            self._result = result
            a, b = (s.runs[0] if s.runs else None for s in result.sides)
            self._lanes = [
                replace(self._lanes[0], phases=a.phases if a else ()),
                replace(self._lanes[1], phases=b.phases if b else ()),
            ]
            self._finish_lanes()
            self._remember(result)
            self._emit()

        def error(exc: BaseException) -> None:
            self._set_mode(DemoMode.IDLE)
            self._message = str(getattr(self.ctx.presenter.describe(exc), "text", exc))
            self._lanes = [replace(lane, running=False) for lane in self._lanes]
            self.failed.emit(exc)
            self._emit()

        self.ctx.run("demo", job, on_done=done, on_error=error, on_progress=progress)

    def on_phase(self, event: LabProgress) -> None:
        """A live phase — beginning or growing (``finished`` False: its duration and bytes
        so far) or ended: it joins its lane, whose clock is re-anchored on it. A lane stops
        when its first invocation has answered."""
        side = event.side
        if side not in (0, 1) or event.run != 0:
            return
        lane = self._lanes[side]
        phases = [
            p
            for p in lane.phases
            if p.name != event.phase.name or p.start_ms != event.phase.start_ms
        ]
        phases.append(event.phase)
        phases.sort(key=lambda p: p.start_ms)
        end = event.phase.start_ms + event.phase.duration_ms
        self._anchors[side] = self.clock() - end / 1000.0
        if not self.together:
            # One after the other: B beginning means A is over.
            for other in range(side):
                if not self._lanes[other].done:
                    total = lane_total_ms(self._lanes[other].phases)
                    self._lanes[other] = replace(
                        self._lanes[other], elapsed_ms=total, running=False, done=True
                    )
        answered = event.finished and event.phase.name == "first-invoke"
        self._active = side
        self._lanes[side] = replace(
            lane,
            phases=tuple(phases),
            # Once it has answered, the lane shows its measured time exactly.
            elapsed_ms=lane_total_ms(phases) if answered else max(lane.elapsed_ms, end),
            running=not answered,
            done=lane.done or answered,
        )
        self._emit()

    def _finish_lanes(self) -> None:
        self._lanes = [
            replace(
                lane,
                elapsed_ms=lane_total_ms(lane.phases),
                running=False,
                done=True,
            )
            for lane in self._lanes
        ]
        self._lanes = [
            replace(lane, caption=self._caption(side, True))
            for side, lane in enumerate(self._lanes)
        ]

    def _remember(self, result: LabResult) -> None:
        """Keep a live demo run in the lab's history, so it can be replayed later."""
        if self.lab is None:
            return
        self.lab.model.upsert(result, prepend=True)
        try:
            self.lab.history.save(self.lab.model.rows)
        except OSError as exc:
            log.warning("could not save the demo run to the lab history: %s", exc)

    # -- the clock ----------------------------------------------------------------------------
    def tick(self) -> None:
        now = self.clock()
        if self.mode == DemoMode.REPLAY:
            t_ms = (now - self._t0) * 1000.0
            state = self.state_at(t_ms)
            self._lanes = list(state.lanes)
            self._emit()
        elif self.mode == DemoMode.LIVE:
            moved = False
            for side, lane in enumerate(self._lanes):
                anchor = self._anchors[side]
                if anchor is not None and lane.running:
                    elapsed = max(lane_total_ms(lane.phases), (now - anchor) * 1000.0)
                    self._lanes[side] = replace(lane, elapsed_ms=elapsed)
                    moved = True
            if moved:
                self.stateChanged.emit(self.state())

    def elapsed_phase(self) -> LabPhase | None:
        """The phase the leading lane is in (for accessibility announcements)."""
        lane = max(self._lanes, key=lambda item: item.elapsed_ms)
        return next(
            (p for p in lane.phases if p.start_ms <= lane.elapsed_ms < p.start_ms + p.duration_ms),
            None,
        )
