"""`OverviewViewModel`: the acceleration overview across the profiles and regions the user
chooses — runs `core.report`, keeps the rows in an `OverviewModel`, plans and applies fixes,
exports CSV and JSON.

Targets are opened by a `TargetOpener`; `SettingsTargets` opens them from the settings
profiles (the Local server through the connected backend or its data directory, Alibaba
Cloud profiles with their secrets, plain registry profiles as credentials for foreign
images). Tests inject their own opener.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx
from PySide6.QtCore import QObject, Signal

from core import Progress, atomic_write
from core.cloud import open_clients, resolve_credentials, secret_key
from core.errors import CoreError, SettingsError
from core.report import (
    FixOutcome,
    FixPlan,
    FunctionRow,
    ProblemCode,
    Report,
    ReportTarget,
    TargetError,
    TargetKey,
    apply_fix,
    build_report,
    plan_fix,
)
from core.settings import AliyunProfile, LocalProfile, RegistryProfile
from gui.context import AppContext
from gui.models.overview_model import OverviewModel

__all__ = ["OverviewViewModel", "SettingsTargets", "TargetOpener", "write_atomically"]

log = logging.getLogger(__name__)

OpenedTargets = tuple[list[ReportTarget], list[TargetError]]


class TargetOpener(Protocol):
    def available(self) -> list[TargetKey]:
        """Every target the user can choose (Local, each cloud profile × its regions)."""
        ...

    def default(self) -> list[TargetKey]:
        """What is selected at first."""
        ...

    def open(
        self, keys: Sequence[TargetKey]
    ) -> contextlib.AbstractAsyncContextManager[OpenedTargets]:
        """Clients for ``keys`` (closed on exit) and the keys that could not be opened."""
        ...


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text, private=True)


class SettingsTargets:
    """Targets from the settings profiles (see the module docstring)."""

    def __init__(self, ctx: AppContext, settings: Any, regions: Callable[[], Sequence[str]]):
        self.ctx = ctx
        self.settings_vm = settings
        self._regions = regions
        self._pinned: tuple[LocalProfile, Any] | None = None

    def pin_connection(self) -> None:
        """On the GUI thread, before a report or a fix starts: the connected Local server's
        address and credentials, which the report (on its own loop) opens clients to."""
        current = self.ctx.backend.core_clients() if self.ctx.backend is not None else None
        self._pinned = None
        if current is not None and current[0].local is not None:
            clients = current[0]
            creds = clients.fc.current_credentials()
            profile = LocalProfile(url=clients.endpoints.fc, access_key_id=creds.access_key_id)
            self._pinned = (profile, creds)

    def available(self) -> list[TargetKey]:
        out: list[TargetKey] = []
        for profile in self.settings_vm.settings.all_profiles():
            if isinstance(profile, LocalProfile):
                out.append(TargetKey(profile.name))
            elif isinstance(profile, AliyunProfile):
                regions = [profile.region, *(r for r in self._regions() if r != profile.region)]
                out.extend(TargetKey(profile.name, r) for r in regions)
        return out

    def default(self) -> list[TargetKey]:
        """The profile in use (in its region): the Overview inspects the others only when
        they are ticked, so that one unreachable profile does not mark every run incomplete."""
        try:
            profile = self.settings_vm.settings.profile(self.ctx.profile_name)
        except CoreError:
            profile = self.settings_vm.settings.local
        if isinstance(profile, AliyunProfile):
            return [TargetKey(profile.name, self.ctx.region or profile.region)]
        if isinstance(profile, LocalProfile):
            return [TargetKey(profile.name)]
        return []  # a plain registry has no functions to inspect

    def _logins(self) -> dict[str, tuple[str, str]]:
        store = self.settings_vm.secret_store()
        out = {}
        for profile in self.settings_vm.settings.all_profiles():
            if isinstance(profile, RegistryProfile) and profile.username:
                try:
                    password = store.get(secret_key(profile.name, "password"))
                except CoreError:
                    continue
                host = urlsplit(profile.url).netloc
                if password and host:
                    out[host] = (profile.username, password)
        return out

    async def _local(self, key: TargetKey, http: httpx.AsyncClient) -> ReportTarget:
        pinned = self._pinned
        if pinned is not None:
            # the connected Local server, with clients of this loop's own (the backend's
            # belong to the GUI loop, and the report runs on one of its own)
            return ReportTarget(key, open_clients(pinned[0], http, pinned[1]), http)
        from core.cloud import resolve_local_profile

        profile = self.settings_vm.settings.local
        if not profile.data_dir:
            profile = dataclasses.replace(profile, data_dir=str(self.settings_vm.server_data_dir()))
        profile, creds = await resolve_local_profile(profile, self.settings_vm.settings)
        return ReportTarget(key, open_clients(profile, http, creds), http)

    @contextlib.asynccontextmanager
    async def open(self, keys: Sequence[TargetKey]) -> AsyncIterator[OpenedTargets]:
        logins = await asyncio.to_thread(self._logins)
        targets: list[ReportTarget] = []
        errors: list[TargetError] = []
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(30.0, connect=10.0), trust_env=False
        ) as http:
            for key in keys:
                try:
                    profile = self.settings_vm.settings.profile(key.profile)
                    if isinstance(profile, LocalProfile):
                        target = await self._local(key, http)
                    elif isinstance(profile, AliyunProfile):
                        variant = dataclasses.replace(profile, region=key.region or profile.region)
                        store = self.settings_vm.secret_store()
                        creds = await asyncio.to_thread(resolve_credentials, variant, store)
                        target = ReportTarget(key, open_clients(variant, http, creds), http)
                    else:
                        raise SettingsError(
                            f"{key.profile} is a plain registry profile", code="WrongProfileKind"
                        )
                except CoreError as exc:
                    errors.append(TargetError(key, exc.code, str(exc)))
                    continue
                targets.append(dataclasses.replace(target, foreign_auth=logins.get))
            yield targets, errors


class OverviewViewModel(QObject):
    runningChanged = Signal(bool)
    progressChanged = Signal(int, int)  # done, total
    reportChanged = Signal(object)  # Report
    fixStarted = Signal(object)  # FixPlan
    fixProgress = Signal(object)  # Progress
    fixFinished = Signal(object)  # FixOutcome
    failed = Signal(object)
    rowUpdated = Signal(str)  # FunctionRow.key, after its function's state was read

    def __init__(
        self, ctx: AppContext, opener: TargetOpener, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.opener = opener
        self.model = OverviewModel(self)
        self.report: Report | None = None
        self.selected: list[TargetKey] = list(opener.default())
        self._running = False
        self._generation = 0
        self.fixing: set[str] = set()
        self._details: set[str] = set()  # rows whose function state was asked for

    # -- state ----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._running

    def _set_running(self, running: bool) -> None:
        if running != self._running:
            self._running = running
            self.runningChanged.emit(running)

    def counts(self) -> dict[ProblemCode, int]:
        return self.report.counts() if self.report else dict.fromkeys(ProblemCode, 0)

    def set_selected(self, keys: Sequence[TargetKey]) -> None:
        self.selected = list(keys)

    # -- running the report -----------------------------------------------------------------
    def _pinned_opener(self) -> TargetOpener:
        """The opener, told (on the GUI thread) which server the console is connected to."""
        pin = getattr(self.opener, "pin_connection", None)
        if pin is not None:
            pin()
        return self.opener

    def refresh(self, keys: Sequence[TargetKey] | None = None) -> None:
        """Run the report over ``keys`` (default: the selected targets); latest run wins."""
        chosen = list(self.selected if keys is None else keys)
        self._generation += 1
        generation = self._generation
        self._set_running(True)
        self.progressChanged.emit(0, 0)

        opener = self._pinned_opener()

        async def job(sink: Callable[[Any], None]) -> Report:
            # on a loop of its own in a worker thread: the GUI thread only gets the rows
            async with opener.open(chosen) as (targets, errors):
                report = await build_report(targets, on_progress=sink)
            return dataclasses.replace(
                report,
                rows=tuple(sorted(report.rows, key=lambda r: (str(r.target), r.function))),
                targets=tuple(chosen),
                errors=tuple(errors) + report.errors,
            )

        def progress(event: Any) -> None:
            if generation != self._generation:
                return
            if isinstance(event, Progress) and event.phase == "report.functions":
                self.progressChanged.emit(event.done, event.total or 0)

        def done(report: Report) -> None:
            if generation != self._generation:
                return  # a newer run replaced this one
            self._set_running(False)
            self.report = report
            self._details.clear()
            self.model.set_rows(list(report.rows))  # sorted by the job
            self.reportChanged.emit(report)

        def error(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self._set_running(False)
            self.failed.emit(exc)
            self.ctx.presenter.show(exc)

        def finished(task: asyncio.Future[Any]) -> None:
            if task.cancelled() and generation == self._generation:
                self._set_running(False)

        task = self.ctx.run(
            "overview", job, on_done=done, on_error=error, on_progress=progress, own_loop=True
        )
        task.add_done_callback(finished)

    def load_details(self, row: FunctionRow) -> None:
        """Read ``row``'s function state and last update (``GetFunction``, which the report
        does not call for every function) and update the row; once per row and report."""
        if row.key in self._details:
            return
        self._details.add(row.key)
        generation = self._generation

        opener = self._pinned_opener()

        async def job(_sink: Callable[[Any], None]) -> Any:
            async with opener.open([row.target]) as (targets, _errors):
                if not targets:
                    return None
                return await targets[0].clients.fc.get_function(row.function)

        def done(fn: Any) -> None:
            current = self.model.get(row.key)
            if fn is None or current is None or generation != self._generation:
                return
            fresh = dataclasses.replace(
                current,
                function_state=fn.state or "",
                last_update_status=fn.last_update_status or "",
            )
            self.model.upsert(fresh)
            if self.report is not None:
                self.report = dataclasses.replace(self.report, rows=tuple(self.model.rows))
            self.rowUpdated.emit(row.key)

        def error(exc: BaseException) -> None:
            log.info("reading function %s for the overview failed: %s", row.function, exc)

        self.ctx.run(f"overview-details:{row.key}", job, on_done=done, on_error=error)

    def cancel(self) -> None:
        self._generation += 1
        if self.ctx.jobs.cancel("overview"):
            self._set_running(False)

    # -- fixes ------------------------------------------------------------------------------
    @staticmethod
    def plan(row: FunctionRow, code: ProblemCode) -> FixPlan | None:
        return plan_fix(row, code)

    def apply(self, plan: FixPlan) -> asyncio.Future[Any]:
        """Apply ``plan``, then inspect its target again and update its rows."""
        key = f"overview-fix:{plan.target}:{plan.function}:{plan.kind.value}"
        self.fixing.add(key)
        self.fixStarted.emit(plan)

        opener = self._pinned_opener()

        async def job(sink: Callable[[Any], None]) -> tuple[FixOutcome, Report]:
            async with opener.open([plan.target]) as (targets, errors):
                if not targets:
                    error = errors[0] if errors else None
                    raise SettingsError(
                        error.message if error else f"cannot open {plan.target}",
                        code=error.code if error else "TargetUnavailable",
                    )
                outcome = await apply_fix(plan, targets[0], on_progress=sink)
                report = await build_report(targets)
            return outcome, report

        def done(result: tuple[FixOutcome, Report]) -> None:
            self.fixing.discard(key)
            outcome, fresh = result
            self._merge(fresh)
            self.fixFinished.emit(outcome)

        def error(exc: BaseException) -> None:
            self.fixing.discard(key)
            self.failed.emit(exc)
            self.ctx.presenter.show(exc)

        return self.ctx.run(
            key, job, on_done=done, on_error=error, on_progress=self.fixProgress.emit, own_loop=True
        )

    def _merge(self, fresh: Report) -> None:
        """Replace the rows (and errors) of ``fresh``'s targets in the current report."""
        targets = set(fresh.targets)
        self.model.replace_target_rows(list(fresh.rows), targets)
        if self.report is None:
            self.report = fresh
        else:
            self.report = dataclasses.replace(
                self.report,
                rows=tuple(self.model.rows),
                errors=tuple(e for e in self.report.errors if e.target not in targets)
                + fresh.errors,
            )
        self.reportChanged.emit(self.report)

    # -- export -----------------------------------------------------------------------------
    def export_json(self, path: Path) -> None:
        if self.report is None:
            raise SettingsError("run the overview first", code="NoReport")
        write_atomically(path, json.dumps(self.report.to_json(), indent=2, ensure_ascii=False))

    def export_csv(self, path: Path, rows: Sequence[FunctionRow] | None = None) -> None:
        if self.report is None:
            raise SettingsError("run the overview first", code="NoReport")
        write_atomically(path, self.report.to_csv(rows))
