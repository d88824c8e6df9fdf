"""An in-memory `Backend` for GUI tests and benchmarks: functions with a state machine,
a registry with tags, acceleration rules that convert pushed tags (with progress), tasks with
logs, an event stream and a cold-start runner — all fast and deterministic."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

from core import Progress, is_accelerated_tag, twin_tag_of
from core.errors import CloudError, ColdStartError, ResourceNotFound
from core.explore import ImageListing, LayerInfo, LayerSourceKind, build_listing
from core.formats import EntryType, TOCEntry
from core.report import (
    Finding,
    FixKind,
    FunctionRow,
    ProblemCode,
    TargetKey,
    TwinState,
    TwinWait,
    WaitOutcome,
    accelerated_pair,
)
from gui.backend import (
    AccelState,
    BackendCapabilities,
    BackendEvent,
    FunctionInfo,
    FunctionPage,
    FunctionSpec,
    InvokeResult,
    LabEvent,
    LabPhase,
    LabProgress,
    LabRequest,
    LabResult,
    LabRunDone,
    LabSide,
    LabTimeline,
    LogEntry,
    NamespaceInfo,
    Problem,
    RegistryInstance,
    RepoInfo,
    StartupProfileInfo,
    TagInfo,
    TaskInfo,
    TaskLogLine,
    TaskStatus,
)

INSTANCE = RegistryInstance(
    instance_id="cri-test",
    name="test-ee",
    specification="Enterprise_Standard",
    region="cn-hangzhou",
    public_host="test-ee-registry.cn-hangzhou.cr.aliyuncs.com",
    vpc_host="test-ee-registry-vpc.cn-hangzhou.cr.aliyuncs.com",
)


def synthetic_listing(
    files: int = 2_000,
    *,
    reference: str = "test-ee-registry.cn-hangzhou.cr.aliyuncs.com/demo/app:v3_accelerated",
    profile_every: int = 40,
    hidden_every: int = 50,
    accelerated: bool = True,
) -> ImageListing:
    """An image of about ``files`` regular files shaped like a Python application image
    (a system layer, a dependencies layer, an app layer that deletes and replaces some of
    the layers below): ~12 files per directory, 4-7 levels deep. Every ``profile_every``-th
    file is in the start-up profile; every ``hidden_every``-th system file is hidden."""
    mtime = 1_767_000_000 * 1_000_000_000
    per_dir = 12
    system: list[TOCEntry] = []
    deps: list[TOCEntry] = []
    app: list[TOCEntry] = []
    profile: list[str] = []
    seen_dirs: set[str] = set()

    def add_dirs(layer: list[TOCEntry], path: str) -> None:
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in seen_dirs:
                seen_dirs.add(d)
                layer.append(TOCEntry(EntryType.DIR, d, mode=0o755, mtime_ns=mtime))

    for i in range(files):
        if i < files // 3:
            layer, base = system, f"usr/lib/x86_64-linux-gnu/lib{i // per_dir // 20}"
            path = f"{base}/part{i // per_dir % 20}/lib{i}.so.{i % 7}"
        elif i < files * 9 // 10:
            pkg = (i // per_dir) // 15
            layer = deps
            path = (
                f"usr/local/lib/python3.11/site-packages/pkg{pkg}/"
                f"sub{(i // per_dir) % 15}/module_{i}.py"
            )
        else:
            layer, path = app, f"app/src/area{(i // per_dir) % 30}/handler_{i}.py"
        add_dirs(layer, path)
        size = 200 + (i * 7919) % 180_000
        layer.append(
            TOCEntry(
                EntryType.REG,
                path,
                mode=0o644,
                size=size,
                mtime_ns=mtime,
                digest=f"sha256:{i:064x}",
            )
        )
        if i % profile_every == 0:
            profile.append(path)
        if layer is system and hidden_every and i % hidden_every == 0:
            name = path.rpartition("/")
            app.append(TOCEntry(EntryType.REG, f"{name[0]}/.wh.{name[2]}"))
    layers = [system, deps, app]
    infos = [
        LayerInfo(i, f"sha256:{i + 1:064x}", 10_000_000 * (i + 1), "",
                  LayerSourceKind.TOC if accelerated else LayerSourceKind.STREAM,
                  len(entries), "zstd:chunked" if accelerated else "")
        for i, entries in enumerate(layers)
    ]  # fmt: skip
    return build_listing(reference, "sha256:" + "c" * 64, layers, infos, profile)


class FakeBackend:
    def __init__(
        self,
        *,
        functions: int = 3,
        tags: int = 4,
        convert_steps: int = 4,
        step_delay: float = 0.01,
        events: bool = True,
        fail_tags: tuple[str, ...] = (),
        live_logs: bool = True,
    ) -> None:
        self._caps = BackendCapabilities(events=events, live_logs=live_logs)
        self.region = "cn-hangzhou"
        self.instances = [INSTANCE]
        self.namespaces = [NamespaceInfo("crn-1", "demo", INSTANCE.instance_id)]
        self.repos = [
            RepoInfo("crr-app", "app", "demo", INSTANCE.instance_id),
            RepoInfo("crr-web", "web", "demo", INSTANCE.instance_id),
        ]
        self.rules: set[str] = {"crr-app"}
        now = 1_767_000_000
        self.tags: dict[str, list[TagInfo]] = {"crr-app": [], "crr-web": []}
        for i in range(tags):
            t = TagInfo(f"v{i}", f"sha256:{i:064x}", 50_000_000 + i, str(now + i * 60))
            self.tags["crr-app"].append(t)
        # The newest tag has its accelerated twin already.
        if tags:
            last = self.tags["crr-app"][-1]
            self.tags["crr-app"].append(
                TagInfo(twin_tag_of(last.tag), "sha256:" + "a" * 64, 65_000_000, last.updated)
            )
        self.tags["crr-web"].append(TagInfo("latest", "sha256:" + "b" * 64, 10_000, str(now)))
        self.functions: dict[str, FunctionInfo] = {}
        for i in range(functions):
            name = f"fn-{i:03d}"
            image = self.address(self.repos[0], f"v{min(i, max(0, tags - 1))}")
            self.functions[name] = FunctionInfo(
                name=name,
                image=image,
                cpu=0.35,
                memory_mb=512,
                disk_mb=512,
                timeout_s=60,
                port=9000,
                last_modified=f"2026-01-0{1 + i % 9}T00:00:00Z",
                environment={"MODE": "test"},
            )
        self.tasks: dict[str, TaskInfo] = {}
        self.logs: dict[str, list[TaskLogLine]] = {}
        self._ids = itertools.count(1)
        self._queues: set[asyncio.Queue[BackendEvent]] = set()
        self._bg: set[asyncio.Task[None]] = set()
        self.convert_steps = convert_steps
        self.step_delay = step_delay
        self.fail_tags = set(fail_tags)
        self.calls: list[str] = []
        self.get_calls = 0
        self.pending_polls = 2  # GetFunction reads before a new function turns Active
        self._pending: dict[str, int] = {}
        self.lab_delay = 0.002
        self.lab_fail_run: int | None = None
        self.lab_overlap = False  # whether the last comparison ran both sides at once
        self.seed: dict[str, object] | None = None  # the Local server's demo seeding
        self.listings: dict[tuple[str, str], ImageListing] = {}
        #: list_tags: how many are under way now and at most; ``tags_gate`` (when set) holds
        #: each one until the test releases it
        self.tags_in_flight = 0
        self.tags_max_in_flight = 0
        self.tags_gate: asyncio.Semaphore | None = None
        self.why: dict[str, FunctionRow] = {}  # check_image answers by image
        self.check_error: BaseException | None = None  # check_image raises it when set
        self.logs_error: BaseException | None = None  # follow_logs raises it when set
        self.log_lines: dict[str, list[LogEntry]] = {}
        self._log_queues: dict[str, set[asyncio.Queue[LogEntry]]] = {}
        self._log_seq = itertools.count(1)

    # -- helpers ------------------------------------------------------------------------
    @property
    def capabilities(self) -> BackendCapabilities:
        return self._caps

    def address(self, repo: RepoInfo, tag: str, vpc: bool = True) -> str:
        host = INSTANCE.vpc_host if vpc else INSTANCE.public_host
        return f"{host}/{repo.namespace}/{repo.name}:{tag}"

    def publish(self, kind: str, **data: object) -> None:
        for q in list(self._queues):
            q.put_nowait(BackendEvent(kind, dict(data)))

    def _repo(self, repo_id: str) -> RepoInfo:
        for r in self.repos:
            if r.repo_id == repo_id:
                return r
        raise ResourceNotFound("no repo", code="REPO_NOT_EXIST")

    async def aclose(self) -> None:
        for t in self._bg:
            t.cancel()

    # -- functions ----------------------------------------------------------------------
    async def list_functions(
        self, prefix: str = "", next_token: str | None = None, limit: int = 50
    ) -> FunctionPage:
        self.calls.append("list_functions")
        names = sorted(n for n in self.functions if n.startswith(prefix))
        start = int(next_token or 0)
        page = names[start : start + limit]
        listed = [
            replace(self.functions[n], state=None, last_update_status=None, detailed=False)
            for n in page
        ]
        nxt = str(start + limit) if start + limit < len(names) else None
        return FunctionPage(listed, nxt)

    async def get_function(self, name: str) -> FunctionInfo:
        self.get_calls += 1
        await asyncio.sleep(0)
        fn = self.functions.get(name)
        if fn is None:
            raise ResourceNotFound(f"function '{name}' does not exist", code="FunctionNotFound")
        left = self._pending.get(name)
        if left is not None:
            if left <= 0:
                del self._pending[name]
                fn = replace(
                    fn, state="Active", last_update_status="Successful", last_update_reason_code=""
                )
                self.functions[name] = fn
            else:
                self._pending[name] = left - 1
        state = fn.state or "Active"
        return replace(
            fn,
            state=state,
            last_update_status=fn.last_update_status or "Successful",
            resolved_image=fn.image.split(":")[0] + "@sha256:" + "c" * 64,
            detailed=True,
        )

    def _from_spec(self, spec: FunctionSpec) -> FunctionInfo:
        return FunctionInfo(
            name=spec.name,
            image=spec.image,
            cpu=spec.cpu,
            memory_mb=spec.memory_mb,
            disk_mb=spec.disk_mb,
            timeout_s=spec.timeout_s,
            port=spec.port,
            instance_concurrency=spec.instance_concurrency,
            description=spec.description,
            environment=dict(spec.environment),
            entrypoint=spec.entrypoint,
            command=spec.command,
            health_check=spec.health_check,
            last_modified="2026-02-01T00:00:00Z",
        )

    async def create_function(self, spec: FunctionSpec) -> FunctionInfo:
        self.calls.append("create_function")
        if spec.name in self.functions:
            raise CloudError("exists", code="FunctionAlreadyExists", status=409)
        fn = replace(
            self._from_spec(spec),
            state="Pending",
            last_update_status="InProgress",
            last_update_reason_code="ImageOptimizing",
            detailed=True,
        )
        self.functions[spec.name] = fn
        self._pending[spec.name] = self.pending_polls
        self.publish("function.state", functionName=spec.name, state="Pending")
        return fn

    async def update_function(self, spec: FunctionSpec) -> FunctionInfo:
        self.calls.append("update_function")
        if spec.name not in self.functions:
            raise ResourceNotFound("missing", code="FunctionNotFound")
        fn = replace(
            self._from_spec(spec),
            state="Active",
            last_update_status="InProgress",
            last_update_reason_code="ImageOptimizing",
            detailed=True,
        )
        self.functions[spec.name] = fn
        self._pending[spec.name] = self.pending_polls
        return fn

    async def delete_function(self, name: str) -> None:
        self.calls.append("delete_function")
        self.functions.pop(name, None)

    async def invoke_function(
        self, name: str, body: bytes, *, asynchronous: bool = False
    ) -> InvokeResult:
        self.calls.append("invoke_function")
        if name not in self.functions:
            raise ResourceNotFound("missing", code="FunctionNotFound", request_id="1-abc")
        import base64

        log = base64.b64encode(b"START\nhandled " + body[:20] + b"\nEND").decode()
        return InvokeResult(
            status=202 if asynchronous else 200,
            body=b"" if asynchronous else b'{"echo": ' + body + b"}",
            request_id="1-6650-req",
            log_tail="" if asynchronous else log,
            duration_ms=12.5,
            async_invocation=asynchronous,
        )

    def validate_function(self, spec: FunctionSpec, *, creating: bool) -> list[Problem]:
        """The rules the real backend applies (core's validation of FC's limits)."""
        from core.cloud import validate_function
        from gui.backend._core import map_problem, spec_to_function

        return [
            map_problem(p) for p in validate_function(spec_to_function(spec), creating=creating)
        ]

    # -- registry -----------------------------------------------------------------------
    async def list_instances(self) -> list[RegistryInstance]:
        return list(self.instances)

    async def list_namespaces(self, instance_id: str) -> list[NamespaceInfo]:
        return list(self.namespaces)

    async def list_repositories(
        self, instance_id: str, namespace: str | None = None
    ) -> list[RepoInfo]:
        return [r for r in self.repos if namespace in (None, r.namespace)]

    async def list_tags(
        self,
        instance_id: str,
        repo: RepoInfo,
        on_page: Callable[[list[TagInfo]], None] | None = None,
    ) -> list[TagInfo]:
        self.calls.append(f"list_tags:{repo.path}")
        self.tags_in_flight += 1
        self.tags_max_in_flight = max(self.tags_max_in_flight, self.tags_in_flight)
        try:
            if self.tags_gate is not None:
                await self.tags_gate.acquire()
        finally:
            self.tags_in_flight -= 1
        tags = list(self.tags.get(repo.repo_id, []))
        if on_page is not None and tags:
            on_page(tags[:100])
        return tags

    async def get_acceleration(self, instance_id: str, repo: RepoInfo) -> bool:
        return repo.repo_id in self.rules

    async def set_acceleration(self, instance_id: str, repo: RepoInfo, on: bool) -> None:
        self.calls.append(f"set_acceleration:{on}")
        if on:
            self.rules.add(repo.repo_id)
            self.publish("rule.created", scopeId=repo.repo_id)
        else:
            self.rules.discard(repo.repo_id)
            self.publish("rule.deleted", scopeId=repo.repo_id)

    async def convert_now(
        self,
        instance_id: str,
        repo: RepoInfo,
        tag: str,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> str | None:
        self.calls.append(f"convert_now:{tag}")
        return self.start_task(repo, tag)

    def start_task(self, repo: RepoInfo, tag: str) -> str:
        task_id = f"i2a-{next(self._ids):04d}"
        task = TaskInfo(
            task_id,
            INSTANCE.instance_id,
            repo.repo_id,
            tag,
            twin_tag_of(tag),
            TaskStatus.PENDING,
            repo_path=repo.path,
            started=time.time(),
        )
        self.tasks[task_id] = task
        self.logs[task_id] = [TaskLogLine(1, f"queued {repo.path}:{tag}")]
        self.publish(
            "task.created",
            taskId=task_id,
            repo=repo.path,
            repoId=repo.repo_id,
            tag=tag,
            targetTag=twin_tag_of(tag),
            status="PENDING",
        )
        t = asyncio.ensure_future(self._convert(task_id))
        self._bg.add(t)
        t.add_done_callback(self._bg.discard)
        return task_id

    async def push_tag(self, repo_id: str, tag: str) -> None:
        """A client pushed ``tag``: add it and convert it when acceleration is on."""
        repo = self._repo(repo_id)
        info = TagInfo(tag, "sha256:" + "d" * 64, 40_000_000, str(int(time.time())))
        self.tags[repo_id].append(info)
        self.publish("tag.pushed", repo=repo.path, repoId=repo_id, tag=tag, digest=info.digest)
        if repo_id in self.rules and not is_accelerated_tag(tag):
            self.start_task(repo, tag)

    async def _convert(self, task_id: str) -> None:
        task = self.tasks[task_id]
        repo = self._repo(task.repo_id)
        task = replace(task, status=TaskStatus.BUILDING, total=self.convert_steps)
        self.tasks[task_id] = task
        for step in range(1, self.convert_steps + 1):
            await asyncio.sleep(self.step_delay)
            task = replace(self.tasks[task_id], done=step, phase="layer")
            if task.status is TaskStatus.CANCELED:
                return
            self.tasks[task_id] = task
            self.logs[task_id].append(
                TaskLogLine(len(self.logs[task_id]) + 1, f"layer {step}/{self.convert_steps}")
            )
            self.publish(
                "task.progress",
                taskId=task_id,
                repo=repo.path,
                repoId=repo.repo_id,
                status="BUILDING",
                progress=step / self.convert_steps,
            )
        if task.source_tag in self.fail_tags:
            task = replace(
                task,
                status=TaskStatus.FAILED,
                ended=time.time(),
                error="layer 2: unsupported whiteout",
            )
        else:
            task = replace(task, status=TaskStatus.SUCCESS, ended=time.time())
            self.tags[repo.repo_id].append(
                TagInfo(task.target_tag, "sha256:" + "e" * 64, 60_000_000, str(int(time.time())))
            )
            self.publish("tag.pushed", repo=repo.path, repoId=repo.repo_id, tag=task.target_tag)
        self.tasks[task_id] = task
        self.logs[task_id].append(TaskLogLine(len(self.logs[task_id]) + 1, task.status.value))
        self.publish(
            "task.finished",
            taskId=task_id,
            repo=repo.path,
            repoId=repo.repo_id,
            tag=task.source_tag,
            targetTag=task.target_tag,
            status=task.status.value,
            reason=task.error,
        )

    def image_address(
        self, instance: RegistryInstance, repo: RepoInfo, tag: str, *, vpc: bool = True
    ) -> str:
        return self.address(repo, tag, vpc=vpc and bool(instance.vpc_host))

    async def image_listing(
        self,
        instance_id: str,
        repo: RepoInfo,
        tag: str,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> ImageListing:
        """``self.listings[(repo path, tag)]`` (built with `synthetic_listing`), after a
        plain tag's ``index`` progress; a tag without one does not exist."""
        self.calls.append(f"image_listing:{repo.path}:{tag}")
        listing = self.listings.get((repo.path, tag))
        if listing is None:
            raise CloudError(f"{repo.path}:{tag} does not exist", code="MANIFEST_UNKNOWN")
        if not is_accelerated_tag(tag) and on_progress is not None:
            for done in (0, 500_000, 1_000_000):
                on_progress(Progress("index", done, 1_000_000, "", {"eta_s": 1.0}))
                await asyncio.sleep(self.step_delay)
        return listing

    async def check_image(self, image: str, function: str = "") -> FunctionRow:
        """``self.why[image]`` when a test put one there, else the fake's own state: a rule
        and a twin, a failed task, no rule, or no conversion yet."""
        self.calls.append(f"check_image:{image}:{function}")
        if self.check_error is not None:
            raise self.check_error
        if image in self.why:
            return self.why[image]
        path, _, tag = image.partition("/")[2].rpartition(":")
        repo = next((r for r in self.repos if r.path == path), None)
        names = {t.tag for t in self.tags.get(repo.repo_id, [])} if repo else set()
        base = dict(
            target=TargetKey("fake"),
            function=function,
            image=image,
            runs_accelerated=is_accelerated_tag(tag),
            registry=image.split("/", 1)[0],
            repository=path,
            tag=tag,
            source_tag=tag,
            twin_tag=twin_tag_of(tag),
            convert_on_request=True,
        )
        failed = [t for t in self.tasks.values() if t.source_tag == tag and t.error]
        active = [t for t in self.tasks.values() if t.source_tag == tag and not t.status.finished]
        if repo is None:
            problems = (Finding(ProblemCode.IMAGE_UNREADABLE, reason="not-found"),)
            return FunctionRow(twin_state=TwinState.UNKNOWN, problems=problems, **base)  # type: ignore[arg-type]
        if is_accelerated_tag(tag) or twin_tag_of(tag) in names:
            return FunctionRow(twin_state=TwinState.READY, acceleration=True, **base)  # type: ignore[arg-type]
        if repo.repo_id not in self.rules:
            finding = Finding(ProblemCode.ACCELERATION_OFF, fix=FixKind.ENABLE_ACCELERATION)
            return FunctionRow(
                twin_state=TwinState.NONE,
                acceleration=False,
                problems=(finding,),
                **base,  # type: ignore[arg-type]
            )
        if active:
            return FunctionRow(twin_state=TwinState.CONVERTING, acceleration=True, **base)  # type: ignore[arg-type]
        if failed:
            finding = Finding(ProblemCode.TWIN_FAILED, reason=failed[-1].error)
            return FunctionRow(twin_state=TwinState.FAILED, problems=(finding,), **base)  # type: ignore[arg-type]
        finding = Finding(ProblemCode.TWIN_MISSING, fix=FixKind.CONVERT_NOW)
        return FunctionRow(twin_state=TwinState.NONE, problems=(finding,), **base)  # type: ignore[arg-type]

    async def wait_for_twin(
        self,
        image: str,
        *,
        max_wait: float,
        function: str = "",
        on_progress: Callable[[Progress], None] | None = None,
    ) -> TwinWait:
        """Like `core.report.wait_for_twin` over the fake's state: a running task's progress,
        ready once its twin exists, the reasons (`check_image`) when nothing converts it."""
        self.calls.append(f"wait_for_twin:{image}:{max_wait:g}")
        plain, twin = accelerated_pair(image)
        started = time.monotonic()
        while True:
            row = await self.check_image(plain, function)
            elapsed = time.monotonic() - started
            outcome = {
                TwinState.READY: WaitOutcome.READY,
                TwinState.FAILED: WaitOutcome.FAILED,
                TwinState.NONE: WaitOutcome.BLOCKED,
                TwinState.UNKNOWN: WaitOutcome.BLOCKED,
            }.get(row.twin_state)
            if outcome is not None:
                return TwinWait(outcome, twin, plain, row, elapsed)
            if elapsed >= max_wait:
                return TwinWait(WaitOutcome.TIMEOUT, twin, plain, row, elapsed)
            tag = plain.rsplit(":", 1)[1]
            task = next(
                (t for t in self.tasks.values() if t.source_tag == tag and not t.status.finished),
                None,
            )
            if on_progress is not None and task is not None:
                fraction = task.fraction or 0.0
                on_progress(
                    Progress("accelerate", int(fraction * 1000), 1000, twin,
                             {"state": "converting", "elapsed_s": elapsed, "eta_s": 1.0})
                )  # fmt: skip
            await asyncio.sleep(self.step_delay)

    def push_login(self) -> tuple[str, str] | None:
        return ("LTAItestpush", "push-secret-value")

    async def image_acceleration(self, image: str) -> AccelState:
        tag = image.rsplit(":", 1)[-1]
        if is_accelerated_tag(tag):
            return AccelState.READY
        names = {t.tag for tags in self.tags.values() for t in tags}
        if twin_tag_of(tag) in names:
            return AccelState.AVAILABLE
        if any(t.source_tag == tag and not t.status.finished for t in self.tasks.values()):
            return AccelState.CONVERTING
        return AccelState.NONE

    # -- tasks --------------------------------------------------------------------------
    async def list_tasks(self, instance_id: str | None = None) -> list[TaskInfo]:
        return list(self.tasks.values())

    async def get_task(self, instance_id: str, task_id: str) -> TaskInfo:
        return self.tasks[task_id]

    async def task_logs(
        self, instance_id: str, task_id: str, after_line: int = 0
    ) -> list[TaskLogLine]:
        return [line for line in self.logs.get(task_id, []) if line.number > after_line]

    async def cancel_task(self, instance_id: str, task_id: str) -> None:
        self.calls.append(f"cancel_task:{task_id}")
        task = self.tasks[task_id]
        self.tasks[task_id] = replace(task, status=TaskStatus.CANCELED, ended=time.time())
        self.publish(
            "task.finished",
            taskId=task_id,
            repo=task.repo_path,
            status="CANCELED",
            tag=task.source_tag,
        )

    # -- live ---------------------------------------------------------------------------
    async def events(self) -> AsyncIterator[BackendEvent]:
        if not self._caps.events:
            raise NotImplementedError
        queue: asyncio.Queue[BackendEvent] = asyncio.Queue()
        self._queues.add(queue)
        try:
            yield BackendEvent("stream.opened")
            while True:
                yield await queue.get()
        finally:
            self._queues.discard(queue)

    def core_clients(self) -> None:
        return None

    async def startup_profiles(self, instance_id: str, repo: RepoInfo) -> list[StartupProfileInfo]:
        raise NotImplementedError("no start-up profiles here (capabilities.startup_profiles)")

    async def record_startup_profile(
        self, instance_id: str, repo: RepoInfo, tag: str
    ) -> StartupProfileInfo:
        raise NotImplementedError("no start-up profiles here (capabilities.startup_profiles)")

    async def set_priority_file(self, instance_id: str, repo: RepoInfo, paths: list[str]) -> str:
        raise NotImplementedError("no prefetch lists here (capabilities.priority_file)")

    def emit_log(self, function: str, message: str, *, stream: str = "stdout") -> LogEntry:
        """A line printed by ``function``'s (one) instance, to every follower."""
        entry = LogEntry(
            seq=next(self._log_seq),
            time=time.time(),
            instance_id=f"c-{function}-0001",
            stream=stream,
            message=message,
        )
        self.log_lines.setdefault(function, []).append(entry)
        for queue in self._log_queues.get(function, set()):
            queue.put_nowait(entry)
        return entry

    async def follow_logs(
        self,
        name: str,
        *,
        since: int = 0,
        limit: int = 500,
        on_open: Callable[[], None] | None = None,
    ) -> AsyncIterator[LogEntry]:
        """The fake's log lines of ``name``; ``self.logs_error`` (when set) is raised instead
        of opening the stream, as the Local server refuses one."""
        if not self._caps.live_logs:
            raise NotImplementedError("logs are in Simple Log Service")
        self.calls.append(f"follow_logs:{name}:{since}")
        if self.logs_error is not None:
            raise self.logs_error
        if on_open is not None:
            on_open()
        queue: asyncio.Queue[LogEntry] = asyncio.Queue()
        self._log_queues.setdefault(name, set()).add(queue)
        try:
            backlog = [e for e in self.log_lines.get(name, []) if e.seq > since]
            for entry in backlog[-limit:] if limit else []:
                yield entry
            while True:
                entry = await queue.get()
                if entry.seq > since:
                    yield entry
        finally:
            self._log_queues[name].discard(queue)

    def log_followers(self, name: str) -> int:
        return len(self._log_queues.get(name, ()))

    async def seed_status(self) -> dict[str, object] | None:
        """``/x-fcdesk/info``'s ``seed``: what a test put in ``self.seed``."""
        self.calls.append("seed_status")
        return dict(self.seed) if self.seed is not None else None

    # -- lab ----------------------------------------------------------------------------
    async def run_coldstart(
        self, request: LabRequest, on_progress: Callable[[LabEvent], None] | None = None
    ) -> LabResult:
        """Scripted cold starts (a phase every ``lab_delay`` s); both sides at once when
        ``request.together``. ``lab_fail_run`` makes that run of side B fail."""
        runs: list[list[LabTimeline]] = [[], []]
        self.lab_overlap = False
        running: set[int] = set()

        async def one(side: int, target: str, run: int) -> None:
            accelerated = "accel" in target
            if side == 1 and run == self.lab_fail_run:
                raise ColdStartError(f"{target} answered HTTP 502", code="InvokeFailed")
            running.add(side)
            t = 0.0
            phases = []
            plan = [
                ("resolve", 20.0),
                ("pull", 300.0 if accelerated else 4000.0),
                ("mount" if accelerated else "unpack", 40.0 if accelerated else 900.0),
                ("start", 250.0 + run),
                ("first-invoke", 30.0),
            ]
            for name, dur in plan:
                if len(running) == 2:
                    self.lab_overlap = True
                if on_progress is not None:  # the phase begins …
                    on_progress(LabProgress(side, run, LabPhase(name, t, 0.0), finished=False))
                await asyncio.sleep(self.lab_delay)
                phase = LabPhase(name, t, dur, bytes=int(dur * 10_000), requests=3)
                t += dur
                phases.append(phase)
                if on_progress is not None:  # … and ends
                    on_progress(LabProgress(side, run, phase))
            running.discard(side)
            timeline = LabTimeline(
                tuple(phases),
                bytes_fetched=sum(p.bytes for p in phases[:3]),
                image_size=60_000_000,
                on_demand_fetches=12 if accelerated else 0,
                fallbacks=0,
            )
            runs[side].append(timeline)
            if on_progress is not None:
                on_progress(LabRunDone(side, run, timeline))

        for run in range(request.runs):
            if request.together:
                await asyncio.gather(one(0, request.a, run), one(1, request.b, run))
            else:
                for side, target in enumerate((request.a, request.b)):
                    await one(side, target, run)
        sides = [
            LabSide(target, target, tuple(runs[side]))
            for side, target in enumerate((request.a, request.b))
        ]
        return LabResult(f"run{next(self._ids)}", time.time(), request, (sides[0], sides[1]))


async def drain(backend: FakeBackend) -> None:
    for t in list(backend._bg):
        with contextlib.suppress(asyncio.CancelledError):
            await t
