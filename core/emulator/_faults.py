"""Deterministic crash points for crash tests.

``FCDESK_FAULT=<point>[,<point>…]`` makes the server kill itself with SIGKILL the first time
execution reaches one of the named points, exactly like ``kill -9`` at that moment. Points:

``after-blob-write``     a blob's bytes are fsynced and renamed, its database row not yet written
``during-upload``        an upload chunk was received (the session is half written)
``during-sqlite-write``  inside a write transaction, before COMMIT
``during-conversion``    a conversion task is BUILDING and reported its first progress
``during-invoke``        an invocation has its (started) instance; the request is not yet sent

A point may be narrowed with ``@label`` (``during-sqlite-write@tag`` fires only in the
transaction that writes a tag) and with ``#N`` to fire on the N-th time it is reached instead of
the first (``after-blob-write#3``, ``during-sqlite-write@function#2``), so a crash test can walk
every step of a flow. Points fire only once the server has said it is ready, so start-up work
never trips them. Unset (the default) makes `hit` a no-op.
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
        "during-invoke",
    }
)
_hits: dict[str, int] = {}


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
    for spec in armed():
        base, _, nth = spec.partition("#")
        if base == point or (label and base == f"{point}@{label}"):
            count = _hits[spec] = _hits.get(spec, 0) + 1
            if not nth or count == int(nth or 0):
                os.kill(os.getpid(), signal.SIGKILL)
