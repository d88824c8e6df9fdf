"""The GUI's bridge to long-running core work (CONTRIBUTING.md, "Jobs and async slots").

`JobRunner` starts coroutines as asyncio tasks on the qasync loop, keeps strong references
to them, cancels the previous job that has the same key ("latest wins"), and turns core
progress callbacks into Qt signal emissions on the GUI thread — even when a callback fires
on a worker thread. A job started with ``own_loop=True`` runs on an event loop of its own in
a worker thread (`run_on_own_loop`): its CPU work (parsing thousands of responses, building
rows) never holds up the GUI thread, which only receives its progress and result.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

__all__ = [
    "JobEvent",
    "JobFailure",
    "JobResult",
    "JobRunner",
    "ProgressSink",
    "run_on_own_loop",
]

log = logging.getLogger(__name__)

T = TypeVar("T")
ProgressSink = Callable[[Any], None]


async def run_on_own_loop(
    factory: Callable[[], Coroutine[Any, Any, T]], *, name: str = "fcdesk-job"
) -> T:
    """Run ``factory()`` to completion on a new event loop in a thread of its own and return
    its result (or raise its error) to the awaiting task.

    Cancelling the awaiting task cancels the coroutine there and waits until it has finished
    its clean-up (closing its HTTP clients), so nothing is left running. Whatever the
    coroutine uses must belong to its own loop: HTTP clients opened inside it, never the
    GUI loop's.
    """
    caller = asyncio.get_running_loop()
    ended: asyncio.Future[None] = caller.create_future()
    outcome: concurrent.futures.Future[T] = concurrent.futures.Future()
    cancel_asked = threading.Event()
    inner: dict[str, Any] = {}

    async def body() -> T:
        inner["loop"] = asyncio.get_running_loop()
        inner["task"] = asyncio.current_task()
        if cancel_asked.is_set():
            raise asyncio.CancelledError
        return await factory()

    def finish(_: object = None) -> None:
        if not ended.done():
            ended.set_result(None)

    def main() -> None:
        try:
            value = asyncio.run(body())
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting task
            if not outcome.done():
                outcome.set_exception(exc)
        else:
            if not outcome.done():
                outcome.set_result(value)
        finally:
            with contextlib.suppress(RuntimeError):  # the caller's loop already closed
                caller.call_soon_threadsafe(finish)

    threading.Thread(target=main, name=name, daemon=True).start()
    try:
        return await asyncio.shield(asyncio.wrap_future(outcome))
    except asyncio.CancelledError:
        cancel_asked.set()
        loop, task = inner.get("loop"), inner.get("task")
        if loop is not None and task is not None:
            with contextlib.suppress(RuntimeError):  # it has just finished
                loop.call_soon_threadsafe(task.cancel)
        with contextlib.suppress(BaseException):
            await asyncio.shield(ended)
        raise


@dataclass(frozen=True, slots=True)
class JobEvent:
    key: str
    payload: Any


@dataclass(frozen=True, slots=True)
class JobResult:
    key: str
    value: Any


@dataclass(frozen=True, slots=True)
class JobFailure:
    key: str
    error: BaseException


class JobRunner(QObject):
    """Runs keyed coroutines; signals carry `JobEvent`, `JobResult`, `JobFailure`."""

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(object)
    started = Signal(str)
    runningChanged = Signal(str, bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self._orphans: set[asyncio.Task[Any]] = set()
        self._gui_thread = threading.get_ident()
        self._closed = False

    # -- public API ---------------------------------------------------------------------
    def start(
        self,
        key: str,
        factory: Callable[[ProgressSink], Awaitable[T]],
        *,
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[Any], None] | None = None,
        own_loop: bool = False,
    ) -> asyncio.Future[T]:
        """Start ``factory(progress_sink)`` under ``key``; a running job with that key is
        cancelled first. Callbacks and signals always run on the GUI thread; with
        ``own_loop`` the coroutine itself runs in a worker thread (`run_on_own_loop`).

        After `close` (or `shutdown`) nothing starts: the returned future is already
        cancelled, so late requests (timers, queued signals, repaints of closing views)
        leave no task behind."""
        loop = asyncio.get_event_loop()
        if self._closed:
            late: asyncio.Future[T] = loop.create_future()
            late.cancel()
            return late
        self.cancel(key)

        def sink(payload: Any) -> None:
            if threading.get_ident() == self._gui_thread:
                self._emit_progress(key, task, payload, on_progress)
            else:
                with contextlib.suppress(RuntimeError):  # the GUI loop has closed: dropped
                    loop.call_soon_threadsafe(self._emit_progress, key, task, payload, on_progress)

        async def body() -> T:
            if own_loop:
                return await run_on_own_loop(
                    lambda: _as_coroutine(factory(sink)), name=f"fcdesk-job:{key}"
                )
            return await factory(sink)

        task: asyncio.Task[T] = loop.create_task(body(), name=f"job:{key}")
        self._tasks[key] = task
        task.add_done_callback(lambda t: self._on_task_done(key, t, on_done, on_error))
        self.started.emit(key)
        self.runningChanged.emit(key, True)
        return task

    def cancel(self, key: str) -> bool:
        task = self._tasks.pop(key, None)
        if task is None or task.done():
            return False
        task.cancel()
        # Keep a strong reference until the task has really finished its clean-up.
        self._orphans.add(task)
        task.add_done_callback(self._orphans.discard)
        self.runningChanged.emit(key, False)
        return True

    def cancel_prefix(self, prefix: str) -> int:
        keys = [k for k in self._tasks if k.startswith(prefix)]
        return sum(self.cancel(k) for k in keys)

    def is_running(self, key: str) -> bool:
        """True from `start` until the job's result or error has been delivered (its
        ``on_done`` / ``on_error`` called) or it was cancelled. A job whose coroutine has
        returned but whose result is still on its way counts as running: who waits for it to
        stop running then sees what it did."""
        return key in self._tasks

    def running_keys(self) -> list[str]:
        return list(self._tasks)

    @property
    def closed(self) -> bool:
        return self._closed

    def pending(self) -> list[asyncio.Task[Any]]:
        """Every job task not finished yet, current or cancelled and still cleaning up."""
        return [t for t in (*self._tasks.values(), *self._orphans) if not t.done()]

    def close(self) -> list[asyncio.Task[Any]]:
        """Start nothing more and cancel every job; returns the tasks still finishing."""
        self._closed = True
        for key in list(self._tasks):
            task = self._tasks[key]
            if task.get_loop().is_closed():
                del self._tasks[key]  # nothing can run it any more
                continue
            self.cancel(key)
        self._orphans = {t for t in self._orphans if not t.get_loop().is_closed()}
        return self.pending()

    async def shutdown(self, grace: float = 5.0) -> None:
        """Cancel every job and wait (bounded by ``grace`` seconds) until each has finished
        its clean-up, so that none is left pending when the loop stops."""
        pending = self.close()
        if pending:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait(pending, timeout=grace)
        left = self.pending()
        if left:
            log.warning("%d job(s) still finishing after %.0f s: %s", len(left), grace, left)

    # -- internals ----------------------------------------------------------------------
    def _emit_progress(
        self,
        key: str,
        task: asyncio.Task[Any],
        payload: Any,
        on_progress: Callable[[Any], None] | None,
    ) -> None:
        if task.done() or self._tasks.get(key) is not task:
            return  # a superseded or finished job: drop late events
        if on_progress is not None:
            on_progress(payload)
        self.progress.emit(JobEvent(key, payload))

    def _on_task_done(
        self,
        key: str,
        task: asyncio.Task[Any],
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
    ) -> None:
        current = self._tasks.get(key) is task
        if current:
            del self._tasks[key]
            self.runningChanged.emit(key, False)
        if task.cancelled():
            return  # a cancelled job is silent: the user cancelled it, or a newer one replaced it
        exc = task.exception()
        if exc is not None:
            if not current:
                log.debug("superseded job %s failed: %r", key, exc)
                return
            if on_error is not None:
                on_error(exc)
            log.debug("job %s failed: %r", key, exc)
            self.failed.emit(JobFailure(key, exc))
            return
        if not current:
            return  # latest wins: a superseded job's result is dropped
        value = task.result()
        if on_done is not None:
            on_done(value)
        self.finished.emit(JobResult(key, value))


async def _as_coroutine(awaitable: Awaitable[T]) -> T:
    return await awaitable
