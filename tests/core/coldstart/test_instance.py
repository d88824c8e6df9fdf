"""Function instances from the small demo image: lazy and full, exec mode, FC contract."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from core import Progress
from core.coldstart._instance import InstanceConfig, InstanceState, SandboxInstance
from core.coldstart._link import LinkSpec, ShapedTransport
from core.errors import ColdStartError, InvalidInput
from core.pull import ContentCache, fuse_available
from core.registry import RegistryClient
from tests.core.coldstart.conftest import SmallDemo


@pytest.fixture
async def registry(small_demo: SmallDemo) -> AsyncIterator[RegistryClient]:
    assert fuse_available() is None
    async with RegistryClient(small_demo.registry.host) as client:
        yield client


@pytest.mark.parametrize(("which", "mode"), [("accelerated", "lazy"), ("plain", "full")])
async def test_cold_start_answers_http(
    small_demo: SmallDemo, registry: RegistryClient, tmp_path: Path, which: str, mode: str
) -> None:
    image = getattr(small_demo, which)
    events: list[Progress] = []
    config = InstanceConfig(image=image, function_name="hello", env={"GREETING": "hi"})
    instance = await SandboxInstance.start(
        config,
        registry=registry,
        cache=ContentCache(tmp_path / "cache"),
        workdir=tmp_path / "instances",
        on_progress=events.append,
    )
    try:
        assert instance.state is InstanceState.READY
        assert instance.timeline.mode == mode
        assert instance.timeline.run_mode == "exec"
        result = await instance.invoke(b'{"n": 1}')
        assert result.status == 200
        body = json.loads(result.body)
        assert body["function"] == "hello"
        assert body["eventBytes"] == 8
        assert body["requestId"] == result.request_id
        assert result.error_type is None
        texts = [line.text for line in result.logs]
        assert texts[0] == f"FC Invoke Start RequestId: {result.request_id}"
        assert any(t.startswith(f"invoke {result.request_id}") for t in texts)
        assert texts[-1] == f"FC Invoke End RequestId: {result.request_id}"
        names = [p.name for p in instance.timeline.phases]
        second = "mount" if mode == "lazy" else "unpack"
        assert names == ["resolve", "pull", second, "start", "first-invoke"]
        assert all(p.duration >= 0 for p in instance.timeline.phases)
        assert instance.timeline.phase("pull").bytes > 0  # type: ignore[union-attr]
        # A second call is warm: the timeline does not change.
        again = await instance.invoke(b"x")
        assert json.loads(again.body)["invocations"] == 2
        assert len(instance.timeline.phases) == 5
        # Live events: every phase began and ended, in order.
        ends = [e.phase for e in events if e.extra.get("event") == "end"]
        assert (
            ends == ["resolve", "pull", "mount", "start", "first-invoke"]
            if mode == "lazy"
            else ends[:2] == ["resolve", "pull"]
        )
        # The host endpoint reaches the function like any HTTP client would.
        async with httpx.AsyncClient() as client:
            r = await client.get(instance.endpoint + "/")
        assert r.json()["status"] == "ok"
    finally:
        await instance.stop()
    assert instance.state is InstanceState.STOPPED
    assert not (tmp_path / "instances" / instance.id).exists()


async def test_parallel_lazy_instances_with_profile_and_shaped_link(
    small_demo: SmallDemo, tmp_path: Path
) -> None:
    link = LinkSpec.parse("200mbit,5ms")
    transport = ShapedTransport(link)
    async with httpx.AsyncClient(transport=transport) as http:
        registry = RegistryClient(small_demo.registry.host, http=http)
        cache = ContentCache(tmp_path / "cache")
        config = InstanceConfig(
            image=small_demo.accelerated, record_profile=True, background_fill=False
        )
        instances = await asyncio.gather(
            *(
                SandboxInstance.start(
                    config,
                    registry=registry,
                    cache=cache,
                    workdir=tmp_path / "inst",
                    traffic=transport.stats,
                    link=link.as_dict(),
                )
                for _ in range(2)
            )
        )
        try:
            results = await asyncio.gather(*(i.invoke(b"e") for i in instances))
            assert all(r.status == 200 for r in results)
            first = instances[0]
            assert first.timeline.link == link.as_dict()
            assert first.timeline.requests > 0
            profile = first.profile()
            assert profile is not None
            assert "app/server.py" in profile.paths
            assert any(p.startswith("usr/bin/python3") for p in profile.paths)
            assert any("python3.11/http/" in p for p in profile.paths)
            assert profile.source  # recorded on an accelerated image: its plain source
            metrics = first.timeline.metrics["metrics"]
            assert 0 < metrics["fetched_share"] < 1
        finally:
            await asyncio.gather(*(i.stop() for i in instances))


async def test_start_failures_clean_up(
    small_demo: SmallDemo, registry: RegistryClient, tmp_path: Path
) -> None:
    config = InstanceConfig(
        image=small_demo.accelerated, entrypoint=["/usr/bin/python3", "-c", "raise SystemExit(4)"]
    )
    with pytest.raises(ColdStartError, match="exited with 4"):
        await SandboxInstance.start(
            config, registry=registry, cache=ContentCache(tmp_path / "c"), workdir=tmp_path / "inst"
        )
    assert list((tmp_path / "inst").iterdir()) == []
    with pytest.raises(InvalidInput):
        InstanceConfig(image=small_demo.plain, env={"FC_REGION": "x"})


async def test_blob_downloads_over_a_shaped_link_go_through_it(
    small_demo: SmallDemo, tmp_path: Path
) -> None:
    """The registry client reads large blob bodies past the HTTP parser when its transport
    allows it; over an emulated link the body still comes through the link: paced and
    counted (a plain image's full pull counted ~1 KB and ran at loopback speed)."""
    from core.oci import ImageReference, Manifest
    from core.registry import blob_transport

    ref = ImageReference.parse(small_demo.plain)
    transport = ShapedTransport(LinkSpec.parse("200mbit,1ms"), inner=blob_transport())
    async with httpx.AsyncClient(transport=transport) as http:
        registry = RegistryClient(small_demo.registry.host, http=http)
        manifest = await registry.get_manifest(ref.repository, ref.tag or "latest")
        assert isinstance(manifest, Manifest)
        layer = max(manifest.layers, key=lambda layer: layer.size)
        before = transport.stats.bytes_down
        size = await registry.download_blob(ref.repository, layer.digest, tmp_path / "blob")
    assert size == layer.size > 100_000
    assert transport.stats.bytes_down - before >= size
