"""The Local registry at /v2/: OCI Distribution behaviour through raw HTTP."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest

from core.registry import parse_multipart_byteranges
from tests.core.emulator.helpers import OCI_MANIFEST, digest_of, push_blob, push_image
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread


def _blob_path(srv: LocalServerHandle, digest: str) -> Path:
    hexpart = digest.split(":", 1)[1]
    return srv.data_dir / "blobs" / "sha256" / hexpart[:2] / hexpart


async def test_anonymous_requests_are_challenged(local_server_thread: LocalServerHandle) -> None:
    srv = local_server_thread
    async with httpx.AsyncClient(base_url=srv.url) as http:
        r = await http.get("/v2/")
        assert r.status_code == 401
        challenge = r.headers["www-authenticate"]
        assert challenge.startswith("Bearer realm=")
        assert f'"{srv.url}/x-fcdesk/token"' in challenge
        r = await http.get("/v2/demo/app/tags/list")
        assert r.status_code == 401
        assert 'scope="repository:demo/app:pull"' in r.headers["www-authenticate"]
        assert r.json()["errors"][0]["code"] == "UNAUTHORIZED"
        # wrong password, then the token dance with the right one
        r = await http.get("/x-fcdesk/token", auth=(srv.access_key_id, "wrong"))
        assert r.status_code == 401
        r = await http.get(
            "/x-fcdesk/token",
            params={"service": "fcdesk-local", "scope": "repository:demo/app:pull,push"},
            auth=srv.registry_auth,
        )
        assert r.status_code == 200
        token = r.json()["token"]
        r = await http.get("/v2/", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
        assert r.headers["docker-distribution-api-version"] == "registry/2.0"
        r = await http.get("/v2/", headers={"Authorization": f"Bearer {token}x"})
        assert r.status_code == 401
        # the OAuth2 password grant on the /token alias
        r = await http.post(
            "/token",
            data={
                "grant_type": "password",
                "username": srv.access_key_id,
                "password": srv.access_key_secret,
                "service": "fcdesk-local",
                "scope": "repository:demo/app:pull",
            },
        )
        assert r.status_code == 200
        r = await http.get("/v2/", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
        assert r.status_code == 200


async def test_anonymous_pull_when_enabled(tmp_path: Path) -> None:
    srv = start_local_server_thread(tmp_path / "d", anonymous_pull=True)
    try:
        async with srv.registry_client() as reg:
            await push_image(reg, "pub/app", "v1")
        async with httpx.AsyncClient(base_url=srv.url) as anon:
            assert (await anon.get("/v2/pub/app/manifests/v1")).status_code == 200
            r = await anon.post("/v2/pub/app/blobs/uploads/")
            assert r.status_code == 401  # pull-only
    finally:
        srv.stop()


async def test_chunked_resumable_upload(local_server_thread: LocalServerHandle) -> None:
    srv = local_server_thread
    data = os.urandom(300_000)
    digest = digest_of(data)
    async with srv.registry_client() as reg:
        r = await reg.post("/v2/ns/chunky/blobs/uploads/")
        assert r.status_code == 202
        location = r.headers["location"]
        assert r.headers["range"] == "0-0"
        r = await reg.patch(
            location,
            content=data[:100_000],
            headers={"Content-Range": "0-99999", "Content-Type": "application/octet-stream"},
        )
        assert r.status_code == 202
        assert r.headers["range"] == "0-99999"
        # a chunk that does not start at the current offset is refused with the offset
        r = await reg.patch(
            location, content=data[200_000:], headers={"Content-Range": "200000-299999"}
        )
        assert r.status_code == 416
        assert r.headers["range"] == "0-99999"
        # resumable: ask where we are, then go on
        r = await reg.get(location)
        assert r.status_code == 204
        assert r.headers["range"] == "0-99999"
        r = await reg.patch(location, content=data[100_000:250_000])
        assert r.status_code == 202
        r = await reg.put(location, params={"digest": digest}, content=data[250_000:])
        assert r.status_code == 201
        assert r.headers["docker-content-digest"] == digest
        r = await reg.head(f"/v2/ns/chunky/blobs/{digest}")
        assert r.status_code == 200
        assert r.headers["content-length"] == str(len(data))
        r = await reg.get(f"/v2/ns/chunky/blobs/{digest}")
        assert r.content == data
        # the session is gone
        assert (await reg.get(location)).status_code == 404


async def test_digest_mismatch_is_refused_and_nothing_stored(
    local_server_thread: LocalServerHandle,
) -> None:
    srv = local_server_thread
    async with srv.registry_client() as reg:
        wrong = digest_of(b"other")
        r = await reg.post("/v2/ns/x/blobs/uploads/", params={"digest": wrong}, content=b"data")
        assert r.status_code == 400
        assert r.json()["errors"][0]["code"] == "DIGEST_INVALID"
        assert (await reg.head(f"/v2/ns/x/blobs/{wrong}")).status_code == 404
        r = await reg.post("/v2/ns/x/blobs/uploads/", params={"digest": "md5:abc"}, content=b"x")
        assert r.status_code == 400
    assert not _blob_path(srv, wrong).exists()


async def test_cross_repository_mount(local_server_thread: LocalServerHandle) -> None:
    srv = local_server_thread
    async with srv.registry_client() as reg:
        digest = await push_blob(reg, "ns/a", b"shared layer")
        assert (await reg.head(f"/v2/ns/b/blobs/{digest}")).status_code == 404
        r = await reg.post("/v2/ns/b/blobs/uploads/", params={"mount": digest, "from": "ns/a"})
        assert r.status_code == 201
        assert r.headers["location"] == f"/v2/ns/b/blobs/{digest}"
        assert (await reg.get(f"/v2/ns/b/blobs/{digest}")).content == b"shared layer"
        # an unknown source falls back to a plain upload session
        r = await reg.post(
            "/v2/ns/c/blobs/uploads/", params={"mount": digest_of(b"nope"), "from": "ns/a"}
        )
        assert r.status_code == 202


async def test_manifest_rules(local_server_thread: LocalServerHandle) -> None:
    srv = local_server_thread
    async with srv.registry_client() as reg:
        digest, manifest = await push_image(reg, "ns/app", "v1")
        r = await reg.get("/v2/ns/app/manifests/v1")
        assert r.status_code == 200
        assert r.headers["docker-content-digest"] == digest
        assert r.headers["content-type"] == OCI_MANIFEST
        assert digest_of(r.content) == digest
        head = await reg.head(f"/v2/ns/app/manifests/{digest}")
        assert head.status_code == 200
        assert head.headers["content-length"] == str(len(r.content))
        # a manifest referring to a blob that is not in the repository
        bad = dict(manifest)
        bad["layers"] = [dict(manifest["layers"][0], digest=digest_of(b"missing"))]
        r = await reg.put(
            "/v2/ns/app/manifests/v2",
            content=json.dumps(bad).encode(),
            headers={"Content-Type": OCI_MANIFEST},
        )
        assert r.status_code == 400
        assert r.json()["errors"][0]["code"] == "MANIFEST_BLOB_UNKNOWN"
        # push by digest must match
        r = await reg.put(
            f"/v2/ns/app/manifests/{digest_of(b'x')}",
            content=json.dumps(manifest).encode(),
            headers={"Content-Type": OCI_MANIFEST},
        )
        assert r.status_code == 400
        r = await reg.put(
            "/v2/ns/app/manifests/v3", content=b"{not json", headers={"Content-Type": OCI_MANIFEST}
        )
        assert r.json()["errors"][0]["code"] == "MANIFEST_INVALID"
        assert (await reg.get("/v2/ns/app/manifests/nope")).status_code == 404
        assert (await reg.get("/v2/onlyone/manifests/v1")).json()["errors"][0]["code"] == (
            "NAME_INVALID"
        )


async def test_tags_and_catalog_pagination(local_server_thread: LocalServerHandle) -> None:
    srv = local_server_thread
    async with srv.registry_client() as reg:
        for tag in ["c", "a", "b", "d"]:
            await push_image(reg, "ns/paged", tag)
        await push_image(reg, "ns/other", "x")
        r = await reg.get("/v2/ns/paged/tags/list", params={"n": 2})
        assert r.json() == {"name": "ns/paged", "tags": ["a", "b"]}
        link = r.headers["link"]
        assert link == '</v2/ns/paged/tags/list?n=2&last=b>; rel="next"'
        r = await reg.get(link[1 : link.index(">")])
        assert r.json()["tags"] == ["c", "d"]
        assert "link" not in r.headers
        r = await reg.get("/v2/ns/paged/tags/list")
        assert r.json()["tags"] == ["a", "b", "c", "d"]
        r = await reg.get("/v2/_catalog", params={"n": 1})
        assert r.json() == {"repositories": ["ns/other"]}
        assert "last=ns%2Fother" in r.headers["link"]
        r = await reg.get("/v2/_catalog", params={"n": 1, "last": "ns/other"})
        assert r.json() == {"repositories": ["ns/paged"]}
        assert (await reg.get("/v2/ns/none/tags/list")).status_code == 404


async def test_delete_manifest_tag_and_blob(local_server_thread: LocalServerHandle) -> None:
    srv = local_server_thread
    async with srv.registry_client() as reg:
        digest, manifest = await push_image(reg, "ns/del", "v1")
        await push_image(reg, "ns/del", "v2")
        assert (await reg.delete("/v2/ns/del/manifests/v2")).status_code == 202
        assert (await reg.get("/v2/ns/del/tags/list")).json()["tags"] == ["v1"]
        assert (await reg.delete(f"/v2/ns/del/manifests/{digest}")).status_code == 202
        assert (await reg.get("/v2/ns/del/manifests/v1")).status_code == 404
        layer = manifest["layers"][0]["digest"]
        assert (await reg.delete(f"/v2/ns/del/blobs/{layer}")).status_code == 202
        assert (await reg.get(f"/v2/ns/del/blobs/{layer}")).status_code == 404
        assert (await reg.delete(f"/v2/ns/del/blobs/{layer}")).status_code == 404


async def test_blob_ranges(local_server_thread: LocalServerHandle) -> None:
    srv = local_server_thread
    data = bytes(range(256)) * 40  # 10240 bytes
    async with srv.registry_client() as reg:
        digest = await push_blob(reg, "ns/ranges", data)
        url = f"/v2/ns/ranges/blobs/{digest}"
        r = await reg.get(url, headers={"Range": "bytes=100-199"})
        assert r.status_code == 206
        assert r.content == data[100:200]
        assert r.headers["content-range"] == f"bytes 100-199/{len(data)}"
        assert r.headers["docker-content-digest"] == digest
        r = await reg.get(url, headers={"Range": "bytes=-48"})
        assert r.status_code == 206
        assert r.content == data[-48:]
        r = await reg.get(url, headers={"Range": "bytes=10000-"})
        assert r.content == data[10000:]
        r = await reg.get(url, headers={"Range": "bytes=2000-999999"})
        assert r.content == data[2000:]
        r = await reg.get(url, headers={"Range": "bytes=0-9,5000-5009,-5"})
        assert r.status_code == 206
        assert r.headers["content-type"].startswith("multipart/byteranges; boundary=")
        boundary = r.headers["content-type"].split("boundary=", 1)[1]
        parts = parse_multipart_byteranges(r.content, boundary)
        assert [(p.first, p.data) for p in parts] == [
            (0, data[0:10]),
            (5000, data[5000:5010]),
            (len(data) - 5, data[-5:]),
        ]
        for bad in ("bytes=20000-", "bytes=500-0", "bytes=abc"):
            r = await reg.get(url, headers={"Range": bad})
            assert r.status_code == 416, bad
            assert r.headers["content-range"] == f"bytes */{len(data)}"
        r = await reg.get(url, headers={"Range": "items=0-1"})
        assert r.status_code == 200
        assert r.content == data


async def test_corrupt_blob_on_disk_is_never_served(tmp_path: Path) -> None:
    data_dir = tmp_path / "d"
    srv = start_local_server_thread(data_dir)
    try:
        async with srv.registry_client() as reg:
            digest, manifest = await push_image(reg, "ns/rot", "v1", {"f": b"x" * 5000})
            layer = manifest["layers"][0]["digest"]
    finally:
        srv.stop()
    path = _blob_path(srv, layer)
    raw = bytearray(path.read_bytes())
    raw[100] ^= 0xFF
    path.write_bytes(bytes(raw))
    srv = start_local_server_thread(data_dir)
    try:
        async with srv.registry_client() as reg:
            r = await reg.get(f"/v2/ns/rot/blobs/{layer}")
            assert r.status_code == 404
            assert r.json()["errors"][0]["code"] == "BLOB_UNKNOWN"
            assert not path.exists()
            assert any((data_dir / "quarantine").iterdir())
            # the manifest itself is intact and still served; re-pushing the layer heals it
            assert (await reg.get(f"/v2/ns/rot/manifests/{digest}")).status_code == 200
    finally:
        srv.stop()


@pytest.mark.parametrize("name", ["UPPER/case", "a//b", "-bad/x"])
async def test_invalid_names(local_server_thread: LocalServerHandle, name: str) -> None:
    async with local_server_thread.registry_client() as reg:
        r = await reg.get(f"/v2/{name}/tags/list")
        assert r.status_code in (400, 404)
