"""The Local server's second stage of acceleration: after a tag's first conversion it records
the start-up profile itself (the twin started once over a lazy mount) and converts the tag
again in optimized order; ``/x-fcdesk/profiles`` shows it per tag, ``/x-fcdesk/profiles/record``
records again on request. Oracle for the optimized twin: zstd and tar list its layer."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.pull import fuse_available
from tests.core.emulator.helpers import fc_headers, push_image
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread

REPO = "demo/hello"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[LocalServerHandle]:
    assert fuse_available() is None
    srv = start_local_server_thread(tmp_path / "d", seed=True, auto_profile=True)
    try:
        yield srv
    finally:
        srv.stop()


async def _profile(http: httpx.AsyncClient, tag: str, *states: str) -> dict[str, Any]:
    """The tag's profile once its state is one of ``states`` (the test's timeout bounds it)."""
    while True:
        r = await http.get("/x-fcdesk/profiles", params={"repo": REPO})
        assert r.status_code == 200, r.text
        found = {p["tag"]: p for p in r.json()["profiles"]}
        if found.get(tag, {}).get("state") in states:
            return found[tag]
        await asyncio.sleep(0.1)


async def _latest_task(http: httpx.AsyncClient, trigger: str) -> dict[str, Any]:
    while True:
        r = await http.get("/x-fcdesk/tasks", params={"repo": REPO, "tag": "v1"})
        tasks = [t for t in r.json()["tasks"] if t["Trigger"] == trigger]
        if tasks and tasks[0]["TaskStatus"] in ("SUCCESS", "FAILED", "CANCELED"):
            return dict(tasks[0])
        await asyncio.sleep(0.1)


def _first_entries(blob: bytes, path: Path, count: int) -> list[str]:
    path.write_bytes(blob)
    listing = subprocess.run(
        f"zstd -dc {path} | tar -t", shell=True, check=True, capture_output=True, text=True
    ).stdout.split()
    return [n for n in listing if not n.endswith("/")][:count]


async def test_profile_recorded_after_first_conversion_then_optimized(
    seeded: LocalServerHandle, tmp_path: Path
) -> None:
    async with seeded.signed_client() as http:
        profile = await _profile(http, "v1", "RECORDED", "FAILED")
        assert profile["state"] == "RECORDED", profile
        assert profile["trigger"] in ("auto", "seed")
        assert profile["mode"] == "exec"
        assert profile["files"] > 10
        assert profile["bytes"] > 1_000_000
        assert profile["recordedAt"] > 0
        task = await _latest_task(http, "profile")
        assert task["TaskStatus"] == "SUCCESS", task
        info = (await http.get("/x-fcdesk/info")).json()
        assert info["profiler"]["auto"] is True
    async with seeded.registry_client() as reg:
        r = await reg.get(f"/v2/{REPO}/manifests/v1_accelerated", headers={"Accept": OCI_MANIFEST})
        manifest = r.json()
        assert manifest["annotations"]["io.github.fcdesk.accelerated.order"] == "optimized"
        runtime_layer = manifest["layers"][0]["digest"]
        blob = (await reg.get(f"/v2/{REPO}/blobs/{runtime_layer}")).content
    first = await asyncio.to_thread(_first_entries, blob, tmp_path / "layer.zst", 3)
    # start-up opens the interpreter first: the optimized layer starts with it
    assert any(name.lstrip("./").startswith("usr/bin/python3") for name in first), first


async def test_record_on_request_and_refusals(seeded: LocalServerHandle) -> None:
    async with seeded.signed_client() as http:
        first = await _profile(http, "v1", "RECORDED")
        r = await http.post("/x-fcdesk/profiles/record", json={"repo": REPO, "tag": "v1"})
        assert r.status_code == 202, r.text
        assert r.json()["state"] in ("QUEUED", "RECORDING")
        assert r.json()["tag"] == "v1"
        again = await _profile(http, "v1", "RECORDED")
        while again["updatedAt"] == first["updatedAt"]:
            again = await _profile(http, "v1", "RECORDED")
        assert again["trigger"] == "manual"
        assert again["recordedAt"] >= first["recordedAt"]

        for body, status, code in (
            ({"repo": REPO, "tag": "nope"}, 404, "TagNotFound"),
            ({"repo": REPO, "tag": "v1_accelerated"}, 400, "InvalidArgument"),
            ({"repo": REPO}, 400, "InvalidArgument"),
        ):
            r = await http.post("/x-fcdesk/profiles/record", json=body)
            assert r.status_code == status, r.text
            assert r.json()["Code"] == code
        async with seeded.registry_client() as reg:
            await push_image(reg, "ns/plain", "v1")  # no acceleration rule: no twin
        r = await http.post("/x-fcdesk/profiles/record", json={"repo": "ns/plain", "tag": "v1"})
        assert r.status_code == 409, r.text
        assert r.json()["Code"] == "TwinMissing"
        r = await http.get("/x-fcdesk/profiles", params={"repo": "ns/plain"})
        assert [(p["tag"], p["state"]) for p in r.json()["profiles"]] == [("v1", "NONE")]


async def test_no_recording_when_auto_profile_is_off(tmp_path: Path) -> None:
    srv = start_local_server_thread(tmp_path / "d", seed=True, auto_profile=False)
    try:
        async with srv.signed_client() as http:
            while True:  # the seeding's conversion of v1 ends
                r = await http.get("/x-fcdesk/tasks", params={"repo": REPO, "tag": "v1"})
                tasks = r.json()["tasks"]
                if tasks and tasks[0]["TaskStatus"] == "SUCCESS":
                    break
                await asyncio.sleep(0.1)
            r = await http.get("/x-fcdesk/profiles", params={"repo": REPO})
            body = r.json()
            assert body["auto"] is False
            assert {p["tag"]: p["state"] for p in body["profiles"]} == {"v1": "NONE"}
            # the Record action works all the same
            r = await http.post("/x-fcdesk/profiles/record", json={"repo": REPO, "tag": "v1"})
            assert r.status_code == 202, r.text
            profile = await _profile(http, "v1", "RECORDED", "FAILED")
            assert profile["state"] == "RECORDED", profile
    finally:
        srv.stop()


async def test_a_pushed_profile_is_used_and_never_converted(tmp_path: Path) -> None:
    from core.oci import Descriptor, Digest
    from core.pull import StartupProfile, profile_tag, push_profile
    from core.registry import RegistryClient
    from tests.core.emulator.helpers import acr

    srv = start_local_server_thread(tmp_path / "d", auto_profile=True)
    try:
        async with srv.signed_client() as http, srv.registry_client() as reg:
            files = {f"app/f{i}.txt": b"x" * 1000 * (i + 1) for i in range(6)}
            digest, _ = await push_image(reg, "ns/app", "v1", files)
            raw_size = len(
                (await reg.get("/v2/ns/app/manifests/v1", headers={"Accept": OCI_MANIFEST})).content
            )
            profile = StartupProfile.from_paths(["app/f5.txt", "app/f2.txt"], size=9000)
            async with RegistryClient(srv.host, credentials=srv.registry_auth) as client:
                await push_profile(
                    client,
                    "ns/app",
                    profile,
                    Descriptor(OCI_MANIFEST, Digest.parse(digest), raw_size),
                )
            repo = await acr(http, "GetRepository", RepoNamespaceName="ns", RepoName="app")
            rule = await acr(
                http,
                "CreateArtifactBuildRule",
                ScopeType="REPOSITORY",
                ScopeId=repo["RepoId"],
                ArtifactType="ACCELERATED_IMAGE",
            )
            assert rule["IsSuccess"], rule
            r = await http.post("/x-fcdesk/convert", json={"repo": "ns/app"})
            queued = r.json()["tasks"]
            # the profile's artifact tag is not an image: never converted
            assert [q["tag"] for q in queued if "taskId" in q] == ["v1"]
            assert profile_tag(digest) not in {q["tag"] for q in queued}
            task = await _latest_task_of(http, "ns/app", "v1")
            assert task["TaskStatus"] == "SUCCESS", task
            r = await reg.get(
                "/v2/ns/app/manifests/v1_accelerated", headers={"Accept": OCI_MANIFEST}
            )
            # converted with the pushed profile from the start: no recording needed
            assert r.json()["annotations"]["io.github.fcdesk.accelerated.order"] == "optimized"
            r = await http.get("/x-fcdesk/profiles", params={"repo": "ns/app"})
            (only,) = r.json()["profiles"]
            assert only["tag"] == "v1"
            assert only["state"] == "RECORDED"
            assert only["trigger"] == "pushed"
            assert only["files"] == 2
            assert only["bytes"] == 9000
            r = await http.get("/x-fcdesk/tasks", params={"repo": "ns/app"})
            assert len(r.json()["tasks"]) == 1  # one conversion: nothing recorded over it
    finally:
        srv.stop()


async def _latest_task_of(http: httpx.AsyncClient, repo: str, tag: str) -> dict[str, Any]:
    while True:
        r = await http.get("/x-fcdesk/tasks", params={"repo": repo, "tag": tag})
        tasks = r.json()["tasks"]
        if tasks and tasks[0]["TaskStatus"] in ("SUCCESS", "FAILED", "CANCELED"):
            return dict(tasks[0])
        await asyncio.sleep(0.1)


async def test_recording_starts_the_image_as_its_function_does(tmp_path: Path) -> None:
    from tests.core.emulator.helpers import fc_headers

    srv = start_local_server_thread(tmp_path / "d", seed=True, auto_profile=False)
    try:
        async with srv.signed_client() as http:
            await _latest_task_of(http, REPO, "v1")  # the seeding's conversion of v1
            # the demo app reads the configuration its environment names: a function that
            # points it at a file that is not JSON cannot start, and neither can the recording
            r = await http.put(
                "/2023-03-30/functions/demo-accelerated",
                json={"environmentVariables": {"DEMO_APP_CONFIG": "/etc/hosts"}},
                headers=fc_headers("UpdateFunction"),
            )
            assert r.status_code == 200, r.text
            r = await http.post("/x-fcdesk/profiles/record", json={"repo": REPO, "tag": "v1"})
            assert r.status_code == 202, r.text
            failed = await _profile(http, "v1", "RECORDED", "FAILED")
            assert failed["state"] == "FAILED", failed
            assert "FunctionNotStarted" in failed["reason"]
            r = await http.put(
                "/2023-03-30/functions/demo-accelerated",
                json={"environmentVariables": {"GREETING": "hi"}},
                headers=fc_headers("UpdateFunction"),
            )
            assert r.status_code == 200, r.text
            r = await http.post("/x-fcdesk/profiles/record", json={"repo": REPO, "tag": "v1"})
            assert r.status_code == 202, r.text
            done = await _profile(http, "v1", "RECORDED", "FAILED")
            while done["state"] == "FAILED":  # the queued state may not be seen yet
                done = await _profile(http, "v1", "RECORDED")
            assert done["files"] > 10
    finally:
        srv.stop()


async def test_the_demo_function_on_the_twin_follows_its_optimized_conversion(
    seeded: LocalServerHandle,
) -> None:
    """The seed deploys ``demo-accelerated`` on ``v1_accelerated`` while the first conversion
    runs; the server's second stage then writes the tag again (optimized order). The function
    is carried over to the new digest — it never goes Failed (it went ImageDigestChanged) —
    and answers on it."""
    name = "demo-accelerated"
    path = f"/2023-03-30/functions/{name}"
    async with seeded.signed_client() as http:
        seen: list[dict[str, Any]] = []

        async def watch() -> None:
            async with http.stream(
                "GET",
                "/x-fcdesk/events",
                params={
                    "format": "ndjson",
                    "since": "0",
                    "types": "function.state,function.redeploying,function.redeployed",
                },
                headers={"x-acs-action": "WatchEvents", "x-acs-version": "fcdesk-1"},
                timeout=None,
            ) as r:
                async for line in r.aiter_lines():
                    event = json.loads(line) if line.strip() else {}
                    if event.get("data", {}).get("functionName") == name:
                        seen.append(event)

        watcher = asyncio.create_task(watch())
        try:
            profile = await _profile(http, "v1", "RECORDED", "FAILED")
            assert profile["state"] == "RECORDED", profile
            task = await _latest_task(http, "profile")
            assert task["TaskStatus"] == "SUCCESS", task
            optimized = task["TargetDigest"]
            while True:
                r = await http.get(path, headers=fc_headers("GetFunction"))
                doc = r.json()
                if doc["lastUpdateStatus"] != "InProgress" and doc["state"] != "Pending":
                    break
                await asyncio.sleep(0.05)
            assert (doc["state"], doc["lastUpdateStatus"]) == ("Active", "Successful"), doc
            assert doc["customContainerConfig"]["resolvedImageUri"].endswith("@" + optimized)
            r = await http.post(
                f"{path}/invocations",
                content=b"{}",
                headers=fc_headers("InvokeFunction"),
            )
            assert r.status_code == 200, r.text
            assert r.json()["function"] == name
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
    states = [e["data"] for e in seen if e["type"] == "function.state"]
    assert [s for s in states if s["state"] == "Failed"] == [], states
    first_active = next(s for s in states if s["state"] == "Active")
    if not first_active["resolvedImageUri"].endswith("@" + optimized):
        # deployed on the preserve-order twin first: carried over by the server itself
        kinds = [e["type"] for e in seen]
        assert "function.redeploying" in kinds, kinds
        assert "function.redeployed" in kinds, kinds
