"""The suite's own hygiene: what one test changes in the interpreter does not reach the next,
and its waits follow how busy the machine is."""

from __future__ import annotations

import gc

import pytest


def test_a_test_may_freeze_the_collector() -> None:
    gc.freeze()  # as the console does once its modules are loaded
    assert gc.get_freeze_count() > 0


def test_the_next_test_finds_it_unfrozen() -> None:
    assert gc.get_freeze_count() == 0


def test_qtbot_waits_stretch_with_the_machine(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A wait given 100 ms on a machine three times slower than at its quietest waits 300."""
    import time

    import pytestqt.exceptions

    from tests.fixtures import timing

    monkeypatch.setattr(timing, "slowdown", lambda: 3.0)
    started = time.monotonic()
    with pytest.raises(pytestqt.exceptions.TimeoutError):
        qtbot.waitUntil(lambda: False, timeout=100)
    assert time.monotonic() - started >= 0.3
