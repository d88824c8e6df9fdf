"""The small demo image, built once per session with ``build_demo_image``: pushed plain, then
``_accelerated`` (preserve, profile recorded over a lazy mount, optimized)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from core.coldstart._demo import DemoBuildResult, build_demo_image
from core.pull import close_mount_helpers
from core.registry import RegistryClient
from tests.fixtures.registry import RunningRegistry


@dataclass(frozen=True)
class SmallDemo:
    registry: RunningRegistry
    plain: str
    accelerated: str
    build: DemoBuildResult


async def _build(registry: RunningRegistry, work: str) -> SmallDemo:
    async with RegistryClient(registry.host) as client:
        try:
            result = await build_demo_image(
                client, "small", f"{registry.host}/demo/small:latest", work
            )
        finally:
            await close_mount_helpers()
    assert result.accelerated is not None
    return SmallDemo(registry, result.plain, result.accelerated, result)


@pytest.fixture(scope="session")
def small_demo(
    distribution_registry: RunningRegistry, tmp_path_factory: pytest.TempPathFactory
) -> SmallDemo:
    work = tmp_path_factory.mktemp("small-demo")
    return asyncio.run(_build(distribution_registry, str(work)))
