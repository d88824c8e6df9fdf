"""The runtime's instance backend: ``core.coldstart`` instances fed from this server's registry.

Each cold start opens a registry client on the server's own ``/v2/`` (the instance keeps it for
lazy reads while it lives), starts a `core.coldstart.Instance` — lazy pull + FUSE mount for
accelerated images, full pull + unpack otherwise; the entrypoint runs under bubblewrap in a
network namespace of its own — and turns the instance's live phase events into timeline
phases. Pulled blobs and verified chunks are cached under ``<data-dir>/cache``; instance root
filesystems live under ``<data-dir>/instances`` and are removed when instances stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import Callable, Mapping
from typing import Any

from core._progress import Progress
from core.coldstart import Instance, InstanceConfig, sandbox_available
from core.emulator._context import ServerContext
from core.emulator._runtime import (
    HandleResponse,
    InstanceBackend,
    InstanceSpec,
    Phase,
    UnavailableBackend,
)
from core.errors import ColdStartError, CoreError
from core.pull import ContentCache, fuse_available
from core.registry import RegistryClient

__all__ = ["ColdstartBackend", "make_backend"]


class _Handle:
    def __init__(self, instance: Instance, client: RegistryClient, mode: str) -> None:
        self.instance = instance
        self.client = client
        self.instance_id = instance.id
        self.mode = mode

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


class ColdstartBackend:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        root = ctx.config.data_dir
        self.cache = ContentCache(root / "cache")
        self.workdir = root / "instances"
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.fuse = fuse_available()

    def info(self) -> dict[str, Any]:
        return {
            "mode": "exec",
            "lazy": "fuse" if self.fuse is None else "unavailable",
            "lazyUnavailableReason": self.fuse,
            "sandbox": "bubblewrap",
        }

    async def start(self, spec: InstanceSpec, on_phase: Callable[[Phase], None]) -> _Handle:
        begun: dict[str, float] = {}

        def on_progress(event: Progress) -> None:
            kind = event.extra.get("event")
            t = float(event.extra.get("t", 0.0))
            if kind == "begin":
                begun[event.phase] = t
            elif kind == "end" and event.phase != "first-invoke":
                start = begun.get(event.phase, t - float(event.extra.get("duration", 0.0)))
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
                        float(event.extra.get("duration", 0.0)) * 1000,
                        bytes=int(event.extra.get("bytes", 0) or 0),
                        requests=int(event.extra.get("requests", 0) or 0),
                        extra=detail,
                    )
                )

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
        client = RegistryClient(spec.registry, credentials=spec.credentials)
        try:
            instance = await Instance.start(
                config,
                registry=client,
                cache=self.cache,
                workdir=self.workdir,
                on_progress=on_progress,
                instance_id=spec.instance_id,
            )
        except BaseException:
            with contextlib.suppress(CoreError, OSError):
                await client.aclose()
            raise
        return _Handle(instance, client, f"exec-{mode}")


def make_backend(ctx: ServerContext) -> InstanceBackend:
    """The exec backend where bubblewrap works; otherwise one that explains why not."""
    if ctx.config.runtime_mode == "replay":
        return UnavailableBackend("the replay runtime is not available in this build")
    reason = sandbox_available()
    if reason is not None:
        return UnavailableBackend(f"function instances cannot run here: {reason}")
    return ColdstartBackend(ctx)
