"""The cold-start race's data, shared by the demo's view-model and the chart that draws it:
lanes, the presentation palette and the time axis (no widgets here)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from gui.backend import LabPhase

__all__ = ["STAGE_COLORS", "LaneView", "lane_total_ms", "nice_scale", "tick_step"]

#: The presentation palette (independent of the desktop theme: projectors want contrast).
STAGE_COLORS: dict[str, str] = {
    "background": "#0e141d",
    "track": "#1b2430",
    "text": "#eef2f7",
    "muted": "#8b97a8",
    "runner": "#ffffff",
    "accent_a": "#f0a020",
    "accent_b": "#2fbf71",
}


def lane_total_ms(phases: Sequence[LabPhase]) -> float:
    return max((p.start_ms + p.duration_ms for p in phases), default=0.0)


def tick_step(ms: float, max_ticks: int = 8) -> float:
    """A round tick interval (1-2-5 steps) giving at most ``max_ticks`` intervals."""
    step = 100.0
    while True:
        for factor in (1, 2, 5):
            if ms / (step * factor) <= max_ticks:
                return step * factor
        step *= 10


def nice_scale(ms: float) -> float:
    """The axis maximum: ``ms`` (at least one second) rounded up to a whole tick."""
    value = max(ms, 1000.0)
    step = tick_step(value)
    return float(math.ceil(value / step - 1e-9) * step)


@dataclass(frozen=True, slots=True)
class LaneView:
    """One lane: its phases, how far it has got (``elapsed_ms``) and whether it is done."""

    label: str
    target: str
    phases: tuple[LabPhase, ...] = ()
    elapsed_ms: float = 0.0
    running: bool = False
    done: bool = False
    accent: str = STAGE_COLORS["accent_a"]
    caption: str = ""  # e.g. bytes fetched, drawn under the track
    extra: dict[str, str] = field(default_factory=dict)
