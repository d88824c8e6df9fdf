"""The Local server's second stage of acceleration: after a tag's first conversion it records
the start-up profile itself (the twin started once over a lazy mount) and converts the tag
again in optimized order; ``/x-fcdesk/profiles`` shows it per tag, ``/x-fcdesk/profiles/record``
records again on request. Oracle for the optimized twin: zstd and tar list its layer."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.pull import fuse_available
from tests.core.emulator.helpers import push_image
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
