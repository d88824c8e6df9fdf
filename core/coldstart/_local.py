"""The function's own start on a local disk: the reference of every cold-start report.

The image is pulled and unpacked once, before any clock runs (page cache warm); each
:meth:`LocalStart.once` then starts it in the same sandbox as a cold start and times the
sandbox start until the port answers HTTP, and until the first ``POST /invoke`` returned. A
comparison measures it before each pair of cold starts, so that it sees the same machine
load; the median is what the physical bound adds (:func:`physical_bound`).
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from core.coldstart._instance import InstanceConfig, fc_environment, image_argv
from core.coldstart._link import LinkSpec
from core.coldstart._sandbox import Sandbox, SandboxSpec
from core.pull import ContentCache, pull_image
from core.registry import RegistryClient

__all__ = ["LocalStart", "physical_bound"]

#: Round trips a lazy start cannot avoid besides connection set-up: resolve the tag, the
#: manifest, the config and the TOCs (one round each; the TOCs of every layer in parallel).
BOUND_RTTS = 4


@dataclass(slots=True)
class LocalStart:
    """``image`` unpacked on a local disk, started as often as asked (see module docs)."""

    image: str
    spec: SandboxSpec
    rootfs: Path
    ready: list[float] = field(default_factory=list)
    first: list[float] = field(default_factory=list)

    @classmethod
    async def prepare(
        cls, registry: RegistryClient, image: str, workdir: str | Path, *, function_name: str
    ) -> LocalStart:
        """Pull and unpack ``image`` under ``workdir`` (not timed)."""
        work = Path(workdir)
        pulled = await pull_image(
            registry,
            image,
            work / "local-rootfs",
            cache=await asyncio.to_thread(ContentCache, work / "local-cache"),
        )
        config = InstanceConfig(image=image, function_name=function_name)
        image_config = pulled.resolved.config
        spec = SandboxSpec(
            rootfs=pulled.rootfs,
            argv=image_argv(config, image_config),
            env=fc_environment(config, image_config, "c-local"),
            workdir=image_config.working_dir or "/",
        )
        return cls(image, spec, pulled.rootfs)

    async def once(self, event: bytes = b"{}") -> float:
        """One start: returns seconds until the first invocation answered."""
        async with httpx.AsyncClient() as http:
            box = Sandbox(self.spec)
            t0 = time.monotonic()
            await box.start()
            try:
                await box.wait_ready()
                t1 = time.monotonic()
                answer = await http.post(box.endpoint + "/invoke", content=event)
                answer.raise_for_status()
                t2 = time.monotonic()
            finally:
                await box.stop(grace=0.5)
        self.ready.append(t1 - t0)
        self.first.append(t2 - t0)
        return t2 - t0

    @property
    def first_response_s(self) -> float | None:
        return statistics.median(self.first) if self.first else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "image": self.image,
            "ready_s": statistics.median(self.ready) if self.ready else None,
            "first_response_s": self.first_response_s,
            "runs": [
                {"ready_s": a, "first_response_s": b}
                for a, b in zip(self.ready, self.first, strict=True)
            ],
        }

    async def remove(self) -> None:
        await asyncio.to_thread(shutil.rmtree, self.rootfs.parent, True)


def physical_bound(nbytes: float, link: LinkSpec, local_start_s: float) -> dict[str, Any]:
    """What no lazy start over ``link`` can beat: the bytes it needs at the link's rate, the
    round trips it cannot avoid (:data:`BOUND_RTTS` plus one connection set-up) and the
    function's own start on a local disk."""
    rate = link.bytes_per_second
    transfer = nbytes / rate if rate else 0.0
    rtts = BOUND_RTTS + link.connection_setup_rtts
    return {
        "bytes": nbytes,
        "transfer_s": transfer,
        "rtts": rtts,
        "rtt_s": rtts * link.rtt_s,
        "local_start_s": local_start_s,
        "bound_s": transfer + rtts * link.rtt_s + local_start_s,
    }
