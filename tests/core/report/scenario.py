"""Build every problem case of the acceleration report on a real Local server.

``build_scenario(server, private_registry_host)`` pushes images through the registry, switches
acceleration on and off through the ACR API, waits for real conversions and creates the
functions through `FCClient`:

| function   | image                                   | expected problems              |
|------------|-----------------------------------------|--------------------------------|
| web-fast   | shop/web:v1_accelerated (fresh twin)    | none                           |
| web-plain  | shop/web:v1 (twin exists)               | plain-tag-with-twin            |
| api-fast   | shop/api:v1_accelerated (v1 re-pushed)  | stale-twin                     |
| batch      | shop/batch:v1 (no rule)                 | acceleration-off               |
| broken     | shop/broken:v1 (hostile layer)          | twin-failed                    |
| legacy     | shop/legacy:v1 (pushed before the rule) | twin-missing                   |
| ghost      | shop/ghost:v1 (no such repository)      | image-unreadable (not-found)   |
| private    | <auth registry>/private/app:v1          | image-unreadable (auth)        |

Used by the core, CLI, GUI and screenshot code (it imports nothing from Qt).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import tarfile
import time
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from core.cloud import Credentials, Function, ProfileClients, local_endpoints, open_clients
from core.oci import parse_manifest
from core.registry import RegistryClient
from core.report import ProblemCode, ReportTarget, TargetKey
from core.settings import LocalProfile

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"

EXPECTED: Mapping[str, frozenset[ProblemCode]] = {
    "web-fast": frozenset(),
    "web-plain": frozenset({ProblemCode.PLAIN_TAG_WITH_TWIN}),
    "api-fast": frozenset({ProblemCode.STALE_TWIN}),
    "batch": frozenset({ProblemCode.ACCELERATION_OFF}),
    "broken": frozenset({ProblemCode.TWIN_FAILED}),
    "legacy": frozenset({ProblemCode.TWIN_MISSING}),
    "ghost": frozenset({ProblemCode.IMAGE_UNREADABLE}),
    "private": frozenset({ProblemCode.IMAGE_UNREADABLE}),
}


@dataclass(frozen=True)
class Scenario:
    url: str
    host: str
    credentials: Credentials
    private_host: str
    stale_recorded: str  # digest shop/api:v1_accelerated was converted from
    stale_current: str  # digest shop/api:v1 points at now

    def clients(self, http: httpx.AsyncClient) -> ProfileClients:
        profile = LocalProfile(url=self.url, access_key_id=self.credentials.access_key_id)
        return open_clients(profile, http, self.credentials)

    def target(self, http: httpx.AsyncClient) -> ReportTarget:
        return ReportTarget(TargetKey("Local"), self.clients(http), http)


def tar_layer(files: Mapping[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


async def push_image(
    server_url: str, auth: tuple[str, str], repo: str, tag: str, files: Mapping[str, bytes]
) -> str:
    """Push a one-layer image (uncompressed tar layer); returns the manifest digest."""
    layer = tar_layer(files)
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [_digest(layer)]},
            "config": {"Cmd": ["/bin/true"]},
        }
    ).encode()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": _digest(config),
                "size": len(config),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": _digest(layer),
                    "size": len(layer),
                }
            ],
        }
    ).encode()
    async with RegistryClient(server_url, credentials=auth) as reg:
        for blob in (layer, config):
            await reg.push_blob(repo, blob, digest=_digest(blob))
        await reg.put_manifest(repo, parse_manifest(manifest, OCI_MANIFEST), tag)
    return _digest(manifest)


def files_for(name: str, version: int = 1) -> dict[str, bytes]:
    return {f"app/{name}/file{i}.txt": (f"{name} v{version} {i} " * 300).encode() for i in range(4)}


async def wait_tasks_idle(clients: ProfileClients, repo: str, limit: float = 120) -> None:
    """Wait until no conversion of ``repo`` is pending or running."""
    assert clients.local is not None
    deadline = time.monotonic() + limit
    while True:
        tasks = await clients.local.list_tasks(repo=repo, limit=50)
        if tasks and all(t.finished for t in tasks):
            return
        assert time.monotonic() < deadline, [t.task_status for t in tasks]
        await asyncio.sleep(0.1)


async def wait_functions_settled(clients: ProfileClients, names: list[str]) -> None:
    deadline = time.monotonic() + 60
    for name in names:
        while True:
            fn = await clients.fc.get_function(name)
            if not fn.is_settling:
                break
            assert time.monotonic() < deadline, (name, fn.state, fn.last_update_status)
            await asyncio.sleep(0.1)


async def _repo_id(clients: ProfileClients, instance: str, path: str) -> str:
    ns, _, name = path.partition("/")
    repo = await clients.acr.get_repository(instance, namespace=ns, name=name)
    assert repo.repo_id
    return repo.repo_id


async def build_scenario(
    url: str, credentials: Credentials, private_host: str, *, with_functions: bool = True
) -> Scenario:
    host = url.split("://", 1)[1]
    auth = (credentials.access_key_id, credentials.access_key_secret)
    async with httpx.AsyncClient(timeout=60) as http:
        profile = LocalProfile(url=url, access_key_id=credentials.access_key_id)
        clients = open_clients(profile, http, credentials)
        assert local_endpoints(url).fc
        (instance,) = [i.instance_id async for i in clients.acr.list_instances() if i.instance_id]
        acr = clients.acr

        async def rule_on(path: str) -> None:
            await acr.create_acceleration_rule(instance, await _repo_id(clients, instance, path))

        # shop/web: acceleration on, v1 converted
        await push_image(url, auth, "shop/web", "seed", files_for("web", 0))
        await rule_on("shop/web")
        await push_image(url, auth, "shop/web", "v1", files_for("web"))
        # shop/api: converted, then v1 re-pushed while acceleration was off, then on again
        await push_image(url, auth, "shop/api", "seed", files_for("api", 0))
        await rule_on("shop/api")
        recorded = await push_image(url, auth, "shop/api", "v1", files_for("api"))
        # shop/broken: a layer with an entry escaping the root: the conversion fails
        await push_image(url, auth, "shop/broken", "seed", files_for("broken", 0))
        await rule_on("shop/broken")
        await push_image(url, auth, "shop/broken", "v1", {"../escape.txt": b"x", "ok.txt": b"fine"})
        # shop/batch: never accelerated
        await push_image(url, auth, "shop/batch", "v1", files_for("batch"))
        # shop/legacy: pushed before acceleration was switched on (never converted)
        await push_image(url, auth, "shop/legacy", "v1", files_for("legacy"))
        await rule_on("shop/legacy")
        for repo in ("shop/web", "shop/api", "shop/broken"):
            await wait_tasks_idle(clients, repo)
        api_id = await _repo_id(clients, instance, "shop/api")
        assert await acr.delete_acceleration_rule(instance, api_id)
        current = await push_image(url, auth, "shop/api", "v1", files_for("api", 2))
        await acr.create_acceleration_rule(instance, api_id)

        if with_functions:
            images = {
                "web-fast": f"{host}/shop/web:v1_accelerated",
                "web-plain": f"{host}/shop/web:v1",
                "api-fast": f"{host}/shop/api:v1_accelerated",
                "batch": f"{host}/shop/batch:v1",
                "broken": f"{host}/shop/broken:v1",
                "legacy": f"{host}/shop/legacy:v1",
                "ghost": f"{host}/shop/ghost:v1",
                "private": f"{private_host}/private/app:v1",
            }
            for name, image in images.items():
                await clients.fc.create_function(Function.for_container(name, image))
            await wait_functions_settled(clients, list(images))
    return Scenario(url, host, credentials, private_host, recorded, current)
