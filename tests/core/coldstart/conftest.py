"""The small demo image, built once per session and pushed plain and accelerated."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.coldstart._demo import build_demo_tree, import_options, merge_layers
from core.convert import ConvertOptions, convert_image
from core.registry import RegistryClient, import_rootfs
from tests.fixtures.registry import RunningRegistry


@dataclass(frozen=True)
class SmallDemo:
    registry: RunningRegistry
    plain: str
    accelerated: str
    rootfs: Path


async def _build(registry: RunningRegistry, work: Path) -> SmallDemo:
    image = build_demo_tree("small", work / "layers")
    rootfs = merge_layers(image, work / "rootfs")
    plain = f"{registry.host}/demo/small:latest"
    async with RegistryClient(registry.host) as client:
        await import_rootfs(rootfs, plain, client=client, options=import_options(image))
        result = await convert_image(client, plain, options=ConvertOptions())
    return SmallDemo(registry, plain, result.target, rootfs)


@pytest.fixture(scope="session")
def small_demo(
    distribution_registry: RunningRegistry, tmp_path_factory: pytest.TempPathFactory
) -> SmallDemo:
    work = tmp_path_factory.mktemp("small-demo")
    return asyncio.run(_build(distribution_registry, work))
