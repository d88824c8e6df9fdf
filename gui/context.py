"""`AppContext`: what every view shares — the current backend, jobs, errors, live events and
notifications — and `EventHub`, which turns the backend's event stream into a Qt signal."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from gui.backend import Backend, BackendEvent
from gui.errors import ErrorPresenter
from gui.jobs import JobRunner

__all__ = ["AppContext", "EventHub", "poll_with_backoff"]

log = logging.getLogger(__name__)


async def poll_with_backoff(
    fetch: Callable[[], Awaitable[Any]],
    on_value: Callable[[Any], bool],
    *,
    initial: float = 2.0,
    maximum: float = 30.0,
    factor: float = 1.6,
    max_polls: int | None = None,
) -> None:
    """Call ``fetch`` until ``on_value(value)`` returns True (done).

    The interval starts at ``initial`` and grows by ``factor`` up to ``maximum`` while nothing
    changes; ``on_value`` returning ``None``-ish False continues. Transient errors back off too.
    """
    delay = initial
    last: Any = object()
    polls = 0
    while max_polls is None or polls < max_polls:
        polls += 1
        try:
            value = await fetch()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a poll failure only slows the poll down
            log.debug("poll failed: %r", exc)
            delay = min(maximum, delay * factor)
        else:
            if on_value(value):
                return
            delay = initial if value != last else min(maximum, delay * factor)
            last = value
        await asyncio.sleep(delay)


class EventHub(QObject):
    """Consumes ``backend.events()`` and re-emits each event; reconnects with backoff.

    ``live`` tells view-models whether to rely on events or to poll.
    """

    eventReceived = Signal(object)  # BackendEvent
    liveChanged = Signal(bool)

    def __init__(self, jobs: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._live = False
        self.received = 0

    @property
    def live(self) -> bool:
        return self._live

    def _set_live(self, live: bool) -> None:
        if live != self._live:
            self._live = live
            self.liveChanged.emit(live)

    def start(self, backend: Backend) -> None:
        if not backend.capabilities.events:
            self.stop()
            return
        self._jobs.start("events", lambda _sink: self._consume(backend))

    def stop(self) -> None:
        self._jobs.cancel("events")
        self._set_live(False)

    async def _consume(self, backend: Backend) -> None:
        delay = 1.0
        while True:
            try:
                stream = backend.events()
                async for ev in stream:
                    self._set_live(True)
                    delay = 1.0
                    if ev.kind == "stream.opened":
                        continue
                    self.received += 1
                    self.eventReceived.emit(ev)
            except NotImplementedError:
                self._set_live(False)
                return
            except asyncio.CancelledError:
                self._set_live(False)
                raise
            except Exception as exc:  # noqa: BLE001 - a dropped stream is retried
                log.info("event stream dropped: %r; retrying in %.0f s", exc, delay)
            self._set_live(False)
            await asyncio.sleep(delay)
            delay = min(30.0, delay * 2)

    def inject(self, event: BackendEvent) -> None:
        """Emit a synthesised event (from polling)."""
        self.eventReceived.emit(event)


class AppContext(QObject):
    backendChanged = Signal()
    connectionChanged = Signal(str, str)  # state, detail
    notified = Signal(str, str, str)  # title, text, kind
    busyChanged = Signal(bool)

    def __init__(
        self,
        jobs: JobRunner | None = None,
        presenter: ErrorPresenter | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.jobs = jobs or JobRunner(self)
        self.presenter = presenter or ErrorPresenter()
        self.events = EventHub(self.jobs, self)
        self._backend: Backend | None = None
        self.profile_name = "Local"
        self.profile_kind = "local"
        self.region = ""
        self.connection_state = "stopped"
        self.connection_detail = ""

    @property
    def backend(self) -> Backend | None:
        return self._backend

    def require_backend(self) -> Backend:
        if self._backend is None:
            from core.errors import ServerError

            raise ServerError("not connected yet", code="NotConnected")
        return self._backend

    def set_backend(
        self, backend: Backend | None, *, profile: str = "", kind: str = "", region: str = ""
    ) -> None:
        old = self._backend
        self._backend = backend
        if profile:
            self.profile_name = profile
        if kind:
            self.profile_kind = kind
        if self.profile_kind == "local":
            self.region = ""
        else:
            self.region = region or (backend.region if backend is not None else "")
        self.events.stop()
        if backend is not None:
            self.events.start(backend)
        self.backendChanged.emit()
        if old is not None and old is not backend:
            from gui.async_bridge import spawn

            spawn(old.aclose())

    def set_connection(self, state: str, detail: str = "") -> None:
        self.connection_state, self.connection_detail = state, detail
        self.connectionChanged.emit(state, detail)

    def notify(self, title: str, text: str = "", kind: str = "info") -> None:
        self.notified.emit(title, text, kind)

    def run(
        self,
        key: str,
        factory: Callable[[Callable[[Any], None]], Awaitable[Any]],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[Any], None] | None = None,
        own_loop: bool = False,
    ) -> asyncio.Future[Any]:
        """Start a job; errors without an ``on_error`` go to the error presenter.
        ``own_loop`` runs it in a worker thread on an event loop of its own (its clients must
        be opened inside it)."""

        def failed(exc: BaseException) -> None:
            if on_error is not None:
                on_error(exc)
            else:
                self.presenter.show(exc)

        return self.jobs.start(
            key,
            factory,
            on_done=on_done,
            on_error=failed,
            on_progress=on_progress,
            own_loop=own_loop,
        )
