"""`LabViewModel`: runs cold-start comparisons, keeps their history on disk, exports them."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import time
import uuid
from pathlib import Path
from typing import Any

import platformdirs
from PySide6.QtCore import QObject, Signal

from core import atomic_write
from gui.backend import (
    LabEvent,
    LabPhase,
    LabProgress,
    LabRequest,
    LabResult,
    LabRunDone,
    LabSide,
    LabTimeline,
)
from gui.context import AppContext
from gui.i18n import arg
from gui.models.lab_runs_model import LabRunsModel

__all__ = ["LabHistory", "LabViewModel", "data_dir", "result_from_dict", "result_to_dict"]

log = logging.getLogger(__name__)

DATA_DIR_ENV = "FCDESK_DATA_DIR"


def data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir("fcdesk", appauthor=False))


def result_to_dict(result: LabResult) -> dict[str, Any]:
    return dataclasses.asdict(result)


def result_from_dict(data: dict[str, Any]) -> LabResult:
    req = LabRequest(**data["request"])
    sides = []
    for side in data["sides"]:
        runs = tuple(
            LabTimeline(
                phases=tuple(LabPhase(**p) for p in run["phases"]),
                **{k: v for k, v in run.items() if k != "phases"},
            )
            for run in side.get("runs", ())
        )
        sides.append(LabSide(label=side["label"], target=side["target"], runs=runs))
    return LabResult(
        run_id=data["run_id"],
        created=float(data["created"]),
        request=req,
        sides=(sides[0], sides[1]),
        status=data.get("status", "finished"),
        error=data.get("error", ""),
    )


class LabHistory:
    """Lab runs in ``<data dir>/lab-history.json`` (newest first), written atomically."""

    def __init__(self, path: Path | None = None, limit: int = 200) -> None:
        self.path = path or data_dir() / "lab-history.json"
        self.limit = limit

    def load(self) -> list[LabResult]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.warning("lab history %s is unreadable: %s", self.path, exc)
            return []
        out = []
        for item in raw.get("runs", []):
            try:
                out.append(result_from_dict(item))
            except (KeyError, TypeError, ValueError, IndexError) as exc:
                log.warning("skipping a malformed lab run: %s", exc)
        return out

    def save(self, results: list[LabResult]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"version": 1, "runs": [result_to_dict(r) for r in results[: self.limit]]}
        atomic_write(self.path, json.dumps(data, indent=1), private=True)


def partial_result(
    request: LabRequest, done: dict[tuple[int, int], LabTimeline], status: str, error: str = ""
) -> LabResult | None:
    """The runs that finished before a comparison failed or was cancelled, as a result of
    that ``status`` (None when no run finished)."""
    if not done:
        return None
    sides = tuple(
        LabSide(
            target,
            target,
            tuple(done[(side, run)] for run in sorted(r for (s, r) in done if s == side)),
        )
        for side, target in enumerate((request.a, request.b))
    )
    return LabResult(
        run_id=uuid.uuid4().hex[:12],
        created=time.time(),
        request=request,
        sides=(sides[0], sides[1]),
        status=status,
        error=error,
    )


class LabViewModel(QObject):
    runningChanged = Signal(bool)
    phaseReported = Signal(object)  # LabProgress
    runFinished = Signal(object)  # LabResult
    runFailed = Signal(object)
    #: A comparison that failed or was cancelled, with the runs that had finished (kept in
    #: the history, status "failed" or "cancelled").
    partialResult = Signal(object)  # LabResult

    def __init__(
        self, ctx: AppContext, history: LabHistory | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.history = history or LabHistory()
        self.model = LabRunsModel(self)
        self.model.set_rows(self.history.load())
        self.current: LabResult | None = None
        self._running = False

    @property
    def running(self) -> bool:
        return self._running

    def _set_running(self, running: bool) -> None:
        if running != self._running:
            self._running = running
            self.runningChanged.emit(running)

    def run(self, request: LabRequest) -> None:
        backend = self.ctx.require_backend()
        self._set_running(True)
        self._request = request
        self._done: dict[tuple[int, int], LabTimeline] = {}

        async def job(sink: Any) -> LabResult:
            return await backend.run_coldstart(request, sink)

        def progress(event: LabEvent) -> None:
            if isinstance(event, LabRunDone):
                self._done[(event.side, event.run)] = event.timeline
            elif isinstance(event, LabProgress):
                self.phaseReported.emit(event)

        def done(result: LabResult) -> None:
            self._set_running(False)
            self._remember(result)
            self.runFinished.emit(result)
            from gui.models.lab_runs_model import about_even, ratio

            r = ratio(result)
            # Which side is faster is said with the names: "A vs B: 2.0× slower" read as
            # if A were the slow one.
            times = ""
            if about_even(r):
                text = self.tr("%1 and %2 start about as fast")
            elif r is not None and r < 1:
                text = self.tr("%2 starts %3× slower than %1")
                times = f"{1 / r:.1f}"
            else:
                text = self.tr("%2 starts %3× faster than %1")
                times = f"{r:.1f}" if r else "?"
            self.ctx.notify(
                self.tr("Cold-start comparison finished"),
                arg(text, result.sides[0].label, result.sides[1].label, times),
                "ok",
            )

        def failed(exc: BaseException) -> None:
            self._set_running(False)
            self.runFailed.emit(exc)
            from gui.errors import ErrorPresenter

            reason = ErrorPresenter.describe(exc).text.replace("\n", " ")
            self._keep_partial("failed", reason)
            self.ctx.presenter.show(exc)

        task = self.ctx.run("lab", job, on_done=done, on_error=failed, on_progress=progress)
        task.add_done_callback(lambda t: self._set_running(False) if t.cancelled() else None)

    def cancel(self) -> None:
        if self.ctx.jobs.cancel("lab"):
            self._set_running(False)
            self._keep_partial("cancelled")

    def _keep_partial(self, status: str, error: str = "") -> None:
        request = getattr(self, "_request", None)
        if request is None:
            return
        result = partial_result(request, self._done, status, error)
        self._done = {}
        if result is not None:
            self._remember(result)
            self.partialResult.emit(result)

    def _remember(self, result: LabResult) -> None:
        self.current = result
        self.model.upsert(result, prepend=True)
        try:
            self.history.save(self.model.rows)
        except OSError as exc:
            self.ctx.presenter.show(exc)

    def delete(self, run_id: str) -> None:
        if self.model.remove(run_id):
            self.history.save(self.model.rows)

    @staticmethod
    def export_json(result: LabResult, path: Path) -> None:
        path.write_text(json.dumps(result_to_dict(result), indent=2), encoding="utf-8")
