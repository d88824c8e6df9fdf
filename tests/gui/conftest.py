"""GUI test fixtures: offscreen Qt, a qasync loop marked as running (so asyncio tasks run
while ``qtbot.waitUntil`` / ``waitSignal`` pump Qt events), and a console context over the
in-memory backend."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from gui.context import AppContext
from gui.errors import ErrorPresenter
from gui.jobs import JobRunner
from tests.gui.fakes import FakeBackend


@pytest.fixture(scope="session")
def _session_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """One qasync loop for the session, 'already running': Qt's event processing drives it.
    Stopped and closed at the end, as qasync asks of the owner of such a loop."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio._set_running_loop(None)  # running only inside the tests that ask for it (qloop)
    yield loop
    loop.stop()
    loop.close()


@pytest.fixture
def qloop(qapp: QApplication, _session_loop: qasync.QEventLoop) -> Iterator[qasync.QEventLoop]:
    """The qasync loop, running for this test: asyncio tasks run while ``qtbot.waitUntil`` /
    ``waitSignal`` pump Qt events. What the test leaves running is cancelled afterwards."""
    loop = _session_loop
    asyncio._set_running_loop(loop)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        # Cancel what the test left running, and whatever cancelling starts in turn (a
        # view repainting during clean-up may request data), until nothing is pending:
        # a task still pending when the loop closes is destroyed pending at exit.
        passes = 0
        while (tasks := [t for t in asyncio.all_tasks(loop) if not t.done()]) and passes < 20:
            passes += 1
            for t in tasks:
                t.cancel()
            deadline = 200
            while any(not t.done() for t in tasks) and deadline:
                qapp.processEvents()
                deadline -= 1
        left = [t.get_name() for t in asyncio.all_tasks(loop) if not t.done()]
        # Collect what this test left behind now, in a controlled place, rather than
        # during a later test's event processing.
        gc.collect()
        for _ in range(3):
            qapp.processEvents()
        # Other tests (pytest-asyncio, asyncio.run) must not find this loop running.
        asyncio._set_running_loop(None)
        asyncio.set_event_loop(None)
    assert not left, f"tasks still pending after the test: {left}"


@pytest.fixture(autouse=True)
def _release_modifier_keys() -> Iterator[None]:
    """Key clicks with modifiers into a window that opens a dialog or navigates can leave
    Ctrl "held" in the application's modifier state; a later test's ``selectRow`` would then
    extend the selection instead of replacing it. Release them after every test."""
    yield
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QWidget

    if QApplication.instance() is None or not QApplication.keyboardModifiers():
        return
    sink = QWidget()
    for key in (Qt.Key.Key_Control, Qt.Key.Key_Shift, Qt.Key.Key_Alt, Qt.Key.Key_Meta):
        QTest.keyRelease(sink, key, Qt.KeyboardModifier.NoModifier)
    sink.deleteLater()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "userdata"
    monkeypatch.setenv("FCDESK_DATA_DIR", str(path))
    return path


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def ctx(qloop: qasync.QEventLoop, data_dir: Path) -> Iterator[AppContext]:
    """An `AppContext` whose errors are recorded instead of shown."""
    jobs = JobRunner()
    presenter = ErrorPresenter()
    context = AppContext(jobs, presenter)
    context.errors = []  # type: ignore[attr-defined]
    presenter.message.connect(context.errors.append)  # type: ignore[attr-defined]
    context.notes = []  # type: ignore[attr-defined]
    context.notified.connect(lambda t, x, k: context.notes.append((t, x, k)))  # type: ignore[attr-defined]
    yield context
    context.events.stop()
    drain_jobs(jobs)


def drain_jobs(jobs: JobRunner) -> None:
    """Close ``jobs`` (nothing new starts) and pump Qt until every job has finished."""
    from PySide6.QtCore import QCoreApplication

    jobs.close()
    for _ in range(500):
        if not jobs.pending():
            return
        QCoreApplication.processEvents()
    raise AssertionError(f"jobs still pending after close: {jobs.pending()}")
