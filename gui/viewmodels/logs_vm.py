"""`LogsViewModel`: a function's Logs tab — on the Local server, what its instances print,
followed live (reconnecting from the last line seen when the stream drops or is refused,
saying why meanwhile: ``error`` until the stream is open again); elsewhere, the log tails of
the invocations made from this console (Alibaba Cloud keeps the rest in Simple Log
Service)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from gui.backend import InvokeResult, LogEntry
from gui.context import AppContext

__all__ = ["LogsViewModel"]

log = logging.getLogger(__name__)

_KEY = "fn-logs"
_FLUSH_MS = 100


class LogsViewModel(QObject):
    appended = Signal(list)  # [LogEntry], in order, at most every _FLUSH_MS
    followingChanged = Signal(bool)
    errorChanged = Signal()  # ``error`` / ``retry_in`` changed
    tailAdded = Signal(object)  # InvokeResult (no live logs: an invocation's log tail)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.function = ""
        self.following = False
        self.last_seq = 0
        self.lines = 0
        #: Why the stream is not open (it is tried again in ``retry_in`` seconds), or None.
        self.error: BaseException | None = None
        self.retry_in = 0.0
        self._pending: list[LogEntry] = []
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(_FLUSH_MS)
        self._flush.timeout.connect(self._on_flush_timeout)
        ctx.backendChanged.connect(self.stop)

    @property
    def live(self) -> bool:
        backend = self.ctx.backend
        return backend is not None and backend.capabilities.live_logs

    def follow(self, function: str) -> None:
        """Follow ``function`` (its newest lines first); a different function starts over."""
        if function != self.function:
            self.stop()
            self.function = function
            self.last_seq = 0
            self.lines = 0
            self._set_error(None)
        if not self.live or not function or self.ctx.jobs.is_running(_KEY):
            return
        backend = self.ctx.backend
        if backend is None:
            return
        self._set_following(True)
        delay = 1.0

        def opened() -> None:
            nonlocal delay
            delay = 1.0
            self._set_error(None)

        async def job(_sink: Any) -> None:
            nonlocal delay
            while True:
                try:
                    limit = 500 if self.last_seq == 0 else 100_000
                    async for entry in backend.follow_logs(
                        function, since=self.last_seq, limit=limit, on_open=opened
                    ):
                        self.last_seq = max(self.last_seq, entry.seq)
                        self._pending.append(entry)
                        if not self._flush.isActive():
                            self._flush.start()
                except asyncio.CancelledError:
                    raise
                except NotImplementedError:
                    return
                except Exception as exc:  # noqa: BLE001 - a dropped stream is opened again
                    log.info("log stream of %s dropped: %r", function, exc)
                    self._set_error(exc, delay)
                await asyncio.sleep(delay)
                delay = min(30.0, delay * 2)

        def ended(_result: object = None) -> None:
            self._set_following(False)

        self.ctx.run(_KEY, job, on_done=ended, on_error=lambda _e: ended())

    def stop(self) -> None:
        self.ctx.jobs.cancel(_KEY)
        self._on_flush_timeout()
        self._set_following(False)
        self._set_error(None)

    def _set_error(self, error: BaseException | None, retry_in: float = 0.0) -> None:
        if error is None and self.error is None:
            return
        self.error, self.retry_in = error, retry_in
        self.errorChanged.emit()

    def add_tail(self, function: str, result: InvokeResult) -> None:
        """An invocation made from the console (its ``X-Fc-Log-Result`` tail)."""
        if function == self.function and not self.live:
            self.tailAdded.emit(result)

    def _set_following(self, on: bool) -> None:
        if on != self.following:
            self.following = on
            self.followingChanged.emit(on)

    def _on_flush_timeout(self) -> None:
        if self._pending:
            batch, self._pending = self._pending, []
            self.lines += len(batch)
            self.appended.emit(batch)
