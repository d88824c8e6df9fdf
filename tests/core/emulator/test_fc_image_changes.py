"""What happens to deployed functions when their image changes under them, on a real Local
server (real registry, conversion worker and converter; a scripted instance backend records
which digest each invocation ran):

* the server re-converting an accelerated twin from the same source (the second stage of
  acceleration, or a forced conversion with a start-up profile) carries the functions on that
  twin over to the new digest: ``InProgress``/``ImageOptimizing`` → ``Successful``, the
  deployed configuration serving meanwhile, ``function.redeploying``/``redeployed`` events;
* anyone else overwriting the tag — a user's push, even of a twin converted from the same
  source, or a new push of the plain tag that the worker then converts — fails them
  (``ImageDigestChanged``) and they stay ``Failed`` until updated;
* deleting the image (tag, manifest or repository) fails them too (``ImageDeleted``)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.convert import ConvertOptions, Order, convert_image
from core.emulator._fc import FcApi
from core.emulator._runtime import HandleResponse, InstanceSpec, Phase
from core.registry import RegistryClient
from tests.core.emulator.helpers import (
    accelerate,
    acr,
    convert,
    fc_headers,
    finished_task,
    push_image,
)
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread

API = "/2023-03-30/functions"
FILES = {"a.txt": b"alpha " * 100, "b.txt": b"bravo " * 100, "c.txt": b"charlie " * 100}


@dataclass
class _Backend:
    """Instances that answer at once and record the image digest each request ran on."""

    ran: list[str] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)

    def info(self) -> dict[str, Any]:
        return {"mode": "scripted"}

    async def start(self, spec: InstanceSpec, on_phase: Callable[[Phase], None]) -> Any:
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
        self.backend.ran.append(self.spec.digest)
        return HandleResponse(200, {"content-type": "text/plain"}, b"ok", b"")

    async def stop(self) -> None:
        self.backend.stopped.append(self.instance_id)


class _Hold:
    """Once ``armed``, holds any preparation that carries a function over to a re-converted
    twin (the redeploy then stays InProgress until ``release``)."""

    def __init__(self) -> None:
        self.armed = False
        self.reached = threading.Event()
        self.release = threading.Event()


@pytest.fixture
def hold(monkeypatch: pytest.MonkeyPatch) -> _Hold:
    held = _Hold()
    original = FcApi._prepare

    async def prepare(self: FcApi, name: str) -> None:
        if held.armed and (await self._load(name)).get("_carry"):
            held.reached.set()
            await asyncio.to_thread(held.release.wait, 120)
        await original(self, name)

    monkeypatch.setattr(FcApi, "_prepare", prepare)
    return held


@pytest.fixture
def server(tmp_path: Path, hold: _Hold) -> Iterator[tuple[LocalServerHandle, _Backend]]:
    backend = _Backend()
    srv = start_local_server_thread(tmp_path / "d", instance_backend=backend, auto_profile=False)
    try:
        yield srv, backend
    finally:
        hold.release.set()
        srv.stop()


# -- helpers ---------------------------------------------------------------------------------


def _fn(name: str, image: str) -> dict[str, Any]:
    return {
        "functionName": name,
        "runtime": "custom-container",
        "handler": "index.handler",
        "customContainerConfig": {"image": image, "port": 9000},
    }


async def _get(http: httpx.AsyncClient, name: str) -> dict[str, Any]:
    r = await http.get(f"{API}/{name}", headers=fc_headers("GetFunction"))
    assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    return doc


async def _until(
    http: httpx.AsyncClient, name: str, ok: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    while True:
        doc = await _get(http, name)
        if ok(doc):
            return doc
        await asyncio.sleep(0.02)


def _settled(doc: dict[str, Any]) -> bool:
    return doc["state"] != "Pending" and doc["lastUpdateStatus"] != "InProgress"


async def _create_active(http: httpx.AsyncClient, name: str, image: str) -> dict[str, Any]:
    r = await http.post(API, json=_fn(name, image), headers=fc_headers("CreateFunction"))
    assert r.status_code == 200, r.text
    doc = await asyncio.wait_for(_until(http, name, _settled), 60)
    assert (doc["state"], doc["lastUpdateStatus"]) == ("Active", "Successful"), doc
    return doc


async def _invoke(http: httpx.AsyncClient, name: str) -> httpx.Response:
    return await http.post(
        f"{API}/{name}/invocations", content=b"{}", headers=fc_headers("InvokeFunction")
    )


async def _platform_lines(http: httpx.AsyncClient, name: str) -> list[dict[str, Any]]:
    """The platform's lines in the function's log (its Logs tab)."""
    r = await http.get(f"/x-fcdesk/functions/{name}/logs")
    assert r.status_code == 200, r.text
    return [line for line in r.json()["logs"] if line["stream"] == "platform"]


async def _tag_digest(srv: LocalServerHandle, repo: str, tag: str) -> str:
    async with srv.registry_client() as reg:
        r = await reg.head(
            f"/v2/{repo}/manifests/{tag}",
            headers={"Accept": "application/vnd.oci.image.manifest.v1+json"},
        )
    assert r.status_code == 200, r.text
    return r.headers["Docker-Content-Digest"]


@contextlib.asynccontextmanager
async def _events(http: httpx.AsyncClient) -> AsyncIterator[list[dict[str, Any]]]:
    """Function events published while the block runs, collected in order."""
    seen: list[dict[str, Any]] = []
    subscribed = asyncio.Event()

    async def watch() -> None:
        async with http.stream(
            "GET",
            "/x-fcdesk/events",
            params={"format": "ndjson"},
            headers={"x-acs-action": "WatchEvents", "x-acs-version": "fcdesk-1"},
            timeout=None,
        ) as r:
            async for line in r.aiter_lines():
                if not line.strip():
                    continue
                event = json.loads(line)
                if event.get("type") == "hello":
                    subscribed.set()
                elif str(event.get("type", "")).startswith("function."):
                    seen.append(event)

    watcher = asyncio.create_task(watch())
    waiter = asyncio.ensure_future(subscribed.wait())
    await asyncio.wait({watcher, waiter}, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if not subscribed.is_set():
        watcher.result()
    try:
        yield seen
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


async def _wait_event(seen: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    while True:
        for event in seen:
            if event["type"] == kind and event["data"].get("functionName") == name:
                return event
        await asyncio.sleep(0.02)


async def _accelerated_function(
    srv: LocalServerHandle, http: httpx.AsyncClient, name: str
) -> tuple[str, str]:
    """ns/app:v1 pushed, acceleration on, its twin converted (preserve order) and ``name``
    deployed on the twin; returns (source digest, twin digest)."""
    async with srv.registry_client() as reg:
        source, _ = await push_image(reg, "ns/app", "v1", FILES)
    await accelerate(http, "ns/app")
    await finished_task(http, await convert(http, "ns/app", "v1", force=False))
    twin = await _tag_digest(srv, "ns/app", "v1_accelerated")
    doc = await _create_active(http, name, f"{srv.host}/ns/app:v1_accelerated")
    assert doc["customContainerConfig"]["resolvedImageUri"] == f"{srv.host}/ns/app@{twin}"
    return source, twin


# -- the server's own re-conversion ----------------------------------------------------------


async def test_the_servers_reconversion_of_a_twin_carries_its_functions_over(
    server: tuple[LocalServerHandle, _Backend], hold: _Hold
) -> None:
    srv, backend = server
    async with srv.signed_client() as http:
        source, preserved = await _accelerated_function(srv, http, "acc")
        assert (await _invoke(http, "acc")).status_code == 200
        assert backend.ran == [preserved]
        # the image's start-up files become the rule's prefetch list, and the registry
        # converts the same source again, in optimized order
        await accelerate(http, "ns/app", ["/c.txt"])
        hold.armed = True
        async with _events(http) as seen:
            task_id = await convert(http, "ns/app", "v1", force=True)
            task = await finished_task(http, task_id)
            optimized = str(task["TargetDigest"])
            assert optimized != preserved
            assert task["SourceDigest"] == source
            redeploying = await asyncio.wait_for(
                _wait_event(seen, "function.redeploying", "acc"), 60
            )
            await asyncio.to_thread(hold.reached.wait, 60)
            # the function is being redeployed, not broken: invocations keep running on
            # the deployed twin
            doc = await _get(http, "acc")
            assert doc["state"] == "Active", doc
            assert doc["lastUpdateStatus"] == "InProgress"
            assert doc["lastUpdateStatusReasonCode"] == "ImageOptimizing"
            for _ in range(3):
                r = await _invoke(http, "acc")
                assert r.status_code == 200, r.text
            assert backend.ran == [preserved] * 4
            assert backend.stopped == []
            hold.release.set()
            done = await asyncio.wait_for(_until(http, "acc", _settled), 60)
            redeployed = await asyncio.wait_for(_wait_event(seen, "function.redeployed", "acc"), 60)
        assert (done["state"], done["lastUpdateStatus"]) == ("Active", "Successful")
        assert done["customContainerConfig"]["resolvedImageUri"] == f"{srv.host}/ns/app@{optimized}"
        for event in (redeploying, redeployed):
            assert event["data"]["cause"] == "image-reoptimized"
            assert event["data"]["previousDigest"] == preserved
            assert event["data"]["digest"] == optimized
        states = [e["data"] for e in seen if e["type"] == "function.state"]
        assert states, seen
        assert all(s["state"] == "Active" for s in states), states
        r = await _invoke(http, "acc")
        assert r.status_code == 200
        assert backend.ran[-1] == optimized
        assert len(backend.stopped) == 1  # the instance of the preserve-order twin
        lines = [line["message"] for line in await _platform_lines(http, "acc")]
        [began] = [i for i, m in enumerate(lines) if f"redeploying {preserved} -> {optimized}" in m]
        ended = lines.index(f"redeployed on {srv.host}/ns/app@{optimized}")
        stopped = [i for i, m in enumerate(lines) if m.endswith("stopped (updated)")]
        assert began < ended < stopped[0], lines


# -- anyone else overwriting the tag ---------------------------------------------------------


async def test_a_users_push_over_the_twin_fails_its_functions_even_from_the_same_source(
    server: tuple[LocalServerHandle, _Backend],
) -> None:
    """A twin converted from the same source, but by the user (as ``fcaccel convert --profile``
    does) and pushed over the tag, is an overwrite as FC documents it."""
    srv, backend = server
    async with srv.signed_client() as http:
        source, preserved = await _accelerated_function(srv, http, "acc")
        assert (await _invoke(http, "acc")).status_code == 200
        async with RegistryClient(srv.host, credentials=srv.registry_auth) as client:
            result = await convert_image(
                client,
                f"{srv.host}/ns/app@{source}",
                f"{srv.host}/ns/app:v1_accelerated",
                ConvertOptions(order=Order.OPTIMIZED, profile=("c.txt",)),
            )
        pushed = result.digest
        assert pushed != preserved
        doc = await _get(http, "acc")
        assert doc["state"] == "Failed", doc
        assert doc["stateReasonCode"] == "ImageDigestChanged"
        assert pushed in doc["stateReason"]
        assert preserved in doc["stateReason"]
        r = await _invoke(http, "acc")
        assert (r.status_code, r.json()["Code"]) == (412, "FunctionNotActive")
        assert len(backend.stopped) == 1
        lines = [line["message"] for line in await _platform_lines(http, "acc")]
        assert lines[-2].startswith("function failed (ImageDigestChanged): the image tag "), lines
        assert lines[-1].endswith("stopped (image-changed)"), lines


async def test_a_new_push_of_the_plain_tag_fails_functions_on_both_tags_until_updated(
    server: tuple[LocalServerHandle, _Backend],
) -> None:
    """The user pushes ``v1`` again: ``plain`` (on ``v1``) fails at once, ``acc`` (on the
    twin) when the worker overwrites the twin with the new image's conversion — and neither
    comes back by itself when that conversion ends (they did: the task's end prepared them
    again, on the new digest)."""
    srv, backend = server
    async with srv.signed_client() as http:
        _source, preserved = await _accelerated_function(srv, http, "acc")
        await _create_active(http, "plain", f"{srv.host}/ns/app:v1")
        async with srv.registry_client() as reg:
            new_source, _ = await push_image(reg, "ns/app", "v1", {"a.txt": b"new"})
        plain = await _get(http, "plain")
        assert (plain["state"], plain["stateReasonCode"]) == ("Failed", "ImageDigestChanged")
        r = await http.get("/x-fcdesk/tasks", params={"repo": "ns/app", "tag": "v1"})
        [task] = [t for t in r.json()["tasks"] if t["SourceDigest"] == new_source]
        done = await finished_task(http, str(task["BuildTaskId"]))
        new_twin = str(done["TargetDigest"])
        assert new_twin != preserved
        for name in ("acc", "plain"):
            doc = await _get(http, name)
            assert (doc["state"], doc["stateReasonCode"]) == ("Failed", "ImageDigestChanged")
            r = await _invoke(http, name)
            assert (r.status_code, r.json()["Code"]) == (412, "FunctionNotActive")
        assert backend.ran == []
        # an update with the image deploys the new twin
        r = await http.put(
            f"{API}/acc",
            json={"customContainerConfig": {"image": f"{srv.host}/ns/app:v1_accelerated"}},
            headers=fc_headers("UpdateFunction"),
        )
        assert r.status_code == 200, r.text
        doc = await asyncio.wait_for(_until(http, "acc", _settled), 60)
        assert (doc["state"], doc["lastUpdateStatus"]) == ("Active", "Successful")
        assert doc["customContainerConfig"]["resolvedImageUri"] == f"{srv.host}/ns/app@{new_twin}"
        assert (await _invoke(http, "acc")).status_code == 200
        assert backend.ran == [new_twin]


# -- deleting the image ----------------------------------------------------------------------


async def test_deleting_the_image_fails_the_functions_deployed_from_it(
    server: tuple[LocalServerHandle, _Backend],
) -> None:
    srv, backend = server
    host = srv.host
    async with srv.registry_client() as reg:
        await push_image(reg, "ns/app", "v1", {"a.txt": b"one"})
        second, _ = await push_image(reg, "ns/app", "v2", {"a.txt": b"two"})
        await push_image(reg, "ns/other", "v1", {"a.txt": b"other"})
        await push_image(reg, "ns/gone", "v1", {"a.txt": b"gone"})
    async with srv.signed_client() as http:
        for name, image in (
            ("by-tag", f"{host}/ns/app:v1"),
            ("by-digest", f"{host}/ns/app:v2"),
            ("acr-tag", f"{host}/ns/other:v1"),
            ("acr-repo", f"{host}/ns/gone:v1"),
            ("bystander", f"{host}/ns/app:v2"),
        ):
            await _create_active(http, name, image)
            assert (await _invoke(http, name)).status_code == 200

        async def failed(name: str, what: str) -> None:
            doc = await _get(http, name)
            assert (doc["state"], doc["stateReasonCode"]) == ("Failed", "ImageDeleted"), doc
            assert what in doc["stateReason"], doc["stateReason"]
            r = await _invoke(http, name)
            assert (r.status_code, r.json()["Code"]) == (412, "FunctionNotActive")

        async with srv.registry_client() as reg:
            r = await reg.delete("/v2/ns/app/manifests/v1")  # the tag
            assert r.status_code == 202, r.text
        await failed("by-tag", f"{host}/ns/app:v1 was deleted")
        assert (await _get(http, "bystander"))["state"] == "Active"

        async with srv.registry_client() as reg:
            r = await reg.delete(f"/v2/ns/app/manifests/{second}")  # the manifest
            assert r.status_code == 202, r.text
        await failed("by-digest", f"ns/app@{second} was deleted")
        await failed("bystander", second)

        done = await acr(http, "DeleteRepoTag", RepoNamespaceName="ns", RepoName="other", Tag="v1")
        assert done["IsSuccess"] is True, done
        await failed("acr-tag", f"{host}/ns/other:v1 was deleted")
        done = await acr(http, "DeleteRepository", RepoNamespaceName="ns", RepoName="gone")
        assert done["IsSuccess"] is True, done
        await failed("acr-repo", "repository ns/gone was deleted")
        assert len(backend.stopped) == 5  # every instance of a deleted image

        # pushing the image again does not revive the function; updating it does
        async with srv.registry_client() as reg:
            again, _ = await push_image(reg, "ns/app", "v1", {"a.txt": b"one again"})
        assert (await _get(http, "by-tag"))["state"] == "Failed"
        r = await http.put(
            f"{API}/by-tag",
            json={"customContainerConfig": {"image": f"{host}/ns/app:v1"}},
            headers=fc_headers("UpdateFunction"),
        )
        assert r.status_code == 200, r.text
        doc = await asyncio.wait_for(_until(http, "by-tag", _settled), 60)
        assert (doc["state"], doc["lastUpdateStatus"]) == ("Active", "Successful")
        assert doc["customContainerConfig"]["resolvedImageUri"] == f"{host}/ns/app@{again}"
        assert (await _invoke(http, "by-tag")).status_code == 200
        assert backend.ran[-1] == again
