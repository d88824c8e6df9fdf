"""Helpers for Local server tests: push small images through the raw registry API."""

from __future__ import annotations

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
