"""The function runtime: warm instances, cold starts, invocations over the FC container contract.

An invocation without an idle warm instance cold-starts one through an `InstanceBackend`
(``core.coldstart``: lazy pull for accelerated images, full pull otherwise; exec mode with FUSE
and bubblewrap, replay mode elsewhere). Instances stay warm for the idle timeout and are
reused, up to ``instanceConcurrency`` requests each. Every invocation is recorded with its
cold-start timeline (phases with durations, bytes and requests), retrievable by request id and
published on the event stream (``invocation.finished``).

While an invocation is under way the stream also says that it is alive, so that clients wait
as long as it makes progress rather than for a fixed time: ``coldstart.progress`` when a
cold-start phase begins and, about twice a second, how far it has got (bytes so far), and an
``invocation.heartbeat`` every `HEARTBEAT_S` seconds until the answer is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import sqlite3
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from core import is_accelerated_tag
from core.coldstart import LinkSpec, LogLine
from core.emulator import _faults
from core.emulator._context import ServerContext
from core.emulator._errors import ApiError
from core.emulator._logs import FunctionLogs
from core.errors import CoreError
from core.oci import ImageReference

__all__ = [
    "HEARTBEAT_S",
    "ColdStartSettings",
    "HandleResponse",
    "InstanceBackend",
    "InstanceHandle",
    "InstanceSpec",
    "InvokeResult",
    "Phase",
    "PhaseUpdate",
    "RuntimeManager",
]

log = logging.getLogger(__name__)

#: Seconds between two ``invocation.heartbeat`` events of an invocation under way.
HEARTBEAT_S = 2.0


@dataclass(frozen=True, slots=True)
class Phase:
    """One timed phase of a cold start (``resolve``, ``pull``, ``mount``/``unpack``, ``start``)."""

    name: str
    start_ms: float
    duration_ms: float
    bytes: int = 0
    requests: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "startMs": round(self.start_ms, 3),
            "durationMs": round(self.duration_ms, 3),
            "bytes": self.bytes,
            "requests": self.requests,
            **({"extra": self.extra} if self.extra else {}),
        }


@dataclass(frozen=True, slots=True)
class PhaseUpdate:
    """A cold-start phase under way: it ``begin``s, or has made ``progress`` (``bytes`` so
    far). Times in ms since the cold start began."""

    name: str
    event: str  # "begin" | "progress"
    start_ms: float
    t_ms: float
    bytes: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "event": self.event,
            "startMs": round(self.start_ms, 3),
            "elapsedMs": round(max(0.0, self.t_ms - self.start_ms), 3),
            "bytes": self.bytes,
        }


@dataclass(frozen=True, slots=True)
class ColdStartSettings:
    """How the next cold start of a function runs (armed by ``force-cold-start``).

    ``link`` is a ``core.coldstart.LinkSpec`` string (``"100mbit,20ms"``; ``""`` = loopback,
    unshaped): the instance's registry traffic goes through that link's shaper. With
    ``fresh_cache`` the instance pulls into an empty cache of its own, as on a node that has
    never seen the image, instead of the server's shared cache.
    """

    link: str | None = None
    fresh_cache: bool = False

    def to_json(self) -> dict[str, Any]:
        """``link``: the link's settings as every cold-start report carries them
        (``LinkSpec.as_dict()``), or None for the loopback; ``cache``: ``empty``/``shared``."""
        spec = LinkSpec.parse(self.link) if self.link else None
        link = None if spec is None or spec.unlimited else spec.as_dict()
        return {"link": link, "cache": "empty" if self.fresh_cache else "shared"}


@dataclass(frozen=True, slots=True)
class InstanceSpec:
    """What a backend needs to start one instance of a function."""

    instance_id: str
    function_name: str
    registry: str  # host:port of this server's registry
    repository: str
    digest: str  # the resolved manifest digest
    lazy: bool  # accelerated image: lazy pull
    port: int
    entrypoint: tuple[str, ...] | None
    command: tuple[str, ...] | None
    environment: Mapping[str, str]
    health_check: Mapping[str, Any] | None
    memory_mb: int
    timeout: float
    credentials: tuple[str, str]
    cold_start: ColdStartSettings = field(default_factory=ColdStartSettings)
    #: Called (on the loop) with each line the instance's process prints.
    on_log: Callable[[LogLine], None] | None = None


@dataclass(slots=True)
class InvokeResult:
    status: int
    headers: dict[str, str]
    body: bytes
    instance_id: str | None
    cold: bool
    log_tail: bytes = b""
    error_type: str | None = None
    #: Set when the platform (not the function) failed the call, e.g. 502 process exited.
    platform_status: int | None = None
    #: How the instance runs: ``exec-lazy``, ``exec-full`` or ``replay``.
    run_mode: str = ""


@dataclass(frozen=True, slots=True)
class HandleResponse:
    """The container's answer to one request, with the log lines it printed meanwhile."""

    status: int
    headers: dict[str, str]
    body: bytes
    log: bytes = b""


class InstanceHandle(Protocol):
    """A running instance; ``request`` speaks HTTP to the container's port."""

    instance_id: str
    mode: str

    async def request(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes,
        deadline: float,
    ) -> HandleResponse:
        """Send one request; at most ``deadline`` seconds (then `TimeoutError`)."""
        ...

    async def stop(self) -> None: ...


class InstanceBackend(Protocol):
    def info(self) -> dict[str, Any]: ...

    async def start(
        self,
        spec: InstanceSpec,
        on_phase: Callable[[Phase], None],
        on_update: Callable[[PhaseUpdate], None] | None = None,
    ) -> InstanceHandle:
        """Cold-start an instance: ``on_phase`` for every finished phase, ``on_update`` (when
        given) as phases begin and make progress. A backend may leave ``on_update`` out of
        its signature: it then reports finished phases only."""
        ...


class UnavailableBackend:
    """Used when no instance backend can run here; invocations fail with ``CAExited``."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def info(self) -> dict[str, Any]:
        return {"mode": "unavailable", "reason": self.reason}

    async def start(
        self,
        spec: InstanceSpec,
        on_phase: Callable[[Phase], None],
        on_update: Callable[[PhaseUpdate], None] | None = None,
    ) -> InstanceHandle:
        raise CoreError(self.reason, code="CAExited")


@dataclass(slots=True)
class _Instance:
    handle: InstanceHandle
    function: str
    spec: InstanceSpec
    created: float
    last_used: float
    active: int = 0
    invocations: int = 0
    last_wall: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            # InstanceInfo as FC 3.0 documents it …
            "instanceId": self.handle.instance_id,
            "versionId": "LATEST",
            "qualifier": "LATEST",
            "status": "Running" if self.active else "Idle",
            "createdTimeMs": int(self.created * 1000),
            # … and what the Local runtime adds
            "mode": self.handle.mode,
            "lastInvokedTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.last_used)),
            "activeRequests": self.active,
            "invocations": self.invocations,
            "imageDigest": self.spec.digest,
            "lazy": self.spec.lazy,
        }


class RuntimeManager:
    def __init__(
        self, ctx: ServerContext, backend: InstanceBackend, *, idle_timeout: float = 300.0
    ) -> None:
        self.ctx = ctx
        self.backend = backend
        self.idle_timeout = idle_timeout
        # ``on_update`` is optional for instance backends (phases under way).
        self._backend_updates = "on_update" in inspect.signature(backend.start).parameters
        self._instances: dict[str, list[_Instance]] = {}
        self._starting: dict[str, int] = {}
        self._armed: dict[str, ColdStartSettings] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()
        self._reaper: asyncio.Task[None] | None = None
        #: What the functions' instances print (``/x-fcdesk/functions/{name}/logs``).
        self.logs = FunctionLogs()

    def info(self) -> dict[str, Any]:
        return {
            **self.backend.info(),
            "idleTimeoutSeconds": self.idle_timeout,
            "warmInstances": sum(len(v) for v in self._instances.values()),
        }

    async def start(self) -> None:
        self._reaper = asyncio.create_task(self._reap(), name="instance-reaper")
        # In the background: starting a mount helper takes an interpreter's start-up, which
        # must not delay the ready line (nor what the server resumes meanwhile).
        self._warm_up()

    async def close(self) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reaper
        for name in list(self._instances):
            await self.stop_function(name, reason="server-stopping")
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        close = getattr(self.backend, "close", None)
        if close is not None:
            await close()

    def _warm_up(self) -> None:
        warm_up = getattr(self.backend, "warm_up", None)
        if warm_up is None:
            return
        task = asyncio.ensure_future(warm_up())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def arm_cold_start(self, name: str, settings: ColdStartSettings) -> None:
        """Run the next cold start of ``name`` with ``settings`` (once)."""
        self._armed[name] = settings

    def list_instances(self, name: str) -> list[dict[str, Any]]:
        return [i.to_json() for i in self._instances.get(name, [])]

    async def stop_function(self, name: str, *, reason: str) -> int:
        instances = self._instances.pop(name, [])
        for inst in instances:
            await self._stop(inst, reason)
        if reason == "deleted":
            self.logs.forget(name)
        return len(instances)

    async def _stop(self, inst: _Instance, reason: str) -> None:
        try:
            await inst.handle.stop()
        except CoreError as exc:
            log.warning("stopping instance %s: %s", inst.handle.instance_id, exc)
        self.logs.add(
            inst.function,
            inst.handle.instance_id,
            "platform",
            f"instance {inst.handle.instance_id} stopped ({reason})",
        )
        self.ctx.bus.publish(
            "instance.stopped",
            functionName=inst.function,
            instanceId=inst.handle.instance_id,
            reason=reason,
        )

    async def _reap(self) -> None:
        while True:
            await asyncio.sleep(min(5.0, max(0.2, self.idle_timeout / 4)))
            now = time.monotonic()
            for name, instances in list(self._instances.items()):
                for inst in list(instances):
                    if not inst.active and now - inst.last_used > self.idle_timeout:
                        instances.remove(inst)
                        await self._stop(inst, "idle")
                if not instances:
                    self._instances.pop(name, None)

    def _spec(
        self,
        doc: dict[str, Any],
        instance_id: str,
        cold_start: ColdStartSettings | None = None,
    ) -> InstanceSpec:
        ccc = doc["customContainerConfig"]
        resolved = str(ccc.get("resolvedImageUri") or "")
        name_part, _, digest = resolved.partition("@")
        _, _, repository = name_part.partition("/")
        image = str(ccc.get("image", ""))
        ref = ImageReference.try_parse(image)
        lazy = ref is not None and ref.digest is None and is_accelerated_tag(ref.tag)
        env = dict(doc.get("environmentVariables") or {})
        port = int(ccc.get("port") or 9000)
        env.update(
            {
                "FC_FUNCTION_NAME": doc["functionName"],
                "FC_FUNCTION_HANDLER": str(doc.get("handler", "")),
                "FC_FUNCTION_MEMORY_SIZE": str(doc.get("memorySize", 512)),
                "FC_FUNCTION_VERSION": "LATEST",
                "FC_REGION": "local",
                "FC_ACCOUNT_ID": self.ctx.config.account_id,
                "FC_CUSTOM_LISTEN_PORT": str(port),
                "FC_INSTANCE_ID": instance_id,
            }
        )
        return InstanceSpec(
            instance_id=instance_id,
            function_name=doc["functionName"],
            registry=self.ctx.registry_host,
            repository=repository,
            digest=digest,
            lazy=lazy,
            port=port,
            entrypoint=tuple(ccc["entrypoint"]) if ccc.get("entrypoint") else None,
            command=tuple(ccc["command"]) if ccc.get("command") else None,
            environment=env,
            health_check=ccc.get("healthCheckConfig"),
            memory_mb=int(doc.get("memorySize", 512)),
            timeout=float(doc.get("timeout", 3)),
            credentials=(
                self.ctx.credentials.access_key_id,
                self.ctx.credentials.access_key_secret,
            ),
            cold_start=cold_start or ColdStartSettings(),
            on_log=self._log_sink(str(doc["functionName"]), instance_id),
        )

    def _log_sink(self, name: str, instance_id: str) -> Callable[[LogLine], None]:
        def sink(line: LogLine) -> None:
            self.logs.add(name, instance_id, line.stream, line.text, at=line.time)

        return sink

    async def _acquire(
        self, doc: dict[str, Any], request_id: str
    ) -> tuple[_Instance, bool, list[Phase]]:
        name = doc["functionName"]
        concurrency = int(doc.get("instanceConcurrency", 1))
        resolved = doc["customContainerConfig"].get("resolvedImageUri")
        async with self._lock:
            for inst in self._instances.get(name, []):
                if inst.active < concurrency and inst.spec.digest in str(resolved):
                    inst.active += 1
                    return inst, False, []
        instance_id = f"c-{int(time.time()):08x}-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:12]}"
        spec = self._spec(doc, instance_id, self._armed.pop(name, None))
        phases: list[Phase] = []

        def on_phase(phase: Phase) -> None:
            phases.append(phase)
            self.ctx.bus.publish(
                "coldstart.phase",
                functionName=name,
                requestId=request_id,
                instanceId=instance_id,
                phase=phase.to_json(),
            )

        def on_update(update: PhaseUpdate) -> None:
            self.ctx.bus.publish(
                "coldstart.progress",
                functionName=name,
                requestId=request_id,
                instanceId=instance_id,
                phase=update.to_json(),
            )

        self.ctx.bus.publish(
            "instance.starting",
            functionName=name,
            instanceId=instance_id,
            requestId=request_id,
            lazy=spec.lazy,
            coldStartSettings=spec.cold_start.to_json(),
        )
        self.logs.add(
            name, instance_id, "platform", f"instance {instance_id} starting (cold start)"
        )
        try:
            if self._backend_updates:
                handle = await self.backend.start(spec, on_phase, on_update)
            else:  # a backend that reports finished phases only
                handle = await self.backend.start(spec, on_phase)
        except BaseException as exc:
            self.logs.add(name, instance_id, "platform", f"instance {instance_id} failed: {exc}")
            raise
        self.logs.add(
            name, instance_id, "platform", f"instance {instance_id} ready ({handle.mode})"
        )
        now = time.monotonic()
        inst = _Instance(handle, name, spec, created=time.time(), last_used=now, active=1)
        async with self._lock:
            self._instances.setdefault(name, []).append(inst)
        self.ctx.bus.publish(
            "instance.started",
            functionName=name,
            instanceId=instance_id,
            mode=handle.mode,
            lazy=spec.lazy,
        )
        return inst, True, phases

    async def invoke(
        self,
        doc: dict[str, Any],
        body: bytes,
        headers: Mapping[str, str],
        request_id: str,
        *,
        log_tail: bool,
    ) -> InvokeResult:
        name = doc["functionName"]
        t0 = time.perf_counter()
        stage = ["starting"]
        beat = asyncio.create_task(self._heartbeat(name, request_id, t0, stage))
        try:
            return await self._invoke(doc, body, headers, request_id, t0, stage, log_tail)
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat

    async def _heartbeat(self, name: str, request_id: str, t0: float, stage: list[str]) -> None:
        """``invocation.heartbeat`` every `HEARTBEAT_S` s while the invocation runs."""
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            self.ctx.bus.publish(
                "invocation.heartbeat",
                functionName=name,
                requestId=request_id,
                stage=stage[0],
                elapsedMs=round((time.perf_counter() - t0) * 1000, 1),
            )

    async def _invoke(
        self,
        doc: dict[str, Any],
        body: bytes,
        headers: Mapping[str, str],
        request_id: str,
        t0: float,
        stage: list[str],
        log_tail: bool,
    ) -> InvokeResult:
        name = doc["functionName"]
        cold = False
        phases: list[Phase] = []
        inst: _Instance | None = None
        try:
            inst, cold, phases = await self._acquire(doc, request_id)
        except CoreError as exc:
            elapsed = (time.perf_counter() - t0) * 1000
            await self._record(
                request_id, name, True, None, 412, phases, elapsed, error=f"{exc.code}: {exc}"
            )
            raise ApiError(
                412, "CAExited", f"the function instance could not be started: {exc}"
            ) from exc
        _faults.hit("during-invoke")
        stage[0] = "running"
        start_ms = (time.perf_counter() - t0) * 1000
        fwd = {
            "content-type": headers.get("content-type", "application/octet-stream"),
            "x-fc-request-id": request_id,
            "x-fc-function-name": name,
            "x-fc-function-memory": str(doc.get("memorySize", 512)),
            "x-fc-function-handler": str(doc.get("handler", "")),
            "x-fc-function-timeout": str(doc.get("timeout", 3)),
            "x-fc-region": "local",
            "x-fc-account-id": self.ctx.config.account_id,
            "x-fc-qualifier": "LATEST",
            "x-fc-version-id": "LATEST",
            "x-fc-control-path": "/invoke",
            "x-fc-instance-id": inst.handle.instance_id,
        }
        t1 = time.perf_counter()
        iid = inst.handle.instance_id
        self.logs.add(
            name, iid, "platform", f"FC Invoke Start RequestId: {request_id}", request_id=request_id
        )
        resp_headers: dict[str, str] = {}
        status, resp_body, error_type, logs = 200, b"", None, b""
        platform_status: int | None = None
        try:
            answer = await inst.handle.request(
                "POST", "/invoke", fwd, body, float(doc.get("timeout", 3))
            )
            status, resp_headers, resp_body, logs = (
                answer.status,
                answer.headers,
                answer.body,
                answer.log,
            )
            fc_status = resp_headers.get("x-fc-status")
            if fc_status is not None and fc_status != "200":
                error_type = "HandledInvocationError"  # the function reported a failure
            elif status >= 500:
                error_type = "UnhandledInvocationError"
            elif status >= 400:
                error_type = "HandledInvocationError"
        except TimeoutError:
            status, error_type = 200, "FunctionTimeoutError"
            resp_body = json.dumps(
                {"errorMessage": f"Function timed out after {doc.get('timeout', 3)} seconds"}
            ).encode()
        except CoreError as exc:
            status, error_type, platform_status = 502, "UnhandledInvocationError", 502
            resp_body = json.dumps(
                {"errorMessage": f"Process exited unexpectedly before completing request: {exc}"}
            ).encode()
        finally:
            inst.active -= 1
            inst.last_used = time.monotonic()
            inst.last_wall = time.time()
            inst.invocations += 1
        invoke_ms = (time.perf_counter() - t1) * 1000
        self.logs.add(
            name,
            iid,
            "platform",
            f"FC Invoke End RequestId: {request_id}" + (f" ({error_type})" if error_type else ""),
            request_id=request_id,
        )
        if cold:
            phases.append(Phase("first-invoke", start_ms, invoke_ms, bytes=len(resp_body)))
        else:
            phases.append(Phase("invoke", start_ms, invoke_ms, bytes=len(resp_body)))
        marked = logs
        if b"FC Invoke Start RequestId" not in logs:
            marked = (
                f"FC Invoke Start RequestId: {request_id}\n".encode()
                + logs
                + f"FC Invoke End RequestId: {request_id}\n".encode()
            )
        total_ms = (time.perf_counter() - t0) * 1000
        await self._record(
            request_id,
            name,
            cold,
            inst.handle.instance_id,
            status,
            phases,
            total_ms,
            mode=inst.handle.mode,
            lazy=inst.spec.lazy,
            error=error_type,
            cold_start=inst.spec.cold_start.to_json() if cold else None,
        )
        if cold:
            # The cold start is over (first request answered): get the next one's helper ready.
            self._warm_up()
        return InvokeResult(
            status=status,
            headers=resp_headers,
            body=resp_body,
            instance_id=inst.handle.instance_id,
            cold=cold,
            log_tail=marked[-4096:] if log_tail else b"",
            error_type=error_type,
            platform_status=platform_status,
            run_mode=inst.handle.mode,
        )

    async def _record(
        self,
        request_id: str,
        name: str,
        cold: bool,
        instance_id: str | None,
        status: int,
        phases: list[Phase],
        total_ms: float,
        *,
        mode: str | None = None,
        lazy: bool | None = None,
        error: str | None = None,
        cold_start: dict[str, Any] | None = None,
    ) -> None:
        doc: dict[str, Any] = {
            "timeline": [p.to_json() for p in phases],
            "totalMs": round(total_ms, 3),
            "mode": mode,
            "lazy": lazy,
            "error": error,
        }
        if cold_start is not None:
            # How the cold start pulled: the link's settings (None = loopback, unshaped)
            # and whether it started from an empty cache (``coldStart`` is the flag).
            doc["coldStartSettings"] = cold_start
        now = int(time.time() * 1000)

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT OR REPLACE INTO invocations (request_id, function, ts, cold, "
                "instance_id, status, doc) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (request_id, name, now, int(cold), instance_id, status, json.dumps(doc)),
            )

        await self.ctx.db.run(write, "invocation")
        self.ctx.bus.publish(
            "invocation.finished",
            requestId=request_id,
            functionName=name,
            coldStart=cold,
            instanceId=instance_id,
            statusCode=status,
            **doc,
        )
