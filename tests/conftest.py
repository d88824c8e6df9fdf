"""Shared fixtures for the whole suite; each area keeps its fixtures in ``tests/fixtures``."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator

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
