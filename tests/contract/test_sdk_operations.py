"""Every FC 3.0 and Container Registry operation fcdesk's clients call, made with Alibaba
Cloud's official Python SDK against a real Local server: the call succeeds, and the answer
deserializes into the SDK's models with the JSON types the SDK (generated from the APIs'
published metadata) declares.

The SDKs are configured as a new user would configure them for this server: AccessKey pair,
``endpoint`` = the server's ``host:port`` and ``protocol="http"`` (the server speaks plain HTTP
on loopback); every other setting is the SDK's default.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
import pytest
from alibabacloud_cr20181201 import models as cr
from alibabacloud_cr20181201.client import Client as CrClient
from alibabacloud_fc20230330 import models as fc
from alibabacloud_fc20230330.client import Client as FcClient
from alibabacloud_tea_openapi import models as openapi
from darabonba.model import DaraModel
from darabonba.runtime import RuntimeOptions

from tests.contract._sdk import fc_client, type_errors, unknown_fields
from tests.fixtures.cloud import push_test_image
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread

pytestmark = pytest.mark.integration

#: Every operation fcdesk's clients (`core.cloud.FCClient`, `core.cloud.ACRClient`) call;
#: tests/contract/test_wire_parity.py checks that this is exactly what they send.
FC_OPERATIONS = (
    "ListFunctions",
    "GetFunction",
    "CreateFunction",
    "UpdateFunction",
    "DeleteFunction",
    "ListInstances",
    "InvokeFunction",
)
ACR_OPERATIONS = (
    "ListInstance",
    "GetInstance",
    "ListInstanceEndpoint",
    "GetAuthorizationToken",
    "ListNamespace",
    "ListRepository",
    "GetRepository",
    "CreateRepository",
    "ListRepoTag",
    "GetRepoTag",
    "CreateArtifactBuildRule",
    "GetArtifactBuildRule",
    "DeleteArtifactBuildRule",
    "GetArtifactBuildTask",
    "ListArtifactBuildTaskLog",
    "CancelArtifactBuildTask",
)
#: Not in the official CR SDK (2.2.x); called through the SDK's generic ``call_api`` as the SDK
#: calls every RPC action (POST ``/``, parameters in the query).
ACR_OUTSIDE_SDK = frozenset({"DeleteArtifactBuildRule"})

#: Fields the Local server adds beyond the SDK models (documented in docs/local-server.md).
LOCAL_EXTRA_FIELDS = {
    "GetArtifactBuildTask": {"Reason"},
    "ListInstances": {
        f"instances[0].{k}"
        for k in ("mode", "lastInvokedTime", "activeRequests", "invocations", "imageDigest", "lazy")
    },
}

NS = "contract"
REPO = "app"
HELD_TAG = "hold"

_B = TypeVar("_B", bound=DaraModel)


async def _held_or_real(job: Any, on_progress: Any) -> None:
    """The conversion worker's converter here: the real one, except for tag ``hold``, whose
    conversion runs until it is cancelled (so that CancelArtifactBuildTask has a live task)."""
    from core.emulator._worker import convert_with_core

    if job.source_tag == HELD_TAG:
        await asyncio.Event().wait()  # never set: only cancelling ends it
    await convert_with_core(job, on_progress)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    handle = start_local_server_thread(
        tmp_path_factory.mktemp("sdk-ops") / "local",
        converter=_held_or_real,
        conversion_workers=2,
        runtime_mode="replay",
    )
    try:
        yield handle
    finally:
        handle.stop()


def _checked(body_cls: type[_B], body: _B, action: str) -> dict[str, Any]:
    """The body as JSON (``to_map``), after checking every field's type against the SDK."""
    assert isinstance(body, body_cls), type(body)
    data: dict[str, Any] = body.to_map()
    assert type_errors(body_cls, data) == [], action
    return data


def _rpc_ok(data: dict[str, Any]) -> None:
    assert data["IsSuccess"] is True, data
    assert data["Code"] == "success"
    assert data["RequestId"]


class World:
    """What the module's tests share: ids created through the SDK, and raw answers."""

    instance_id = ""
    namespace_id = ""
    repo_id = ""
    rule_id = ""
    task_id = ""
    held_task_id = ""
    registry_host = ""
    digest = ""


@pytest.fixture(scope="module")
def world(server: LocalServerHandle, sdk_cr: CrClient) -> World:
    w = World()
    listed = sdk_cr.list_instance(cr.ListInstanceRequest(page_no=1, page_size=30)).body
    w.instance_id = listed.instances[0].instance_id
    created = sdk_cr.create_namespace(
        cr.CreateNamespaceRequest(
            instance_id=w.instance_id, namespace_name=NS, auto_create_repo=True
        )
    ).body
    assert created.is_success, created.to_map()
    namespaces = sdk_cr.list_namespace(
        cr.ListNamespaceRequest(instance_id=w.instance_id, namespace_name=NS)
    ).body.namespaces
    w.namespace_id = namespaces[0].namespace_id
    repo = sdk_cr.create_repository(
        cr.CreateRepositoryRequest(
            instance_id=w.instance_id,
            repo_namespace_name=NS,
            repo_name=REPO,
            repo_type="PRIVATE",
            summary="contract tests",
        )
    ).body
    assert repo.is_success, repo.to_map()
    w.repo_id = repo.repo_id
    w.digest = asyncio.run(push_test_image(server, f"{NS}/{REPO}", "v1"))
    rule = sdk_cr.create_artifact_build_rule(
        cr.CreateArtifactBuildRuleRequest(
            instance_id=w.instance_id,
            scope_type="REPOSITORY",
            scope_id=w.repo_id,
            artifact_type="ACCELERATED_IMAGE",
            parameters={"ImageIndexOnly": False},
        )
    ).body
    assert rule.is_success, rule.to_map()
    w.rule_id = rule.build_rule_id
    # Pushes after the rule queue conversion tasks (found through the Local extensions: the
    # cloud API has no way to list them).
    asyncio.run(push_test_image(server, f"{NS}/{REPO}", "v2"))
    asyncio.run(push_test_image(server, f"{NS}/{REPO}", HELD_TAG))
    w.task_id = _wait_task(server, "v2", lambda t: t["TaskStatus"] == "SUCCESS")["BuildTaskId"]
    w.held_task_id = _wait_task(server, HELD_TAG, lambda t: t["TaskStatus"] == "BUILDING")[
        "BuildTaskId"
    ]
    w.registry_host = server.host
    return w


def _wait_task(server: LocalServerHandle, tag: str, done: Callable[[dict[str, Any]], bool]) -> Any:
    async def poll() -> Any:
        async with server.signed_client() as http:
            while True:
                r = await http.get("/x-fcdesk/tasks", params={"repo": f"{NS}/{REPO}", "tag": tag})
                r.raise_for_status()
                for task in r.json()["tasks"]:
                    if done(task):
                        return task
                    assert task["TaskStatus"] not in ("FAILED", "CANCELED"), task
                await asyncio.sleep(0.05)

    return asyncio.run(asyncio.wait_for(poll(), 120))


# -- Container Registry ----------------------------------------------------------------------


def test_list_instance(sdk_cr: CrClient, world: World) -> None:
    body = sdk_cr.list_instance(cr.ListInstanceRequest(page_no=1, page_size=10)).body
    data = _checked(cr.ListInstanceResponseBody, body, "ListInstance")
    _rpc_ok(data)
    assert isinstance(data["TotalCount"], int)
    [instance] = body.instances
    assert instance.instance_id == world.instance_id
    assert instance.instance_status == "RUNNING"
    assert instance.instance_specification.startswith("Enterprise_")
    assert instance.instance_id.startswith("cri-")


def test_get_instance(sdk_cr: CrClient, world: World) -> None:
    body = sdk_cr.get_instance(cr.GetInstanceRequest(instance_id=world.instance_id)).body
    data = _checked(cr.GetInstanceResponseBody, body, "GetInstance")
    _rpc_ok(data)
    assert body.instance_id == world.instance_id
    assert body.instance_status == "RUNNING"


def test_list_instance_endpoint(sdk_cr: CrClient, world: World) -> None:
    body = sdk_cr.list_instance_endpoint(
        cr.ListInstanceEndpointRequest(instance_id=world.instance_id, module_name="Registry")
    ).body
    data = _checked(cr.ListInstanceEndpointResponseBody, body, "ListInstanceEndpoint")
    _rpc_ok(data)
    kinds = {e.endpoint_type: e for e in body.endpoints}
    assert set(kinds) == {"internet", "vpc"}
    assert kinds["internet"].domains[0].domain == world.registry_host
    assert kinds["internet"].enable is True


def test_get_authorization_token(sdk_cr: CrClient, world: World) -> None:
    body = sdk_cr.get_authorization_token(
        cr.GetAuthorizationTokenRequest(instance_id=world.instance_id)
    ).body
    data = _checked(cr.GetAuthorizationTokenResponseBody, body, "GetAuthorizationToken")
    _rpc_ok(data)
    assert body.temp_username
    assert body.expire_time > time.time() * 1000
    # the token is a working registry password
    r = httpx.get(
        f"http://{world.registry_host}/v2/{NS}/{REPO}/manifests/{world.digest}",
        auth=(body.temp_username, body.authorization_token),
        headers={"accept": "application/vnd.oci.image.manifest.v1+json"},
    )
    assert r.status_code == 200, r.text


def test_list_namespace(sdk_cr: CrClient, world: World) -> None:
    body = sdk_cr.list_namespace(
        cr.ListNamespaceRequest(instance_id=world.instance_id, page_no=1, page_size=30)
    ).body
    data = _checked(cr.ListNamespaceResponseBody, body, "ListNamespace")
    _rpc_ok(data)
    assert isinstance(data["TotalCount"], str)
    [ns] = [n for n in body.namespaces if n.namespace_name == NS]
    assert ns.namespace_id == world.namespace_id
    assert ns.auto_create_repo is True


def test_list_repository(sdk_cr: CrClient, world: World) -> None:
    body = sdk_cr.list_repository(
        cr.ListRepositoryRequest(
            instance_id=world.instance_id, repo_namespace_name=NS, page_no=1, page_size=30
        )
    ).body
    data = _checked(cr.ListRepositoryResponseBody, body, "ListRepository")
    _rpc_ok(data)
    assert data["TotalCount"] == "1"
    [repo] = body.repositories
    assert (repo.repo_id, repo.repo_namespace_name, repo.repo_name) == (world.repo_id, NS, REPO)
    assert repo.repo_type == "PRIVATE"


def test_get_repository(sdk_cr: CrClient, world: World) -> None:
    for request in (
        cr.GetRepositoryRequest(instance_id=world.instance_id, repo_id=world.repo_id),
        cr.GetRepositoryRequest(
            instance_id=world.instance_id, repo_namespace_name=NS, repo_name=REPO
        ),
    ):
        body = sdk_cr.get_repository(request).body
        data = _checked(cr.GetRepositoryResponseBody, body, "GetRepository")
        _rpc_ok(data)
        assert body.repo_id == world.repo_id
        assert body.summary == "contract tests"


def test_create_repository(sdk_cr: CrClient, world: World) -> None:
    body = sdk_cr.create_repository(
        cr.CreateRepositoryRequest(
            instance_id=world.instance_id,
            repo_namespace_name=NS,
            repo_name="created",
            repo_type="PUBLIC",
            summary="made by the SDK",
            tag_immutability=True,
        )
    ).body
    data = _checked(cr.CreateRepositoryResponseBody, body, "CreateRepository")
    _rpc_ok(data)
    assert body.repo_id.startswith("crr-")
    got = sdk_cr.get_repository(
        cr.GetRepositoryRequest(instance_id=world.instance_id, repo_id=body.repo_id)
    ).body
    assert (got.repo_type, got.tag_immutability) == ("PUBLIC", True)
    # a business failure is HTTP 200 with IsSuccess false, as the SDK expects it
    again = sdk_cr.create_repository(
        cr.CreateRepositoryRequest(
            instance_id=world.instance_id,
            repo_namespace_name=NS,
            repo_name="created",
            repo_type="PUBLIC",
            summary="twice",
        )
    ).body
    assert again.is_success is False
    assert again.code == "REPO_ALREADY_EXIST"


def test_list_repo_tag(sdk_cr: CrClient, world: World) -> None:
    body = sdk_cr.list_repo_tag(
        cr.ListRepoTagRequest(
            instance_id=world.instance_id, repo_id=world.repo_id, page_no=1, page_size=30
        )
    ).body
    data = _checked(cr.ListRepoTagResponseBody, body, "ListRepoTag")
    _rpc_ok(data)
    tags = {i.tag: i for i in body.images}
    assert {"v1", "v2", "v2_accelerated", HELD_TAG} <= set(tags)
    assert tags["v1"].digest == world.digest.split(":", 1)[1]
    assert data["TotalCount"] == str(len(body.images))


def test_get_repo_tag(sdk_cr: CrClient, world: World) -> None:
    body = sdk_cr.get_repo_tag(
        cr.GetRepoTagRequest(instance_id=world.instance_id, repo_id=world.repo_id, tag="v1")
    ).body
    data = _checked(cr.GetRepoTagResponseBody, body, "GetRepoTag")
    _rpc_ok(data)
    assert body.tag == "v1"
    assert body.digest == world.digest.split(":", 1)[1]
    assert body.image_size > 0
    missing = sdk_cr.get_repo_tag(
        cr.GetRepoTagRequest(instance_id=world.instance_id, repo_id=world.repo_id, tag="nope")
    ).body
    assert (missing.is_success, missing.code) == (False, "TAG_NOT_EXIST")


def test_create_artifact_build_rule(sdk_cr: CrClient, world: World) -> None:
    # creating the same rule again answers the existing rule's id
    body = sdk_cr.create_artifact_build_rule(
        cr.CreateArtifactBuildRuleRequest(
            instance_id=world.instance_id,
            scope_type="REPOSITORY",
            scope_id=world.repo_id,
            artifact_type="ACCELERATED_IMAGE",
        )
    ).body
    data = _checked(cr.CreateArtifactBuildRuleResponseBody, body, "CreateArtifactBuildRule")
    _rpc_ok(data)
    assert body.build_rule_id == world.rule_id


def test_get_artifact_build_rule(sdk_cr: CrClient, world: World) -> None:
    by_scope = cr.GetArtifactBuildRuleRequest(
        instance_id=world.instance_id,
        scope_type="REPOSITORY",
        scope_id=world.repo_id,
        artifact_type="ACCELERATED_IMAGE",
    )
    by_id = cr.GetArtifactBuildRuleRequest(
        instance_id=world.instance_id, build_rule_id=world.rule_id
    )
    for request in (by_scope, by_id):
        body = sdk_cr.get_artifact_build_rule(request).body
        data = _checked(cr.GetArtifactBuildRuleResponseBody, body, "GetArtifactBuildRule")
        _rpc_ok(data)
        assert body.build_rule_id == world.rule_id
        assert (body.scope_type, body.scope_id) == ("REPOSITORY", world.repo_id)
        assert body.artifact_type == "ACCELERATED_IMAGE"
        assert body.parameters.image_index_only is False


def test_get_artifact_build_task(sdk_cr: CrClient, world: World) -> None:
    body = sdk_cr.get_artifact_build_task(
        cr.GetArtifactBuildTaskRequest(instance_id=world.instance_id, build_task_id=world.task_id)
    ).body
    data = _checked(cr.GetArtifactBuildTaskResponseBody, body, "GetArtifactBuildTask")
    _rpc_ok(data)
    assert body.task_status == "SUCCESS"
    assert body.source_artifact.version == "v2"
    assert body.target_artifact.version == "v2_accelerated"
    assert body.source_artifact.repo_id == world.repo_id
    assert body.end_time >= body.start_time > 0


def test_list_artifact_build_task_log(sdk_cr: CrClient, world: World) -> None:
    body = sdk_cr.list_artifact_build_task_log(
        cr.ListArtifactBuildTaskLogRequest(
            instance_id=world.instance_id, build_task_id=world.task_id, page=1, page_size=100
        )
    ).body
    data = _checked(cr.ListArtifactBuildTaskLogResponseBody, body, "ListArtifactBuildTaskLog")
    _rpc_ok(data)
    assert isinstance(data["TotalCount"], int)
    assert body.build_task_logs
    assert [line.line_number for line in body.build_task_logs] == sorted(
        line.line_number for line in body.build_task_logs
    )
    assert "succeeded" in body.build_task_logs[-1].message


def test_cancel_artifact_build_task(sdk_cr: CrClient, world: World) -> None:
    request = cr.CancelArtifactBuildTaskRequest(
        instance_id=world.instance_id, build_task_id=world.held_task_id
    )
    body = sdk_cr.cancel_artifact_build_task(request).body
    data = _checked(cr.CancelArtifactBuildTaskResponseBody, body, "CancelArtifactBuildTask")
    _rpc_ok(data)
    for _ in range(600):
        task = sdk_cr.get_artifact_build_task(
            cr.GetArtifactBuildTaskRequest(
                instance_id=world.instance_id, build_task_id=world.held_task_id
            )
        ).body
        if task.task_status == "CANCELED":
            break
        time.sleep(0.05)
    assert task.task_status == "CANCELED"
    finished = sdk_cr.cancel_artifact_build_task(request).body
    assert (finished.is_success, finished.code) == (False, "ARTIFACT_BUILD_TASK_FINISHED")


def test_delete_artifact_build_rule_through_the_sdk_runtime(sdk_cr: CrClient, world: World) -> None:
    """Not in the CR SDK: sent by the SDK's OpenAPI runtime as any RPC action is sent."""
    scope = {
        "InstanceId": world.instance_id,
        "ScopeType": "REPOSITORY",
        "ScopeId": world.repo_id,
        "ArtifactType": "ACCELERATED_IMAGE",
    }
    params = openapi.Params(
        action="DeleteArtifactBuildRule",
        version="2018-12-01",
        protocol="HTTPS",
        pathname="/",
        method="POST",
        auth_type="AK",
        style="RPC",
        req_body_type="formData",
        body_type="json",
    )
    raw = sdk_cr.call_api(params, openapi.OpenApiRequest(query=scope), RuntimeOptions())
    assert raw["body"]["IsSuccess"] is True, raw
    gone = sdk_cr.get_artifact_build_rule(cr.GetArtifactBuildRuleRequest(**_snake(scope))).body
    assert (gone.is_success, gone.code) == (False, "ARTIFACT_BUILD_RULE_NOT_EXIST")
    # switched on again for the tests that may run after this one
    again = sdk_cr.create_artifact_build_rule(
        cr.CreateArtifactBuildRuleRequest(**_snake(scope))
    ).body
    assert again.is_success
    world.rule_id = again.build_rule_id


def _snake(params: dict[str, str]) -> dict[str, str]:
    return {
        "instance_id": params["InstanceId"],
        "scope_type": params["ScopeType"],
        "scope_id": params["ScopeId"],
        "artifact_type": params["ArtifactType"],
    }


# -- Function Compute ------------------------------------------------------------------------


def _image(world: World, tag: str = "v1") -> str:
    return f"{world.registry_host}/{NS}/{REPO}:{tag}"


def _wait_ready(sdk_fc: FcClient, name: str) -> fc.Function:
    for _ in range(1200):
        got = sdk_fc.get_function(name, fc.GetFunctionRequest()).body
        if got.state == "Active" and got.last_update_status == "Successful":
            return got
        assert got.state != "Failed", got.to_map()
        time.sleep(0.05)
    raise AssertionError(f"{name} did not become Active: {got.to_map()}")


@pytest.fixture(scope="module")
def function(sdk_fc: FcClient, world: World) -> str:
    name = "sdk-contract"
    body = sdk_fc.create_function(
        fc.CreateFunctionRequest(
            body=fc.CreateFunctionInput(
                function_name=name,
                runtime="custom-container",
                handler="index.handler",
                cpu=0.35,
                memory_size=512,
                disk_size=512,
                timeout=10,
                instance_concurrency=1,
                environment_variables={"GREETING": "hello"},
                custom_container_config=fc.CustomContainerConfig(
                    image=_image(world), port=9000, command=["/app/run.sh"]
                ),
            )
        )
    ).body
    data = _checked(fc.Function, body, "CreateFunction")
    assert data["functionName"] == name
    assert body.state == "Pending"
    _wait_ready(sdk_fc, name)
    return name


def test_create_function(sdk_fc: FcClient, function: str, world: World) -> None:
    got = sdk_fc.get_function(function, fc.GetFunctionRequest()).body
    assert got.runtime == "custom-container"
    assert got.environment_variables == {"GREETING": "hello"}
    assert got.custom_container_config.command == ["/app/run.sh"]
    assert got.function_arn.endswith(f":functions/{function}")


def test_get_function(sdk_fc: FcClient, function: str, world: World) -> None:
    for request in (fc.GetFunctionRequest(), fc.GetFunctionRequest(qualifier="LATEST")):
        body = sdk_fc.get_function(function, request).body
        data = _checked(fc.Function, body, "GetFunction")
        assert body.state == "Active"
        assert body.last_update_status == "Successful"
        ccc = body.custom_container_config
        assert ccc.image == _image(world)
        assert ccc.resolved_image_uri == f"{world.registry_host}/{NS}/{REPO}@{world.digest}"
        assert isinstance(data["cpu"], float | int)
    with pytest.raises(Exception, match="FunctionNotFound") as info:
        sdk_fc.get_function("no-such-function", fc.GetFunctionRequest())
    assert info.value.status_code == 404  # type: ignore[attr-defined]


def test_list_functions(sdk_fc: FcClient, function: str) -> None:
    body = sdk_fc.list_functions(fc.ListFunctionsRequest(limit=10, prefix="sdk-")).body
    data = _checked(fc.ListFunctionsOutput, body, "ListFunctions")
    assert [f.function_name for f in body.functions] == [function]
    # the list omits state and update status, as the cloud does
    assert "state" not in data["functions"][0]
    paged = sdk_fc.list_functions(fc.ListFunctionsRequest(limit=1)).body
    assert len(paged.functions) == 1


def test_update_function(sdk_fc: FcClient, function: str, world: World) -> None:
    body = sdk_fc.update_function(
        function,
        fc.UpdateFunctionRequest(body=fc.UpdateFunctionInput(memory_size=1024, cpu=0.5)),
    ).body
    data = _checked(fc.Function, body, "UpdateFunction")
    assert data["memorySize"] == 1024
    assert body.last_update_status == "InProgress"
    ready = _wait_ready(sdk_fc, function)
    assert ready.memory_size == 1024
    assert ready.custom_container_config.image == _image(world)


def test_invoke_function(sdk_fc: FcClient, function: str) -> None:
    response = sdk_fc.invoke_function_with_options(
        function,
        fc.InvokeFunctionRequest(body=io.BytesIO(b'{"k": 1}')),
        fc.InvokeFunctionHeaders(x_fc_invocation_type="Sync", x_fc_log_type="Tail"),
        RuntimeOptions(),
    )
    assert isinstance(response, fc.InvokeFunctionResponse)
    assert response.status_code == 200
    assert response.headers["x-fc-request-id"]
    assert response.body.read()


def test_list_instances(sdk_fc: FcClient, function: str) -> None:
    sdk_fc.invoke_function(function, fc.InvokeFunctionRequest(body=io.BytesIO(b"{}")))
    body = sdk_fc.list_instances(function, fc.ListInstancesRequest()).body
    data = _checked(fc.ListInstancesOutput, body, "ListInstances")
    assert len(data["instances"]) >= 1
    assert body.instances[0].instance_id


def test_delete_function(sdk_fc: FcClient, world: World) -> None:
    name = "sdk-contract-delete"
    sdk_fc.create_function(
        fc.CreateFunctionRequest(
            body=fc.CreateFunctionInput(
                function_name=name,
                runtime="custom-container",
                handler="index.handler",
                custom_container_config=fc.CustomContainerConfig(image=_image(world)),
            )
        )
    )
    response = sdk_fc.delete_function(name)
    assert isinstance(response, fc.DeleteFunctionResponse)
    assert response.status_code == 204
    with pytest.raises(Exception, match="FunctionNotFound"):
        sdk_fc.get_function(name, fc.GetFunctionRequest())


def test_answers_carry_only_documented_fields(
    server: LocalServerHandle, function: str, world: World
) -> None:
    """Raw answers (as fcdesk's clients read them) hold no field the SDK models lack, except
    the Local server's documented extensions."""
    from core.cloud import ACRClient, FCClient, local_endpoints

    async def collect() -> dict[str, tuple[type[DaraModel], dict[str, Any]]]:
        endpoints = local_endpoints(server.url)
        async with httpx.AsyncClient(timeout=60) as http:
            acr = ACRClient(http, server.credentials, endpoint=endpoints.acr)
            fcc = FCClient(http, server.credentials, endpoint=endpoints.fc)
            i = world.instance_id
            out: dict[str, tuple[type[DaraModel], dict[str, Any]]] = {
                "ListInstance": (cr.ListInstanceResponseBody, await acr.call("ListInstance")),
                "GetInstance": (
                    cr.GetInstanceResponseBody,
                    await acr.call("GetInstance", {"InstanceId": i}),
                ),
                "ListInstanceEndpoint": (
                    cr.ListInstanceEndpointResponseBody,
                    await acr.call("ListInstanceEndpoint", {"InstanceId": i}),
                ),
                "ListNamespace": (
                    cr.ListNamespaceResponseBody,
                    await acr.call("ListNamespace", {"InstanceId": i}),
                ),
                "GetRepository": (
                    cr.GetRepositoryResponseBody,
                    await acr.call("GetRepository", {"InstanceId": i, "RepoId": world.repo_id}),
                ),
                "ListRepository": (
                    cr.ListRepositoryResponseBody,
                    await acr.call("ListRepository", {"InstanceId": i}),
                ),
                "ListRepoTag": (
                    cr.ListRepoTagResponseBody,
                    await acr.call("ListRepoTag", {"InstanceId": i, "RepoId": world.repo_id}),
                ),
                "GetRepoTag": (
                    cr.GetRepoTagResponseBody,
                    await acr.call(
                        "GetRepoTag", {"InstanceId": i, "RepoId": world.repo_id, "Tag": "v1"}
                    ),
                ),
                "GetArtifactBuildRule": (
                    cr.GetArtifactBuildRuleResponseBody,
                    await acr.call(
                        "GetArtifactBuildRule", {"InstanceId": i, "BuildRuleId": world.rule_id}
                    ),
                ),
                "GetArtifactBuildTask": (
                    cr.GetArtifactBuildTaskResponseBody,
                    await acr.call(
                        "GetArtifactBuildTask", {"InstanceId": i, "BuildTaskId": world.task_id}
                    ),
                ),
                "ListArtifactBuildTaskLog": (
                    cr.ListArtifactBuildTaskLogResponseBody,
                    await acr.call(
                        "ListArtifactBuildTaskLog",
                        {"InstanceId": i, "BuildTaskId": world.task_id},
                    ),
                ),
                "GetAuthorizationToken": (
                    cr.GetAuthorizationTokenResponseBody,
                    await acr.call("GetAuthorizationToken", {"InstanceId": i}),
                ),
            }
            got = await fcc._json("GET", f"/2023-03-30/functions/{function}", "GetFunction")
            out["GetFunction"] = (fc.Function, got)
            listed = await fcc._json("GET", "/2023-03-30/functions", "ListFunctions")
            out["ListFunctions"] = (fc.ListFunctionsOutput, listed)
            instances = await fcc._json(
                "GET", f"/2023-03-30/functions/{function}/instances", "ListInstances"
            )
            out["ListInstances"] = (fc.ListInstancesOutput, instances)
            return out

    sdk_fc = fc_client(server.host, server.access_key_id, server.access_key_secret)
    sdk_fc.invoke_function(function, fc.InvokeFunctionRequest(body=io.BytesIO(b"{}")))
    answers = asyncio.run(collect())
    assert answers["ListInstances"][1]["instances"]
    for action, (model, data) in answers.items():
        assert type_errors(model, data) == [], action
        extra = set(unknown_fields(model, data)) - LOCAL_EXTRA_FIELDS.get(action, set())
        assert not extra, f"{action}: fields the SDK does not know: {sorted(extra)}"


#: Also answered by the Local server (docs/local-server.md), though fcdesk does not call them.
ACR_MORE = (
    "CreateNamespace",
    "GetNamespace",
    "UpdateNamespace",
    "DeleteNamespace",
    "UpdateRepository",
    "DeleteRepository",
    "DeleteRepoTag",
)


def test_the_other_supported_registry_actions(
    server: LocalServerHandle, sdk_cr: CrClient, world: World
) -> None:
    i = world.instance_id
    created = sdk_cr.create_namespace(
        cr.CreateNamespaceRequest(instance_id=i, namespace_name="more", auto_create_repo=False)
    ).body
    _rpc_ok(_checked(cr.CreateNamespaceResponseBody, created, "CreateNamespace"))
    got = sdk_cr.get_namespace(cr.GetNamespaceRequest(instance_id=i, namespace_name="more")).body
    _rpc_ok(_checked(cr.GetNamespaceResponseBody, got, "GetNamespace"))
    assert (got.namespace_name, got.auto_create_repo) == ("more", False)
    updated = sdk_cr.update_namespace(
        cr.UpdateNamespaceRequest(instance_id=i, namespace_name="more", auto_create_repo=True)
    ).body
    _rpc_ok(_checked(cr.UpdateNamespaceResponseBody, updated, "UpdateNamespace"))
    assert sdk_cr.get_namespace(
        cr.GetNamespaceRequest(instance_id=i, namespace_id=got.namespace_id)
    ).body.auto_create_repo

    repo_id = sdk_cr.create_repository(
        cr.CreateRepositoryRequest(
            instance_id=i,
            repo_namespace_name="more",
            repo_name="r",
            repo_type="PRIVATE",
            summary="before",
        )
    ).body.repo_id
    changed = sdk_cr.update_repository(
        cr.UpdateRepositoryRequest(
            instance_id=i, repo_id=repo_id, repo_type="PUBLIC", summary="after"
        )
    ).body
    _rpc_ok(_checked(cr.UpdateRepositoryResponseBody, changed, "UpdateRepository"))
    repo = sdk_cr.get_repository(cr.GetRepositoryRequest(instance_id=i, repo_id=repo_id)).body
    assert (repo.repo_type, repo.summary) == ("PUBLIC", "after")

    asyncio.run(push_test_image(server, "more/r", "t1"))
    dropped = sdk_cr.delete_repo_tag(
        cr.DeleteRepoTagRequest(instance_id=i, repo_id=repo_id, tag="t1")
    ).body
    _rpc_ok(_checked(cr.DeleteRepoTagResponseBody, dropped, "DeleteRepoTag"))
    assert not sdk_cr.list_repo_tag(
        cr.ListRepoTagRequest(instance_id=i, repo_id=repo_id)
    ).body.images

    not_empty = sdk_cr.delete_namespace(
        cr.DeleteNamespaceRequest(instance_id=i, namespace_name="more")
    ).body
    assert (not_empty.is_success, not_empty.code) == (False, "NAMESPACE_NOT_EMPTY")
    removed = sdk_cr.delete_repository(
        cr.DeleteRepositoryRequest(instance_id=i, repo_id=repo_id)
    ).body
    _rpc_ok(_checked(cr.DeleteRepositoryResponseBody, removed, "DeleteRepository"))
    gone = sdk_cr.delete_namespace(
        cr.DeleteNamespaceRequest(instance_id=i, namespace_name="more")
    ).body
    _rpc_ok(_checked(cr.DeleteNamespaceResponseBody, gone, "DeleteNamespace"))
    missing = sdk_cr.get_namespace(
        cr.GetNamespaceRequest(instance_id=i, namespace_name="more")
    ).body
    assert (missing.is_success, missing.code) == (False, "NAMESPACE_NOT_EXIST")
