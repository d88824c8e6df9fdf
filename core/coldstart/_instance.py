"""Function instances: an image started as FC starts a custom container, timed phase by phase.

This is the runtime the cold-start lab and the Local server share::

    instance = await SandboxInstance.start(
        InstanceConfig(image="127.0.0.1:5000/demo/app:v1_accelerated", function_name="hello"),
        registry=registry, cache=cache, workdir=state_dir / "instances",
        traffic=shaped_transport.stats,       # optional: bytes/requests per phase
        on_progress=callback,                 # optional: live phase events
    )
    result = await instance.invoke(b'{"key": "value"}')   # POST /invoke, x-fc-* headers
    result.status, result.headers, result.body, result.logs
    instance.timeline      # resolve · pull · unpack|mount · start · first-invoke
    await instance.stop()

* ``mode="auto"`` starts *lazily* (TOCs, prefetch, FUSE mount) when every layer is seekable
  and FUSE works, otherwise *in full* (download, unpack). ``"lazy"``/``"full"`` force it.
* The entrypoint runs in a :class:`~core.coldstart.Sandbox` (bubblewrap, own network
  namespace, read-only root, writable ``/tmp``), so many instances of one image run at once,
  all on port 9000, without colliding. ``instance.endpoint`` is a host URL that reaches it.
* The environment is the image's ``Env``, then the FC system variables
  (``FC_FUNCTION_NAME``, ``FC_CUSTOM_LISTEN_PORT``, ``FC_INSTANCE_ID`` …), then the user's.
  ``entrypoint``/``command`` override the image's ``Entrypoint``/``Cmd`` as FC 3.0's
  ``customContainerConfig`` does.
* The instance stays warm until :meth:`SandboxInstance.stop`; every
  :meth:`SandboxInstance.invoke` returns status, headers, body and the log lines printed while
  it ran. The first invoke closes the cold-start timeline (phase ``first-invoke``).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import os
import secrets
import shutil
import ssl
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from core._progress import ProgressCallback
from core.coldstart._link import LinkStats
from core.coldstart._sandbox import LogLine, Sandbox, SandboxSpec, sandbox_available
from core.coldstart._timeline import Timeline, TimelineRecorder
from core.convert import ANNOTATION_SOURCE_DIGEST
from core.errors import ColdStartError, CoreError, InvalidInput
from core.formats import ANNOTATION_PREFETCH_END
from core.oci import ImageConfig
from core.pull import (
    ContentCache,
    LazyImage,
    LazyMount,
    PrefetchResult,
    ResolvedImage,
    StartupProfile,
    fetch_profile,
    fuse_available,
    is_lazy_pullable,
    load_cached_profile,
    pull_image,
    resolve_image,
    save_cached_profile,
    unmount_stale,
)
from core.registry import RegistryClient

__all__ = [
    "InstanceConfig",
    "InstanceState",
    "InvokeResult",
    "SandboxInstance",
    "fc_environment",
    "fc_request_id",
    "has_prefetch_regions",
    "image_argv",
    "startup_profile_for",
]


@functools.cache
def _shared_tls() -> ssl.SSLContext:
    """One default TLS context for every instance's client in this process (the endpoint is
    plain HTTP on loopback, but httpx builds a context for each client all the same)."""
    return ssl.create_default_context()


class InstanceState(enum.StrEnum):
    STARTING = "starting"
    READY = "ready"
    STOPPING = "stopping"
    STOPPED = "stopped"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class InstanceConfig:
    """How to start one function instance (FC 3.0 ``customContainerConfig`` + function).

    ``mode``: ``auto`` | ``lazy`` | ``full``. ``entrypoint``/``command`` override the image
    (FC's ``entrypoint`` = start command, ``command`` = its arguments). ``env`` is the
    function's environment (``FC_*`` names are reserved and refused). ``profile`` overrides
    the start-up profile used for prefetch (default: the one cached or pushed with the image).
    ``neighbours``: a lazy read that misses also fetches the small files around it
    (:meth:`~core.pull.LazyImage.open`).
    ``record_profile`` remembers which files start-up opens (lazy mode; see
    :meth:`SandboxInstance.profile`). ``background_fill`` fetches the rest of a lazy image once the
    function is ready.
    """

    image: str
    function_name: str = "function"
    mode: str = "auto"
    port: int = 9000
    entrypoint: Sequence[str] | None = None
    command: Sequence[str] | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    memory_mb: int = 512
    timeout_s: float = 60.0
    region: str = "local"
    account_id: str = "local"
    qualifier: str = "LATEST"
    version: str = "LATEST"
    handler: str = "index.handler"
    workdir: str | None = None
    user: str | None = None
    prefetch: bool = True
    neighbours: bool = True
    profile: Sequence[str] | None = None
    record_profile: bool = False
    background_fill: bool = True
    ready_timeout_s: float = 120.0
    ready_path: str = "/"
    credentials: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.mode not in ("auto", "lazy", "full"):
            raise InvalidInput(f"instance mode must be auto, lazy or full, not {self.mode!r}")
        if not 0 < self.port < 65536:
            raise InvalidInput(f"invalid port {self.port}")
        reserved = [k for k in self.env if k.upper().startswith("FC_")]
        if reserved:
            raise InvalidInput(f"environment names starting with FC_ are reserved: {reserved}")


@dataclass(frozen=True, slots=True)
class InvokeResult:
    """One invocation: the function's HTTP answer and the log lines it printed meanwhile."""

    request_id: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    logs: tuple[LogLine, ...]
    duration_s: float

    @property
    def error_type(self) -> str | None:
        """``HandledInvocationError`` when the function reported a failure, else None."""
        status = self.headers.get("x-fc-status")
        if (status is not None and status != "200") or self.status >= 400:
            return "HandledInvocationError"
        return None


def fc_request_id() -> str:
    """A request id shaped like FC 3.0's (``1-667b840c-15c49df0-b7dc1…``)."""
    return f"1-{int(time.time()):08x}-{secrets.token_hex(4)}-{secrets.token_hex(6)}"


def fc_environment(config: InstanceConfig, image: ImageConfig, instance_id: str) -> dict[str, str]:
    """The function's environment: image ``Env``, FC system variables, then the user's."""
    env: dict[str, str] = {}
    for item in image.env:
        key, sep, value = item.partition("=")
        if sep and key:
            env[key] = value
    env.setdefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    env.update(
        {
            "FC_FUNCTION_NAME": config.function_name,
            "FC_FUNCTION_HANDLER": config.handler,
            "FC_FUNCTION_MEMORY_SIZE": str(config.memory_mb),
            "FC_MEMORY_SIZE": str(config.memory_mb),
            "FC_HANDLER": config.handler,
            "FC_REGION": config.region,
            "FC_ACCOUNT_ID": config.account_id,
            "FC_CUSTOM_LISTEN_PORT": str(config.port),
            "FC_INSTANCE_ID": instance_id,
            "FC_FUNCTION_VERSION": config.version,
        }
    )
    env.update(config.credentials)
    env.update(config.env)
    return env


def image_argv(config: InstanceConfig, image: ImageConfig) -> list[str]:
    """The command line: FC overrides first, then the image's ``Entrypoint`` + ``Cmd``."""
    if config.entrypoint:
        argv = [*config.entrypoint, *(config.command or ())]
    elif config.command:
        argv = [*(image.entrypoint or ()), *config.command]
    else:
        argv = [*(image.entrypoint or ()), *(image.cmd or ())]
    if not argv:
        raise ColdStartError(
            f"{config.image} has no Entrypoint or Cmd and none was configured",
            code="NoEntrypoint",
        )
    return argv


def has_prefetch_regions(resolved: ResolvedImage) -> bool:
    """Whether every layer is *optimized* (announces a prefetch region)."""
    layers = resolved.manifest.layers
    return bool(layers) and all(
        ANNOTATION_PREFETCH_END in (layer.annotations or {}) for layer in layers
    )


async def startup_profile_for(
    resolved: ResolvedImage, registry: RegistryClient, cache: ContentCache
) -> list[str]:
    """The start-up profile of an image: cached locally, else pushed with it (the image's own,
    or its plain source's for an accelerated image); empty when there is none."""
    digests = [str(resolved.digest)]
    source = (resolved.manifest.annotations or {}).get(ANNOTATION_SOURCE_DIGEST)
    if source:
        digests.append(source)
    for digest in digests:
        cached = await asyncio.to_thread(load_cached_profile, cache, digest)
        if cached is not None:
            return list(cached.paths)
    repo = resolved.reference.repository
    for digest in digests:
        with contextlib.suppress(CoreError):
            pushed = await fetch_profile(registry, repo, digest)
            if pushed is not None:
                await asyncio.to_thread(save_cached_profile, cache, digest, pushed)
                return list(pushed.paths)
    return []


def _user_ids(user: str | None, rootfs: Path) -> tuple[int, int]:
    """``uid, gid`` from an image ``User`` (``1000``, ``1000:1000``, ``app``, ``app:grp``)."""
    if not user or user in ("root", "0", "0:0"):
        return 0, 0
    name, _, group = user.partition(":")

    def lookup(path: str, key: str, field_index: int) -> int:
        if key.isdigit():
            return int(key)
        with contextlib.suppress(OSError):
            for line in (rootfs / path).read_text(errors="replace").splitlines():
                parts = line.split(":")
                if len(parts) > field_index and parts[0] == key:
                    return int(parts[field_index])
        raise ColdStartError(f"image user {key!r} is not in the image's /{path}")

    uid = lookup("etc/passwd", name, 2)
    if group:
        gid = lookup("etc/group", group, 2)
    elif name.isdigit():
        gid = uid
    else:
        gid = lookup("etc/passwd", name, 3)
    return uid, gid


class SandboxInstance:
    """A running function instance. Create with :meth:`start`; see the module docs."""

    def __init__(self, config: InstanceConfig, instance_id: str, workdir: Path) -> None:
        self.config = config
        self.id = instance_id
        self.workdir = workdir
        self.state = InstanceState.STARTING
        self.timeline: Timeline = Timeline(config.image, "pending", "exec")
        self.sandbox: Sandbox | None = None
        self.lazy: LazyImage | None = None
        self.mount: LazyMount | None = None
        self.rootfs: Path | None = None
        self.image_config: ImageConfig | None = None
        self.invocations = 0
        self._recorder: TimelineRecorder | None = None
        self._prefetch: asyncio.Task[PrefetchResult] | None = None
        self._fill_starter: asyncio.Task[None] | None = None
        self._http: httpx.AsyncClient | None = None
        self._lock = asyncio.Lock()

    # -- start ------------------------------------------------------------------------------

    @classmethod
    async def start(
        cls,
        config: InstanceConfig,
        *,
        registry: RegistryClient,
        cache: ContentCache,
        workdir: str | os.PathLike[str],
        traffic: LinkStats | None = None,
        link: dict[str, Any] | None = None,
        on_progress: ProgressCallback | None = None,
        on_log: Callable[[LogLine], None] | None = None,
        instance_id: str | None = None,
    ) -> SandboxInstance:
        """Cold-start an instance and wait until its port answers HTTP.

        ``traffic`` (a shaped link's stats) gives exact bytes and requests per phase;
        without it the puller's own counts are used. ``link`` (``LinkSpec.as_dict()``) is
        copied into the timeline. Raises :class:`~core.errors.ColdStartError` (and pull
        errors) after cleaning up everything it started.
        """
        reason = sandbox_available()
        if reason is not None:
            raise ColdStartError(reason, code="SandboxUnavailable")
        iid = instance_id or f"c-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:8]}"
        # Mounts left behind by instances of a process that died are cleaned first.
        await asyncio.to_thread(unmount_stale, workdir)
        base = Path(workdir) / iid
        await asyncio.to_thread(base.mkdir, parents=True, exist_ok=False)
        instance = cls(config, iid, base)
        try:
            await instance._start(registry, cache, traffic, link, on_progress, on_log)
        except BaseException as exc:
            instance.state = InstanceState.FAILED
            instance.timeline.error = f"{type(exc).__name__}: {exc}"
            with contextlib.suppress(CoreError, OSError):
                await asyncio.shield(instance.stop())
            instance.state = InstanceState.FAILED
            raise
        return instance

    async def _start(
        self,
        registry: RegistryClient,
        cache: ContentCache,
        traffic: LinkStats | None,
        link: dict[str, Any] | None,
        on_progress: ProgressCallback | None,
        on_log: Callable[[LogLine], None] | None,
    ) -> None:
        config = self.config
        pulled_bytes = [0]

        def counters() -> tuple[int, int]:
            if traffic is not None:
                return traffic.bytes_down, traffic.requests
            if self.lazy is not None:
                m = self.lazy.metrics
                return m.bytes_fetched, m.range_requests
            return pulled_bytes[0], 0

        self.timeline = Timeline(config.image, "pending", "exec", link=link)
        rec = TimelineRecorder(self.timeline, counters=counters, on_progress=on_progress)
        self._recorder = rec

        rec.begin("resolve")
        resolved = await resolve_image(registry, config.image)
        rec.end(manifest=str(resolved.digest), image_size=resolved.size)
        self.image_config = resolved.config
        mode = config.mode
        if mode == "auto":
            lazy_ok = is_lazy_pullable(resolved) and fuse_available() is None
            mode = "lazy" if lazy_ok else "full"
        self.timeline.mode = mode

        if mode == "lazy":
            rec.begin("pull")
            # The profile (when one is needed) is looked up while the TOCs arrive, and the
            # prefetch regions of optimized layers stream in alongside them.
            profile_task = asyncio.ensure_future(self._profile(registry, cache, resolved))
            try:
                self.lazy = await LazyImage.open(
                    registry,
                    config.image,
                    cache=cache,
                    resolved=resolved,
                    stream_prefetch=config.prefetch,
                    neighbours=config.neighbours,
                )
                profile = await profile_task
            finally:
                if not profile_task.done():
                    profile_task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, CoreError):
                        await profile_task
            if config.prefetch:
                # Not awaited: the function starts while the start-up set is still arriving;
                # its reads wait for the chunks in flight instead of fetching them again.
                self._prefetch = self.lazy.start_prefetch(profile)
            rec.end(
                toc_bytes=self.lazy.metrics.toc_bytes,
                profile_files=len(profile),
                prefetch="streaming" if config.prefetch else None,
            )
            rec.begin("mount")
            self.mount = LazyMount(self.lazy, self.workdir / "rootfs", record=config.record_profile)
            await self.mount.start()
            rec.end(mount_s=self.mount.mount_seconds, fuse_server=self.mount.engine)
            self.rootfs = self.mount.mountpoint
        else:
            rec.begin("pull")
            result = await pull_image(
                registry,
                config.image,
                self.workdir / "rootfs",
                cache=cache,
                resolved=resolved,
                on_progress=lambda p: rec.progress(step=p.phase, item=p.item),
            )
            pulled_bytes[0] = result.bytes_downloaded
            # The puller overlaps unpacking with downloads: split at the last download.
            pull_record = rec.end(cache_hits=result.cache_hits, layers=len(result.layers))
            assert pull_record is not None
            unpack_s = result.timings["unpack"]
            pull_record.duration = max(0.0, pull_record.duration - unpack_s)
            rec.add(
                "unpack",
                pull_record.end,
                unpack_s,
                unpack_total_s=sum(layer.unpack_s for layer in result.layers),
            )
            self.rootfs = result.rootfs

        assert self.rootfs is not None
        argv = image_argv(config, resolved.config)
        uid, gid = await asyncio.to_thread(
            _user_ids, config.user or resolved.config.user, self.rootfs
        )
        spec = SandboxSpec(
            rootfs=self.rootfs,
            argv=argv,
            env=fc_environment(config, resolved.config, self.id),
            workdir=config.workdir or resolved.config.working_dir or "/",
            uid=uid,
            gid=gid,
            port=config.port,
            hostname=self.id[:63],
        )
        rec.begin("start")
        self.sandbox = Sandbox(spec, on_log=on_log)
        await self.sandbox.start()
        ready_s = await self.sandbox.wait_ready(
            limit_s=config.ready_timeout_s, path=config.ready_path
        )
        rec.end(process_ready_s=ready_s)
        self.state = InstanceState.READY
        self._http = httpx.AsyncClient(
            base_url=self.sandbox.endpoint,
            timeout=httpx.Timeout(config.timeout_s + 5),
            # Between the port answering and the first request: a TLS context of its own
            # would load the CA bundle (tens of ms of CPU) on every cold start.
            verify=_shared_tls(),
        )
        if self.lazy is not None and config.background_fill:
            lazy = self.lazy
            prefetch = self._prefetch

            async def fill_after_prefetch() -> None:
                if prefetch is not None:
                    with contextlib.suppress(CoreError):
                        await asyncio.shield(prefetch)
                lazy.start_background_fill()

            self._fill_starter = asyncio.ensure_future(fill_after_prefetch())

    async def _profile(
        self, registry: RegistryClient, cache: ContentCache, resolved: ResolvedImage
    ) -> list[str]:
        if self.config.profile is not None:
            return list(self.config.profile)
        if not self.config.prefetch or has_prefetch_regions(resolved):
            return []  # optimized layers carry their start-up set up front
        return await startup_profile_for(resolved, registry, cache)

    # -- use ------------------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:<port>`` on the host, reaching the function's port."""
        if self.sandbox is None:
            raise ColdStartError("instance is not running")
        return self.sandbox.endpoint

    def headers_for(self, request_id: str, control_path: str = "/invoke") -> dict[str, str]:
        """The ``x-fc-*`` request headers FC sends with every call."""
        c = self.config
        return {
            "x-fc-request-id": request_id,
            "x-fc-function-name": c.function_name,
            "x-fc-function-handler": c.handler,
            "x-fc-function-memory": str(c.memory_mb),
            "x-fc-function-timeout": str(int(c.timeout_s)),
            "x-fc-region": c.region,
            "x-fc-account-id": c.account_id,
            "x-fc-qualifier": c.qualifier,
            "x-fc-version-id": c.version,
            "x-fc-control-path": control_path,
        }

    async def invoke(
        self,
        event: bytes = b"",
        *,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        path: str = "/invoke",
        method: str = "POST",
    ) -> InvokeResult:
        """Call the function (``POST /invoke`` with the event as body, by default).

        Other paths/methods serve HTTP triggers (``x-fc-control-path: /http-invoke``).
        Raises :class:`~core.errors.ColdStartError` code ``FunctionTimeout`` or
        ``ProcessExited`` when the function does not answer.
        """
        if self.state is not InstanceState.READY or self._http is None or self.sandbox is None:
            raise ColdStartError(f"instance {self.id} is {self.state}", code="InstanceNotReady")
        rid = request_id or fc_request_id()
        control = "/invoke" if path == "/invoke" else "/http-invoke"
        send = {
            "content-type": "application/octet-stream",
            **self.headers_for(rid, control),
            **dict(headers or {}),
        }
        first = self.invocations == 0
        rec = self._recorder
        if first and rec is not None:
            rec.begin("first-invoke", request_id=rid)
        mark = time.time()
        started = time.monotonic()
        self.sandbox.logs.append(LogLine(mark, "platform", f"FC Invoke Start RequestId: {rid}"))
        try:
            response = await self._http.request(method, path, content=event, headers=send)
        except httpx.TimeoutException as exc:
            raise ColdStartError(
                f"function {self.config.function_name} timed out", code="FunctionTimeout"
            ) from exc
        except httpx.HTTPError as exc:
            raise ColdStartError(
                f"function {self.config.function_name} did not answer: {exc}",
                code="ProcessExited",
            ) from exc
        finally:
            self.invocations += 1
        duration = time.monotonic() - started
        await asyncio.sleep(0)  # let the log pumps catch lines printed just before answering
        self.sandbox.logs.append(
            LogLine(time.time(), "platform", f"FC Invoke End RequestId: {rid}")
        )
        logs = tuple(line for line in self.sandbox.logs if line.time >= mark)
        if first and rec is not None:
            rec.end(status=response.status_code)
            self._finish_timeline()
        return InvokeResult(
            request_id=rid,
            status=response.status_code,
            headers=dict(response.headers),
            body=response.content,
            logs=logs,
            duration_s=duration,
        )

    async def initialize(self) -> InvokeResult:
        """``POST /initialize`` (the initializer lifecycle hook)."""
        return await self.invoke(
            b"", path="/initialize", headers={"x-fc-control-path": "/initialize"}
        )

    def _finish_timeline(self) -> None:
        if self.lazy is not None:
            self.timeline.metrics = self.lazy.report()
            task = self._prefetch
            if task is not None and not task.done():
                self.timeline.metrics["prefetch"] = {"state": "still streaming"}
            elif task is not None and not task.cancelled():
                error = task.exception()
                self.timeline.metrics["prefetch"] = (
                    {"error": f"{type(error).__name__}: {error}"}
                    if error is not None
                    else task.result().as_dict()
                )
        self._recorder = None

    def profile(self) -> StartupProfile | None:
        """Files opened since the mount (lazy instances started with ``record_profile``)."""
        if self.mount is None or self.lazy is None:
            return None
        source = (self.lazy.resolved.manifest.annotations or {}).get(ANNOTATION_SOURCE_DIGEST, "")
        return StartupProfile.from_paths(
            self.mount.profile(), image=str(self.lazy.resolved.digest), source=source
        )

    @property
    def logs(self) -> list[LogLine]:
        return [] if self.sandbox is None else list(self.sandbox.logs)

    # -- stop -----------------------------------------------------------------------------

    async def stop(self, *, pre_stop: bool = False, grace: float = 2.0) -> None:
        """Stop the function (``GET /pre-stop`` first when ``pre_stop``), unmount or remove
        its root filesystem, stop background fetching. Safe to call twice."""
        async with self._lock:
            if self.state is InstanceState.STOPPED:
                return
            self.state = InstanceState.STOPPING
            if pre_stop and self._http is not None:
                with contextlib.suppress(httpx.HTTPError):
                    await self._http.get("/pre-stop", headers={"x-fc-control-path": "/pre-stop"})
            if self._http is not None:
                await self._http.aclose()
                self._http = None
            if self.sandbox is not None:
                await self.sandbox.stop(grace=grace)
            if self._fill_starter is not None and not self._fill_starter.done():
                self._fill_starter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._fill_starter
            if self._prefetch is not None and not self._prefetch.done():
                self._prefetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, CoreError):
                    await self._prefetch
            if self.lazy is not None:
                await self.lazy.aclose()
            if self.mount is not None:
                await self.mount.stop()
            await asyncio.to_thread(shutil.rmtree, self.workdir, True)
            self.state = InstanceState.STOPPED

    async def __aenter__(self) -> SandboxInstance:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
