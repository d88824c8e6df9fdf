"""Third-party clients against the Local registry: skopeo pushes and pulls back; Debian's
podman pulls, and partially pulls, an ``_accelerated`` image the server converted."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.core.emulator.helpers import acr
from tests.fixtures.emulator import LocalServerHandle
from tests.fixtures.images import TestImage, write_layout

pytestmark = pytest.mark.integration


def _run(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 180) -> str:
    result = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert result.returncode == 0, f"{cmd[0]} failed: {result.stderr[-3000:]}"
    return result.stdout + result.stderr


def _creds(srv: LocalServerHandle) -> str:
    return f"{srv.access_key_id}:{srv.access_key_secret}"


async def test_skopeo_push_and_pull_back(
    local_server: LocalServerHandle, small_image: TestImage, tmp_path: Path
) -> None:
    srv = local_server
    write_layout(small_image, tmp_path / "src", tag="v1")
    dest = f"docker://{srv.host}/tools/skopeo:v1"
    await asyncio.to_thread(
        _run,
        [
            "skopeo",
            "copy",
            "--preserve-digests",
            "--dest-tls-verify=false",
            "--dest-creds",
            _creds(srv),
            f"oci:{tmp_path / 'src'}:v1",
            dest,
        ],
    )
    # without credentials the registry refuses
    refused = await asyncio.to_thread(
        subprocess.run,
        ["skopeo", "inspect", "--tls-verify=false", "--no-creds", dest],
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode != 0
    await asyncio.to_thread(
        _run,
        [
            "skopeo",
            "copy",
            "--preserve-digests",
            "--src-tls-verify=false",
            "--src-creds",
            _creds(srv),
            dest,
            f"oci:{tmp_path / 'back'}:v1",
        ],
    )
    src_index = json.loads((tmp_path / "src" / "index.json").read_text())
    back_index = json.loads((tmp_path / "back" / "index.json").read_text())
    assert src_index["manifests"][0]["digest"] == back_index["manifests"][0]["digest"]
    for blob in (tmp_path / "src" / "blobs" / "sha256").iterdir():
        copy = tmp_path / "back" / "blobs" / "sha256" / blob.name
        assert copy.read_bytes() == blob.read_bytes()
    tags = await asyncio.to_thread(
        _run,
        ["skopeo", "list-tags", "--tls-verify=false", "--creds", _creds(srv), dest[:-3]],
    )
    assert json.loads(tags[: tags.rindex("}") + 1])["Tags"] == ["v1"]


@pytest.mark.slow
async def test_podman_pulls_and_partially_pulls_accelerated(
    local_server: LocalServerHandle, small_image: TestImage, tmp_path: Path
) -> None:
    srv = local_server
    write_layout(small_image, tmp_path / "src", tag="v1")
    async with srv.signed_client() as http:
        await acr(http, "CreateNamespace", NamespaceName="tools")
        await acr(
            http,
            "CreateRepository",
            RepoNamespaceName="tools",
            RepoName="lazy",
            RepoType="PRIVATE",
            Summary="podman test",
        )
        repo = await acr(http, "GetRepository", RepoNamespaceName="tools", RepoName="lazy")
        await acr(
            http,
            "CreateArtifactBuildRule",
            ScopeType="REPOSITORY",
            ScopeId=repo["RepoId"],
            ArtifactType="ACCELERATED_IMAGE",
        )
    await asyncio.to_thread(
        _run,
        [
            "skopeo",
            "copy",
            "--dest-tls-verify=false",
            "--dest-creds",
            _creds(srv),
            f"oci:{tmp_path / 'src'}:v1",
            f"docker://{srv.host}/tools/lazy:v1",
        ],
    )
    async with srv.signed_client() as http:
        for _ in range(600):
            r = await http.get("/x-fcdesk/tasks", params={"repo": "tools/lazy"})
            tasks = r.json()["tasks"]
            if tasks and tasks[0]["TaskStatus"] in ("SUCCESS", "FAILED"):
                break
            await asyncio.sleep(0.1)
        assert tasks[0]["TaskStatus"] == "SUCCESS", tasks

    store = tmp_path / "podman"
    (store / "graph").mkdir(parents=True)
    # podman refuses run roots longer than 50 characters: use short temporary ones
    run_a = Path(tempfile.mkdtemp(prefix="fcpm-"))
    run_b = Path(tempfile.mkdtemp(prefix="fcpm-"))
    try:
        await _podman_checks(srv, store, run_a, run_b, tmp_path)
    finally:
        for run in (run_a, run_b):
            shutil.rmtree(run, ignore_errors=True)


async def _podman_checks(
    srv: LocalServerHandle, store: Path, run_a: Path, run_b: Path, tmp_path: Path
) -> None:
    conf = store / "storage.conf"
    conf.write_text(
        "[storage]\n"
        'driver = "overlay"\n'
        f'graphroot = "{store / "graph"}"\n'
        f'runroot = "{run_a}"\n'
        "[storage.options]\n"
        'pull_options = {enable_partial_images = "true", use_hard_links = "false", '
        'ostree_repos = ""}\n'
    )
    auth = store / "auth.json"
    token = base64.b64encode(_creds(srv).encode()).decode()
    auth.write_text(json.dumps({"auths": {srv.host: {"auth": token}}}))
    env = {"CONTAINERS_STORAGE_CONF": str(conf)}
    base = [
        "podman",
        "--root",
        str(store / "graph"),
        "--runroot",
        str(run_a),
        "--storage-driver",
        "overlay",
    ]
    out = await asyncio.to_thread(
        _run,
        [
            *base,
            "--log-level=debug",
            "pull",
            "--authfile",
            str(auth),
            "--tls-verify=false",
            f"{srv.host}/tools/lazy:v1_accelerated",
        ],
        env,
    )
    assert "Retrieved partial blob" in out, out[-4000:]
    assert "Failed to retrieve partial blob" not in out
    # and a plain (whole) pull of the same image works too, in a fresh store
    whole = tmp_path / "whole"
    (whole / "graph").mkdir(parents=True)
    out = await asyncio.to_thread(
        _run,
        [
            "podman",
            "--root",
            str(whole / "graph"),
            "--runroot",
            str(run_b),
            "--storage-driver",
            "vfs",
            "pull",
            "--authfile",
            str(auth),
            "--tls-verify=false",
            f"{srv.host}/tools/lazy:v1_accelerated",
        ],
    )
    images = await asyncio.to_thread(
        _run,
        [
            "podman",
            "--root",
            str(whole / "graph"),
            "--runroot",
            str(run_b),
            "--storage-driver",
            "vfs",
            "images",
            "--format",
            "{{.Repository}}:{{.Tag}}",
        ],
    )
    assert f"{srv.host}/tools/lazy:v1_accelerated" in images
