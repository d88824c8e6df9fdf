"""GUI test fixtures: offscreen Qt, a qasync loop marked as running (so asyncio tasks run
while ``qtbot.waitUntil`` / ``waitSignal`` pump Qt events), and a console context over the
in-memory backend."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from gui.context import AppContext
from gui.errors import ErrorPresenter
from gui.jobs import JobRunner
from tests.gui.fakes import FakeBackend


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


@pytest.fixture
def consoles(qtbot: Any, qloop: qasync.QEventLoop) -> Iterator[list[Any]]:
    """Consoles a test makes (append them): shut down and closed at the end."""
    made: list[Any] = []
    yield made
    for console in made:
        task = console.shutdown()
        qtbot.waitUntil(task.done, timeout=5000)
        console.window.close()
        console.window.deleteLater()
        console.deleteLater()


def drain_jobs(jobs: JobRunner) -> None:
    """Close ``jobs`` (nothing new starts) and pump Qt until every job has finished."""
    from PySide6.QtCore import QCoreApplication

    jobs.close()
    for _ in range(500):
        if not jobs.pending():
            return
        QCoreApplication.processEvents()
    raise AssertionError(f"jobs still pending after close: {jobs.pending()}")
