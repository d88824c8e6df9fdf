"""Shared fixtures for the whole suite; each area keeps its fixtures in ``tests/fixtures``."""

from __future__ import annotations

import os

# Qt aborts without a display; every test runs headless.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Local servers started by tests seed the small demo only (the realistic one takes minutes).
os.environ.setdefault("FCDESK_SEED", "small")

pytest_plugins = [
    "tests.fixtures.registry",
    "tests.fixtures.images",
    "tests.fixtures.emulator",
    "tests.fixtures.cloud",
    "tests.fixtures.faults",
]
