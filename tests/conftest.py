"""Shared fixtures for the whole suite."""

from __future__ import annotations

import os

# Qt aborts without a display; every test runs headless.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
