"""`PaletteController`: what the Ctrl+K palette lists from the window's pages, and what opening
an item does — a function's detail page, a repository or a tag on the Images page, a task,
an action (convert a tag, compare a function in the lab, open a page), another profile; an
item of another profile or region switches to it first, then opens it once its data is in."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer

from core import is_accelerated_tag, twin_tag_of
from gui.backend import AccelState
from gui.dialogs.palette_dialog import PaletteDialog
from gui.i18n import arg
from gui.models.palette_model import PaletteItem
from gui.viewmodels.palette_vm import PaletteViewModel, Target

if TYPE_CHECKING:
    from gui.main_window import MainWindow

__all__ = ["PaletteController"]

#: How long an item of another connection may take to appear after switching (ms).
_REVEAL_PATIENCE_MS = 30_000


def _call(fn: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    return lambda: fn(*args)


class PaletteController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self.vm = PaletteViewModel(self.ctx, self.items, self, function_label=self._function_item)
        self.dialog = PaletteDialog(self.vm, window)
        self.vm.activated.connect(self._on_vm_activated)
        self._pending: PaletteItem | None = None
        self._waited = 0
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.ctx.backendChanged.connect(self._on_ctx_backend_changed)

    def open(self) -> PaletteDialog:
        self.dialog.open_palette()
        return self.dialog

    # -- items ---------------------------------------------------------------------------
    def _where(self, target: Target) -> str:
        profile, region = target
        return f"{profile} · {region}" if region else profile

    def _function_item(self, name: str, target: Target) -> PaletteItem:
        text = QCoreApplication.translate("Palette", "Function · %1")
        return PaletteItem(
            "function", name, arg(text, self._where(target)), target, {"function": name}
        )

    def items(self) -> list[PaletteItem]:
        """Everything the window's pages hold now, and the actions on it."""
        w = self.window
        target = self.vm.target
        where = self._where(target)
        out: list[PaletteItem] = []

        def action(title: str, run: Callable[[], Any], subtitle: str = "") -> None:
            out.append(PaletteItem("action", title, subtitle or where, target, {"run": run}))

        pages = [
            (QCoreApplication.translate("Palette", "Open Functions"), 0),
            (QCoreApplication.translate("Palette", "Open Images"), 1),
            (QCoreApplication.translate("Palette", "Open Cold-start lab"), 2),
            (QCoreApplication.translate("Palette", "Open Tasks"), 3),
            (QCoreApplication.translate("Palette", "Open Settings"), 4),
            (QCoreApplication.translate("Palette", "Open Overview"), 5),
            (QCoreApplication.translate("Palette", "Open Demo mode"), 6),
        ]
        for title, page in pages:
            action(title, _call(w.go, page))
        backend = self.ctx.backend
        if backend is not None and backend.capabilities.functions:
            action(QCoreApplication.translate("Palette", "Create function…"), w.open_create_dialog)
        functions = w.functions_vm.model.rows
        for fn in functions:
            item = self._function_item(fn.name, target)
            out.append(
                PaletteItem(
                    "function", fn.name, f"{item.subtitle} · {fn.image}", target, item.payload
                )
            )
            action(
                arg(QCoreApplication.translate("Palette", "Compare %1 in the lab"), fn.name),
                _call(w.compare_in_lab, fn.name),
            )
        images = w.images_vm
        inst = images.instance
        for listed in images.repos.rows:
            payload = {"instance": listed.instance_id, "repo": listed.repo_id}
            out.append(
                PaletteItem(
                    "repository",
                    listed.path,
                    arg(QCoreApplication.translate("Palette", "Repository · %1"), where),
                    target,
                    payload,
                )
            )
        repo = images.repo
        if repo is not None and inst is not None:
            for tag in images.tags.all_tags():
                name = tag.tag
                payload = {"instance": repo.instance_id, "repo": repo.repo_id, "tag": name}
                label = arg(QCoreApplication.translate("Palette", "Tag · %1"), where)
                out.append(PaletteItem("tag", f"{repo.path}:{name}", label, target, payload))
                state = images.tags.twin_state(name)
                if not is_accelerated_tag(name) and state in (AccelState.NONE, AccelState.FAILED):
                    convert = QCoreApplication.translate("Palette", "Convert %1 into %2")
                    action(
                        arg(convert, f"{repo.path}:{name}", twin_tag_of(name)),
                        _call(self._convert, repo.instance_id, repo.repo_id, name),
                    )
        for task in w.tasks_vm.model.rows:
            title = f"{task.repo_path or task.repo_id}:{task.source_tag} → {task.target_tag}"
            out.append(
                PaletteItem(
                    "task",
                    title,
                    arg(
                        QCoreApplication.translate("Palette", "Task %1 · %2"),
                        task.status.value,
                        where,
                    ),
                    target,
                    {"task": task.task_id},
                )
            )
        for name in w.settings_vm.profile_names():
            if name != target[0]:
                out.append(
                    PaletteItem(
                        "profile",
                        arg(QCoreApplication.translate("Palette", "Switch to profile %1"), name),
                        QCoreApplication.translate("Palette", "Profile"),
                        target,
                        {"profile": name},
                    )
                )
        return out

    def _convert(self, instance_id: str, repo_id: str, tag: str) -> None:
        if self.ctx.backend is None:
            self._say_not_connected(
                QCoreApplication.translate(
                    "Palette", "%1 can be converted once the console is connected."
                ),
                tag,
            )
            return
        self._reveal_repo(instance_id, repo_id)
        images = self.window.images_vm
        if images.repo is not None and images.repo.repo_id == repo_id:
            images.convert_now([tag])

    # -- opening -------------------------------------------------------------------------
    def _on_vm_activated(self, item: PaletteItem) -> None:
        payload = item.payload or {}
        if item.kind == "action":
            payload["run"]()
            return
        if item.kind == "profile":
            self.window.profileRequested.emit(payload["profile"])
            return
        if item.target != self.vm.target:
            self._pending, self._waited = item, 0
            profile, region = item.target
            if profile != self.ctx.profile_name:
                self.window.profileRequested.emit(profile)
            elif region and region != self.ctx.region:
                self.window.regionRequested.emit(region)
            return
        if self.ctx.backend is None:
            # Not connected (yet, or any more): opened once the connection is back.
            self._pending, self._waited = item, 0
            self._say_not_connected(
                QCoreApplication.translate("Palette", "%1 opens once the console is connected."),
                item.title,
            )
            return
        if not self._reveal(item):
            self._pending, self._waited = item, 0
            self._timer.start()

    def _say_not_connected(self, text: str, what: str) -> None:
        self.ctx.notify(
            QCoreApplication.translate("Palette", "Not connected"), arg(text, what), "info"
        )

    def _on_ctx_backend_changed(self) -> None:
        pending = self._pending
        if pending is None:
            return
        if self.ctx.backend is None:
            self._timer.stop()  # disconnected: the next connection goes on with it
            return
        profile, region = pending.target
        if profile == self.ctx.profile_name and region and region != self.ctx.region:
            self.window.regionRequested.emit(region)
            return
        if pending.target == self.vm.target:
            self._timer.start()

    def _on_timer_timeout(self) -> None:
        item = self._pending
        self._waited += self._timer.interval()
        if item is None or self._waited > _REVEAL_PATIENCE_MS:
            self._timer.stop()
            self._pending = None
            return
        if self.ctx.backend is None:
            self._timer.stop()  # the connection went: its return starts the timer again
            return
        if self._reveal(item):
            self._timer.stop()
            self._pending = None

    def _reveal(self, item: PaletteItem) -> bool:
        """Open ``item``; False while the page has not got what it needs yet."""
        w = self.window
        payload = item.payload or {}
        if item.kind == "function":
            w.go(0)
            w.functions_view.open_function(payload["function"])
            return True
        if item.kind == "task":
            w.show_task(payload["task"])
            return True
        if item.kind in ("repository", "tag"):
            w.go(1)
            if not self._reveal_repo(payload["instance"], payload["repo"]):
                return False
            tag = payload.get("tag")
            if tag is None:
                return True
            return w.images_view.select_tags([tag])
        return True

    def _reveal_repo(self, instance_id: str, repo_id: str) -> bool:
        images = self.window.images_vm
        if not images.instances:
            return False
        if images.instance is None or images.instance.instance_id != instance_id:
            images.select_instance(instance_id)
            return False
        if images.repos.get(repo_id) is None:
            if images.namespace is not None:
                images.select_namespace(None)
            return False
        if images.repo is None or images.repo.repo_id != repo_id:
            images.select_repo(repo_id)
            return False
        return images.tags.rowCount() > 0 or not images.ctx.jobs.is_running("img-tags")
