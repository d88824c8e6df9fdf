"""UpdateFunction as the FC documentation describes it: invocations keep running on the
deployed configuration while an update is InProgress or after it Failed; a configuration-only
update keeps the recorded image digest and reports no image optimization; a tag overwritten
after deployment fails the function until it is deployed again. (A scripted instance backend
records what each invocation ran, so no sandbox is needed.)"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.emulator._runtime import HandleResponse, InstanceSpec, Phase
from core.emulator._worker import convert_with_core
from tests.core.emulator.helpers import fc_headers, push_image
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread

API = "/2023-03-30/functions"


@dataclass
class _Ran:
    digest: str
    memory: str


@dataclass
class _Backend:
    ran: list[_Ran] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)

    def info(self) -> dict[str, Any]:
        return {"mode": "scripted"}

    async def start(self, spec: InstanceSpec, on_phase: Callable[[Phase], None]) -> Any:
        if not spec.digest.startswith("sha256:") or len(spec.digest) != 71:
            raise AssertionError(f"an instance was started from a broken reference: {spec}")
        on_phase(Phase("start", 0, 1))
        return _Handle(spec, self)


class _Handle:
    mode = "scripted"

    def __init__(self, spec: InstanceSpec, backend: _Backend) -> None:
        self.instance_id = spec.instance_id
        self.spec = spec
        self.backend = backend

    async def request(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes, deadline: float
    ) -> HandleResponse:
        self.backend.ran.append(_Ran(self.spec.digest, headers["x-fc-function-memory"]))
        return HandleResponse(200, {"content-type": "text/plain"}, b"ok", b"")

    async def stop(self) -> None:
        self.backend.stopped.append(self.instance_id)


GATE = threading.Event()


async def _gated_converter(job: Any, on_progress: Any) -> None:
    """Conversions wait for `GATE`, so an update can be held InProgress."""
    await asyncio.to_thread(GATE.wait)
    await convert_with_core(job, on_progress)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[LocalServerHandle, _Backend]]:
    GATE.clear()
    backend = _Backend()
    srv = start_local_server_thread(
        tmp_path / "d", instance_backend=backend, converter=_gated_converter
    )
    try:
        yield srv, backend
    finally:
        GATE.set()
        srv.stop()


def _fn(name: str, image: str, **extra: Any) -> dict[str, Any]:
    return {
        "functionName": name,
        "runtime": "custom-container",
        "handler": "index.handler",
        "customContainerConfig": {"image": image, "port": 9000},
        **extra,
    }


async def _get(http: httpx.AsyncClient, name: str) -> dict[str, Any]:
    r = await http.get(f"{API}/{name}", headers=fc_headers("GetFunction"))
    assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    return doc


async def _settled(http: httpx.AsyncClient, name: str) -> dict[str, Any]:
    while True:
        doc = await _get(http, name)
        if doc["state"] != "Pending" and doc["lastUpdateStatus"] != "InProgress":
            return doc
        await asyncio.sleep(0.02)


async def _update(http: httpx.AsyncClient, name: str, changes: dict[str, Any]) -> dict[str, Any]:
    r = await http.put(f"{API}/{name}", json=changes, headers=fc_headers("UpdateFunction"))
    assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    return doc


async def _invoke(http: httpx.AsyncClient, name: str) -> httpx.Response:
    return await http.post(
        f"{API}/{name}/invocations", content=b"{}", headers=fc_headers("InvokeFunction")
    )


async def _create_active(http: httpx.AsyncClient, doc: dict[str, Any]) -> dict[str, Any]:
    r = await http.post(API, json=doc, headers=fc_headers("CreateFunction"))
    assert r.status_code == 200, r.text
    got = await asyncio.wait_for(_settled(http, doc["functionName"]), 60)
    assert (got["state"], got["lastUpdateStatus"]) == ("Active", "Successful"), got
    return got


async def test_invoke_right_after_a_memory_update_of_an_accelerated_function(
    server: tuple[LocalServerHandle, _Backend],
) -> None:
    """The reported race: memory-only UpdateFunction on an ``_accelerated`` function, then
    InvokeFunction at once, answered 412 CAExited ('invalid digest in reference HOST/@')."""
    srv, backend = server
    async with srv.registry_client() as reg:
        digest, _ = await push_image(reg, "ns/app", "v1_accelerated")
    async with srv.signed_client() as http:
        await _create_active(http, _fn("acc", f"{srv.host}/ns/app:v1_accelerated"))
        for memory in (1024, 2048, 512, 1024, 4096):
            updated = await _update(http, "acc", {"memorySize": memory})
            # configuration only: in progress, no image optimization, digest kept
            assert updated["lastUpdateStatus"] == "InProgress"
            assert updated["lastUpdateStatusReasonCode"] == ""
            resolved = updated["customContainerConfig"]["resolvedImageUri"]
            assert resolved == f"{srv.host}/ns/app@{digest}"
            r = await _invoke(http, "acc")
            assert r.status_code == 200, r.text
            assert r.content == b"ok"
        assert {ran.digest for ran in backend.ran} == {digest}
        final = await _settled(http, "acc")
        assert final["memorySize"] == 4096
        assert final["customContainerConfig"]["resolvedImageUri"] == resolved
        r = await _invoke(http, "acc")
        assert r.status_code == 200
        assert backend.ran[-1] == _Ran(digest, "4096")


async def test_invocations_run_the_deployed_configuration_while_an_update_is_in_progress(
    server: tuple[LocalServerHandle, _Backend],
) -> None:
    srv, backend = server
    async with srv.registry_client() as reg:
        old, _ = await push_image(reg, "ns/web", "v1")
    async with srv.signed_client() as http:
        await _create_active(http, _fn("web", f"{srv.host}/ns/web:v1", memorySize=512))
        assert (await _invoke(http, "web")).status_code == 200
        assert backend.ran[-1] == _Ran(old, "512")
        # v2 is pushed into a repository with acceleration on: its twin is being converted
        # (held by the gate), so an update to v2 stays InProgress (ImageOptimizing)
        r = await http.post(
            "/",
            params={"InstanceId": "cri-local0000000001", "RepoNamespaceName": "ns"},
            headers={"x-acs-action": "ListRepository", "x-acs-version": "2018-12-01"},
        )
        repo_id = r.json()["Repositories"][0]["RepoId"]
        r = await http.post(
            "/",
            params={
                "InstanceId": "cri-local0000000001",
                "ScopeType": "REPOSITORY",
                "ScopeId": repo_id,
                "ArtifactType": "ACCELERATED_IMAGE",
            },
            headers={"x-acs-action": "CreateArtifactBuildRule", "x-acs-version": "2018-12-01"},
        )
        assert r.json()["IsSuccess"] is True, r.text
        async with srv.registry_client() as reg:
            new, _ = await push_image(reg, "ns/web", "v2")
        updated = await _update(
            http,
            "web",
            {"memorySize": 1024, "customContainerConfig": {"image": f"{srv.host}/ns/web:v2"}},
        )
        assert updated["lastUpdateStatus"] == "InProgress"
        assert updated["lastUpdateStatusReasonCode"] == "ImageOptimizing"
        for _ in range(3):
            doc = await _get(http, "web")
            assert doc["lastUpdateStatus"] == "InProgress", doc
            r = await _invoke(http, "web")
            assert r.status_code == 200, r.text
            assert backend.ran[-1] == _Ran(old, "512")  # the configuration before the update
        assert backend.stopped == []
        GATE.set()
        done = await asyncio.wait_for(_settled(http, "web"), 60)
        assert done["lastUpdateStatus"] == "Successful"
        assert done["customContainerConfig"]["resolvedImageUri"] == f"{srv.host}/ns/web@{new}"
        r = await _invoke(http, "web")
        assert r.status_code == 200
        assert backend.ran[-1] == _Ran(new, "1024")
        assert len(backend.stopped) == 1  # the old configuration's instance


async def test_a_failed_update_keeps_the_previous_configuration_serving(
    server: tuple[LocalServerHandle, _Backend],
) -> None:
    srv, backend = server
    async with srv.registry_client() as reg:
        digest, _ = await push_image(reg, "ns/app", "v1")
    async with srv.signed_client() as http:
        await _create_active(http, _fn("f", f"{srv.host}/ns/app:v1"))
        updated = await _update(
            http, "f", {"customContainerConfig": {"image": f"{srv.host}/ns/app:missing"}}
        )
        assert updated["lastUpdateStatusReasonCode"] == "ImageOptimizing"
        failed = await asyncio.wait_for(_settled(http, "f"), 60)
        assert failed["state"] == "Active"
        assert failed["lastUpdateStatus"] == "Failed"
        assert failed["lastUpdateStatusReasonCode"] == "ImageNotFound"
        r = await _invoke(http, "f")
        assert r.status_code == 200, r.text
        assert backend.ran[-1].digest == digest
        assert "_deployed" not in failed
        assert all(not k.startswith("_") for k in failed)


async def test_a_tag_overwritten_after_deployment_fails_the_function_until_redeployed(
    server: tuple[LocalServerHandle, _Backend],
) -> None:
    srv, backend = server
    image = f"{srv.host}/ns/app:v1"
    async with srv.registry_client() as reg:
        first, _ = await push_image(reg, "ns/app", "v1", {"a.txt": b"first"})
    async with srv.signed_client() as http:
        await _create_active(http, _fn("f", image))
        # a configuration-only update before the overwrite keeps the recorded digest
        await _update(http, "f", {"memorySize": 1024})
        assert (await _settled(http, "f"))["customContainerConfig"]["resolvedImageUri"] == (
            f"{srv.host}/ns/app@{first}"
        )
        assert (await _invoke(http, "f")).status_code == 200
        async with srv.registry_client() as reg:
            second, _ = await push_image(reg, "ns/app", "v1", {"a.txt": b"second"})
        doc = await _get(http, "f")
        assert doc["state"] == "Failed", doc
        assert doc["stateReasonCode"] == "ImageDigestChanged"
        assert second in doc["stateReason"]
        r = await _invoke(http, "f")
        assert (r.status_code, r.json()["Code"]) == (412, "FunctionNotActive")
        # deploying the image again records the new digest
        updated = await _update(http, "f", {"customContainerConfig": {"image": image}})
        assert updated["lastUpdateStatusReasonCode"] == "ImageOptimizing"
        done = await asyncio.wait_for(_settled(http, "f"), 60)
        assert (done["state"], done["lastUpdateStatus"]) == ("Active", "Successful")
        assert done["customContainerConfig"]["resolvedImageUri"] == f"{srv.host}/ns/app@{second}"
        r = await _invoke(http, "f")
        assert r.status_code == 200
        assert backend.ran[-1].digest == second


async def test_naming_the_deployed_image_again_optimizes_nothing(
    server: tuple[LocalServerHandle, _Backend],
) -> None:
    """An update that sends the image it already runs (as a console saving the whole
    configuration does) deploys no image when the tag still has the recorded digest."""
    srv, _backend = server
    async with srv.registry_client() as reg:
        await push_image(reg, "ns/app", "v1", {"a.txt": b"one"})
    async with srv.signed_client() as http:
        got = await _create_active(http, _fn("g", f"{srv.host}/ns/app:v1"))
        updated = await _update(
            http, "g", {"customContainerConfig": {"image": got["customContainerConfig"]["image"]}}
        )
        # same image, same digest: nothing to optimize
        assert updated["lastUpdateStatusReasonCode"] == ""
