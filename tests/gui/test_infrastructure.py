"""JobRunner, the async bridge, the error presenter and i18n plumbing."""

from __future__ import annotations

import asyncio
import sys
import threading

import pytest
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from core import errors as E
from gui.async_bridge import ask, dialog_result, spawn
from gui.errors import ErrorPresenter, ExceptionDialog, install_excepthook
from gui.i18n import PseudoTranslator, install_translators
from gui.jobs import JobFailure, JobRunner


def test_latest_job_wins_and_superseded_results_are_dropped(qtbot, qloop) -> None:
    jobs = JobRunner()
    results: list[str] = []

    async def work(value: str, delay: float) -> str:
        await asyncio.sleep(delay)
        return value

    first = jobs.start("k", lambda _s: work("old", 0.2), on_done=results.append)
    jobs.start("k", lambda _s: work("new", 0.01), on_done=results.append)
    qtbot.waitUntil(lambda: results == ["new"], timeout=3000)
    qtbot.waitUntil(first.done, timeout=3000)
    assert first.cancelled()
    assert results == ["new"]
    assert not jobs.is_running("k")


def test_a_job_runs_until_its_result_is_delivered(qtbot, qloop) -> None:
    """A job whose coroutine has returned but whose result has not reached ``on_done`` yet
    still runs: whoever waits for it to stop running then sees what it did (a page that
    waited for its list and found it empty, a test that read a banner before its state)."""
    jobs = JobRunner()
    delivered: list[str] = []
    seen: list[tuple[bool, bool, bool]] = []  # (task done, running, delivered)
    changes: list[tuple[str, bool]] = []
    jobs.runningChanged.connect(lambda key, running: changes.append((key, running)))
    task: asyncio.Future[str] | None = None

    def look() -> None:
        assert task is not None
        seen.append((task.done(), jobs.is_running("k"), bool(delivered)))

    async def work(_s: object) -> str:
        loop = asyncio.get_running_loop()
        # queued before the task ends, so it runs after the task is done and before the
        # task's done callbacks (the runner's delivery among them)
        loop.call_soon(look)
        return "value"

    task = jobs.start("k", work, on_done=delivered.append)
    qtbot.waitUntil(lambda: delivered == ["value"], timeout=3000)
    assert seen == [(True, True, False)]
    assert not jobs.is_running("k")
    assert "k" not in jobs.running_keys()
    assert changes == [("k", True), ("k", False)]


def test_progress_from_a_worker_thread_arrives_on_the_gui_thread(qtbot, qloop) -> None:
    jobs = JobRunner()
    seen: list[tuple[int, bool]] = []
    gui_thread = threading.get_ident()

    async def work(sink) -> int:
        def in_thread() -> None:
            for i in range(3):
                sink(i)

        await asyncio.to_thread(in_thread)
        await asyncio.sleep(0.05)
        return 3

    done: list[int] = []
    jobs.start(
        "t",
        work,
        on_done=done.append,
        on_progress=lambda p: seen.append((p, threading.get_ident() == gui_thread)),
    )
    qtbot.waitUntil(lambda: done == [3], timeout=3000)
    assert seen == [(0, True), (1, True), (2, True)]


def test_failures_are_signalled_and_cancellation_is_silent(qtbot, qloop) -> None:
    jobs = JobRunner()
    failures: list[JobFailure] = []
    jobs.failed.connect(failures.append)

    async def boom(_s: object) -> None:
        raise E.CloudError("nope", code="AccessDenied")

    async def forever(_s: object) -> None:
        await asyncio.sleep(10)

    jobs.start("a", boom)
    jobs.start("b", forever)
    qtbot.waitUntil(lambda: len(failures) == 1, timeout=3000)
    error = failures[0].error
    assert isinstance(error, E.CloudError)
    assert error.code == "AccessDenied"
    assert jobs.cancel("b")
    qtbot.wait(50)
    assert len(failures) == 1


def test_shutdown_cancels_every_job(qtbot, qloop) -> None:
    jobs = JobRunner()

    async def forever(_s: object) -> None:
        await asyncio.sleep(10)

    tasks = [jobs.start(f"j{i}", forever) for i in range(3)]
    done = spawn(jobs.shutdown())
    qtbot.waitUntil(done.done, timeout=3000)
    assert all(t.cancelled() for t in tasks)
    late = jobs.start("late", forever)  # after shutdown: starts nothing
    qtbot.waitUntil(late.done, timeout=2000)
    assert late.cancelled()


def test_dialog_result_waits_without_a_nested_loop(qtbot, qloop) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    task = spawn(dialog_result(dialog))
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    assert not task.done()
    QTimer.singleShot(0, dialog.accept)
    qtbot.waitUntil(task.done, timeout=2000)
    assert task.result() == QDialog.DialogCode.Accepted


def test_ask_returns_the_clicked_button(qtbot, qloop) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    task = spawn(ask(parent, "Title", "Really?"))
    qtbot.waitUntil(lambda: parent.findChild(QMessageBox, "askBox") is not None, timeout=2000)
    box = parent.findChild(QMessageBox, "askBox")
    assert box is not None
    box.button(QMessageBox.StandardButton.No).click()
    qtbot.waitUntil(task.done, timeout=2000)
    assert task.result() == QMessageBox.StandardButton.No


@pytest.mark.parametrize(
    ("exc", "title_part", "hint_part"),
    [
        (E.CloudError("x", code="FunctionNotFound"), "Request failed", "Refresh"),
        (E.CredentialsError("x", code="NoKeyringBackend"), "Request failed", "file store"),
        (E.SignatureError("x"), "Request failed", "clock"),
        (E.TransportError("reset"), "Connection", "network"),
        (E.AuthError("denied"), "Registry login", "password"),
        (E.ServerError("died"), "Local server", "data directory"),
        (E.DigestMismatch("bad"), "Corrupt", "Nothing was kept"),
    ],
)
def test_presenter_maps_core_errors_to_actionable_text(exc, title_part, hint_part) -> None:
    msg = ErrorPresenter.describe(exc)
    assert title_part in msg.title
    assert hint_part in msg.hint
    assert msg.expected


def test_unexpected_errors_open_a_copyable_details_dialog(qtbot, qloop) -> None:
    presenter = ErrorPresenter()
    restore = install_excepthook(presenter)
    try:
        try:
            raise ZeroDivisionError("division by zero")
        except ZeroDivisionError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
        dialogs = presenter._open
        assert len(dialogs) == 1
        dialog = dialogs[0]
        assert isinstance(dialog, ExceptionDialog)
        assert "ZeroDivisionError" in dialog.details.toPlainText()
        dialog._on_copy_clicked()
        from PySide6.QtGui import QGuiApplication

        assert "ZeroDivisionError" in QGuiApplication.clipboard().text()
        dialog.close()
        # Cancellation is silent.
        sys.excepthook(asyncio.CancelledError, asyncio.CancelledError(), None)
        assert presenter.show(asyncio.CancelledError()) is None
    finally:
        restore()


def test_pseudo_locale_expands_every_string(qapp, monkeypatch) -> None:
    tr = PseudoTranslator(1.5)
    assert tr.translate("Ctx", "Functions").startswith("[")
    assert len(tr.translate("Ctx", "Functions")) >= len("Functions") * 1.4
    monkeypatch.setenv("FCDESK_PSEUDO_LOCALE", "1")
    install_translators("en")
    try:
        assert QCoreApplication.translate("FunctionsView", "Functions").startswith("[")
    finally:
        monkeypatch.delenv("FCDESK_PSEUDO_LOCALE")
        install_translators("en")
    assert QCoreApplication.translate("FunctionsView", "Functions") == "Functions"
