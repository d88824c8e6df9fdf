"""The hostile corpus against the Local server.

* Its registry stores layers as opaque blobs (as every registry does), so hostile *layers* are
  accepted by a push; its conversion worker refuses them: the task ends FAILED with the
  converter's error as its reason and no ``_accelerated`` tag appears. Inputs the converter
  accepts by policy are converted (SUCCESS, whole twin).
* Hostile *registry requests* are refused with Distribution error codes: manifests naming
  missing blobs or manifests, digests that do not match, oversized or malformed manifests,
  traversal in repository names, digests and upload ids, lying upload ranges, absurd Range
  headers; a blob damaged on disk is never served.
* A function whose image is hostile fails its cold start with a clear error and writes nothing
  outside its instance directory.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.oci import (
    OCI_LAYER_GZIP,
    OCI_LAYER_ZSTD,
    OCI_MANIFEST,
    Descriptor,
    Digest,
    ImageConfig,
    Manifest,
)
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread
from tests.reliability._corpus import (
    CASES,
    Case,
    bomb_layer,
    canary_state,
    compress,
    make_canary,
    raw_tar,
)
from tests.reliability._integrity import check_store
from tests.reliability.conftest import Recorder

pytestmark = pytest.mark.integration

FCV = "2023-03-30"
INSTANCE = "cri-local0000000001"


async def _acr(http: httpx.AsyncClient, action: str, **params: Any) -> dict[str, Any]:
    params.setdefault("InstanceId", INSTANCE)
    r = await http.post(
        "/",
        params={k: str(v) for k, v in params.items()},
        headers={"x-acs-action": action, "x-acs-version": "2018-12-01"},
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def _push_blob(http: httpx.AsyncClient, repo: str, data: bytes) -> str:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    r = await http.post(f"/v2/{repo}/blobs/uploads/", params={"digest": digest}, content=data)
    assert r.status_code == 201, r.text
    return digest


async def _push_layers(
    http: httpx.AsyncClient, repo: str, tag: str, layers: list[tuple[bytes, str, str]]
) -> str:
    """``(blob, media_type, diff_id)`` layers, a config and a manifest tagged ``tag``."""
    descs = []
    for blob, media, _ in layers:
        digest = await _push_blob(http, repo, blob)
        descs.append(Descriptor(media, Digest.parse(digest), len(blob)))
    config = ImageConfig.build(diff_ids=[Digest.parse(d) for *_, d in layers])
    await _push_blob(http, repo, config.raw)
    manifest = Manifest.build(config.descriptor(), descs)
    r = await http.put(
        f"/v2/{repo}/manifests/{tag}", content=manifest.raw, headers={"Content-Type": OCI_MANIFEST}
    )
    assert r.status_code == 201, r.text
    return str(manifest.digest)


def _diff(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


# -- conversions of hostile images ------------------------------------------------------------


def _repo_name(case: str) -> str:
    return "hostile/" + case.replace("_", "-")


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    """Every corpus case (and a zstd bomb) pushed under a namespace with acceleration on;
    the outcome of each conversion task, by case name."""
    root = tmp_path_factory.mktemp("hostile-server")
    srv = start_local_server_thread(root / "data")
    canary = make_canary(root)
    before = canary_state(canary)

    async def run() -> dict[str, dict[str, Any]]:
        async with srv.registry_client() as reg:
            await _push_layers(
                reg,
                "hostile/benign",
                "v0",
                [(compress(raw_tar([]), "gzip"), OCI_LAYER_GZIP, _diff(raw_tar([])))],
            )
        async with srv.signed_client() as http:
            ns = await _acr(http, "GetNamespace", NamespaceName="hostile")
            await _acr(
                http,
                "CreateArtifactBuildRule",
                ScopeType="NAMESPACE",
                ScopeId=ns["NamespaceId"],
                ArtifactType="ACCELERATED_IMAGE",
            )
        async with srv.registry_client() as reg:
            for case in CASES:
                layers = []
                for layer in case.layers(canary):
                    raw = raw_tar(layer)
                    layers.append((compress(raw, "gzip"), OCI_LAYER_GZIP, _diff(raw)))
                await _push_layers(reg, _repo_name(case.name), "v1", layers)
            bomb = bomb_layer("zstd", 4 << 30)
            await _push_layers(
                reg, "hostile/zstd-bomb", "v1", [(bomb, OCI_LAYER_ZSTD, "sha256:" + "0" * 64)]
            )
        outcomes: dict[str, dict[str, Any]] = {}
        deadline = time.monotonic() + 240
        async with srv.signed_client() as http:
            while time.monotonic() < deadline:
                r = await http.get("/x-fcdesk/tasks", params={"limit": "500"})
                tasks = [
                    t
                    for t in r.json()["tasks"]
                    if t["Repo"].startswith("hostile/") and t["Repo"] != "hostile/benign"
                ]
                if len(tasks) == len(CASES) + 1 and all(
                    t["TaskStatus"] in ("SUCCESS", "FAILED", "CANCELED") for t in tasks
                ):
                    break
                await asyncio.sleep(0.3)
            for t in tasks:
                tags = (await http.get("/x-fcdesk/tasks/" + t["BuildTaskId"])).json()
                outcomes[t["Repo"]] = {**t, **tags}
            async with srv.registry_client() as reg:
                for repo, out in outcomes.items():
                    r = await reg.get(f"/v2/{repo}/tags/list")
                    out["tags"] = r.json()["tags"]
        return outcomes

    try:
        result = asyncio.run(run())
        assert canary_state(canary) == before
        report = check_store(srv.data_dir)
        report.assert_ok()
        yield result
    finally:
        srv.stop()


@pytest.mark.slow
@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_conversion_worker(
    case: Case, converted: dict[str, dict[str, Any]], reliability: Recorder
) -> None:
    out = converted[_repo_name(case.name)]
    expected = case.expect["convert"]
    if expected == "policy":
        assert out["TaskStatus"] == "SUCCESS", out
        assert sorted(out["tags"]) == ["v1", "v1_accelerated"]
        outcome = "policy"
    else:
        assert out["TaskStatus"] == "FAILED", out
        reason = out.get("Reason") or out.get("reason") or json.dumps(out)
        assert ("UnsafeContent" if expected == "unsafe" else "ConvertError") in reason, reason
        assert out["tags"] == ["v1"], "no _accelerated tag for a refused image"
        outcome = "refused"
    reliability.hostile(case.name, "server-conversion", outcome, out["TaskStatus"])


@pytest.mark.slow
def test_conversion_worker_refuses_bomb(
    converted: dict[str, dict[str, Any]], reliability: Recorder
) -> None:
    out = converted["hostile/zstd-bomb"]
    assert out["TaskStatus"] == "FAILED", out
    assert "bomb" in json.dumps(out), out
    assert out["tags"] == ["v1"]
    reliability.hostile("zstd-bomb", "server-conversion", "refused", "FAILED")


# -- hostile registry requests ----------------------------------------------------------------


@pytest.fixture
def srv(local_server_thread: LocalServerHandle) -> LocalServerHandle:
    return local_server_thread


def _errors(r: httpx.Response) -> str:
    body = r.json()
    if "errors" in body:
        return str(body["errors"][0]["code"])
    return str(body.get("Code"))


async def _raw(
    srv: LocalServerHandle, method: str, target: str, body: bytes = b""
) -> tuple[int, bytes]:
    """Send a request line exactly as written (no client-side path normalisation)."""
    host, port = srv.host.rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    creds = base64.b64encode(f"{srv.access_key_id}:{srv.access_key_secret}".encode()).decode()
    head = (
        f"{method} {target} HTTP/1.1\r\nHost: {srv.host}\r\nAuthorization: Basic {creds}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode() + body)
    await writer.drain()
    data = await reader.read()
    writer.close()
    await writer.wait_closed()
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[-1]


async def test_manifest_naming_missing_blobs_is_refused(
    srv: LocalServerHandle, reliability: Recorder
) -> None:
    async with srv.registry_client() as reg:
        config = ImageConfig.build(diff_ids=[])
        await _push_blob(reg, "bad/app", config.raw)
        ghost = Descriptor(OCI_LAYER_GZIP, Digest.of_bytes(b"never uploaded"), 14)
        for name, manifest in {
            "missing-layer": Manifest.build(config.descriptor(), [ghost]),
            "missing-config": Manifest.build(
                Descriptor(config.media_type, Digest.of_bytes(b"no"), 2), []
            ),
        }.items():
            r = await reg.put(
                "/v2/bad/app/manifests/t",
                content=manifest.raw,
                headers={"Content-Type": OCI_MANIFEST},
            )
            assert r.status_code == 400
            assert _errors(r) == "MANIFEST_BLOB_UNKNOWN"
            reliability.hostile(f"manifest-{name}", "server-registry", "refused", _errors(r))
        index = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                {"mediaType": OCI_MANIFEST, "digest": str(Digest.of_bytes(b"m")), "size": 1}
            ],
        }
        r = await reg.put(
            "/v2/bad/app/manifests/idx",
            content=json.dumps(index).encode(),
            headers={"Content-Type": "application/vnd.oci.image.index.v1+json"},
        )
        assert r.status_code == 400
        assert _errors(r) == "MANIFEST_UNKNOWN"
        reliability.hostile("index-missing-manifest", "server-registry", "refused", _errors(r))
        assert (await reg.get("/v2/bad/app/tags/list")).json()["tags"] == []


BAD_MANIFESTS: dict[str, tuple[bytes, str, int, set[str]]] = {
    "not-json": (b"{nope", OCI_MANIFEST, 400, {"MANIFEST_INVALID"}),
    "wrong-schema": (b'{"schemaVersion":1,"layers":[]}', OCI_MANIFEST, 400, {"MANIFEST_INVALID"}),
    "unknown-media-type": (
        b'{"schemaVersion":2,"config":{}}',
        "application/x-evil",
        400,
        {"MANIFEST_INVALID"},
    ),
    "bad-descriptor": (
        json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "config": {"digest": "sha256:../../etc", "size": -1},
                "layers": [],
            }
        ).encode(),
        OCI_MANIFEST,
        400,
        {"MANIFEST_INVALID"},
    ),
    "oversized": (b" " * (5 << 20), OCI_MANIFEST, 413, {"SIZE_INVALID"}),
}


@pytest.mark.parametrize("name", sorted(BAD_MANIFESTS))
async def test_bad_manifest_is_refused(
    srv: LocalServerHandle, name: str, reliability: Recorder
) -> None:
    body, media, status, codes = BAD_MANIFESTS[name]
    async with srv.registry_client() as reg:
        r = await reg.put("/v2/bad/man/manifests/t", content=body, headers={"Content-Type": media})
        assert r.status_code == status, r.text
        assert _errors(r) in codes
        assert (await reg.get("/v2/bad/man/manifests/t")).status_code == 404
    reliability.hostile(f"manifest-{name}", "server-registry", "refused", _errors(r))


async def test_digest_mismatches_are_refused(srv: LocalServerHandle, reliability: Recorder) -> None:
    data = os.urandom(5000)
    claimed = str(Digest.of_bytes(b"something else"))
    async with srv.registry_client() as reg:
        r = await reg.post("/v2/bad/dig/blobs/uploads/", params={"digest": claimed}, content=data)
        assert (r.status_code, _errors(r)) == (400, "DIGEST_INVALID")
        assert (await reg.head(f"/v2/bad/dig/blobs/{claimed}")).status_code == 404
        assert (await reg.head(f"/v2/bad/dig/blobs/{Digest.of_bytes(data)}")).status_code == 404
        reliability.hostile("blob-digest-mismatch", "server-registry", "refused", "DIGEST_INVALID")
        # chunked: the session is committed only if the whole matches
        r = await reg.post("/v2/bad/dig/blobs/uploads/")
        loc = r.headers["location"]
        r = await reg.patch(loc, content=data[:2000], headers={"Content-Range": "0-1999"})
        assert r.status_code == 202
        r = await reg.put(loc, params={"digest": claimed}, content=data[2000:])
        assert (r.status_code, _errors(r)) == (400, "DIGEST_INVALID")
        reliability.hostile(
            "chunked-digest-mismatch", "server-registry", "refused", "DIGEST_INVALID"
        )
        # a manifest pushed by digest must hash to it
        config = ImageConfig.build(diff_ids=[])
        await _push_blob(reg, "bad/dig", config.raw)
        manifest = Manifest.build(config.descriptor(), [])
        r = await reg.put(
            f"/v2/bad/dig/manifests/{claimed}",
            content=manifest.raw,
            headers={"Content-Type": OCI_MANIFEST},
        )
        assert (r.status_code, _errors(r)) == (400, "DIGEST_INVALID")
        reliability.hostile(
            "manifest-digest-mismatch", "server-registry", "refused", "DIGEST_INVALID"
        )
    check_store(srv.data_dir).assert_ok()


TRAVERSAL = [
    ("repo-dotdot", "GET", "/v2/a/../../etc/manifests/latest"),
    ("repo-encoded-dotdot", "GET", "/v2/a/%2e%2e/%2e%2e/etc/manifests/latest"),
    ("repo-uppercase", "GET", "/v2/A/B/manifests/latest"),
    ("repo-single", "GET", "/v2/noslash/manifests/latest"),
    ("digest-traversal", "GET", "/v2/a/b/blobs/sha256:..%2f..%2f..%2fetc%2fpasswd"),
    ("digest-short", "GET", "/v2/a/b/blobs/sha256:abc"),
    ("digest-algorithm", "GET", "/v2/a/b/blobs/md5:d41d8cd98f00b204e9800998ecf8427e"),
    ("upload-id-traversal", "PATCH", "/v2/a/b/blobs/uploads/..%2f..%2fstate.db"),
    ("upload-id-garbage", "GET", "/v2/a/b/blobs/uploads/$(reboot)"),
    ("tag-invalid", "PUT", "/v2/a/b/manifests/-bad-tag-"),
]


@pytest.mark.parametrize(("name", "method", "path"), TRAVERSAL, ids=[t[0] for t in TRAVERSAL])
async def test_traversal_in_names_is_refused(
    srv: LocalServerHandle, name: str, method: str, path: str, reliability: Recorder
) -> None:
    before = sorted(p.name for p in srv.data_dir.iterdir())
    status, body = await _raw(srv, method, path, b"x" if method != "GET" else b"")
    assert status in (400, 404), (status, body)
    doc = json.loads(body)
    code = str(doc["errors"][0]["code"]) if "errors" in doc else str(doc.get("Code"))
    assert code in (
        "NAME_INVALID",
        "DIGEST_INVALID",
        "UNSUPPORTED",
        "NAME_UNKNOWN",
        "TAG_INVALID",
        "BLOB_UPLOAD_UNKNOWN",
        "NOT_FOUND",
        "MANIFEST_UNKNOWN",
        "BLOB_UNKNOWN",
        "PathNotSupported",
        "404",
    ), body
    assert sorted(p.name for p in srv.data_dir.iterdir()) == before
    check_store(srv.data_dir).assert_ok()
    reliability.hostile(name, "server-registry", "refused", code)


async def test_lying_upload_range_is_refused(srv: LocalServerHandle, reliability: Recorder) -> None:
    data = os.urandom(3000)
    async with srv.registry_client() as reg:
        r = await reg.post("/v2/bad/rng/blobs/uploads/")
        loc = r.headers["location"]
        assert (
            await reg.patch(loc, content=data[:1000], headers={"Content-Range": "0-999"})
        ).status_code == 202
        for lie in ("500-1499", "2000-2999", "0-999", "garbage"):
            r = await reg.patch(loc, content=data[1000:2000], headers={"Content-Range": lie})
            assert r.status_code == 416, (lie, r.status_code)
            assert r.headers["range"] == "0-999"
        r = await reg.put(loc, params={"digest": str(Digest.of_bytes(data))}, content=data[1000:])
        assert r.status_code == 201
        assert (await reg.get(f"/v2/bad/rng/blobs/{Digest.of_bytes(data)}")).content == data
    reliability.hostile("upload-range-lie", "server-registry", "refused", "416")


@pytest.mark.parametrize(
    ("name", "header", "status"),
    [
        ("range-past-end", "bytes=999999-", 416),
        ("range-reversed", "bytes=50-10", 416),
        ("range-garbage", "bytes=abc", 416),
        ("range-many", "bytes=" + ",".join(f"{i}-{i}" for i in range(500)), 200),
        ("range-overlapping", "bytes=0-100,50-150,0-4999", 206),
        ("range-suffix-huge", "bytes=-99999999", 206),
    ],
)
async def test_range_abuse(
    srv: LocalServerHandle, name: str, header: str, status: int, reliability: Recorder
) -> None:
    data = os.urandom(5000)
    async with srv.registry_client() as reg:
        digest = await _push_blob(reg, "bad/range", data)
        r = await reg.get(f"/v2/bad/range/blobs/{digest}", headers={"Range": header})
    assert r.status_code == status, (r.status_code, r.headers)
    if status == 200:
        assert r.content == data  # too many ranges: the whole blob instead
    if name == "range-suffix-huge":
        assert r.content == data
    reliability.hostile(
        name, "server-registry", "refused" if status == 416 else "policy", str(status)
    )


async def test_blob_damaged_on_disk_is_never_served(
    srv: LocalServerHandle, reliability: Recorder
) -> None:
    data = os.urandom(100_000)
    async with srv.registry_client() as reg:
        digest = await _push_blob(reg, "bad/disk", data)
        hexpart = digest.split(":")[1]
        path = srv.data_dir / "blobs" / "sha256" / hexpart[:2] / hexpart
        damaged = bytearray(path.read_bytes())
        damaged[500] ^= 1
        os.chmod(path, 0o644)
        path.write_bytes(bytes(damaged))
        # a full GET and a Range GET: neither serves the damaged bytes
        r = await reg.get(f"/v2/bad/disk/blobs/{digest}")
        assert r.status_code == 404
        assert _errors(r) == "BLOB_UNKNOWN"
        r = await reg.get(f"/v2/bad/disk/blobs/{digest}", headers={"Range": "bytes=400-600"})
        assert r.status_code == 404
        # pushing the right bytes again repairs it
        await _push_blob(reg, "bad/disk", data)
        assert (await reg.get(f"/v2/bad/disk/blobs/{digest}")).content == data
    assert list((srv.data_dir / "quarantine").iterdir())
    reliability.hostile("blob-damaged-on-disk", "server-registry", "refused", "BLOB_UNKNOWN")


async def test_mount_from_a_repository_without_the_blob(
    srv: LocalServerHandle, reliability: Recorder
) -> None:
    data = os.urandom(1000)
    async with srv.registry_client() as reg:
        digest = await _push_blob(reg, "bad/mine", data)
        r = await reg.post(
            "/v2/bad/other/blobs/uploads/", params={"mount": digest, "from": "bad/none"}
        )
        assert r.status_code == 202  # not mounted: an upload session instead
        r = await reg.get(f"/v2/bad/other/blobs/{digest}")
        assert r.status_code == 404
    reliability.hostile("mount-without-blob", "server-registry", "refused", "202")


# -- a function whose image is hostile -------------------------------------------------------


def _fc(action: str) -> dict[str, str]:
    return {"x-acs-action": action, "x-acs-version": FCV}


@pytest.mark.slow
@pytest.mark.parametrize(
    "case_name", ["dotdot", "symlink-absolute-write", "absolute-name", "zstd-bomb"]
)
async def test_function_with_hostile_image(
    tmp_path: Path, case_name: str, reliability: Recorder
) -> None:
    srv = start_local_server_thread(tmp_path / "data")
    canary = make_canary(tmp_path)
    before = canary_state(canary)
    try:
        async with srv.registry_client() as reg:
            if case_name == "zstd-bomb":
                layers = [(bomb_layer("zstd", 4 << 30), OCI_LAYER_ZSTD, "sha256:" + "0" * 64)]
            else:
                case = next(c for c in CASES if c.name == case_name)
                layers = []
                for layer in case.layers(canary):
                    raw = raw_tar(layer)
                    layers.append((compress(raw, "gzip"), OCI_LAYER_GZIP, _diff(raw)))
            await _push_layers(reg, "evil/fn", "v1", layers)
        async with srv.signed_client(timeout=120) as http:
            body = {
                "functionName": "evil",
                "runtime": "custom-container",
                "handler": "index.handler",
                "customContainerConfig": {"image": f"{srv.host}/evil/fn:v1", "port": 9000},
            }
            r = await http.post(f"/{FCV}/functions", json=body, headers=_fc("CreateFunction"))
            assert r.status_code == 200, r.text
            for _ in range(200):
                doc = (await http.get(f"/{FCV}/functions/evil", headers=_fc("GetFunction"))).json()
                if doc["state"] != "Pending":
                    break
                await asyncio.sleep(0.1)
            r = await http.post(
                f"/{FCV}/functions/evil/invocations", content=b"{}", headers=_fc("InvokeFunction")
            )
        if doc["state"] == "Active":
            # the cold start's pull refuses the image; the error names the offending entry
            assert r.status_code == 412, r.text
            code = r.json()["Code"]
            assert code == "CAExited"
            named = "bomb" if case_name == "zstd-bomb" else "pwned"
            assert named in r.json()["Message"], r.text
        else:  # refused while preparing the function
            assert doc["state"] == "Failed", doc
            code = doc.get("stateReasonCode")
        assert canary_state(canary) == before
        check_store(srv.data_dir).assert_ok()
    finally:
        srv.stop()
    reliability.hostile(case_name, "server-runtime", "refused", str(code))
