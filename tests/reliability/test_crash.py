"""Crash consistency: ``kill -9`` of ``fcaccel serve`` at many points of a push, a conversion,
a function update and an invocation, then a restart and an integrity check of the store.

Each point is a ``FCDESK_FAULT`` spec (see ``core.emulator._faults``): the server SIGKILLs
itself the N-th time execution reaches it. Every listed point must really be reached (the
server must die with -9). After the restart the store must pass `check_store` (sqlite sound,
every blob whole, every tag a whole manifest with all its blobs, every task finished or failed
with a reason once resumed, every function settled), and the interrupted operation must be
redoable by a client to a correct end state.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from core import RetryPolicy
from core.errors import CoreError
from core.oci import Digest
from core.pull._cache import ContentCache
from core.pull._lazy import LazyImage
from core.registry import RegistryClient
from tests.fixtures.emulator import LocalServerHandle, start_local_server
from tests.reliability._images import FAST_RETRY, BuiltImage, build_image
from tests.reliability._integrity import StoreReport, check_store
from tests.reliability.conftest import Recorder

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FC = "2023-03-30"
IMAGE = build_image(4242, layers=2, files_per_layer=3, file_size=300_000)


def _fc(action: str) -> dict[str, str]:
    return {"x-acs-action": action, "x-acs-version": FC}


async def _acr(http: httpx.AsyncClient, action: str, **params: Any) -> dict[str, Any]:
    params.setdefault("InstanceId", "cri-local0000000001")
    r = await http.post(
        "/",
        params={k: str(v) for k, v in params.items()},
        headers={"x-acs-action": action, "x-acs-version": "2018-12-01"},
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _client(srv: LocalServerHandle, *, retry: RetryPolicy = FAST_RETRY) -> RegistryClient:
    return RegistryClient(
        srv.url,
        credentials=srv.registry_auth,
        retry=retry,
        timeout=httpx.Timeout(10.0),
        upload_chunk_size=256 << 10,
    )


async def _push(client: RegistryClient, repo: str, image: BuiltImage, tag: str) -> None:
    """The first layer goes up in PATCH chunks, the rest in one PUT each; the tag last."""
    first, *rest = image.layers
    await client.push_blob(repo, first, digest=Digest.of_bytes(first), chunked=True)
    for blob in rest:
        await client.push_blob(repo, blob, digest=Digest.of_bytes(blob))
    await client.push_blob(repo, image.config.raw, digest=image.config.digest)
    await client.put_manifest(repo, image.manifest, tag)


async def _verify_image(srv: LocalServerHandle, repo: str, tag: str, image: BuiltImage) -> None:
    async with _client(srv) as client:
        got = await client.get_manifest(repo, tag)
        assert got.raw == image.manifest.raw
        for digest, data in image.blobs.items():
            assert await client.get_blob(repo, digest) == data


async def _settle(srv: LocalServerHandle, limit: float = 120.0) -> StoreReport:
    """Wait until every task and function left pending by the crash has finished."""
    deadline = time.monotonic() + limit
    while True:
        report = await asyncio.to_thread(check_store, srv.data_dir)
        if report.settled or time.monotonic() > deadline:
            return report
        await asyncio.sleep(0.3)


def _crash(srv: LocalServerHandle, timeout: float = 60.0) -> None:
    assert srv.process is not None
    try:
        rc = srv.process.wait(timeout)
    except Exception:
        srv.kill()
        raise
    assert rc == -9, f"the server was expected to die at the crash point, exit code {rc}"


def _leftovers(data_dir: Path) -> list[str]:
    """Mounts and processes that still refer to the data directory."""
    out: list[str] = []
    needle = str(data_dir)
    with open("/proc/mounts") as fh:
        out += [line.split()[1] for line in fh if needle in line]
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if needle in cmd:
            out.append(f"pid {pid}: {cmd[:200]}")
    return out


async def _run_point(
    base: Path,
    work: Path,
    spec: str,
    act: Callable[[LocalServerHandle], Awaitable[None]],
    wait: float = 5.0,
) -> LocalServerHandle:
    """Copy the base data dir, start with the fault armed, act until the server dies, restart."""
    data = work / "data"
    shutil.copytree(base, data, symlinks=True)
    srv = start_local_server(data, env={"FCDESK_FAULT": spec})
    try:
        # the server dies under the request: the client sees a connection error
        with contextlib.suppress(CoreError, httpx.HTTPError, AssertionError):
            await act(srv)
        await asyncio.to_thread(_crash, srv, wait)
    finally:
        srv.kill()
    for _ in range(50):  # helpers die with their owner (PR_SET_PDEATHSIG, --die-with-parent)
        if not _leftovers(data):
            break
        await asyncio.sleep(0.2)
    assert not _leftovers(data), "processes or mounts outlived the killed server"
    check_store(data).assert_ok()  # right after the crash, before any repair
    return start_local_server(data)


# -- push ---------------------------------------------------------------------------------------

# A sample of each kind of step (bench/reliability/run.py walks every write of the flows).
PUSH_POINTS = [
    "during-upload",
    "during-upload#3",
    "after-blob-write",
    "after-blob-write#4",
    "during-sqlite-write@upload",
    "during-sqlite-write@blob#3",
    "during-sqlite-write@tag",
    "during-sqlite-write#9",
]


@pytest.fixture(scope="module")
def empty_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory of a server that started once and stopped cleanly."""
    data = tmp_path_factory.mktemp("crash-empty") / "data"
    srv = start_local_server(data)
    srv.stop()
    return data


@pytest.mark.parametrize("spec", PUSH_POINTS)
async def test_crash_during_push(
    spec: str, empty_base: Path, tmp_path: Path, reliability: Recorder
) -> None:
    async def act(srv: LocalServerHandle) -> None:
        async with _client(srv, retry=RetryPolicy.none()) as client:
            await _push(client, "crash/push", IMAGE, "v1")

    srv = await _run_point(empty_base, tmp_path, spec, act)
    try:
        report = await _settle(srv)
        report.assert_ok()
        async with _client(srv) as client:  # the client pushes again: whole image, same digests
            await _push(client, "crash/push", IMAGE, "v1")
        await _verify_image(srv, "crash/push", "v1", IMAGE)
        check_store(srv.data_dir).assert_ok()
    finally:
        srv.stop()
    reliability.crash(spec, "push")


# -- conversion ---------------------------------------------------------------------------------

# A conversion in preserve order writes two layer blobs and the manifest (the config is
# unchanged, so it already exists); its task row is written when queued, when it starts and when
# it ends, with log lines in between.
CONVERT_POINTS = [
    "during-conversion",
    "after-blob-write#2",
    "during-sqlite-write@task",
    "during-sqlite-write@task#2",
    "during-sqlite-write@task-log",
    "during-sqlite-write@tag",
]


@pytest.fixture(scope="module")
def convert_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``crash/conv:v1`` pushed, an acceleration rule on the repository, no task yet."""
    data = tmp_path_factory.mktemp("crash-convert") / "data"
    srv = start_local_server(data)

    async def prepare() -> None:
        async with _client(srv) as client:
            await _push(client, "crash/conv", IMAGE, "v1")
        async with srv.signed_client() as http:
            repo = await _acr(http, "GetRepository", RepoNamespaceName="crash", RepoName="conv")
            await _acr(
                http,
                "CreateArtifactBuildRule",
                ScopeType="REPOSITORY",
                ScopeId=repo["RepoId"],
                ArtifactType="ACCELERATED_IMAGE",
            )

    try:
        asyncio.run(prepare())
    finally:
        srv.stop()
    return data


async def _convert(srv: LocalServerHandle) -> None:
    async with srv.signed_client() as http:
        r = await http.post("/x-fcdesk/convert", json={"repo": "crash/conv", "tags": ["v1"]})
        assert r.status_code == 200, r.text


@pytest.mark.parametrize("spec", CONVERT_POINTS)
async def test_crash_during_conversion(
    spec: str, convert_base: Path, tmp_path: Path, reliability: Recorder
) -> None:
    srv = await _run_point(convert_base, tmp_path, spec, _convert, wait=60)
    try:
        report = await _settle(srv)
        report.assert_ok()
        assert report.settled, f"tasks still pending: {report.pending_tasks}"
        assert sum(report.tasks.values()) <= 1
        # no task: the request that queues it died with the server (the client saw an error)
        outcome = next(iter(report.tasks), "NOT-QUEUED")
        if outcome != "SUCCESS":  # failed with a reason, or lost: a new request converts it
            await _convert(srv)
            report = await _settle(srv)
            report.assert_ok()
            assert report.tasks.get("SUCCESS") == 1, report.tasks
        # the twin is whole and lazily readable with verified content
        async with _client(srv) as client:
            image = await LazyImage.open(
                client, f"{srv.host}/crash/conv:v1_accelerated", cache=ContentCache(tmp_path / "c")
            )
            try:
                name, data = next(iter(IMAGE.files.items()))
                assert await image.read(name) == data
            finally:
                await image.aclose()
    finally:
        srv.stop()
    reliability.crash(spec, "conversion", first_outcome=outcome)


# -- function update and invocation (on the seeded demo) ---------------------------------------


@pytest.fixture
def seeded_base(seeded_data_dir: Path) -> Path:
    return seeded_data_dir


FUNCTION_POINTS = [
    "during-sqlite-write@nonce",
    "during-sqlite-write@function",
    "during-sqlite-write@function#2",
]


async def _update(srv: LocalServerHandle, value: str) -> None:
    async with srv.signed_client() as http:
        r = await http.put(
            f"/{FC}/functions/demo-plain",
            json={"environmentVariables": {"CRASH": value}, "memorySize": 1024},
            headers=_fc("UpdateFunction"),
        )
        assert r.status_code == 200, r.text


async def _function(srv: LocalServerHandle) -> dict[str, Any]:
    async with srv.signed_client() as http:
        r = await http.get(f"/{FC}/functions/demo-plain", headers=_fc("GetFunction"))
        assert r.status_code == 200, r.text
        doc: dict[str, Any] = r.json()
        return doc


@pytest.mark.parametrize("spec", FUNCTION_POINTS)
async def test_crash_during_function_update(
    spec: str, seeded_base: Path, tmp_path: Path, reliability: Recorder
) -> None:
    srv = await _run_point(seeded_base, tmp_path, spec, lambda s: _update(s, "one"), wait=60)
    try:
        report = await _settle(srv)
        report.assert_ok()
        assert report.settled, f"functions still preparing: {report.pending_functions}"
        doc = await _function(srv)
        assert doc["state"] == "Active"
        assert doc["lastUpdateStatus"] == "Successful"
        env = doc.get("environmentVariables") or {}
        # the update is all there or not at all
        applied = env.get("CRASH") == "one"
        assert applied == (doc["memorySize"] == 1024), doc
        await _update(srv, "two")
        report = await _settle(srv)
        report.assert_ok()
        doc = await _function(srv)
        assert (doc["environmentVariables"]["CRASH"], doc["lastUpdateStatus"]) == (
            "two",
            "Successful",
        )
    finally:
        srv.stop()
    reliability.crash(spec, "function-update", applied=applied)


INVOKE_POINTS = ["during-invoke", "during-sqlite-write@invocation"]


async def _invoke(srv: LocalServerHandle) -> httpx.Response:
    async with srv.signed_client(timeout=120) as http:
        return await http.post(
            f"/{FC}/functions/demo-plain/invocations",
            content=b'{"crash": true}',
            headers=_fc("InvokeFunction"),
        )


@pytest.mark.parametrize("spec", INVOKE_POINTS)
async def test_crash_during_invoke(
    spec: str, seeded_base: Path, tmp_path: Path, reliability: Recorder
) -> None:
    async def act(srv: LocalServerHandle) -> None:
        await _invoke(srv)

    srv = await _run_point(seeded_base, tmp_path, spec, act, wait=60)
    try:
        report = await _settle(srv)
        report.assert_ok()
        r = await _invoke(srv)
        assert r.status_code == 200, r.text
        assert r.headers["x-fc-cold-start"] == "true"
    finally:
        srv.stop()
    assert not _leftovers(srv.data_dir)
    reliability.crash(spec, "invoke")
