"""Seeding without a Python environment to take libraries from (the packaged console): the
realistic demo image is built as ``runtime+assets`` (Debian's python3, the small app and bulk
data start-up never reads), converted in two stages and the demo functions switched to it."""

from __future__ import annotations

import asyncio
import base64
import os
import time
from pathlib import Path
from typing import Any

import pytest

from core.coldstart import exec_available
from tests.core.emulator.helpers import acr, fc_headers
from tests.fixtures.emulator import LocalServerHandle, start_local_server

pytestmark = pytest.mark.slow


def _bulk(root: Path, files: int, size: int) -> Path:
    root.mkdir(parents=True)
    for i in range(files):
        (root / f"blob-{i:02d}.bin").write_bytes(os.urandom(size))
    return root


async def _wait_seeded(server: LocalServerHandle, limit: float = 400) -> dict[str, Any]:
    deadline = time.monotonic() + limit
    async with server.signed_client() as http:
        while True:
            seed = (await http.get("/x-fcdesk/info")).json()["seed"]
            if seed is not None and seed.get("state") in ("finished", "failed"):
                return dict(seed)
            assert time.monotonic() < deadline, f"seeding did not end: {seed}"
            await asyncio.sleep(0.5)


async def test_realistic_stage_falls_back_to_runtime_and_assets(tmp_path: Path) -> None:
    fonts = _bulk(tmp_path / "assets" / "fonts", 4, 1 << 20)
    libs = _bulk(tmp_path / "assets" / "libs", 4, 1 << 20)
    server = start_local_server(
        tmp_path / "local",
        extra_args=("--seed", "medium"),
        env={
            "FCDESK_SEED_SITE_PACKAGES": "none",
            "FCDESK_SEED_ASSETS": f"{fonts}:{libs}:{tmp_path / 'absent'}",
        },
    )
    try:
        seed = await _wait_seeded(server)
        assert seed["state"] == "finished", seed
        assert seed["variant"] == "runtime+assets"
        assert seed["stage"] == "medium"
        async with server.signed_client() as http:
            repos = await acr(http, "ListRepository", RepoNamespaceName="demo")
            repo_id = next(
                r["RepoId"] for r in repos["Repositories"] if r["RepoName"] == "python-app"
            )
            tags = {t["Tag"] for t in (await acr(http, "ListRepoTag", RepoId=repo_id))["Images"]}
            assert {"v1", "v1_accelerated"} <= tags
            for name, tag in (("demo-plain", "v1"), ("demo-accelerated", "v1_accelerated")):
                r = await http.get(
                    f"/2023-03-30/functions/{name}", headers=fc_headers("GetFunction")
                )
                image = r.json()["customContainerConfig"]["image"]
                assert image.endswith(f"/demo/python-app:{tag}"), image
            rule = await acr(
                http,
                "GetArtifactBuildRule",
                ScopeType="REPOSITORY",
                ScopeId=repo_id,
                ArtifactType="ACCELERATED_IMAGE",
            )
        async with server.registry_client() as reg:
            r = await reg.get(
                "/v2/demo/python-app/manifests/v1",
                headers={"Accept": "application/vnd.oci.image.manifest.v1+json"},
            )
            layers = r.json()["layers"]
        # the bulk data is in the image (8 MiB of random bytes do not compress)
        assert sum(layer["size"] for layer in layers) > 8 << 20
        if exec_available() is None:
            # optimized conversion: the recorded start-up profile became the rule's priority file
            priority = base64.b64decode(rule["Parameters"]["PriorityFile"]).decode()
            assert "/app/server.py" in priority
            assert "blob-" not in priority

        # a later start does not seed again
        server.stop()
        server = server.restart(env=server.env)
        seed = await _wait_seeded(server, 60)
        assert seed == {"state": "finished"}
    finally:
        server.stop()


async def test_failure_is_kept_and_not_retried_forever(tmp_path: Path) -> None:
    server = start_local_server(
        tmp_path / "local",
        extra_args=("--seed", "medium"),
        env={"FCDESK_SEED_SITE_PACKAGES": "none", "FCDESK_SEED_ASSETS": str(tmp_path / "no")},
    )
    try:
        for attempt in (1, 2, 3):
            seed = await _wait_seeded(server)
            assert seed["state"] == "failed", seed
            assert "DemoSourcesMissing" in seed["reason"]
            assert seed["attempts"] == attempt
            assert seed["willRetry"] is (attempt < 3)
            server.stop()
            server = server.restart(env=server.env)
        seed = await _wait_seeded(server, 30)
        assert seed["state"] == "failed"
        assert seed["attempts"] == 3
        assert seed["willRetry"] is False
        assert "DemoSourcesMissing" in seed["reason"]
        # another kind asked for: tried again
        server.stop()
        server = start_local_server(
            server.data_dir, extra_args=("--seed", "bloated"), env=server.env
        )
        seed = await _wait_seeded(server)
        assert seed["state"] == "failed"
        assert seed["kind"] == "bloated"
        assert seed["attempts"] == 1
    finally:
        server.stop()
