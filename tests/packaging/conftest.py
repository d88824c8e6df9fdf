"""Packaging tests run Qt only offscreen (the packaged programs get their own settings)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
