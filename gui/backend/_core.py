"""`CoreBackend`: the `Backend` the console uses, over core's FC, ACR and Local clients.

One class serves the Local profile (with the ``/x-fcdesk/`` extensions: task listing, event
stream, convert-now, forced cold starts) and Alibaba Cloud (polling instead of events; no
task listing). It maps core's models onto the GUI's value types and holds no other logic.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import httpx

from core import Progress
from core.cloud import (
    AccelerationState,
    BuildTask,
    CustomContainerConfig,
    Function,
    HealthCheckConfig,
    ImageTag,
    InvocationResult,
    ProfileClients,
    ServerEvent,
    ValidationProblem,
    acceleration_status,
)
from core.cloud import validate_function as core_validate_function
from core.errors import CloudError, ColdStartError, CoreError, InvalidInput
from core.oci import ImageReference, is_loopback_host
from gui.backend._liveness import LIVE_EVENT_TYPES, call_while_alive, invoke_timeout
from gui.backend._pages import PAGE_SIZE, collect_in_pages
from gui.backend._protocol import LINK_SPECS
from gui.backend._types import (
    AccelState,
    BackendCapabilities,
    BackendEvent,
    FunctionInfo,
    FunctionPage,
    FunctionSpec,
    HealthCheck,
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
    short_image,
)

if TYPE_CHECKING:
    from core.explore import ImageListing
    from core.report import FunctionRow, TwinWait

__all__ = [
    "CoreBackend",
    "function_info",
    "map_problem",
    "run_image_comparison",
    "spec_to_function",
]

_FIELD_ALIASES = {
    "customContainerConfig.image": "image",
    "customContainerConfig.port": "port",
    "customContainerConfig.entrypoint": "entrypoint",
    "customContainerConfig.command": "command",
    "customContainerConfig": "image",
}


def map_problem(p: ValidationProblem) -> Problem:
    field = _FIELD_ALIASES.get(p.field, p.field)
    if field.startswith("customContainerConfig.healthCheckConfig."):
        field = field.removeprefix("customContainerConfig.")
    return Problem(field=field, code=p.code, params=dict(p.params))


def _health(h: HealthCheckConfig | None) -> HealthCheck | None:
    if h is None or not h.http_get_url:
        return None
    return HealthCheck(
        http_get_url=h.http_get_url,
        initial_delay_seconds=h.initial_delay_seconds or 0,
        period_seconds=h.period_seconds or 3,
        timeout_seconds=h.timeout_seconds or 1,
        success_threshold=h.success_threshold or 1,
        failure_threshold=h.failure_threshold or 3,
    )


def function_info(fn: Function, *, detailed: bool) -> FunctionInfo:
    ccc = fn.custom_container_config or CustomContainerConfig()
    return FunctionInfo(
        name=fn.name,
        image=ccc.image or "",
        cpu=fn.cpu,
        memory_mb=fn.memory_size,
        disk_mb=fn.disk_size,
        timeout_s=fn.timeout,
        port=ccc.port,
        instance_concurrency=fn.instance_concurrency,
        description=fn.description or "",
        created=fn.created_time or "",
        last_modified=fn.last_modified_time or "",
        environment=dict(fn.environment_variables or {}),
        entrypoint=tuple(ccc.entrypoint or ()),
        command=tuple(ccc.command or ()),
        health_check=_health(ccc.health_check_config),
        acr_instance_id=ccc.acr_instance_id or "",
        role=fn.role or "",
        internet_access=fn.internet_access if fn.internet_access is not None else True,
        function_arn=fn.function_arn or "",
        state=fn.state if detailed else None,
        state_reason=fn.state_reason or "",
        state_reason_code=fn.state_reason_code or "",
        last_update_status=fn.last_update_status if detailed else None,
        last_update_reason=fn.last_update_status_reason or "",
        last_update_reason_code=fn.last_update_status_reason_code or "",
        resolved_image=ccc.resolved_image_uri or "",
        detailed=detailed,
    )


def spec_to_function(spec: FunctionSpec) -> Function:
    hc = spec.health_check
    fn = Function.for_container(
        spec.name,
        spec.image,
        port=spec.port,
        cpu=spec.cpu,
        memory_size=spec.memory_mb,
        disk_size=spec.disk_mb,
        timeout=spec.timeout_s,
        instance_concurrency=spec.instance_concurrency,
        internet_access=spec.internet_access,
        description=spec.description or None,
        environment_variables=dict(spec.environment),
        role=spec.role or None,
    )
    ccc = fn.custom_container_config
    assert ccc is not None
    ccc.entrypoint = list(spec.entrypoint) or None
    ccc.command = list(spec.command) or None
    ccc.acr_instance_id = spec.acr_instance_id or None
    if hc is not None and hc.http_get_url:
        ccc.health_check_config = HealthCheckConfig(
            http_get_url=hc.http_get_url,
            initial_delay_seconds=hc.initial_delay_seconds,
            period_seconds=hc.period_seconds,
            timeout_seconds=hc.timeout_seconds,
            success_threshold=hc.success_threshold,
            failure_threshold=hc.failure_threshold,
        )
    return fn


def tag_info(tag: ImageTag) -> TagInfo:
    digest = tag.digest or ""
    updated = tag.updated_ms
    return TagInfo(
        tag=tag.tag or "",
        # ACR lists bare hex digests; events and registries say sha256:<hex>.
        digest=f"sha256:{digest}" if digest and ":" not in digest else digest,
        size=tag.size or 0,
        updated=str(updated) if updated else "",
    )


def task_info(task: BuildTask, instance_id: str, repo_path: str = "") -> TaskInfo:
    extra = task.extra or {}
    progress = extra.get("Progress")
    status = TaskStatus.parse(task.task_status or "PENDING")
    done, total = 0, None
    if isinstance(progress, int | float):
        done, total = int(float(progress) * 1000), 1000
    return TaskInfo(
        task_id=task.build_task_id or "",
        instance_id=instance_id,
        repo_id=task.repo_id or "",
        source_tag=task.source_tag or "",
        target_tag=task.target_tag or "",
        status=status,
        repo_path=str(extra.get("Repo") or repo_path),
        done=done,
        total=total,
        started=task.started_at,
        ended=task.ended_at,
        error=str(extra.get("Reason") or ""),
        trigger=str(extra.get("Trigger") or ""),
    )


class CoreBackend:
    """A `Backend` over one profile's `ProfileClients` (and the ``httpx`` client they share)."""

    def __init__(
        self,
        clients: ProfileClients,
        http: httpx.AsyncClient,
        *,
        region: str = "",
        kind: str = "local",
        owns_http: bool = True,
        registry_credentials: tuple[str, str] | None = None,
    ) -> None:
        self.clients = clients
        self.registry_credentials = registry_credentials
        self.http = http
        self._region = region
        self.kind = kind
        self._owns_http = owns_http
        self._pages: dict[str, AsyncIterator[Function]] = {}
        self._instances: dict[str, RegistryInstance] = {}
        self._repo_paths: dict[str, str] = {}
        self._last_seq: int | None = None
        self._timeouts: dict[str, float | None] = {}  # function timeouts seen (invocations)
        local = clients.local is not None
        self._caps = BackendCapabilities(
            functions=True,
            acceleration_rules=True,
            task_list=local,
            events=local,
            client_conversion=False,
            coldstart=True,
            startup_profiles=local,
            priority_file=True,
            live_logs=local,
        )

    @property
    def capabilities(self) -> BackendCapabilities:
        return self._caps

    @property
    def region(self) -> str:
        return self._region

    async def aclose(self) -> None:
        for it in self._pages.values():
            with contextlib.suppress(Exception):
                await it.aclose()  # type: ignore[attr-defined]
        self._pages.clear()
        if self._owns_http:
            await self.http.aclose()

    # -- functions ----------------------------------------------------------------------
    async def list_functions(
        self, prefix: str = "", next_token: str | None = None, limit: int = 50
    ) -> FunctionPage:
        if next_token is not None:
            it = self._pages.pop(next_token, None)
            if it is None:
                raise CloudError("the listing expired; refresh", code="InvalidNextToken")
        else:
            it = self.clients.fc.list_functions(prefix=prefix or None, limit=min(100, limit))
        out: list[FunctionInfo] = []
        exhausted = False
        while len(out) < limit:
            try:
                fn = await anext(it)
            except StopAsyncIteration:
                exhausted = True
                break
            out.append(function_info(fn, detailed=False))
        token = None
        if not exhausted:
            token = secrets.token_hex(8)
            self._pages[token] = it
        return FunctionPage(out, token)

    async def get_function(self, name: str) -> FunctionInfo:
        info = function_info(await self.clients.fc.get_function(name), detailed=True)
        self._timeouts[name] = float(info.timeout_s) if info.timeout_s else None
        return info

    async def create_function(self, spec: FunctionSpec) -> FunctionInfo:
        fn = await self.clients.fc.create_function(spec_to_function(spec))
        return function_info(fn, detailed=fn.state is not None)

    async def update_function(self, spec: FunctionSpec) -> FunctionInfo:
        body = spec_to_function(spec)
        fn = await self.clients.fc.update_function(spec.name, body)
        return function_info(fn, detailed=fn.state is not None)

    async def delete_function(self, name: str) -> None:
        await self.clients.fc.delete_function(name)

    async def invoke_function(
        self, name: str, body: bytes, *, asynchronous: bool = False
    ) -> InvokeResult:
        t0 = time.perf_counter()
        if self.clients.local is not None and not asynchronous:
            # As long as the Local server shows progress (cold start, heartbeat).
            result = await self._invoke_live(name, body, log_tail=True)
        else:
            result = await self.clients.fc.invoke_function(
                name,
                body,
                asynchronous=asynchronous,
                log_tail=not asynchronous,
                http_timeout=None if asynchronous else invoke_timeout(self._timeouts.get(name)),
            )
        return InvokeResult(
            status=result.status,
            body=result.body,
            request_id=result.request_id or "",
            log_tail=result.log or "",
            error_type=result.error_type or "",
            duration_ms=(time.perf_counter() - t0) * 1000,
            headers=dict(result.headers),
            async_invocation=asynchronous,
        )

    async def _invoke_live(
        self,
        name: str,
        body: bytes,
        *,
        log_tail: bool,
        on_event: Callable[[ServerEvent], None] | None = None,
    ) -> InvocationResult:
        """InvokeFunction on the Local server without a fixed ceiling: it may take as long
        as it needs while the server's event stream shows this function's invocation alive
        (``on_event`` sees those events); after `SILENCE_S` s without one it is given up."""
        local = self.clients.local
        assert local is not None
        last = [time.monotonic()]

        async def watch() -> None:
            while True:
                with contextlib.suppress(CoreError):  # a dropped stream is opened again
                    async for ev in local.events(types=list(LIVE_EVENT_TYPES)):
                        if ev.data.get("functionName") != name:
                            continue
                        last[0] = time.monotonic()
                        if on_event is not None:
                            on_event(ev)
                await asyncio.sleep(1.0)

        watcher = asyncio.create_task(watch(), name=f"liveness:{name}")
        try:
            await asyncio.sleep(0)
            return await call_while_alive(
                self.clients.fc.invoke_function(
                    name, body, log_tail=log_tail, http_timeout=httpx.Timeout(None, connect=10.0)
                ),
                lambda: last[0],
                what=f"InvokeFunction {name}",
            )
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    def validate_function(self, spec: FunctionSpec, *, creating: bool) -> list[Problem]:
        return [
            map_problem(p)
            for p in core_validate_function(spec_to_function(spec), creating=creating)
        ]

    # -- registry -----------------------------------------------------------------------
    async def list_instances(self) -> list[RegistryInstance]:
        acr = self.clients.acr
        out = []
        async for inst in acr.list_instances():
            iid = inst.instance_id or ""
            try:
                hosts = await acr.registry_hosts(iid)
                public, vpc = hosts.public or "", hosts.vpc or ""
            except CloudError:
                public = vpc = ""
            ri = RegistryInstance(
                instance_id=iid,
                name=inst.instance_name or iid,
                specification=inst.instance_specification or "",
                status=inst.instance_status or "",
                region=inst.region_id or self._region,
                public_host=public,
                vpc_host=vpc,
            )
            self._instances[iid] = ri
            out.append(ri)
        return out

    async def list_namespaces(self, instance_id: str) -> list[NamespaceInfo]:
        return [
            NamespaceInfo(ns.namespace_id or "", ns.namespace_name or "", instance_id)
            async for ns in self.clients.acr.list_namespaces(instance_id)
        ]

    async def list_repositories(
        self, instance_id: str, namespace: str | None = None
    ) -> list[RepoInfo]:
        out = []
        async for r in self.clients.acr.list_repositories(instance_id, namespace=namespace):
            info = RepoInfo(
                repo_id=r.repo_id or "",
                name=r.repo_name or "",
                namespace=r.repo_namespace_name or "",
                instance_id=instance_id,
                repo_type=r.repo_type or "PRIVATE",
                summary=r.summary or "",
                modified=str(r.modified_time or ""),
            )
            self._repo_paths[info.repo_id] = info.path
            out.append(info)
        return out

    async def list_tags(
        self,
        instance_id: str,
        repo: RepoInfo,
        on_page: Callable[[list[TagInfo]], None] | None = None,
    ) -> list[TagInfo]:
        listing = self.clients.acr.list_tags(instance_id, repo.repo_id, page_size=PAGE_SIZE)
        return await collect_in_pages((tag_info(t) async for t in listing), on_page)

    async def get_acceleration(self, instance_id: str, repo: RepoInfo) -> bool:
        return await self.clients.acr.get_acceleration_rule(instance_id, repo.repo_id) is not None

    async def set_acceleration(self, instance_id: str, repo: RepoInfo, on: bool) -> None:
        acr = self.clients.acr
        if on:
            if await acr.get_acceleration_rule(instance_id, repo.repo_id) is None:
                await acr.create_acceleration_rule(instance_id, repo.repo_id)
        else:
            await acr.delete_acceleration_rule(instance_id, repo.repo_id)

    async def convert_now(
        self,
        instance_id: str,
        repo: RepoInfo,
        tag: str,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> str | None:
        local = self.clients.local
        if local is None:
            raise CloudError(
                "Alibaba Cloud converts only images pushed after acceleration was switched "
                "on; push the tag again to convert it",
                code="ConvertNotSupported",
            )
        result = await local.convert(repo_id=repo.repo_id, tags=[tag], force=True)
        tasks = result.get("tasks") or []
        first = tasks[0] if tasks else None
        if isinstance(first, dict):
            return str(first.get("taskId") or first.get("BuildTaskId") or "") or None
        return str(first) if first else None

    async def startup_profiles(self, instance_id: str, repo: RepoInfo) -> list[StartupProfileInfo]:
        local = self.clients.local
        if local is None:
            raise NotImplementedError
        return [StartupProfileInfo.from_json(p) for p in await local.list_profiles(repo.path)]

    async def record_startup_profile(
        self, instance_id: str, repo: RepoInfo, tag: str
    ) -> StartupProfileInfo:
        local = self.clients.local
        if local is None:
            raise NotImplementedError
        return StartupProfileInfo.from_json(await local.record_profile(repo.path, tag), tag)

    async def set_priority_file(self, instance_id: str, repo: RepoInfo, paths: list[str]) -> str:
        rule_id, _previous = await self.clients.acr.set_priority_file(
            instance_id, repo.repo_id, paths
        )
        return rule_id

    def image_address(
        self, instance: RegistryInstance, repo: RepoInfo, tag: str, *, vpc: bool = True
    ) -> str:
        host = (instance.vpc_host if vpc and instance.vpc_host else instance.public_host) or ""
        path = f"{repo.namespace}/{repo.name}:{tag}"
        return f"{host}/{path}" if host else path

    def push_login(self) -> tuple[str, str] | None:
        return self.registry_credentials if self.clients.local is not None else None

    async def image_listing(
        self,
        instance_id: str,
        repo: RepoInfo,
        tag: str,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> ImageListing:
        from core.explore import open_listing
        from core.pull import ContentCache
        from core.registry import RegistryClient

        instance = self._instances.get(instance_id)
        host = (instance.public_host or instance.vpc_host) if instance is not None else ""
        if not host:
            hosts = await self.clients.acr.registry_hosts(instance_id)
            host = hosts.public or hosts.vpc or ""
        credentials = self.registry_credentials
        if credentials is None:
            login = await self.clients.acr.get_authorization_token(instance_id)
            credentials = (login.username, login.password)
        registry = RegistryClient(host, http=self.http, credentials=credentials)
        return await open_listing(
            registry, f"{host}/{repo.path}:{tag}", cache=ContentCache(), on_progress=on_progress
        )

    async def check_image(self, image: str, function: str = "") -> FunctionRow:
        from core.report import ReportTarget, TargetKey, check_image

        target = ReportTarget(TargetKey(self.kind, self._region), self.clients, self.http)
        fn = await self.clients.fc.get_function(function) if function else None
        return await check_image(target, image, function=fn)

    async def wait_for_twin(
        self,
        image: str,
        *,
        max_wait: float,
        function: str = "",
        on_progress: Callable[[Progress], None] | None = None,
    ) -> TwinWait:
        from core.report import ReportTarget, TargetKey, wait_for_twin

        target = ReportTarget(TargetKey(self.kind, self._region), self.clients, self.http)
        fn = await self.clients.fc.get_function(function) if function else None
        return await wait_for_twin(
            target, image, max_wait=max_wait, function=fn, on_progress=on_progress
        )

    async def image_acceleration(self, image: str) -> AccelState:
        fn = Function(custom_container_config=CustomContainerConfig(image=image))
        status = await acceleration_status(fn, self.clients.acr.image_exists())
        state = {
            AccelerationState.READY: AccelState.READY,
            AccelerationState.AVAILABLE: AccelState.AVAILABLE,
            AccelerationState.PREPARING: AccelState.CONVERTING,
            AccelerationState.FAILED: AccelState.FAILED,
            AccelerationState.MISSING: AccelState.FAILED,
            AccelerationState.NONE: AccelState.NONE,
            AccelerationState.UNKNOWN: AccelState.UNKNOWN,
        }[status.state]
        if state is AccelState.NONE and self.clients.local is not None:
            ref = ImageReference.try_parse(image)
            with contextlib.suppress(CloudError):
                tasks = (
                    await self.clients.local.list_tasks(repo=ref.repository, tag=ref.tag, limit=5)
                    if ref is not None and ref.tag
                    else []
                )
                for t in tasks:
                    if t.task_status in ("PENDING", "BUILDING"):
                        return AccelState.CONVERTING
        return state

    # -- tasks --------------------------------------------------------------------------
    async def _instance_id(self, instance_id: str | None) -> str:
        """``instance_id``, else the profile's instance, else the first the service lists."""
        if instance_id:
            return instance_id
        if self.clients.acr_instance_id:
            return self.clients.acr_instance_id
        if not self._instances:
            await self.list_instances()
        if self._instances:
            return next(iter(self._instances))
        raise CloudError(
            "no Container Registry instance in this region; create one first",
            code="NoRegistryInstance",
        )

    async def list_tasks(self, instance_id: str | None = None) -> list[TaskInfo]:
        local = self.clients.local
        if local is None:
            return []
        iid = await self._instance_id(instance_id)
        return [task_info(t, iid) for t in await local.list_tasks(limit=200)]

    async def get_task(self, instance_id: str, task_id: str) -> TaskInfo:
        if self.clients.local is not None:
            return task_info(await self.clients.local.get_task(task_id), instance_id)
        return task_info(await self.clients.acr.get_build_task(instance_id, task_id), instance_id)

    async def task_logs(
        self, instance_id: str, task_id: str, after_line: int = 0
    ) -> list[TaskLogLine]:
        out = []
        instance_id = await self._instance_id(instance_id)
        async for line in self.clients.acr.list_build_task_logs(instance_id, task_id):
            number = line.line_number or 0
            if number > after_line:
                out.append(TaskLogLine(number, line.message or ""))
        return out

    async def cancel_task(self, instance_id: str, task_id: str) -> None:
        await self.clients.acr.cancel_build_task(await self._instance_id(instance_id), task_id)

    # -- live ---------------------------------------------------------------------------
    async def events(self) -> AsyncIterator[BackendEvent]:
        local = self.clients.local
        if local is None:
            raise NotImplementedError
        stream = local.events(since=self._last_seq)
        yield BackendEvent("stream.opened")
        async for ev in stream:
            self._last_seq = ev.seq
            yield BackendEvent(ev.type, dict(ev.data))

    def core_clients(self) -> tuple[ProfileClients, httpx.AsyncClient]:
        return self.clients, self.http

    async def follow_logs(
        self,
        name: str,
        *,
        since: int = 0,
        limit: int = 500,
        on_open: Callable[[], None] | None = None,
    ) -> AsyncIterator[LogEntry]:
        local = self.clients.local
        if local is None:
            raise NotImplementedError("function logs are in Simple Log Service")
        opened = (lambda _seq: on_open()) if on_open is not None else None
        async for doc in local.follow_function_logs(name, since=since, limit=limit, on_open=opened):
            yield LogEntry(
                seq=int(doc.get("seq") or 0),
                time=float(doc.get("time") or 0.0),
                instance_id=str(doc.get("instanceId") or ""),
                stream=str(doc.get("stream") or ""),
                message=str(doc.get("message") or ""),
                request_id=str(doc.get("requestId") or ""),
            )

    async def seed_status(self) -> dict[str, Any] | None:
        local = self.clients.local
        if local is None:
            return None
        seed = (await local.info()).get("seed")
        return dict(seed) if isinstance(seed, dict) else None

    # -- cold-start lab -----------------------------------------------------------------
    async def run_coldstart(
        self, request: LabRequest, on_progress: Callable[[LabEvent], None] | None = None
    ) -> LabResult:
        if request.mode == "images":
            return await self._run_images(request, on_progress)
        local = self.clients.local
        if local is None:
            raise ColdStartError(
                "forced cold starts need the Local server", code="ColdStartUnavailable"
            )
        if request.runs < 1:
            raise InvalidInput("runs must be at least 1")
        sizes = {name: await self._image_size(name) for name in (request.a, request.b)}
        runs: list[list[LabTimeline]] = [[], []]
        names = (request.a, request.b)
        link = LINK_SPECS.get(request.link, request.link)

        async def one(side: int, run: int) -> None:
            timeline = await self._one_cold_start(
                names[side], side, run, sizes[names[side]], on_progress
            )
            runs[side].append(timeline)
            if on_progress is not None:
                on_progress(LabRunDone(side, run, timeline))

        for run in range(request.runs):
            if request.together:
                # A race: both are armed first, then both invoked at once; each instance
                # pulls over a link of its own, into an empty cache of its own.
                for name in names:
                    await local.force_cold_start(name, link=link, cache="empty")
                await _together(one(0, run), one(1, run))
            else:
                for side, name in enumerate(names):
                    await local.force_cold_start(name, link=link, cache="empty")
                    await one(side, run)
        return LabResult(
            run_id=uuid.uuid4().hex[:12],
            created=time.time(),
            request=request,
            sides=(
                LabSide(request.a, request.a, tuple(runs[0])),
                LabSide(request.b, request.b, tuple(runs[1])),
            ),
        )

    async def _run_images(
        self, request: LabRequest, on_progress: Callable[[LabEvent], None] | None
    ) -> LabResult:
        return await run_image_comparison(request, self.registry_credentials, on_progress)

    async def _image_size(self, function: str) -> int:
        with contextlib.suppress(CloudError):
            fn = await self.clients.fc.get_function(function)
            ref = ImageReference.try_parse(fn.image or "")
            if ref is None or ref.tag is None:
                return 0
            repo_path, tag = ref.repository, ref.tag
            ids = list(self._instances) or [await self._instance_id(None)]
            for iid in ids:
                async for repo in self.clients.acr.list_repositories(iid):
                    if repo.path == repo_path:
                        t = await self.clients.acr.get_tag(iid, repo.repo_id or "", tag)
                        return t.size or 0
        return 0

    async def _one_cold_start(
        self,
        name: str,
        side: int,
        run: int,
        image_size: int,
        on_progress: Callable[[LabEvent], None] | None,
    ) -> LabTimeline:
        """One armed cold start of ``name``: phases reported as they begin, grow and end;
        no fixed time limit while the server shows progress."""
        local = self.clients.local
        assert local is not None
        seen: list[LabPhase] = []

        def on_event(ev: ServerEvent) -> None:
            data = ev.data.get("phase") or {}
            if ev.type == "coldstart.phase":
                phase = _phase(data)
                seen.append(phase)
                if on_progress is not None:
                    on_progress(LabProgress(side, run, phase))
            elif ev.type == "coldstart.progress" and on_progress is not None:
                running = LabPhase(
                    name=str(data.get("name", "")),
                    start_ms=float(data.get("startMs", 0.0) or 0.0),
                    duration_ms=float(data.get("elapsedMs", 0.0) or 0.0),
                    bytes=int(data.get("bytes", 0) or 0),
                )
                on_progress(LabProgress(side, run, running, finished=False))

        result = await self._invoke_live(name, b"{}", log_tail=False, on_event=on_event)
        if not result.ok:
            raise ColdStartError(
                f"{name} answered HTTP {result.status} during the cold start",
                code="InvokeFailed",
            )
        docs = await local.function_invocations(name, limit=5)
        doc = next((d for d in docs if d.get("requestId") == result.request_id), None)
        phases = [_phase(p) for p in (doc or {}).get("timeline") or []] or seen
        if doc is not None and on_progress is not None:
            known = {(p.name, p.start_ms) for p in seen}
            for phase in phases:
                if (phase.name, phase.start_ms) not in known:
                    on_progress(LabProgress(side, run, phase))
        if doc is not None and not doc.get("coldStart", True):
            raise ColdStartError(f"{name} did not start cold", code="NotCold")
        fetched = sum(p.bytes for p in phases if p.name in ("pull", "mount", "resolve"))
        extra: dict[str, Any] = {}
        for p in (doc or {}).get("timeline") or []:
            extra.update(p.get("extra") or {})
        return LabTimeline(
            phases=tuple(phases),
            bytes_fetched=fetched,
            image_size=image_size,
            on_demand_fetches=int(extra.get("onDemandFetches", extra.get("on_demand", 0)) or 0),
            fallbacks=int(extra.get("fallbacks", 0) or 0),
            note=str((doc or {}).get("mode") or ""),
        )


async def _together(*calls: Any) -> None:
    """Run ``calls`` at the same time; the first failure cancels the others and is raised
    as it is (not wrapped in an exception group)."""
    tasks = [asyncio.ensure_future(c) for c in calls]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            if not task.done():
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def run_image_comparison(
    request: LabRequest,
    credentials: tuple[str, str] | None,
    on_progress: Callable[[LabEvent], None] | None,
    insecure: bool | None = None,
) -> LabResult:
    """Cold starts of two image references in this process (`core.coldstart.compare`, over
    the shaped link), as the lab shows them."""
    import tempfile

    from core.coldstart import ColdStartOptions, LinkSpec, compare

    if request.runs < 1:
        raise InvalidInput("runs must be at least 1")
    loopback = is_loopback_host(ImageReference.parse(request.a).registry)
    opts = ColdStartOptions(
        link=LinkSpec.parse(LINK_SPECS.get(request.link, request.link)),
        credentials=credentials,
        insecure=True if loopback else insecure,
    )

    def progress(p: Progress) -> None:
        if on_progress is None:
            return
        side, run = int(p.extra["side"]), int(p.extra["run"])
        event = p.extra.get("event")
        t = float(p.extra.get("t", 0.0)) * 1000
        if event == "end":
            dur = float(p.extra.get("duration", 0.0)) * 1000
            phase = LabPhase(
                p.phase,
                t - dur,
                dur,
                int(p.extra.get("bytes", 0) or 0),
                int(p.extra.get("requests", 0) or 0),
            )
            on_progress(LabProgress(side, run, phase, finished=True))
        elif event == "begin":
            on_progress(LabProgress(side, run, LabPhase(p.phase, t, 0.0), False))

    with tempfile.TemporaryDirectory(prefix="fcdesk-lab-") as workdir:
        comparison = await compare(
            request.a,
            request.b,
            runs=request.runs,
            workdir=workdir,
            options=opts,
            on_progress=progress,
            local_start=False,
            stop_on_error=True,
        )
    if on_progress is not None:
        # The runs that finished are kept even when a later one failed.
        for side, timelines in enumerate((comparison.a, comparison.b)):
            for run, timeline in enumerate(timelines):
                if not timeline.error:
                    on_progress(LabRunDone(side, run, lab_timeline(timeline)))
    for timeline in (*comparison.a, *comparison.b):
        if timeline.error:
            raise ColdStartError(f"{timeline.image}: {timeline.error}", code="ColdStartFailed")
    return LabResult(
        run_id=uuid.uuid4().hex[:12],
        created=time.time(),
        request=dataclasses.replace(request, together=False),  # images: one after the other
        sides=(
            LabSide(short_image(request.a), request.a, tuple(map(lab_timeline, comparison.a))),
            LabSide(short_image(request.b), request.b, tuple(map(lab_timeline, comparison.b))),
        ),
    )


def lab_timeline(timeline: Any) -> LabTimeline:
    """A core.coldstart `Timeline` as the lab shows it (ms, bytes, lazy-pull figures)."""
    metrics = dict((timeline.metrics or {}).get("metrics") or {})
    phases = tuple(
        LabPhase(p.name, p.start * 1000, p.duration * 1000, p.bytes, p.requests)
        for p in timeline.phases
    )
    size = int(metrics.get("image_size") or 0)
    fetched = int(metrics.get("bytes_fetched") or timeline.bytes)
    return LabTimeline(
        phases=phases,
        bytes_fetched=fetched,
        image_size=size or fetched,
        on_demand_fetches=int(metrics.get("on_demand_fetches") or 0),
        fallbacks=int(metrics.get("fallbacks") or 0),
        note=f"{timeline.mode}/{timeline.run_mode}",
    )


def _phase(data: dict[str, Any]) -> LabPhase:
    return LabPhase(
        name=str(data.get("name", "")),
        start_ms=float(data.get("startMs", 0.0) or 0.0),
        duration_ms=float(data.get("durationMs", 0.0) or 0.0),
        bytes=int(data.get("bytes", 0) or 0),
        requests=int(data.get("requests", 0) or 0),
    )
