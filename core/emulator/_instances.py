"""The runtime's instance backend: ``core.coldstart`` instances fed from this server's registry.

Each cold start opens a registry client on the server's own ``/v2/`` (the instance keeps it for
lazy reads while it lives), starts a `core.coldstart.SandboxInstance` — lazy pull + FUSE mount for
accelerated images, full pull + unpack otherwise; the entrypoint runs under bubblewrap in a
network namespace of its own — and turns the instance's live phase events into timeline
phases. Pulled blobs and verified chunks are cached under ``<data-dir>/cache``; instance root
filesystems live under ``<data-dir>/instances`` and are removed when instances stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import ssl
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from core._progress import Progress
from core.coldstart import (
    ColdStartOptions,
    InstanceConfig,
    LinkSpec,
    LinkStats,
    SandboxInstance,
    ShapedTransport,
    cold_start,
    sandbox_available,
)
from core.emulator._context import ServerContext
from core.emulator._runtime import (
    HandleResponse,
    InstanceBackend,
    InstanceSpec,
    Phase,
    PhaseUpdate,
    UnavailableBackend,
)
from core.errors import ColdStartError, CoreError
from core.pull import (
    ContentCache,
    close_mount_helpers,
    fuse_available,
    prewarm_mount_helper,
    unmount_stale,
)
from core.registry import RegistryClient, blob_transport

__all__ = ["ColdstartBackend", "ReplayBackend", "make_backend"]


def _clean_instances(workdir: Path) -> None:
    """Drop what instances of a previous (crashed) run left: stale lazy mounts first, so the
    removal never walks into a FUSE mount."""
    if workdir.exists():
        unmount_stale(workdir)
        shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)


#: At most one ``progress`` update per phase in this many seconds.
_UPDATE_INTERVAL_S = 0.5


def _phase_translator(
    on_phase: Callable[[Phase], None],
    on_update: Callable[[PhaseUpdate], None] | None = None,
) -> Callable[[Progress], None]:
    """core.coldstart phase events (``extra["event"]`` begin/progress/end) → timeline `Phase`
    calls for finished phases, `PhaseUpdate` calls (begin, throttled progress) for phases
    under way."""
    begun: dict[str, float] = {}
    last_update = [0.0]

    def on_progress(event: Progress) -> None:
        kind = event.extra.get("event")
        t = float(event.extra.get("t", 0.0))
        if kind == "begin":
            begun[event.phase] = t
            last_update[0] = t
            if on_update is not None and event.phase != "first-invoke":
                on_update(PhaseUpdate(event.phase, "begin", t * 1000, t * 1000))
        elif kind == "progress":
            if on_update is not None and t - last_update[0] >= _UPDATE_INTERVAL_S:
                last_update[0] = t
                start = begun.get(event.phase, t)
                on_update(
                    PhaseUpdate(event.phase, "progress", start * 1000, t * 1000, int(event.done))
                )
        elif kind == "end" and event.phase != "first-invoke":
            duration = float(event.extra.get("duration", 0.0))
            start = begun.get(event.phase, t - duration)
            detail = {
                k: v
                for k, v in event.extra.items()
                if k not in ("event", "t", "duration", "bytes", "requests")
                and isinstance(v, str | int | float | bool)
            }
            on_phase(
                Phase(
                    event.phase,
                    start * 1000,
                    duration * 1000,
                    bytes=int(event.extra.get("bytes", 0) or 0),
                    requests=int(event.extra.get("requests", 0) or 0),
                    extra=detail,
                )
            )

    return on_progress


class _Handle:
    def __init__(
        self,
        instance: SandboxInstance,
        client: RegistryClient,
        mode: str,
        http: httpx.AsyncClient | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.instance = instance
        self.client = client
        self.instance_id = instance.id
        self.mode = mode
        self._http = http
        self._cache_dir = cache_dir

    async def request(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes,
        deadline: float,
    ) -> HandleResponse:
        extra = {
            k: v
            for k, v in headers.items()
            if k.lower() in ("content-type", "x-fc-instance-id")
            or (k.lower().startswith("x-fc-") and k.lower() != "x-fc-request-id")
        }
        try:
            async with asyncio.timeout(deadline):
                result = await self.instance.invoke(
                    body,
                    request_id=headers.get("x-fc-request-id"),
                    headers=extra,
                    path=path,
                    method=method,
                )
        except ColdStartError as exc:
            if exc.code == "FunctionTimeout":
                raise TimeoutError(str(exc)) from exc
            raise
        log = "".join(f"{line.text}\n" for line in result.logs).encode("utf-8", "replace")
        return HandleResponse(result.status, dict(result.headers), result.body, log)

    async def stop(self) -> None:
        try:
            await self.instance.stop()
        finally:
            await self.client.aclose()
            if self._http is not None:
                await self._http.aclose()
            if self._cache_dir is not None:
                await asyncio.to_thread(shutil.rmtree, self._cache_dir, True)


class ColdstartBackend:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        root = ctx.config.data_dir
        self.cache = ContentCache(root / "cache")
        self.workdir = root / "instances"
        self.fresh_caches = root / "tmp" / "coldstart-caches"
        _clean_instances(self.workdir)
        shutil.rmtree(self.fresh_caches, ignore_errors=True)
        self.fuse = fuse_available()
        # One TLS context for every instance's registry client (building one loads the CA
        # bundle, a noticeable share of a CPU second on a busy machine).
        self._tls = ssl.create_default_context()
        self._warming = asyncio.Lock()

    def info(self) -> dict[str, Any]:
        return {
            "mode": "exec",
            "lazy": "fuse" if self.fuse is None else "unavailable",
            "lazyUnavailableReason": self.fuse,
            "sandbox": "bubblewrap",
        }

    async def warm_up(self) -> None:
        """Have a lazy-mount helper started ahead of the next cold start, as a lazy-pull
        daemon is already running on a node. Called when the runtime starts and after each
        cold start has answered its first request (so the spare never competes with one)."""
        if self.fuse is None:
            async with self._warming:  # one spare at a time, never two racing for the slot
                with contextlib.suppress(CoreError):
                    await prewarm_mount_helper()

    async def close(self) -> None:
        await close_mount_helpers()

    def _registry(
        self, spec: InstanceSpec
    ) -> tuple[RegistryClient, httpx.AsyncClient, LinkStats | None, dict[str, Any] | None]:
        """The instance's registry client: over the link its cold start asked for (every
        request delayed by the RTT, bodies paced by the bandwidth), else plain loopback."""
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
        inner = blob_transport(limits=limits, verify=self._tls)
        link = spec.cold_start.link
        stats: LinkStats | None = None
        info: dict[str, Any] | None = None
        transport: httpx.AsyncBaseTransport = inner
        if link:
            parsed = LinkSpec.parse(link)
            if not parsed.unlimited:
                shaped = ShapedTransport(parsed, inner=inner)
                transport = shaped
                stats = shaped.stats
                info = parsed.as_dict()
        http = httpx.AsyncClient(
            transport=transport,
            limits=limits,
            timeout=httpx.Timeout(60.0),
            follow_redirects=False,
        )
        client = RegistryClient(spec.registry, http=http, credentials=spec.credentials)
        return client, http, stats, info

    async def start(
        self,
        spec: InstanceSpec,
        on_phase: Callable[[Phase], None],
        on_update: Callable[[PhaseUpdate], None] | None = None,
    ) -> _Handle:
        on_progress = _phase_translator(on_phase, on_update)
        env = {k: v for k, v in spec.environment.items() if not k.upper().startswith("FC_")}
        mode = "lazy" if spec.lazy and self.fuse is None else "full"
        config = InstanceConfig(
            image=f"{spec.registry}/{spec.repository}@{spec.digest}",
            function_name=spec.function_name,
            mode=mode,
            port=spec.port,
            entrypoint=list(spec.entrypoint) if spec.entrypoint else None,
            command=list(spec.command) if spec.command else None,
            env=env,
            memory_mb=spec.memory_mb,
            timeout_s=max(spec.timeout, 1.0),
            region="local",
            account_id=self.ctx.config.account_id,
        )
        client, http, stats, link = self._registry(spec)
        cache = self.cache
        cache_dir: Path | None = None
        if spec.cold_start.fresh_cache:
            # A node that has never pulled the image: an empty cache of the instance's own.
            cache_dir = self.fresh_caches / spec.instance_id
            cache = await asyncio.to_thread(ContentCache, cache_dir)
        try:
            instance = await SandboxInstance.start(
                config,
                registry=client,
                cache=cache,
                workdir=self.workdir,
                traffic=stats,
                link=link,
                on_progress=on_progress,
                on_log=spec.on_log,
                instance_id=spec.instance_id,
            )
        except BaseException:
            with contextlib.suppress(CoreError, OSError):
                await client.aclose()
                await http.aclose()
            if cache_dir is not None:
                await asyncio.to_thread(shutil.rmtree, cache_dir, True)
            raise
        return _Handle(instance, client, f"exec-{mode}", http, cache_dir)


class _ReplayHandle:
    """A replayed instance: no process ran, so invocations answer with a platform body that
    says so (and the request id), never with made-up function output."""

    mode = "replay"

    def __init__(self, instance_id: str, reason: str) -> None:
        self.instance_id = instance_id
        self.reason = reason

    async def request(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes,
        deadline: float,
    ) -> HandleResponse:
        doc = {
            "replayed": True,
            "requestId": headers.get("x-fc-request-id"),
            "eventBytes": len(body),
            "message": "replay mode: the function's process does not run on this machine "
            f"({self.reason}); the cold start replayed the image's start-up reads",
        }
        return HandleResponse(
            200, {"content-type": "application/json"}, json.dumps(doc).encode(), b""
        )

    async def stop(self) -> None:
        return None


class ReplayBackend:
    """Where bubblewrap or FUSE is missing: each cold start is `core.coldstart.cold_start` in
    replay mode (resolve, lazy or full pull, the start-up profile's reads), timed like an exec
    cold start; warm instances then answer from memory."""

    def __init__(self, ctx: ServerContext, reason: str) -> None:
        self.ctx = ctx
        self.reason = reason
        self.workdir = ctx.config.data_dir / "instances"
        _clean_instances(self.workdir)

    def info(self) -> dict[str, Any]:
        return {"mode": "replay", "reason": self.reason}

    async def start(
        self,
        spec: InstanceSpec,
        on_phase: Callable[[Phase], None],
        on_update: Callable[[PhaseUpdate], None] | None = None,
    ) -> _ReplayHandle:
        options = ColdStartOptions(
            link=LinkSpec.parse(spec.cold_start.link or ""),
            run_mode="replay",
            mode="lazy" if spec.lazy else "full",
            credentials=spec.credentials,
            prewarm=False,
            function_name=spec.function_name,
        )
        timeline = await cold_start(
            f"{spec.registry}/{spec.repository}@{spec.digest}",
            workdir=self.workdir,
            options=options,
            on_progress=_phase_translator(on_phase, on_update),
        )
        if timeline.error:
            raise ColdStartError(f"replayed cold start failed: {timeline.error}")
        return _ReplayHandle(spec.instance_id, self.reason)


def make_backend(ctx: ServerContext) -> InstanceBackend:
    """``exec`` where bubblewrap works (``--runtime auto``/``exec``), else ``replay``."""
    mode = ctx.config.runtime_mode
    reason = sandbox_available()
    if mode == "replay":
        return ReplayBackend(ctx, "replay mode was chosen")
    if reason is None:
        return ColdstartBackend(ctx)
    if mode == "exec":
        return UnavailableBackend(f"exec mode cannot run here: {reason}")
    return ReplayBackend(ctx, reason)
