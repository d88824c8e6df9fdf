"""First-start demo: namespace ``demo``, a repository with a plain tag and its accelerated
twin, acceleration on, and two functions (plain and accelerated) for a cold-start comparison."""

from __future__ import annotations

from core.emulator._context import ServerContext

__all__ = ["seed_if_first_start"]


async def seed_if_first_start(ctx: ServerContext) -> None:
    return None
