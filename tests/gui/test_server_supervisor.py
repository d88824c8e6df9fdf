"""LocalServerSupervisor: start, ready line, health, clean stop, reconnect, failures."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from core.errors import ServerError
from gui.server import LocalServerSupervisor, ServerState

FAKE = [sys.executable, str(Path(__file__).with_name("fake_server.py"))]


def _run(qtbot, coro, timeout: int = 20000):
    task = asyncio.ensure_future(coro)  # not spawn: failures are checked, not reported
    qtbot.waitUntil(task.done, timeout=timeout)
    return task


def test_starts_reports_ready_and_stops_cleanly(qtbot, qloop, tmp_path: Path) -> None:
    sup = LocalServerSupervisor(tmp_path / "data", command=FAKE)
    states: list[str] = []
    sup.stateChanged.connect(lambda s, _d: states.append(s))
    task = _run(qtbot, sup.ensure_running())
    info = task.result()
    assert info.url.startswith("http://127.0.0.1:")
    assert info.access_key_id == "LTAItest"
    assert sup.state is ServerState.RUNNING
    assert sup.owned
    assert "starting" in sup.log_tail
    _run(qtbot, sup.stop())
    assert (tmp_path / "data" / "stopped").read_text() == "clean"  # SIGTERM, not SIGKILL
    assert states == ["starting", "running", "stopping", "stopped"]


def _pipes() -> set[str]:
    """The pipes this process holds open."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("pipe:"):
            found.add(f"{fd} {target}")
    return found


def test_stop_closes_the_pipes_a_leftover_helper_still_holds(
    qtbot, qloop, tmp_path: Path, monkeypatch
) -> None:
    """The server's stdout and stderr stay open while a helper it started outlives it (a
    FUSE helper dies with its owner, a moment later): stop() closes our ends anyway, instead
    of leaving a transport that the loop's end reports as unclosed."""
    monkeypatch.setenv("FAKE_SERVER_HELPER", "1")
    data = tmp_path / "data"
    before = _pipes()
    sup = LocalServerSupervisor(data, command=FAKE)
    _run(qtbot, sup.ensure_running())
    qtbot.waitUntil((data / "helper-pid").exists)
    helper = int((data / "helper-pid").read_text())
    try:
        assert _pipes() - before  # the server's stdout and stderr
        _run(qtbot, sup.stop())
        assert os.path.exists(f"/proc/{helper}")  # still running
        assert _pipes() - before == set()
    finally:
        (data / "helper-release").touch()
    qtbot.waitUntil(lambda: not os.path.exists(f"/proc/{helper}"), timeout=60000)


def test_connects_to_an_already_running_server(qtbot, qloop, tmp_path: Path) -> None:
    first = LocalServerSupervisor(tmp_path / "data", command=FAKE)
    info = _run(qtbot, first.ensure_running()).result()
    second = LocalServerSupervisor(tmp_path / "data", command=[sys.executable, "-c", "1/0"])
    again = _run(qtbot, second.ensure_running()).result()
    assert again.url == info.url
    assert second.state is ServerState.CONNECTED
    assert not second.owned
    _run(qtbot, second.stop())  # only forgets it
    assert _run(qtbot, LocalServerSupervisor.check_health(info.url)).result()
    _run(qtbot, first.stop())


def test_stale_server_json_is_ignored(qtbot, qloop, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "server.json").write_text('{"url": "http://127.0.0.1:9", "pid": 999999}')
    sup = LocalServerSupervisor(data, command=FAKE)
    info = _run(qtbot, sup.ensure_running()).result()
    assert info.url != "http://127.0.0.1:9"
    _run(qtbot, sup.stop())


def test_a_server_that_exits_early_is_reported(qtbot, qloop, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_SERVER_FAIL", "1")
    sup = LocalServerSupervisor(tmp_path / "data", command=FAKE)
    task = _run(qtbot, sup.ensure_running())
    with pytest.raises(ServerError, match="address in use"):
        task.result()
    assert sup.state is ServerState.FAILED


def test_a_slow_start_that_keeps_working_is_waited_for(
    qtbot, qloop, tmp_path: Path, monkeypatch
) -> None:
    """On a loaded machine the server may take longer than the silence allowed to say it is
    ready: while it uses CPU it is waited for (a fixed 60 s gave up on it)."""
    monkeypatch.setenv("FAKE_SERVER_BUSY_S", "2.5")
    sup = LocalServerSupervisor(tmp_path / "data", command=FAKE, ready_timeout=1.0)
    task = _run(qtbot, sup.ensure_running())
    assert task.result().url.startswith("http://127.0.0.1:")
    _run(qtbot, sup.stop())


def test_a_start_that_shows_no_sign_of_work_is_given_up(
    qtbot, qloop, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("FAKE_SERVER_HANG", "1")
    sup = LocalServerSupervisor(tmp_path / "data", command=FAKE, ready_timeout=1.5)
    task = _run(qtbot, sup.ensure_running())
    error = task.exception()
    assert error is not None
    assert "no sign of work" in str(error)
    assert sup.state is ServerState.FAILED
