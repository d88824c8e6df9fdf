"""Instance backends for the function runtime, built on ``core.coldstart`` and ``core.pull``."""

from __future__ import annotations

from core.emulator._context import ServerContext
from core.emulator._runtime import InstanceBackend, UnavailableBackend

__all__ = ["make_backend"]


def make_backend(ctx: ServerContext) -> InstanceBackend:
    return UnavailableBackend("no function instance backend is available in this build")
