"""Deterministic crash points for crash tests.

``FCDESK_FAULT=<point>[,<point>…]`` makes the server kill itself with SIGKILL the first time
execution reaches one of the named points, exactly like ``kill -9`` at that moment. Points:

``after-blob-write``     a blob's bytes are fsynced and renamed, its database row not yet written
``during-upload``        an upload chunk was received (the session is half written)
``during-sqlite-write``  inside a write transaction, before COMMIT
``during-conversion``    a conversion task is BUILDING and reported its first progress

A point may be narrowed with ``@label`` (``during-sqlite-write@tag`` fires only in the
transaction that writes a tag). Points fire only once the server has said it is ready, so start-up
work never trips them. Unset (the default) makes `hit` a no-op.
"""

from __future__ import annotations

import os
import signal

__all__ = ["POINTS", "activate", "armed", "hit"]

_active = False

POINTS = frozenset(
    {
        "after-blob-write",
        "during-upload",
        "during-sqlite-write",
        "during-conversion",
    }
)


def armed() -> frozenset[str]:
    raw = os.environ.get("FCDESK_FAULT", "")
    return frozenset(p.strip() for p in raw.split(",") if p.strip())


def activate() -> None:
    """Arm the fault points (called once the server is ready)."""
    global _active
    _active = True


def hit(point: str, label: str = "") -> None:
    """Kill this process with SIGKILL when ``point`` (or ``point@label``) is armed."""
    if not _active:
        return
    points = armed()
    if point in points or (label and f"{point}@{label}" in points):
        os.kill(os.getpid(), signal.SIGKILL)
