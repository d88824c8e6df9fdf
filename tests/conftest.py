"""Shared fixtures for the whole suite; each area keeps its fixtures in ``tests/fixtures``."""

from __future__ import annotations

import gc
import os
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest

# Qt aborts without a display; every test runs headless.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Local servers started by tests seed the small demo only (the realistic one takes minutes).
os.environ.setdefault("FCDESK_SEED", "small")
# Nor do they record start-up profiles after every conversion (each would start the image);
# the tests of that stage switch it on.
os.environ.setdefault("FCDESK_AUTO_PROFILE", "0")

pytest_plugins = [
    "tests.fixtures.registry",
    "tests.fixtures.images",
    "tests.fixtures.emulator",
    "tests.fixtures.cloud",
    "tests.fixtures.faults",
    "tests.fixtures.qtloop",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--leaks",
        action="store_true",
        help="leak hunting: trace allocations (so a ResourceWarning says where the file, "
        "socket or transport was created) and collect garbage after every test (so a leak is "
        "reported by the test that made it); child processes trace theirs too",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--leaks"):
        frames = int(os.environ.get("PYTHONTRACEMALLOC") or 25)
        tracemalloc.start(frames)
        # servers and commands started by tests (sys.executable …) trace their allocations
        # and print their own resource warnings
        os.environ["PYTHONTRACEMALLOC"] = str(frames)
        os.environ["PYTHONWARNINGS"] = "default::ResourceWarning"
        # already an error through filterwarnings = error; said again for this mode's sake
        config.addinivalue_line("filterwarnings", "error::ResourceWarning")


@pytest.fixture
def qtbot(qtbot: Any) -> Any:
    """pytest-qt's ``qtbot`` whose waits (``waitUntil``, ``waitSignal``, ``waitSignals``)
    stretch their deadlines by how slow the machine is at the moment of the wait
    (`tests.fixtures.timing.scaled`): the tests give a console on a quiet machine seconds to
    do something, and get that many seconds of its work however busy the machine is."""
    from tests.fixtures.timing import scaled

    def stretch(wait: Any) -> Any:
        def waiting(*args: Any, **kwargs: Any) -> Any:
            timeout = kwargs.get("timeout", 5000)
            if timeout and timeout > 0:
                kwargs["timeout"] = int(scaled(timeout / 1000) * 1000)
            return wait(*args, **kwargs)

        return waiting

    for name in ("waitUntil", "waitSignal", "waitSignals"):
        setattr(qtbot, name, stretch(getattr(qtbot, name)))
    return qtbot


@pytest.fixture(autouse=True)
def _leaks_reported_by_their_test(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if request.config.getoption("--leaks"):
        gc.collect()


@pytest.fixture(autouse=True)
def _collector_not_frozen() -> Iterator[None]:
    """The console moves everything loaded before it connects out of the garbage
    collector's sight (``gc.freeze`` in ``gui.app.load_backend_modules``), which is right for
    the application and wrong for a test process that runs many consoles: what the frozen
    objects hold would never be collected, its resource warnings never reported, and
    ``gc.get_referrers`` would miss them (hypothesis, imported late by its pytest plugin
    when no test used it, then warned about trio's random generator and the run exited 1).
    Each test ends with the collector seeing everything again."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()
