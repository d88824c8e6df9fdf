"""Contract tests: every core.cloud client call against the running Local server, which
verifies each ACS3 signature with the same code the client signs with."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from core.cloud import (
    AccelerationState,
    ACRClient,
    Credentials,
    FCClient,
    Function,
    LocalExtensions,
    acceleration_status,
    local_endpoints,
)
from core.errors import CloudError, ResourceNotFound, SignatureError
from tests.fixtures.cloud import push_test_image
from tests.fixtures.emulator import LocalServerHandle
from tests.fixtures.timing import scaled

pytestmark = pytest.mark.integration


class Clients:
    def __init__(self, http: httpx.AsyncClient, creds: Credentials, url: str) -> None:
        endpoints = local_endpoints(url)
        self.fc = FCClient(http, creds, endpoint=endpoints.fc, invoke_endpoint=endpoints.fc_invoke)
        self.acr = ACRClient(http, creds, endpoint=endpoints.acr)
        self.local = LocalExtensions(http, creds, base_url=url)


@pytest.fixture
async def clients(local_server_thread: LocalServerHandle) -> AsyncIterator[Clients]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield Clients(http, local_server_thread.credentials, local_server_thread.url)


async def _instance(acr: ACRClient) -> str:
    instances = [i async for i in acr.list_instances()]
    assert len(instances) == 1
    assert instances[0].instance_id is not None
    return instances[0].instance_id


async def test_acr_browse_and_repository_lifecycle(
    clients: Clients, local_server_thread: LocalServerHandle
) -> None:
    acr = clients.acr
    instance_id = await _instance(acr)
    instance = await acr.get_instance(instance_id)
    assert instance.instance_status == "RUNNING"
    hosts = await acr.registry_hosts(instance_id)
    assert hosts.public == local_server_thread.host
    await acr.call(
        "CreateNamespace",
        {"InstanceId": instance_id, "NamespaceName": "demo", "AutoCreateRepo": True},
    )
    names = [n.namespace_name async for n in acr.list_namespaces(instance_id)]
    assert "demo" in names
    repo_id = await acr.create_repository(instance_id, "demo", "app", summary="contract test")
    assert repo_id.startswith("crr-")
    repos = [r async for r in acr.list_repositories(instance_id, namespace="demo")]
    assert [r.path for r in repos] == ["demo/app"]
    repo = await acr.get_repository(instance_id, namespace="demo", name="app")
    assert repo.repo_id == repo_id
    with pytest.raises(ResourceNotFound) as info:
        await acr.get_repository(instance_id, namespace="demo", name="missing")
    assert info.value.code == "REPO_NOT_EXIST"
    assert info.value.request_id

    digest = await push_test_image(local_server_thread, "demo/app", "v1")
    tags = [t async for t in acr.list_tags(instance_id, repo_id)]
    assert [(t.tag, t.oci_digest) for t in tags] == [("v1", digest)]
    tag = await acr.get_tag(instance_id, repo_id, "v1")
    assert tag.oci_digest == digest
    assert await acr.tag_exists(instance_id, repo_id, "v1")
    assert not await acr.tag_exists(instance_id, repo_id, "v1_accelerated")

    creds = await acr.get_authorization_token(instance_id)
    async with httpx.AsyncClient(base_url=local_server_thread.url) as reg:
        probe = await reg.get(
            f"/v2/demo/app/manifests/{digest}",
            auth=(creds.username, creds.password),
            headers={"accept": "application/vnd.oci.image.manifest.v1+json"},
        )
    assert probe.status_code == 200, probe.text


async def test_acceleration_rule_tasks_and_events(
    clients: Clients, local_server_thread: LocalServerHandle
) -> None:
    acr, local = clients.acr, clients.local
    instance_id = await _instance(acr)
    await acr.call("CreateNamespace", {"InstanceId": instance_id, "NamespaceName": "acc"})
    repo_id = await acr.create_repository(instance_id, "acc", "app")
    await push_test_image(local_server_thread, "acc/app", "v1")
    assert await acr.get_acceleration_rule(instance_id, repo_id) is None

    events: list[str] = []

    async def watch() -> None:
        # From the start of the server's buffer: whether the stream opens before or after
        # the rule is created, its events are there (the shared server's other rules are not
        # this repository's).
        async for event in local.events(since=0, types=["rule.created", "rule.deleted"]):
            if event.data.get("scopeId") != repo_id:
                continue
            events.append(event.type)
            if event.type == "rule.deleted":
                return

    watcher = asyncio.create_task(watch())
    rule_id = await acr.create_acceleration_rule(instance_id, repo_id)
    assert rule_id.startswith("crabr-")
    rule = await acr.get_acceleration_rule(instance_id, repo_id)
    assert rule is not None
    assert rule.build_rule_id == rule_id
    assert rule.scope_id == repo_id

    info = await local.info()
    assert info["accessKeyId"] == local_server_thread.access_key_id
    result = await local.convert(repo_id=repo_id, tags=["v1"])
    queued = [t for t in result["tasks"] if t.get("taskId")]
    assert len(queued) == 1, result
    task_id = queued[0]["taskId"]
    task = await acr.get_build_task(instance_id, task_id)
    assert task.build_task_id == task_id
    assert task.source_tag == "v1"
    listed = await local.list_tasks(repo="acc/app")
    assert task_id in [t.build_task_id for t in listed]
    for _ in range(600):
        task = await local.get_task(task_id)
        if task.finished:
            break
        await asyncio.sleep(0.1)
    assert task.task_status == "SUCCESS", task.extra.get("Reason")
    logs = [line.message async for line in acr.list_build_task_logs(instance_id, task_id)]
    assert logs
    assert await acr.tag_exists(instance_id, repo_id, "v1_accelerated")
    with pytest.raises(CloudError):
        await acr.cancel_build_task(instance_id, task_id)  # already finished
    assert await acr.delete_acceleration_rule(instance_id, repo_id) is True
    assert await acr.delete_acceleration_rule(instance_id, repo_id) is False
    await asyncio.wait_for(watcher, scaled(10))
    assert events == ["rule.created", "rule.deleted"]


async def test_fc_function_lifecycle(
    clients: Clients, local_server_thread: LocalServerHandle
) -> None:
    fc, acr = clients.fc, clients.acr
    instance_id = await _instance(acr)
    await acr.call(
        "CreateNamespace",
        {"InstanceId": instance_id, "NamespaceName": "fcns", "AutoCreateRepo": True},
    )
    await acr.create_repository(instance_id, "fcns", "web")
    await push_test_image(local_server_thread, "fcns/web", "v1")
    image = f"{local_server_thread.host}/fcns/web:v1"

    for i in range(3):
        await fc.create_function(Function.for_container(f"contract-{i}", image))
    with pytest.raises(CloudError) as info:
        await fc.create_function(Function.for_container("contract-0", image))
    assert info.value.code == "FunctionAlreadyExists"
    assert info.value.request_id

    names = [f.name async for f in fc.list_functions(prefix="contract-", limit=2)]
    assert names == ["contract-0", "contract-1", "contract-2"]
    ready = await fc.wait_until_ready("contract-0", interval=0.2, max_wait=60)
    assert ready.state == "Active"
    assert ready.resolved_image_uri is not None
    assert "@sha256:" in ready.resolved_image_uri

    # The test image has no HTTP server: the runtime starts it, the process exits, and the
    # platform answers in the FC error shape, which the client maps.
    with pytest.raises(CloudError) as refused:
        await fc.invoke_function("contract-0", b"{}", log_tail=True)
    assert refused.value.code == "CAExited"
    assert refused.value.status == 412
    assert refused.value.request_id

    status = await acceleration_status(ready, acr.image_exists(instance_id))
    assert status.state is AccelerationState.NONE

    updated = await fc.update_function("contract-0", Function(memory_size=1024, cpu=0.5))
    assert updated.memory_size == 1024
    again = await fc.get_function("contract-0")
    assert again.memory_size == 1024
    assert again.custom_container_config is not None
    assert again.custom_container_config.image == image
    assert isinstance(await fc.list_instances("contract-0"), list)

    await fc.delete_function("contract-2")
    with pytest.raises(ResourceNotFound) as missing:
        await fc.get_function("contract-2")
    assert missing.value.code == "FunctionNotFound"


async def test_invoke_missing_function_is_a_platform_error(clients: Clients) -> None:
    with pytest.raises(ResourceNotFound) as info:
        await clients.fc.invoke_function("does-not-exist", b"{}")
    assert info.value.code == "FunctionNotFound"


class _Tamper(httpx.AsyncBaseTransport):
    """Alters requests after they were signed (what a man in the middle would do)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, mode: str) -> None:
        self.inner = inner
        self.mode = mode
        self.last: httpx.Request | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.mode == "query":
            request.url = request.url.copy_add_param("prefix", "other")
        elif self.mode == "header":
            request.headers["x-acs-action"] = "DeleteFunction"
        elif self.mode == "replay" and self.last is not None:
            request = self.last
        self.last = request
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.parametrize("mode", ["query", "header"])
async def test_local_server_rejects_requests_altered_after_signing(
    local_server_thread: LocalServerHandle, mode: str
) -> None:
    transport = _Tamper(httpx.AsyncHTTPTransport(), mode)
    async with httpx.AsyncClient(transport=transport) as http:
        fc = FCClient(http, local_server_thread.credentials, endpoint=local_server_thread.url)
        with pytest.raises(SignatureError) as info:
            _ = [f async for f in fc.list_functions()]
    assert info.value.code == "SignatureNotMatch"


async def test_local_server_rejects_replayed_nonce(local_server_thread: LocalServerHandle) -> None:
    transport = _Tamper(httpx.AsyncHTTPTransport(), "replay")
    async with httpx.AsyncClient(transport=transport) as http:
        fc = FCClient(http, local_server_thread.credentials, endpoint=local_server_thread.url)
        _ = [f async for f in fc.list_functions()]
        with pytest.raises(CloudError) as info:
            _ = [f async for f in fc.list_functions()]
    assert info.value.code == "SignatureNonceUsed"


async def test_local_server_rejects_wrong_secret(local_server_thread: LocalServerHandle) -> None:
    wrong = Credentials(local_server_thread.access_key_id, "not-the-secret")
    async with httpx.AsyncClient() as http:
        acr = ACRClient(http, wrong, endpoint=local_endpoints(local_server_thread.url).acr)
        with pytest.raises(SignatureError):
            _ = [i async for i in acr.list_instances()]
