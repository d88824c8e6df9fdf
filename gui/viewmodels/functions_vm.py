"""`FunctionsViewModel`: the function list, lazy details, live state and CRUD/invoke."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from core import is_accelerated_tag
from gui.backend import (
    AccelState,
    BackendEvent,
    FunctionInfo,
    FunctionSpec,
    InvokeResult,
    image_tag,
    short_image,
)
from gui.context import AppContext
from gui.i18n import arg
from gui.models.functions_model import FunctionsModel

if TYPE_CHECKING:
    from core.report import TwinWait

__all__ = ["FunctionsViewModel", "NotAccelerated", "WaitChoice"]

PAGE_SIZE = 50
_DIGEST = re.compile(r"\b(sha256:[0-9a-f]{12})[0-9a-f]{52}\b")
DETAIL_CONCURRENCY = 4


def _settled(info: FunctionInfo) -> bool:
    return info.state not in ("Pending", None) and info.last_update_status != "InProgress"


@dataclass(frozen=True, slots=True)
class WaitChoice:
    """Deploy only when accelerated: wait at most ``max_wait`` seconds for the twin; when it
    does not get ready, deploy the plain image if ``or_plain``, else nothing."""

    max_wait: float = 600.0
    or_plain: bool = False


class NotAccelerated(Exception):
    """The twin did not get ready and the plain image was not asked for: the function was
    left as it was. ``wait`` (a `core.report.TwinWait`) says why."""

    def __init__(self, wait: TwinWait) -> None:
        super().__init__(f"{wait.image}: {wait.outcome.value}")
        self.wait = wait


class FunctionsViewModel(QObject):
    loadingChanged = Signal(bool)
    functionChanged = Signal(object)  # FunctionInfo (after a detail load or change)
    functionRemoved = Signal(str)
    invoked = Signal(object)  # InvokeResult
    invokeFailed = Signal(object)  # exception
    saved = Signal(object)  # FunctionInfo
    saveFailed = Signal(object)  # exception

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = FunctionsModel(self)
        self.model.moreRequested.connect(self._on_model_more_requested)
        self._next_token: str | None = None
        self._prefix = ""
        self._loading = False
        self._in_flight: set[str] = set()
        self._sem = asyncio.Semaphore(DETAIL_CONCURRENCY)
        self._watched: set[str] = set()
        # Functions the Local server is carrying over to a re-converted twin: their redeploy
        # is announced by its own event, not as a deployment the user made.
        self._carrying: set[str] = set()
        self.detail_requests = 0
        self.list_error = ""  # why the last listing failed (shown instead of "no functions")
        ctx.backendChanged.connect(self._on_ctx_backend_changed)
        ctx.events.eventReceived.connect(self._on_event)

    # -- listing ------------------------------------------------------------------------
    @property
    def loading(self) -> bool:
        return self._loading

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loadingChanged.emit(loading)

    def _on_ctx_backend_changed(self) -> None:
        self.list_error = ""
        self.model.clear()
        self._in_flight.clear()
        self._watched.clear()
        self.ctx.jobs.cancel_prefix("fn")
        backend = self.ctx.backend
        if backend is not None and backend.capabilities.functions:
            self.reload()

    def reload(self, prefix: str | None = None) -> None:
        if prefix is not None:
            self._prefix = prefix
        backend = self.ctx.backend
        if backend is None or not backend.capabilities.functions:
            return
        self._set_loading(True)
        self._in_flight.clear()

        async def job(_sink: object) -> None:
            page = await backend.list_functions(self._prefix, None, PAGE_SIZE)
            # Keep what we already know about rows that are still there.
            known = {r.name: r for r in self.model.rows}
            rows = [
                known[f.name].merged(f)
                if f.name in known and not f.detailed and known[f.name].detailed
                else f
                for f in page.functions
            ]
            self.list_error = ""
            self.model.set_rows(rows)
            self._next_token = page.next_token
            self.model.has_more = bool(page.next_token)
            self.model.set_fetching(False)

        self.ctx.run(
            "fn-list",
            job,
            on_done=lambda _r: self._set_loading(False),
            on_error=self._on_list_error,
        )

    def _on_list_error(self, exc: BaseException) -> None:
        from gui.errors import ErrorPresenter

        self.list_error = ErrorPresenter.describe(exc).text
        self._set_loading(False)
        self.model.set_fetching(False)
        self.ctx.presenter.show(exc)

    def _on_model_more_requested(self) -> None:
        backend = self.ctx.backend
        token = self._next_token
        if backend is None or not token:
            self.model.set_fetching(False)
            return
        self._set_loading(True)

        async def job(_sink: object) -> None:
            page = await backend.list_functions(self._prefix, token, PAGE_SIZE)
            self.model.append_rows(page.functions)
            self._next_token = page.next_token
            self.model.has_more = bool(page.next_token)
            self.model.set_fetching(False)

        self.ctx.run(
            "fn-more",
            job,
            on_done=lambda _r: self._set_loading(False),
            on_error=self._on_list_error,
        )

    # -- lazy details (state, last update, acceleration) --------------------------------
    def request_details(self, names: Iterable[str]) -> None:
        """Load GetFunction for rows that are visible and not detailed yet."""
        for name in names:
            row = self.model.get(name)
            if row is None or row.detailed or name in self._in_flight:
                continue
            self._in_flight.add(name)
            self._load_detail(name)

    def refresh_function(self, name: str) -> None:
        self._in_flight.add(name)
        self._load_detail(name)

    def _load_detail(self, name: str) -> None:
        backend = self.ctx.backend
        if backend is None:
            return

        async def job(_sink: object) -> FunctionInfo:
            async with self._sem:
                self.detail_requests += 1
                info = await backend.get_function(name)
                accel = await self._accel_of(info)
                from dataclasses import replace

                return replace(info, accel=accel, detailed=True)

        def done(info: FunctionInfo) -> None:
            self._in_flight.discard(name)
            self._apply(info)

        def failed(exc: BaseException) -> None:
            self._in_flight.discard(name)
            if getattr(exc, "code", "") == "FunctionNotFound":
                self.model.remove(name)
                self.functionRemoved.emit(name)
            # Other detail failures leave the row as listed; the list still works.

        self.ctx.run(f"fn-detail:{name}", job, on_done=done, on_error=failed)

    async def _accel_of(self, info: FunctionInfo) -> AccelState:
        backend = self.ctx.backend
        if backend is None or not info.image:
            return AccelState.UNKNOWN
        tag = image_tag(info.image)
        if is_accelerated_tag(tag):
            return AccelState.READY
        try:
            return await backend.image_acceleration(info.image)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the badge just stays unknown
            return AccelState.UNKNOWN

    def _apply(self, info: FunctionInfo) -> None:
        old = self.model.get(info.name)
        self.model.update_function(info)
        self.functionChanged.emit(self.model.get(info.name) or info)
        if not _settled(info):
            self._watch(info.name)
        elif old is not None and old.detailed and not _settled(old):
            self._announce(info)
        elif old is not None and old.state == "Active" and info.state == "Failed":
            self._announce_lost(info)

    def _announce_lost(self, info: FunctionInfo) -> None:
        """A deployed function failed without an update: its image was overwritten or
        deleted (the reason says which)."""
        reason = info.state_reason or info.state_reason_code or self.tr("unknown")
        # digests shortened (the function's page shows them in full): a note has no room
        reason = _DIGEST.sub(lambda m: m.group(1) + "…", reason)
        self.ctx.notify(
            self.tr("Function failed"),
            arg(
                self.tr("%1 can no longer be invoked: %2. Update it to deploy an image again."),
                info.name,
                reason,
            ),
            "bad",
        )

    def _announce(self, info: FunctionInfo) -> None:
        if info.name in self._carrying:
            self._carrying.discard(info.name)  # announced by function.redeployed
            return
        if info.state == "Failed" or info.last_update_status == "Failed":
            self.ctx.notify(
                self.tr("Deployment failed"),
                arg(
                    self.tr("%1: %2"),
                    info.name,
                    info.last_update_reason or info.state_reason or self.tr("unknown"),
                ),
                "bad",
            )
        else:
            self.ctx.notify(
                self.tr("Deployment finished"),
                arg(self.tr("%1 is active and up to date."), info.name),
                "ok",
            )

    def _watch(self, name: str) -> None:
        """Poll a Pending / InProgress function (2 s, backing off) unless events drive it."""
        if name in self._watched:
            return
        backend = self.ctx.backend
        if backend is None:
            return
        self._watched.add(name)

        async def job(_sink: object) -> None:
            from gui.context import poll_with_backoff

            last: list[FunctionInfo] = []

            async def fetch() -> FunctionInfo:
                info = await backend.get_function(name)
                from dataclasses import replace

                return replace(info, accel=await self._accel_of(info), detailed=True)

            def on_value(info: FunctionInfo) -> bool:
                last.append(info)
                self._apply_polled(info)
                return _settled(info)

            initial = 0.5 if self.ctx.events.live else 2.0
            await poll_with_backoff(fetch, on_value, initial=initial, maximum=15.0)

        self.ctx.run(
            f"fn-watch:{name}",
            job,
            on_done=lambda _r: self._watched.discard(name),
            on_error=lambda _e: self._watched.discard(name),
        )

    def _apply_polled(self, info: FunctionInfo) -> None:
        old = self.model.get(info.name)
        self.model.update_function(info)
        self.functionChanged.emit(self.model.get(info.name) or info)
        if _settled(info) and old is not None and old.detailed and not _settled(old):
            self._announce(info)

    def _on_event(self, event: BackendEvent) -> None:
        if event.kind == "function.deleted":
            name = str(event.data.get("functionName") or event.data.get("name") or "")
            if self.model.remove(name):
                self.functionRemoved.emit(name)
        elif event.kind in ("function.changed", "function.created", "function.state"):
            name = str(event.data.get("functionName") or event.data.get("name") or "")
            if name:
                if self.model.get(name) is None:
                    if self._prefix and not name.startswith(self._prefix):
                        return
                    self.model.upsert(FunctionInfo(name=name), prepend=True)
                self.refresh_function(name)
        elif event.kind in ("function.redeploying", "function.redeployed"):
            self._on_redeploy(event)
        elif event.kind in ("task.finished", "tag.pushed"):
            # A new accelerated image may change functions' acceleration badges.
            for row in self.model.rows:
                if row.detailed and row.accel in (AccelState.NONE, AccelState.CONVERTING):
                    self.refresh_function(row.name)

    def _on_redeploy(self, event: BackendEvent) -> None:
        """The Local server carries a function over to its twin converted again from the
        same image (start-up files first): a redeploy nobody asked for, said once."""
        name = str(event.data.get("functionName") or "")
        if not name:
            return
        if event.kind == "function.redeploying":
            self._carrying.add(name)
        else:
            row = self.model.get(name)
            if row is None or _settled(row):
                self._carrying.discard(name)  # no settling left to announce it
            from gui.format import short_digest

            self.ctx.notify(
                self.tr("Redeployed on the optimized image"),
                arg(
                    self.tr(
                        "%1 now runs %2 (%3): the Local server converted the image again "
                        "with its start-up files first."
                    ),
                    name,
                    short_image(str(event.data.get("image") or "")),
                    short_digest(str(event.data.get("digest") or "")),
                ),
                "ok",
            )
        if self.model.get(name) is not None:
            self.refresh_function(name)

    # -- create / update / delete / invoke ----------------------------------------------
    def save(
        self,
        spec: FunctionSpec,
        *,
        creating: bool,
        on_done: Callable[[FunctionInfo], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        wait: WaitChoice | None = None,
        on_progress: Callable[[object], None] | None = None,
    ) -> None:
        """Create or update ``spec``. ``on_done``/``on_error`` belong to this one save (the
        dialog that asked for it); without ``on_error`` a failure goes to the error
        presenter — it is never dropped.

        With ``wait``, the image's accelerated twin is waited for first (``on_progress``
        gets the ``accelerate`` progress) and deployed once ready; when it is not, the plain
        image is deployed if ``wait.or_plain``, else nothing is and ``on_error`` gets a
        `NotAccelerated` with the reasons."""
        backend = self.ctx.require_backend()

        async def job(sink: Callable[[object], None]) -> FunctionInfo:
            target = spec
            if wait is not None:
                waited = await backend.wait_for_twin(
                    spec.image,
                    max_wait=wait.max_wait,
                    function="" if creating else spec.name,
                    on_progress=sink,
                )
                if waited.ready:
                    target = replace(spec, image=waited.image)
                elif wait.or_plain:
                    target = replace(spec, image=waited.plain)
                else:
                    raise NotAccelerated(waited)
            if creating:
                return await backend.create_function(target)
            return await backend.update_function(target)

        def done(info: FunctionInfo) -> None:
            if self.model.get(info.name) is None:
                self.model.upsert(info, prepend=creating)
            else:
                self.model.update_function(info)
            self.saved.emit(info)
            if on_done is not None:
                on_done(info)
            self.refresh_function(info.name)

        def failed(exc: BaseException) -> None:
            self.saveFailed.emit(exc)
            if on_error is not None:
                on_error(exc)
            else:
                self.ctx.presenter.show(exc)

        self.ctx.run(
            f"fn-save:{spec.name}", job, on_done=done, on_error=failed, on_progress=on_progress
        )

    def delete(self, name: str) -> None:
        backend = self.ctx.require_backend()

        async def job(_sink: object) -> None:
            await backend.delete_function(name)

        def done(_r: object) -> None:
            self.model.remove(name)
            self.functionRemoved.emit(name)
            self.ctx.notify(self.tr("Function deleted"), name, "info")

        self.ctx.run(f"fn-delete:{name}", job, on_done=done)

    def invoke(self, name: str, body: bytes, *, asynchronous: bool) -> None:
        backend = self.ctx.require_backend()

        async def job(_sink: object) -> InvokeResult:
            return await backend.invoke_function(name, body, asynchronous=asynchronous)

        self.ctx.run(
            f"fn-invoke:{name}",
            job,
            on_done=lambda r: self.invoked.emit(r),
            on_error=lambda e: self.invokeFailed.emit(e),
        )

    def cancel_invoke(self, name: str) -> None:
        self.ctx.jobs.cancel(f"fn-invoke:{name}")
