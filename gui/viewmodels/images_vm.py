"""`ImagesViewModel`: instances → namespaces → repositories → tags, the acceleration switch,
tag twins with live conversion state, "convert now" and client-side conversion, and the
start-up profile of each tag's image (recorded by the Local server; a repository rule's
prefetch list on Alibaba Cloud)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from core import is_accelerated_tag, source_tag_of, twin_tag_of
from gui.backend import (
    BackendEvent,
    NamespaceInfo,
    RegistryInstance,
    RepoInfo,
    StartupProfileInfo,
    TagInfo,
    TaskInfo,
    TaskStatus,
)
from gui.context import AppContext, poll_with_backoff
from gui.i18n import arg
from gui.models.repositories_model import RepositoriesModel
from gui.models.tags_model import TagsModel

__all__ = ["ImagesViewModel", "task_from_event"]


def task_from_event(data: dict[str, object], old: TaskInfo | None = None) -> TaskInfo | None:
    """Build or update a `TaskInfo` from a ``task.*`` event's data."""
    task_id = str(data.get("taskId") or data.get("BuildTaskId") or (old.task_id if old else ""))
    if not task_id:
        return None
    status_raw = data.get("status") or data.get("TaskStatus")
    status = (
        TaskStatus.parse(str(status_raw))
        if status_raw
        else (old.status if old else TaskStatus.PENDING)
    )
    source = str(data.get("sourceTag") or data.get("tag") or (old.source_tag if old else ""))
    total = data.get("total")
    done = data.get("done")
    progress = data.get("progress")
    overall_known = old is not None and old.total == 1000 and not old.status.finished
    if isinstance(progress, int | float):
        # The overall fraction beats per-phase byte counts, and a running task's bar never
        # moves back (a late or per-phase figure would make it jump).
        done, total = int(float(progress) * 1000), 1000
        if overall_known and old is not None and status is old.status:
            done = max(done, old.done)
    elif status.finished:
        done, total = (1000, 1000) if status is TaskStatus.SUCCESS else (0, None)
    elif overall_known and old is not None:
        done, total = old.done, old.total  # a phase's own byte counts are not the task's

    def num(v: object, fallback: float | None) -> float | None:
        return float(v) if isinstance(v, int | float) else fallback

    return TaskInfo(
        task_id=task_id,
        instance_id=str(data.get("instanceId") or (old.instance_id if old else "")),
        repo_id=str(data.get("repoId") or (old.repo_id if old else "")),
        source_tag=source,
        target_tag=str(data.get("targetTag") or (old.target_tag if old else twin_tag_of(source))),
        status=status,
        repo_path=str(data.get("repo") or data.get("repoPath") or (old.repo_path if old else "")),
        done=int(num(done, old.done if old else 0) or 0),
        total=int(t) if (t := num(total, old.total if old else None)) is not None else None,
        phase=str(data.get("phase") or (old.phase if old else "")),
        started=num(data.get("started"), old.started if old else time.time()),
        ended=num(data.get("ended"), old.ended if old else None),
        error=str(data.get("error") or data.get("reason") or (old.error if old else "")),
        trigger=str(data.get("trigger") or (old.trigger if old else "")),
    )


class ImagesViewModel(QObject):
    instancesChanged = Signal(list)
    namespacesChanged = Signal(list)
    currentRepoChanged = Signal(object)  # RepoInfo | None
    tagsLoading = Signal(bool)
    tagsLoaded = Signal(int)
    accelerationChanged = Signal(str, bool)  # repo id, on
    convertStarted = Signal(str)  # tag
    clientConversionProgress = Signal(str, object)  # tag, Progress
    profilesChanged = Signal()
    priorityFileSet = Signal(str, int)  # repo path, number of files
    imageOpened = Signal(str)  # tag: open_image found its repository, whose tags are loading
    imageNotFound = Signal(str, object)  # image, BaseException | None (no such repository)

    def __init__(
        self, ctx: AppContext, parent: QObject | None = None, *, key_prefix: str = "img"
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._k = key_prefix
        self.repos = RepositoriesModel(self)
        self.tags = TagsModel(self)
        self.instances: list[RegistryInstance] = []
        self.namespaces: list[NamespaceInfo] = []
        self.instance: RegistryInstance | None = None
        self.namespace: str | None = None
        self.repo: RepoInfo | None = None
        #: Start-up profiles of the current repository's images, by plain tag.
        self.profiles: dict[str, StartupProfileInfo] = {}
        ctx.backendChanged.connect(self._on_ctx_backend_changed)
        ctx.events.eventReceived.connect(self._on_event)

    def _on_ctx_backend_changed(self) -> None:
        self.ctx.jobs.cancel_prefix(self._k + "-")
        self.repos.clear()
        self.tags.set_tags([])
        # What the previous backend listed is not the new one's (nor anything while none)
        self.instances = []
        self.namespaces = []
        self.instance = None
        self.namespace = None
        self.repo = None
        if self.ctx.backend is not None:
            self.load_instances()

    # -- browse -------------------------------------------------------------------------
    def load_instances(self) -> None:
        backend = self.ctx.require_backend()

        async def job(_s: object) -> list[RegistryInstance]:
            return await backend.list_instances()

        def done(instances: list[RegistryInstance]) -> None:
            self.instances = instances
            self.instancesChanged.emit(instances)
            if instances and (self.instance is None or self.instance not in instances):
                self.select_instance(instances[0].instance_id)

        self.ctx.run(f"{self._k}-instances", job, on_done=done)

    def select_instance(self, instance_id: str) -> None:
        inst = next((i for i in self.instances if i.instance_id == instance_id), None)
        if inst is None:
            return
        self.instance = inst
        self.namespace = None
        backend = self.ctx.require_backend()

        async def job(_s: object) -> list[NamespaceInfo]:
            return await backend.list_namespaces(inst.instance_id)

        def done(namespaces: list[NamespaceInfo]) -> None:
            self.namespaces = namespaces
            self.namespacesChanged.emit(namespaces)
            self.load_repositories()

        self.ctx.run(f"{self._k}-namespaces", job, on_done=done)

    def open_image(self, image: str) -> None:
        """Point this view-model at the instance and repository ``image`` (an address in one
        of the backend's registries) belongs to and load its tags, so that the acceleration
        switch, "convert now" and the live twin states apply to it (the function form's
        fixes go through here, as the Images page's do). ``imageOpened(tag)`` once the
        repository is selected; ``imageNotFound`` when no instance holds it."""
        from core.errors import CoreError
        from core.oci import ImageReference

        backend = self.ctx.require_backend()
        try:
            ref = ImageReference.parse(image, default_tag=None)
        except CoreError as exc:
            self.imageNotFound.emit(image, exc)
            return
        tag = ref.tag or ""

        def holds(repo: RepoInfo) -> bool:
            return ref.repository == repo.path or ref.repository.endswith("/" + repo.path)

        async def job(_s: object) -> tuple[list[RegistryInstance], RegistryInstance, RepoInfo]:
            instances = await backend.list_instances()
            # the instance whose address the image names first, then the others
            ordered = sorted(
                instances, key=lambda i: ref.registry not in (i.public_host, i.vpc_host)
            )
            for inst in ordered:
                found = next(
                    (r for r in await backend.list_repositories(inst.instance_id) if holds(r)),
                    None,
                )
                if found is not None:
                    if found.acceleration is None:
                        on = await backend.get_acceleration(inst.instance_id, found)
                        found = replace(found, acceleration=on)
                    return instances, inst, found
            raise LookupError(image)

        def done(found: tuple[list[RegistryInstance], RegistryInstance, RepoInfo]) -> None:
            instances, inst, repo = found
            self.instances, self.instance, self.namespace = instances, inst, None
            self.repos.set_rows([repo])
            self.select_repo(repo.repo_id)
            self.imageOpened.emit(tag)

        def failed(exc: BaseException) -> None:
            self.imageNotFound.emit(image, None if isinstance(exc, LookupError) else exc)

        self.ctx.run(f"{self._k}-open", job, on_done=done, on_error=failed)

    def select_namespace(self, namespace: str | None) -> None:
        self.namespace = namespace or None
        self.load_repositories()

    def load_repositories(self) -> None:
        inst = self.instance
        if inst is None:
            return
        backend = self.ctx.require_backend()
        ns = self.namespace

        async def job(_s: object) -> None:
            repos = await backend.list_repositories(inst.instance_id, ns)
            self.repos.set_rows(repos)
            if self.repo is None and repos:
                self.select_repo(repos[0].repo_id)
            elif self.repo is not None:
                fresh = self.repos.get(self.repo.repo_id)
                if fresh is None:
                    self.select_repo(repos[0].repo_id if repos else None)
            # Acceleration switches, a few at a time.
            sem = asyncio.Semaphore(4)

            async def one(repo: RepoInfo) -> None:
                async with sem:
                    on = await backend.get_acceleration(inst.instance_id, repo)
                self.repos.set_acceleration(repo.repo_id, on)
                if self.repo is not None and self.repo.repo_id == repo.repo_id:
                    self.repo = self.repos.get(repo.repo_id)
                    self.tags.acceleration_on = on
                    self.currentRepoChanged.emit(self.repo)

            await asyncio.gather(*(one(r) for r in repos if r.acceleration is None))

        self.ctx.run(f"{self._k}-repos", job)

    def select_repo(self, repo_id: str | None) -> None:
        repo = self.repos.get(repo_id) if repo_id else None
        self.repo = repo
        self.currentRepoChanged.emit(repo)
        self.tags.set_tags([])
        self.ctx.jobs.cancel(f"{self._k}-tags")
        self.profiles = {}
        self.profilesChanged.emit()
        if repo is None:
            return
        self.tags.acceleration_on = bool(repo.acceleration)
        self.load_tags()

    def load_tags(self) -> None:
        inst, repo = self.instance, self.repo
        if inst is None or repo is None:
            return
        backend = self.ctx.require_backend()
        self.tagsLoading.emit(True)
        first_page = True

        def on_page(page: list[TagInfo]) -> None:
            nonlocal first_page
            if first_page:  # show something at once; the rest lands in one go
                first_page = False
                self.tags.set_tags(page)

        async def job(_s: object) -> int:
            tags = await backend.list_tags(inst.instance_id, repo, on_page)
            self.tags.set_tags(tags)
            if backend.capabilities.task_list:
                tasks = await backend.list_tasks(inst.instance_id)
                self.tags.set_tasks(t for t in tasks if t.repo_id == repo.repo_id)
            return len(tags)

        def done(n: int) -> None:
            self.tagsLoading.emit(False)
            self.tagsLoaded.emit(n)
            self._maybe_poll()
            self.load_profiles()

        def failed(exc: BaseException) -> None:
            self.tagsLoading.emit(False)
            self.ctx.presenter.show(exc)

        self.ctx.run(f"{self._k}-tags", job, on_done=done, on_error=failed)

    # -- start-up profiles --------------------------------------------------------------
    def profile_for(self, tag: str) -> StartupProfileInfo | None:
        """The start-up profile of ``tag``'s image (an accelerated tag: its source's)."""
        return self.profiles.get(source_tag_of(tag))

    def load_profiles(self) -> None:
        inst, repo, backend = self.instance, self.repo, self.ctx.backend
        if inst is None or repo is None or backend is None:
            return
        if not backend.capabilities.startup_profiles:
            return

        async def job(_s: object) -> list[StartupProfileInfo]:
            return await backend.startup_profiles(inst.instance_id, repo)

        def done(found: list[StartupProfileInfo]) -> None:
            if self.repo is not None and self.repo.repo_id == repo.repo_id:
                self.profiles = {p.tag: p for p in found}
                self.profilesChanged.emit()

        self.ctx.run(f"{self._k}-profiles", job, on_done=done)

    def record_profile(self, tag: str) -> None:
        """Record ``tag``'s start-up profile again; the Local server then converts it again
        in optimized order (progress arrives as ``profile.*`` events)."""
        inst, repo = self.instance, self.repo
        if inst is None or repo is None:
            return
        backend = self.ctx.require_backend()
        tag = source_tag_of(tag)
        self.profiles[tag] = StartupProfileInfo(tag, "QUEUED")
        self.profilesChanged.emit()

        async def job(_s: object) -> StartupProfileInfo:
            return await backend.record_startup_profile(inst.instance_id, repo, tag)

        def done(info: StartupProfileInfo) -> None:
            current = self.profiles.get(tag)
            if current is None or current.state == "QUEUED":  # events may be ahead of us
                self.profiles[tag] = info
                self.profilesChanged.emit()

        def failed(exc: BaseException) -> None:
            self.load_profiles()
            self.ctx.presenter.show(exc)

        self.ctx.run(f"{self._k}-record:{repo.repo_id}:{tag}", job, on_done=done, on_error=failed)

    def set_priority_file(self, paths: list[str]) -> None:
        """Make the current repository's acceleration rule prefetch ``paths``."""
        inst, repo = self.instance, self.repo
        if inst is None or repo is None or not paths:
            return
        backend = self.ctx.require_backend()

        async def job(_s: object) -> str:
            return await backend.set_priority_file(inst.instance_id, repo, list(paths))

        def done(_rule_id: str) -> None:
            self.repos.set_acceleration(repo.repo_id, True)
            self.priorityFileSet.emit(repo.path, len(paths))
            self.ctx.notify(
                self.tr("Prefetch list set"),
                arg(self.tr("%1 prefetches %n file(s) first", "", len(paths)), repo.path),
                "ok",
            )

        def failed(exc: BaseException) -> None:
            self.ctx.presenter.show(exc)

        self.ctx.run(f"{self._k}-priority:{repo.repo_id}", job, on_done=done, on_error=failed)

    # -- acceleration -------------------------------------------------------------------
    def set_acceleration(self, repo: RepoInfo, on: bool) -> None:
        inst = self.instance
        if inst is None:
            return
        backend = self.ctx.require_backend()
        self.repos.set_acceleration(repo.repo_id, None)

        async def job(_s: object) -> bool:
            await backend.set_acceleration(inst.instance_id, repo, on)
            return await backend.get_acceleration(inst.instance_id, repo)

        def done(state: bool) -> None:
            self.repos.set_acceleration(repo.repo_id, state)
            if self.repo is not None and self.repo.repo_id == repo.repo_id:
                self.repo = self.repos.get(repo.repo_id)
                self.tags.acceleration_on = state
                self.currentRepoChanged.emit(self.repo)
            self.accelerationChanged.emit(repo.repo_id, state)

        def failed(exc: BaseException) -> None:
            self.repos.set_acceleration(repo.repo_id, repo.acceleration)
            self.ctx.presenter.show(exc)

        self.ctx.run(f"{self._k}-accel:{repo.repo_id}", job, on_done=done, on_error=failed)

    def unconverted_tags(self) -> list[str]:
        """Plain tags of the current repository without an accelerated twin or task."""
        from core.pull import is_profile_tag
        from gui.backend import AccelState

        out = []
        for tag in self.tags.all_tags():
            if is_profile_tag(tag.tag):
                continue  # a start-up profile pushed next to its image, not an image
            if not is_accelerated_tag(tag.tag) and self.tags.twin_state(tag.tag) in (
                AccelState.NONE,
                AccelState.FAILED,
            ):
                out.append(tag.tag)
        return out

    def convert_now(self, tags: list[str]) -> None:
        inst, repo = self.instance, self.repo
        if inst is None or repo is None or not tags:
            return
        backend = self.ctx.require_backend()

        if backend.capabilities.client_conversion and not backend.capabilities.acceleration_rules:
            for tag in tags:
                self._convert_locally(tag)
            return

        async def job(_s: object) -> list[str | None]:
            ids = []
            for tag in tags:
                ids.append(await backend.convert_now(inst.instance_id, repo, tag))
                self.tags.update_task(
                    TaskInfo(
                        task_id=ids[-1] or f"pending:{tag}",
                        instance_id=inst.instance_id,
                        repo_id=repo.repo_id,
                        source_tag=tag,
                        target_tag=twin_tag_of(tag),
                        status=TaskStatus.PENDING,
                        repo_path=repo.path,
                        started=time.time(),
                    )
                )
                self.convertStarted.emit(tag)
            return ids

        self.ctx.run(
            f"{self._k}-convert:{repo.repo_id}", job, on_done=lambda _r: self._maybe_poll()
        )

    def _convert_locally(self, tag: str) -> None:
        """Client-side conversion for plain OCI registries (core.convert on this machine)."""
        inst, repo = self.instance, self.repo
        if inst is None or repo is None:
            return
        backend = self.ctx.require_backend()
        started = time.time()
        task = TaskInfo(
            task_id=f"local:{repo.path}:{tag}",
            instance_id=inst.instance_id,
            repo_id=repo.repo_id,
            source_tag=tag,
            target_tag=twin_tag_of(tag),
            status=TaskStatus.BUILDING,
            repo_path=repo.path,
            started=started,
        )
        self.tags.update_task(task)

        def progress(p: object) -> None:
            done = int(getattr(p, "done", 0))
            total = getattr(p, "total", None)
            self.tags.update_task(
                replace(task, done=done, total=total, phase=str(getattr(p, "phase", "")))
            )
            self.clientConversionProgress.emit(tag, p)

        async def job(sink: Callable[[object], None]) -> None:
            await backend.convert_now(inst.instance_id, repo, tag, sink)

        def done(_r: object) -> None:
            self.tags.update_task(replace(task, status=TaskStatus.SUCCESS, ended=time.time()))
            self.load_tags()
            self.ctx.notify(self.tr("Conversion finished"), f"{repo.path}:{twin_tag_of(tag)}", "ok")

        def failed(exc: BaseException) -> None:
            self.tags.update_task(replace(task, status=TaskStatus.FAILED, error=str(exc)))
            self.ctx.presenter.show(exc)

        self.ctx.run(
            f"{self._k}-local:{repo.repo_id}:{tag}",
            job,
            on_done=done,
            on_error=failed,
            on_progress=progress,
        )

    # -- live ---------------------------------------------------------------------------
    def _on_event(self, event: BackendEvent) -> None:
        repo = self.repo
        data = event.data
        path = str(data.get("repo") or "")
        if (
            event.kind in ("tag.pushed", "task.created", "repository.created")
            and path
            and self.instance is not None
            and not any(r.path == path for r in self.repos.rows)
            and (self.namespace is None or path.startswith(self.namespace + "/"))
        ):
            # A repository this view has not listed yet (pushed just now): list again.
            self.load_repositories()
        if event.kind == "repository.deleted":
            self.load_repositories()
            return
        if event.kind in ("tag.pushed", "tag.deleted"):
            if repo is None or not self._is_current_repo(data):
                return
            name = str(data.get("tag", ""))
            if event.kind == "tag.deleted":
                self.tags.remove_tag(name)
                return
            self.tags.upsert_tag(
                TagInfo(
                    tag=name,
                    digest=str(data.get("digest", "")),
                    size=int(data.get("size", 0) or 0),
                    updated=str(data.get("updated", "") or data.get("time", "")),
                )
            )
        elif event.kind.startswith("task."):
            if repo is None or not self._is_current_repo(data):
                return
            task_id = str(data.get("taskId") or "")
            old = self.tags.task_by_id(task_id) or self.tags.task_for(
                str(data.get("sourceTag") or data.get("tag") or "")
            )
            if old is None and not (data.get("tag") or data.get("sourceTag")):
                return  # progress of a task this view never saw created
            task = task_from_event(data, old)
            if task is not None:
                self.tags.update_task(task)
                if task.status is TaskStatus.SUCCESS and not self.tags.has_tag(task.target_tag):
                    self.tags.upsert_tag(TagInfo(tag=task.target_tag))
        elif event.kind.startswith("profile."):
            if repo is None or not self._is_current_repo(data):
                return
            tags = data.get("tags")
            for name in tags if isinstance(tags, list) else ():
                self.profiles[str(name)] = StartupProfileInfo.from_json(data, str(name))
            self.profilesChanged.emit()
        elif event.kind in ("rule.created", "rule.deleted", "rule.changed"):
            repo_id = str(data.get("scopeId") or data.get("repoId") or "")
            on = event.kind == "rule.created" or bool(data.get("enabled", False))
            if self.repos.get(repo_id) is not None:
                self.repos.set_acceleration(repo_id, on)
                if repo is not None and repo.repo_id == repo_id:
                    self.repo = self.repos.get(repo_id)
                    self.tags.acceleration_on = on
                    self.currentRepoChanged.emit(self.repo)

    def _is_current_repo(self, data: dict[str, object]) -> bool:
        repo = self.repo
        if repo is None:
            return False
        if data.get("repoId"):
            return data.get("repoId") == repo.repo_id
        path = str(data.get("repo") or data.get("repository") or "")
        return path in (repo.path, repo.name)

    def _maybe_poll(self) -> None:
        """Without an event stream, poll tags and tasks while conversions run."""
        if self.ctx.events.live:
            return
        inst, repo = self.instance, self.repo
        backend = self.ctx.backend
        if inst is None or repo is None or backend is None:
            return
        from gui.backend import AccelState

        def converting() -> bool:
            return any(
                self.tags.twin_state(t.tag) is AccelState.CONVERTING
                for t in self.tags.all_tags()
                if not is_accelerated_tag(t.tag)
            )

        if not converting():
            return

        async def fetch() -> tuple[list[TagInfo], list[TaskInfo]]:
            tags = await backend.list_tags(inst.instance_id, repo)
            tasks = (
                await backend.list_tasks(inst.instance_id)
                if (backend.capabilities.task_list)
                else []
            )
            return tags, [t for t in tasks if t.repo_id == repo.repo_id]

        def on_value(value: tuple[list[TagInfo], list[TaskInfo]]) -> bool:
            tags, tasks = value
            before = {t.tag for t in self.tags.all_tags()}
            self.tags.set_tags(tags)
            if tasks:
                self.tags.set_tasks(tasks)
            for new in {t.tag for t in tags} - before:
                if is_accelerated_tag(new):
                    self.ctx.notify(
                        self.tr("Conversion finished"),
                        f"{repo.path}:{new} ← {source_tag_of(new)}",
                        "ok",
                    )
            return not converting()

        async def job(_s: object) -> None:
            await poll_with_backoff(fetch, on_value, initial=2.0, maximum=20.0)

        self.ctx.run(f"{self._k}-poll:{repo.repo_id}", job)

    def image_address(self, tag: str, *, vpc: bool = True) -> str:
        backend = self.ctx.require_backend()
        assert self.instance is not None
        assert self.repo is not None
        return backend.image_address(self.instance, self.repo, tag, vpc=vpc)
