"""Helpers for Local server tests: push small images through the raw registry API."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import tarfile
from typing import Any

import httpx

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def tar_layer(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


async def push_blob(http: httpx.AsyncClient, repo: str, data: bytes) -> str:
    digest = digest_of(data)
    r = await http.post(f"/v2/{repo}/blobs/uploads/", params={"digest": digest}, content=data)
    assert r.status_code == 201, r.text
    return digest


async def push_image(
    http: httpx.AsyncClient,
    repo: str,
    tag: str,
    files: dict[str, bytes] | None = None,
    *,
    annotations: dict[str, str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """Push a one-layer image (uncompressed tar layer); return (manifest digest, manifest)."""
    layer = tar_layer(files or {"hello.txt": b"hello " + tag.encode()})
    layer_digest = await push_blob(http, repo, layer)
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
            "config": {"Cmd": ["/bin/true"]},
        }
    ).encode()
    config_digest = await push_blob(http, repo, config)
    manifest: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": config_digest,
            "size": len(config),
        },
        "layers": [
            {
                "mediaType": "application/vnd.oci.image.layer.v1.tar",
                "digest": layer_digest,
                "size": len(layer),
                **({"annotations": annotations} if annotations else {}),
            }
        ],
    }
    raw = json.dumps(manifest).encode()
    r = await http.put(
        f"/v2/{repo}/manifests/{tag}", content=raw, headers={"Content-Type": OCI_MANIFEST}
    )
    assert r.status_code == 201, r.text
    return digest_of(raw), manifest


async def acr(http: httpx.AsyncClient, action: str, **params: Any) -> dict[str, Any]:
    """Call an ACR action as the SDK does (POST, parameters in the query)."""
    params.setdefault("InstanceId", "cri-local0000000001")
    r = await http.post(
        "/",
        params={k: str(v) for k, v in params.items()},
        headers={"x-acs-action": action, "x-acs-version": "2018-12-01"},
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def fc_headers(action: str) -> dict[str, str]:
    return {"x-acs-action": action, "x-acs-version": "2023-03-30"}


async def accelerate(http: httpx.AsyncClient, repo: str, priority: list[str] | None = None) -> None:
    """Acceleration on for ``repo`` (a repository-scope rule, replacing one that exists),
    with ``priority`` as the rule's ``PriorityFile`` (its start-up files, first)."""
    from core.cloud import encode_priority_file

    namespace, _, name = repo.partition("/")
    found = await acr(http, "GetRepository", RepoNamespaceName=namespace, RepoName=name)
    assert found.get("IsSuccess") is True, found
    scope = {"ScopeType": "REPOSITORY", "ScopeId": found["RepoId"]}
    await acr(http, "DeleteArtifactBuildRule", ArtifactType="ACCELERATED_IMAGE", **scope)
    parameters = {"PriorityFile": encode_priority_file(priority)} if priority else {}
    created = await acr(
        http,
        "CreateArtifactBuildRule",
        ArtifactType="ACCELERATED_IMAGE",
        Parameters=json.dumps(parameters),
        **scope,
    )
    assert created.get("IsSuccess") is True, created


async def convert(http: httpx.AsyncClient, repo: str, tag: str, *, force: bool = False) -> str:
    """Queue the conversion of ``repo:tag`` on the Local server; its task id."""
    r = await http.post("/x-fcdesk/convert", json={"repo": repo, "tags": [tag], "force": force})
    assert r.status_code == 200, r.text
    [queued] = r.json()["tasks"]
    assert "taskId" in queued, queued
    return str(queued["taskId"])


async def finished_task(http: httpx.AsyncClient, task_id: str) -> dict[str, Any]:
    """The task once it ended, which must be in SUCCESS (``TargetDigest`` is the twin's)."""
    while True:
        r = await http.get(f"/x-fcdesk/tasks/{task_id}")
        assert r.status_code == 200, r.text
        task: dict[str, Any] = r.json()
        if task["TaskStatus"] in ("SUCCESS", "FAILED", "CANCELED"):
            assert task["TaskStatus"] == "SUCCESS", task
            return task
        await asyncio.sleep(0.05)
