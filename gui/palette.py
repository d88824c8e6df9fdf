"""`PaletteController`: what the Ctrl+K palette lists from the window's pages, and what opening
an item does — a function's detail page, a repository or a tag on the Images page, a task,
an action (convert a tag, compare a function in the lab, open a page), another profile.

Opening waits on signals, never on a clock: an item of another profile or region switches to
it first and goes on when that connection is in (``backendChanged``); a repository or tag is
then shown step by step as the Images page gets what it needs (instances, all namespaces'
repositories, the repository's tags: each job's end is the signal to look again). It stops
when the item is open, when what it names turned out not to be there (said in a note), when
the connection fails, or when another connection is chosen meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject

from core import is_accelerated_tag, twin_tag_of
from gui.backend import AccelState, RepoInfo
from gui.dialogs.palette_dialog import PaletteDialog
from gui.i18n import arg
from gui.jobs import JobFailure, JobResult
from gui.models.palette_model import PaletteItem
from gui.viewmodels.palette_vm import PaletteViewModel, Target

if TYPE_CHECKING:
    from gui.main_window import MainWindow

__all__ = ["PaletteController"]

# The jobs (the Images and Tasks pages' reading) whose end may bring what a pending item
# waits for.
_READING_JOBS = frozenset(
    {"img-instances", "img-namespaces", "img-repos", "img-tags", "tasks-list"}
)


def _call(fn: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    return lambda: fn(*args)


class PaletteController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self.vm = PaletteViewModel(
            self.ctx,
            self.items,
            self,
            function_label=self._function_item,
            repository_label=self._repository_item,
            tag_label=self._tag_item,
        )
        self.dialog = PaletteDialog(self.vm, window)
        self.vm.activated.connect(self._on_vm_activated)
        # The item being opened (see the module docs), where it was chosen, and whether
        # its region was asked for after its profile.
        self._pending: PaletteItem | None = None
        self._from: Target = ("", "")
        self._region_asked = False
        # Whether the Images page's instances are this connection's (not the last one's).
        self._fresh = True
        self.ctx.backendChanged.connect(self._on_ctx_backend_changed)
        self.ctx.connectionChanged.connect(self._on_ctx_connection_changed)
        # a job's end is announced after its result was applied (bound methods: the
        # connections go with this controller)
        self.ctx.jobs.finished.connect(self._on_job_ended)
        self.ctx.jobs.failed.connect(self._on_job_ended)
        images = window.images_vm
        images.instancesChanged.connect(self._on_instances_changed)
        images.repos.modelReset.connect(self._on_images_data)
        images.tagsLoaded.connect(self._on_images_data)
        # (the Images and Tasks view-models were made before this controller: on a new
        # connection their slots run first, so their reading has started when ours runs)

    @property
    def pending(self) -> PaletteItem | None:
        """The item being opened (waiting for its connection or its page's data)."""
        return self._pending

    def open(self) -> PaletteDialog:
        self.dialog.open_palette()
        return self.dialog

    # -- items ---------------------------------------------------------------------------
    def _where(self, target: Target) -> str:
        profile, region = target
        return f"{profile} · {region}" if region else profile

    def _repository_item(self, repo: RepoInfo, target: Target) -> PaletteItem:
        return PaletteItem(
            "repository",
            repo.path,
            arg(QCoreApplication.translate("Palette", "Repository · %1"), self._where(target)),
            target,
            {"instance": repo.instance_id, "repo": repo.repo_id},
        )

    def _tag_item(self, repo: RepoInfo, tag: str, target: Target) -> PaletteItem:
        return PaletteItem(
            "tag",
            f"{repo.path}:{tag}",
            arg(QCoreApplication.translate("Palette", "Tag · %1"), self._where(target)),
            target,
            {"instance": repo.instance_id, "repo": repo.repo_id, "tag": tag},
        )

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
        if self._reveal_repo(instance_id, repo_id, "now") is not True:
            return
        images = self.window.images_vm
        if images.repo is not None and images.repo.repo_id == repo_id:
            images.convert_now([tag])

    # -- opening -------------------------------------------------------------------------
    def _on_vm_activated(self, item: PaletteItem) -> None:
        payload = item.payload or {}
        if item.kind == "action":
            payload["run"]()  # (an item still being opened goes on)
            return
        if item.kind == "profile":
            self.window.profileRequested.emit(payload["profile"])
            return
        self._pending, self._from, self._region_asked = item, self.vm.target, False
        if item.target != self.vm.target:
            self._fresh = False
            profile, region = item.target
            if profile != self.ctx.profile_name:
                self.window.profileRequested.emit(profile)
            elif region and region != self.ctx.region:
                self._region_asked = True
                self.window.regionRequested.emit(region)
            return
        if self.ctx.backend is None:
            # Not connected (yet, or any more): opened once the connection is back.
            self._fresh = False
            self._say_not_connected(
                QCoreApplication.translate("Palette", "%1 opens once the console is connected."),
                item.title,
            )
            return
        self._fresh = True
        self._advance("now")

    def _say_not_connected(self, text: str, what: str) -> None:
        self.ctx.notify(
            QCoreApplication.translate("Palette", "Not connected"), arg(text, what), "info"
        )

    def _on_ctx_backend_changed(self) -> None:
        # the pages read the new connection from scratch: what they hold until their
        # instances are in (the earlier connection's list) says nothing about this one
        self._fresh = False
        item = self._pending
        if item is None or self.ctx.backend is None:
            return  # not connected (yet): the connection's arrival says when to go on
        target = self.vm.target
        profile, region = item.target
        if target == item.target:
            self._advance("connected")
        elif profile == self.ctx.profile_name and region and not self._region_asked:
            self._region_asked = True  # the profile is in: now its region
            self.window.regionRequested.emit(region)
        elif target != self._from and profile != self.ctx.profile_name:
            self._pending = None  # another connection was chosen meanwhile

    def _on_ctx_connection_changed(self, state: str, detail: str) -> None:
        item = self._pending
        if item is None or state != "failed":
            return
        self._pending = None
        self.ctx.notify(
            arg(QCoreApplication.translate("Palette", "Could not open %1"), item.title),
            arg(
                QCoreApplication.translate("Palette", "Connecting to %1 failed: %2"),
                self._where(item.target),
                detail,
            ),
            "bad",
        )

    def _on_job_ended(self, ended: JobResult | JobFailure) -> None:
        if ended.key not in _READING_JOBS:
            return
        if isinstance(ended, JobFailure):
            # the page says why (its error box); what it was to show cannot be shown
            if self._pending is not None and self._pending.target == self.vm.target:
                self._pending = None
            return
        if ended.key == "img-instances":
            self._fresh = True
        self._advance(ended.key)

    def _on_instances_changed(self, *_args: object) -> None:
        self._fresh = True
        self._advance("img-instances")

    def _on_images_data(self, *_args: object) -> None:
        self._advance("")

    def _advance(self, trigger: str) -> None:
        """One more step towards the pending item, now that ``trigger`` (``now``: the
        item was chosen; ``connected``; a reading job's key: its result is in; ``""``:
        some other page data) happened. The item is dropped when it is open, or when what
        ``trigger`` brought shows that it is not there."""
        item = self._pending
        if item is None or self.ctx.backend is None or item.target != self.vm.target:
            return
        outcome = self._reveal(item, trigger)
        if outcome is False:
            return
        self._pending = None
        if outcome is None:
            self.ctx.notify(
                arg(QCoreApplication.translate("Palette", "Could not open %1"), item.title),
                arg(
                    QCoreApplication.translate("Palette", "%1 does not list it (any more)."),
                    self._where(item.target),
                ),
                "warn",
            )

    def _reveal(self, item: PaletteItem, trigger: str) -> bool | None:
        """Open ``item``: True when it is open, False while its page has not got what it
        needs yet, None when ``trigger`` brought the page's list and it is not in it."""
        w = self.window
        payload = item.payload or {}
        if item.kind == "function":
            w.go(0)
            w.functions_view.open_function(payload["function"])
            return True
        if item.kind == "task":
            task_id = payload["task"]
            if w.tasks_vm.model.row_of(task_id) < 0:
                return None if trigger in ("now", "tasks-list") else False
            w.show_task(task_id)
            return True
        if item.kind in ("repository", "tag"):
            if not self._fresh:
                return False
            w.go(1)
            shown = self._reveal_repo(payload["instance"], payload["repo"], trigger)
            if shown is not True:
                return shown
            tag = payload.get("tag")
            if tag is None or w.images_view.select_tags([tag]):
                return True
            if trigger in ("now", "img-tags") and not self.ctx.jobs.is_running("img-tags"):
                return None
            return False
        return True

    def _reveal_repo(self, instance_id: str, repo_id: str, trigger: str) -> bool | None:
        """Show repository ``repo_id`` of ``instance_id`` on the Images page: True when it
        is the current one with its tags in, False while a step is on its way, None when
        ``trigger`` brought the list that should hold it and it is not there."""
        images = self.window.images_vm
        jobs = self.ctx.jobs
        if images.instance is None or images.instance.instance_id != instance_id:
            if any(i.instance_id == instance_id for i in images.instances):
                images.select_instance(instance_id)
                return False
            return None if trigger in ("now", "img-instances") else False
        if images.repos.get(repo_id) is None:
            if jobs.is_running("img-namespaces") or jobs.is_running("img-repos"):
                return False
            if images.namespace is not None:
                images.select_namespace(None)  # the repository may be in another one
                return False
            return None if trigger in ("now", "img-repos") else False
        if images.repo is None or images.repo.repo_id != repo_id:
            images.select_repo(repo_id)
            return False
        return not jobs.is_running("img-tags")
