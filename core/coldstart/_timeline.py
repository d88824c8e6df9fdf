"""Cold-start timelines: phases with their times, bytes and requests, and live events.

Phase names (``PHASES``), in order: ``resolve`` (tag → manifest and config) · ``pull`` (full:
every layer downloaded; lazy: TOCs and the prefetch set) · ``unpack`` (full) or ``mount``
(lazy) · ``start`` (process start until its port answers HTTP; in replay mode: the profile's
reads replayed) · ``first-invoke`` (the first ``POST /invoke`` answered).

Live events are :class:`~core._progress.Progress` with ``phase`` = the phase name and
``extra["event"]`` = ``"begin"``, ``"progress"`` or ``"end"``; ``extra`` also carries ``t``
(seconds since the cold start began), and at the end ``duration``, ``bytes``, ``requests``.
``done`` is bytes so far in the phase.
"""

from __future__ import annotations

import datetime
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core._progress import Progress, ProgressCallback, emit
from core._stats import percentile

__all__ = [
    "PHASES",
    "PhaseRecord",
    "Timeline",
    "TimelineRecorder",
    "summarize",
]

PHASES = ("resolve", "pull", "unpack", "mount", "start", "first-invoke")


@dataclass(slots=True)
class PhaseRecord:
    """One phase: start offset and duration (seconds), network bytes and requests."""

    name: str
    start: float
    duration: float = 0.0
    bytes: int = 0
    requests: int = 0
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def end(self) -> float:
        return self.start + self.duration

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "start": self.start,
            "duration": self.duration,
            "end": self.end,
            "bytes": self.bytes,
            "requests": self.requests,
            "detail": self.detail,
        }


@dataclass(slots=True)
class Timeline:
    """One cold start. ``mode`` is ``"full"`` or ``"lazy"``; ``run_mode`` is ``"exec"``
    (the real entrypoint ran) or ``"replay"`` (the profile's reads were replayed);
    ``link`` is the shaped link's settings (``LinkSpec.as_dict()``), or None on a plain one.
    """

    image: str
    mode: str
    run_mode: str
    link: dict[str, Any] | None = None
    phases: list[PhaseRecord] = field(default_factory=list)
    started_at: str = field(
        default_factory=lambda: datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    )
    metrics: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    #: Files opened during a lazy exec start recorded with ``record_profile`` (not in the
    #: JSON form: ``fcaccel coldstart --record-profile`` writes them to a file).
    recorded_profile: tuple[str, ...] = ()

    def phase(self, name: str) -> PhaseRecord | None:
        for p in self.phases:
            if p.name == name:
                return p
        return None

    @property
    def total(self) -> float:
        """Seconds from the start to the end of the last phase (time to first response)."""
        return max((p.end for p in self.phases), default=0.0)

    @property
    def bytes(self) -> int:
        return sum(p.bytes for p in self.phases)

    @property
    def requests(self) -> int:
        return sum(p.requests for p in self.phases)

    def as_dict(self) -> dict[str, Any]:
        return {
            "image": self.image,
            "mode": self.mode,
            "run_mode": self.run_mode,
            "link": self.link,
            "started_at": self.started_at,
            "total_s": self.total,
            "bytes": self.bytes,
            "requests": self.requests,
            "phases": [p.as_dict() for p in self.phases],
            "metrics": self.metrics,
            "error": self.error,
        }


class TimelineRecorder:
    """Builds a :class:`Timeline` phase by phase and emits live events.

    ``counters`` returns cumulative ``(bytes, requests)`` of the network (a shaped link's
    stats, or the puller's own metrics); each phase records its delta.
    """

    def __init__(
        self,
        timeline: Timeline,
        *,
        counters: Callable[[], tuple[int, int]] | None = None,
        on_progress: ProgressCallback | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timeline = timeline
        self.counters = counters or (lambda: (0, 0))
        self.on_progress = on_progress
        self.clock = clock
        self.t0 = clock()
        self._current: PhaseRecord | None = None
        self._base = (0, 0)

    def now(self) -> float:
        return self.clock() - self.t0

    def begin(self, name: str, **detail: Any) -> PhaseRecord:
        if self._current is not None:
            self.end()
        record = PhaseRecord(name, self.now(), detail=dict(detail))
        self._current = record
        self._base = self.counters()
        emit(
            self.on_progress,
            Progress(name, 0, None, self.timeline.image, {"event": "begin", "t": record.start}),
        )
        return record

    def progress(self, done: int | None = None, total: int | None = None, **extra: Any) -> None:
        record = self._current
        if record is None:
            return
        moved = self.counters()[0] - self._base[0] if done is None else done
        emit(
            self.on_progress,
            Progress(
                record.name,
                moved,
                total,
                self.timeline.image,
                {"event": "progress", "t": self.now(), **extra},
            ),
        )

    def end(self, **detail: Any) -> PhaseRecord | None:
        record = self._current
        if record is None:
            return None
        self._current = None
        record.duration = self.now() - record.start
        now = self.counters()
        record.bytes = now[0] - self._base[0]
        record.requests = now[1] - self._base[1]
        record.detail.update(detail)
        self.timeline.phases.append(record)
        emit(
            self.on_progress,
            Progress(
                record.name,
                record.bytes,
                record.bytes,
                self.timeline.image,
                {
                    "event": "end",
                    "t": record.end,
                    "duration": record.duration,
                    "bytes": record.bytes,
                    "requests": record.requests,
                },
            ),
        )
        return record

    def add(self, name: str, start: float, duration: float, **detail: Any) -> PhaseRecord:
        """Record a phase measured elsewhere (``start`` relative to this recorder's t0)."""
        record = PhaseRecord(name, start, duration, detail=dict(detail))
        self.timeline.phases.append(record)
        return record


def summarize(timelines: Sequence[Timeline]) -> dict[str, Any]:
    """p50/p95/mean of the total and of every phase over several runs."""
    totals = [t.total for t in timelines if t.error is None]
    names: list[str] = []
    for t in timelines:
        for p in t.phases:
            if p.name not in names:
                names.append(p.name)
    phases: dict[str, Any] = {}
    for name in names:
        durations = [
            rec.duration
            for t in timelines
            if t.error is None and (rec := t.phase(name)) is not None
        ]
        phases[name] = {
            "p50": percentile(durations, 50),
            "p95": percentile(durations, 95),
            "mean": statistics.fmean(durations) if durations else 0.0,
        }
    return {
        "runs": len(timelines),
        "failed": sum(1 for t in timelines if t.error is not None),
        "total": {
            "p50": percentile(totals, 50),
            "p95": percentile(totals, 95),
            "mean": statistics.fmean(totals) if totals else 0.0,
            "min": min(totals, default=0.0),
            "max": max(totals, default=0.0),
        },
        "bytes_p50": percentile([float(t.bytes) for t in timelines if t.error is None], 50),
        "requests_p50": percentile([float(t.requests) for t in timelines if t.error is None], 50),
        "phases": phases,
    }
