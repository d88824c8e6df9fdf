"""Local servers in threads of one process (as the test suites run them) each keep their own
spare FUSE helper: starting a second server leaves the first one's spare alone, stopping a
server while its spare is still starting leaves nothing behind, and after both stop no helper
process or socket is left (a leaked socket fails this test through ``filterwarnings=error``)."""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

import pytest

from core.pull import fuse_available
from tests.fixtures.emulator import start_local_server_thread
from tests.fixtures.timing import scaled

pytestmark = pytest.mark.integration


def _helper_children() -> list[int]:
    """Our child processes running the FUSE helper (zombies included: not yet reaped)."""
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if int(fields[1]) == me and (b"_fusechild.py" in cmdline or fields[0] == "Z"):
            found.append(int(entry))
    return found


def _wait_for(predicate: object, limit: float) -> bool:
    deadline = time.monotonic() + scaled(limit)
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_servers_in_threads_keep_and_release_their_own_spares(tmp_path: Path) -> None:
    assert fuse_available() is None, fuse_available()
    before = set(_helper_children())
    first = start_local_server_thread(tmp_path / "a")
    try:
        assert _wait_for(lambda: set(_helper_children()) - before, 30), "no spare started"
        spare = set(_helper_children()) - before
        # A second server whose spare is still starting when it stops.
        second = start_local_server_thread(tmp_path / "b")
        second.stop()
        assert spare <= set(_helper_children()), "the second server killed the first's spare"
    finally:
        first.stop()
    gc.collect()
    assert _wait_for(lambda: not (set(_helper_children()) - before), 10), _helper_children()
