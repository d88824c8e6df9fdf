"""Seeding progress events: byte progress only carries bytes."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from core._progress import Progress
from core.emulator._seed import _Seeding


class _Bus:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def publish(self, type_: str, **data: Any) -> None:
        self.events.append((type_, data))


def _seeding() -> tuple[_Seeding, _Bus]:
    bus = _Bus()
    ctx: Any = SimpleNamespace(bus=bus, services={}, config=SimpleNamespace(seed_image="medium"))
    return _Seeding(ctx, "medium"), bus


def test_demo_step_counter_is_not_reported_as_bytes() -> None:
    seeding, bus = _seeding()
    seeding.detail("medium", "build", Progress("demo", 1, 5, "import"))
    assert [e for e in bus.events if "bytes" in e[1]] == []


def test_byte_progress_is_reported() -> None:
    seeding, bus = _seeding()
    seeding.detail("medium", "build", Progress("push", 180 << 20, 412 << 20, "sha256:x"))
    assert len(bus.events) == 1
    kind, data = bus.events[0]
    assert kind == "seed.progress"
    assert (data["bytes"], data["totalBytes"], data["phase"]) == (180 << 20, 412 << 20, "push")
