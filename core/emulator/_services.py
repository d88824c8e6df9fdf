"""Wiring of the server's long-lived services: FC API, conversion worker, runtime, demo seed."""

from __future__ import annotations

from starlette.routing import BaseRoute

from core.emulator._context import ServerContext

__all__ = ["after_listen", "service_routes", "start_services", "stop_services"]


async def start_services(ctx: ServerContext) -> None:
    return None


async def after_listen(ctx: ServerContext) -> None:
    return None


def service_routes(ctx: ServerContext) -> list[BaseRoute]:
    return []


async def stop_services(ctx: ServerContext) -> None:
    return None
