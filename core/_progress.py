"""Progress events emitted by long-running core jobs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Progress", "ProgressCallback", "emit", "human_bytes"]


@dataclass(frozen=True, slots=True)
class Progress:
    """One progress event of a long job.

    ``phase`` is a machine-readable code (``"download"``, ``"convert"``, ``"push"`` …), never a
    sentence for users; ``item`` names what the event is about (a digest, a path, a tag).
    ``done`` and ``total`` are in the phase's unit (bytes unless the phase says otherwise);
    ``total`` is ``None`` when unknown. ``extra`` carries phase-specific figures.
    """

    phase: str
    done: int = 0
    total: int | None = None
    item: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


ProgressCallback = Callable[[Progress], None]


def emit(callback: ProgressCallback | None, event: Progress) -> None:
    """Call ``callback`` with ``event`` when a callback was given."""
    if callback is not None:
        callback(event)


def human_bytes(n: float) -> str:
    """``512 B``, ``1.5 KiB`` … ``3.2 GiB`` for status lines and logs."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} GiB"
