"""Load and soak, bounded in time: concurrent pushes (each converted by the worker), pulls,
invocations and API calls against a real ``fcaccel serve`` process; no errors, nothing lost,
latencies recorded (see ``_load.py``; ``bench/reliability/run.py`` runs it longer)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.fixtures.emulator import start_local_server
from tests.reliability._load import LoadConfig, run_load
from tests.reliability.conftest import Recorder

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_load_holds(seeded_data_dir: Path, tmp_path: Path, reliability: Recorder) -> None:
    data = tmp_path / "data"
    shutil.copytree(seeded_data_dir, data, symlinks=True)
    srv = start_local_server(
        data, extra_args=("--no-seed", "--workers", "2", "--idle-timeout", "120")
    )
    try:
        outcome = await run_load(srv, LoadConfig(seconds=20.0))
    finally:
        srv.stop()
    for figures in outcome.figures:
        reliability.load(figures)
    summary = {f.name: (f.requests, f.errors, f.p95_ms) for f in outcome.figures}
    assert not outcome.errors, outcome.errors
    assert not outcome.lost, outcome.lost
    assert all(f.errors == 0 for f in outcome.figures), summary
    assert all(f.requests > 0 for f in outcome.figures), summary
    assert outcome.pushed, "at least one push completed"
    assert outcome.tasks.get("SUCCESS", 0) >= len(outcome.pushed)
