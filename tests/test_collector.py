"""The suite's own hygiene: what one test changes in the interpreter does not reach the next."""

from __future__ import annotations

import gc


def test_a_test_may_freeze_the_collector() -> None:
    gc.freeze()  # as the console does once its modules are loaded
    assert gc.get_freeze_count() > 0


def test_the_next_test_finds_it_unfrozen() -> None:
    assert gc.get_freeze_count() == 0
