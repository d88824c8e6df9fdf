"""Wiring of the server's long-lived services: FC API, conversion worker, start-up profiler,
runtime, demo seed."""

from __future__ import annotations

import asyncio
import logging

from starlette.routing import BaseRoute

from core.emulator._context import ServerContext
from core.emulator._fc import FcApi, fc_routes
from core.emulator._profiler import StartupProfiler
from core.emulator._runtime import InstanceBackend, RuntimeManager
from core.emulator._worker import ConversionWorker

__all__ = ["after_listen", "service_routes", "start_services", "stop_services"]

log = logging.getLogger(__name__)


def select_backend(ctx: ServerContext) -> InstanceBackend:
    """The instance backend for this machine (see `core.emulator._instances`)."""
    if ctx.config.instance_backend is not None:
        backend: InstanceBackend = ctx.config.instance_backend
        return backend
    from core.emulator._instances import make_backend

    return make_backend(ctx)


async def start_services(ctx: ServerContext) -> None:
    fc = FcApi(ctx)
    ctx.services["fc"] = fc
    worker = ConversionWorker(
        ctx, concurrency=ctx.config.conversion_workers, converter=ctx.config.converter
    )
    ctx.services["worker"] = worker
    runtime = RuntimeManager(
        ctx, select_backend(ctx), idle_timeout=ctx.config.instance_idle_timeout
    )
    ctx.services["runtime"] = runtime
    profiler = StartupProfiler(ctx, auto=ctx.config.auto_profile)
    ctx.services["profiler"] = profiler
    worker.on_converted(profiler.on_converted)
    ctx.tag_hooks.append(worker.on_tag)

    async def repo_changed(repo: str, tag: str = "", digest: str = "") -> None:
        await fc.on_repo_changed(repo, tag, digest)

    ctx.tag_hooks.append(repo_changed)
    worker.on_finished(repo_changed)
    ctx.delete_hooks.append(fc.on_images_deleted)


async def after_listen(ctx: ServerContext) -> None:
    """Once the server answers: resume tasks and function preparations, seed the demo."""
    worker: ConversionWorker = ctx.services["worker"]
    runtime: RuntimeManager = ctx.services["runtime"]
    fc: FcApi = ctx.services["fc"]
    await worker.start()
    await runtime.start()
    await ctx.services["profiler"].start()
    await fc.resume_all()
    if ctx.config.seed:
        from core.emulator._seed import seed_if_first_start, seed_structure

        if await seed_structure(ctx):
            ctx.services["seed"] = asyncio.create_task(seed_if_first_start(ctx), name="seed")


def service_routes(ctx: ServerContext) -> list[BaseRoute]:
    return list(fc_routes(ctx.services["fc"]))


async def stop_services(ctx: ServerContext) -> None:
    seed = ctx.services.pop("seed", None)
    if seed is not None:
        seed.cancel()
        await asyncio.gather(seed, return_exceptions=True)
    fc = ctx.services.get("fc")
    if fc is not None:
        await fc.close()
    profiler = ctx.services.get("profiler")
    if profiler is not None:
        await profiler.close()
    worker = ctx.services.get("worker")
    if worker is not None:
        await worker.close()
    runtime = ctx.services.get("runtime")
    if runtime is not None:
        await runtime.close()
