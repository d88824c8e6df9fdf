"""`TasksViewModel`: conversion tasks with live progress, logs and cancel; notifies when a
conversion finishes."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from gui.backend import BackendEvent, TaskInfo, TaskLogLine, TaskStatus
from gui.context import AppContext, poll_with_backoff
from gui.i18n import arg
from gui.models.tasks_model import TasksModel
from gui.viewmodels.images_vm import task_from_event

__all__ = ["TasksViewModel"]


class TasksViewModel(QObject):
    logsAppended = Signal(str, list)  # task id, [TaskLogLine]
    logsReset = Signal(str)
    loadingChanged = Signal(bool)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = TasksModel(self)
        self.selected: str | None = None
        self._log_lines: dict[str, int] = {}
        self.finished_notices = 0
        ctx.backendChanged.connect(self._on_ctx_backend_changed)
        ctx.events.eventReceived.connect(self._on_event)
        ctx.events.liveChanged.connect(self._on_live_changed)

    def _on_ctx_backend_changed(self) -> None:
        self.ctx.jobs.cancel_prefix("tasks")
        self.model.clear()
        backend = self.ctx.backend
        if backend is not None and backend.capabilities.task_list:
            self.reload()

    def _on_live_changed(self, live: bool) -> None:
        if not live:
            self._poll()

    def reload(self) -> None:
        backend = self.ctx.backend
        if backend is None or not backend.capabilities.task_list:
            return
        self.loadingChanged.emit(True)

        async def job(_s: object) -> list[TaskInfo]:
            return await backend.list_tasks(None)

        def done(tasks: list[TaskInfo]) -> None:
            tasks.sort(key=lambda t: t.started or 0, reverse=True)
            self.model.set_rows(tasks)
            self.loadingChanged.emit(False)
            self._poll()

        def failed(exc: BaseException) -> None:
            self.loadingChanged.emit(False)
            self.ctx.presenter.show(exc)

        self.ctx.run("tasks-list", job, on_done=done, on_error=failed)

    def _apply(self, task: TaskInfo) -> None:
        old = self.model.get(task.task_id)
        self.model.upsert(task, prepend=old is None)
        if task.status.finished and (old is None or not old.status.finished):
            self._announce(task)
        if self.selected == task.task_id:
            self._follow_logs(task.task_id)

    def _announce(self, task: TaskInfo) -> None:
        self.finished_notices += 1
        image = f"{task.repo_path or task.repo_id}:{task.target_tag}"
        if task.status is TaskStatus.SUCCESS and task.trigger == "profile":
            # the second stage: the same image again, its start-up files first
            self.ctx.notify(
                self.tr("Optimized conversion finished"),
                arg(self.tr("%1, start-up files first"), image),
                "ok",
            )
        elif task.status is TaskStatus.SUCCESS:
            self.ctx.notify(self.tr("Conversion finished"), image, "ok")
        elif task.status is TaskStatus.FAILED:
            self.ctx.notify(self.tr("Conversion failed"), f"{image}\n{task.error}".strip(), "bad")

    def _on_event(self, event: BackendEvent) -> None:
        if not event.kind.startswith("task."):
            return
        task_id = str(event.data.get("taskId") or event.data.get("BuildTaskId") or "")
        task = task_from_event(event.data, self.model.get(task_id))
        if task is not None:
            self._apply(task)

    def _poll(self) -> None:
        """Without live events, poll the task list while tasks run (backing off)."""
        backend = self.ctx.backend
        if backend is None or self.ctx.events.live or not backend.capabilities.task_list:
            return
        if not any(not t.status.finished for t in self.model.rows):
            return

        async def fetch() -> list[TaskInfo]:
            return await backend.list_tasks(None)

        def on_value(tasks: list[TaskInfo]) -> bool:
            for task in tasks:
                self._apply(task)
            return all(t.status.finished for t in tasks)

        async def job(_s: object) -> None:
            await poll_with_backoff(fetch, on_value, initial=1.5, maximum=15.0)

        self.ctx.run("tasks-poll", job)

    # -- logs ---------------------------------------------------------------------------
    def select(self, task_id: str | None) -> None:
        if task_id == self.selected:
            return
        self.selected = task_id
        self.ctx.jobs.cancel("tasks-logs")
        if task_id is None:
            return
        self._log_lines[task_id] = 0
        self.logsReset.emit(task_id)
        self._follow_logs(task_id)

    def _follow_logs(self, task_id: str) -> None:
        backend = self.ctx.backend
        task = self.model.get(task_id)
        if backend is None or task is None:
            return
        if self.ctx.jobs.is_running("tasks-logs"):
            return

        async def fetch() -> list[TaskLogLine]:
            after = self._log_lines.get(task_id, 0)
            return await backend.task_logs(task.instance_id, task_id, after)

        def on_value(lines: list[TaskLogLine]) -> bool:
            if lines:
                self._log_lines[task_id] = max(line.number for line in lines)
                self.logsAppended.emit(task_id, lines)
            current = self.model.get(task_id)
            return current is None or (current.status.finished and not lines)

        async def job(_s: object) -> None:
            await poll_with_backoff(fetch, on_value, initial=0.7, maximum=5.0, factor=1.3)

        self.ctx.run("tasks-logs", job, on_error=lambda _e: None)

    def cancel(self, task_id: str) -> None:
        backend = self.ctx.require_backend()
        task = self.model.get(task_id)
        if task is None:
            return

        async def job(_s: object) -> TaskInfo:
            await backend.cancel_task(task.instance_id, task_id)
            return await backend.get_task(task.instance_id, task_id)

        self.ctx.run(f"tasks-cancel:{task_id}", job, on_done=self._apply)

    def active_count(self) -> int:
        return sum(1 for t in self.model.rows if not t.status.finished)
