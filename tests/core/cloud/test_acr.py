"""ACRClient against replayed bodies shaped like the documented cr 2018-12-01 responses
(string TotalCount, IsSuccess:false business errors, Page vs PageNo)."""

from __future__ import annotations

import httpx
import pytest

from core import RetryPolicy
from core.cloud import (
    AccelerationState,
    ACRClient,
    Credentials,
    CustomContainerConfig,
    Function,
    acceleration_status,
)
from core.errors import CloudError, ResourceNotFound, SignatureError
from tests.fixtures.cloud import SignedMock, json_response

ENDPOINT = "https://cr.cn-hangzhou.aliyuncs.com/"
INSTANCE = "cri-kmsiwlxxdcva****"
REPO = "crr-tquyps22md8p****"
OK = {"Code": "success", "IsSuccess": True, "RequestId": "8F8A0BA6-7F06-4BAE-B147-10BD6A25****"}


def ok(**body: object) -> httpx.Response:
    return json_response(200, {**OK, **body})


def business_error(code: str, message: str = "") -> httpx.Response:
    return json_response(
        200, {"Code": code, "IsSuccess": False, "Message": message, "RequestId": "REQ-1"}
    )


def _instance(i: int) -> dict[str, object]:
    return {
        "InstanceId": f"cri-{i}",
        "InstanceName": f"inst{i}",
        "InstanceSpecification": "Enterprise_Standard",
        "InstanceStatus": "RUNNING",
        "RegionId": "cn-hangzhou",
        "CreateTime": "2021-06-09T02:31:01Z",
        "ModifiedTime": "2021-06-09T02:31:01Z",
        "InstanceIssue": "",
        "ResourceGroupId": "rg-1",
        "Tags": [{"TagKey": "k", "TagValue": "v"}],
    }


@pytest.fixture
def acr(
    mock_http: httpx.AsyncClient, cloud_credentials: Credentials, fast_retry: RetryPolicy
) -> ACRClient:
    return ACRClient(
        mock_http, cloud_credentials, endpoint=ENDPOINT, region="cn-hangzhou", retry=fast_retry
    )


async def test_list_instances_paginates_with_int_total(
    acr: ACRClient, signed_mock: SignedMock
) -> None:
    signed_mock.queue(
        ok(Instances=[_instance(1), _instance(2)], PageNo=1, PageSize=2, TotalCount=3),
        ok(Instances=[_instance(3)], PageNo=2, PageSize=2, TotalCount=3),
    )
    instances = [i async for i in acr.list_instances(page_size=2)]
    assert [i.instance_id for i in instances] == ["cri-1", "cri-2", "cri-3"]
    assert instances[0].extra["Tags"] == [{"TagKey": "k", "TagValue": "v"}]
    assert instances[0].supports_acceleration
    first, second = signed_mock.requests
    assert first.method == "POST"
    assert first.url.path == "/"
    assert first.content == b""  # RPC: everything in the query
    assert dict(first.url.params) == {"PageNo": "1", "PageSize": "2"}
    assert dict(second.url.params) == {"PageNo": "2", "PageSize": "2"}
    assert first.headers["x-acs-action"] == "ListInstance"
    assert first.headers["x-acs-version"] == "2018-12-01"


async def test_list_namespaces_with_string_total(acr: ACRClient, signed_mock: SignedMock) -> None:
    ns = {
        "NamespaceId": "crn-1",
        "NamespaceName": "ns1",
        "NamespaceStatus": "NORMAL",
        "InstanceId": INSTANCE,
        "AutoCreateRepo": True,
        "DefaultRepoType": "deprecated",
        "DefaultRepoConfiguration": {"RepoType": "PRIVATE"},
        "ResourceGroupId": "",
    }
    signed_mock.queue(
        ok(Namespaces=[ns, dict(ns, NamespaceName="ns2")], PageNo=1, PageSize=2, TotalCount="3"),
        ok(Namespaces=[dict(ns, NamespaceName="ns3")], PageNo="2", PageSize="2", TotalCount="3"),
    )
    names = [n.namespace_name async for n in acr.list_namespaces(INSTANCE, page_size=2)]
    assert names == ["ns1", "ns2", "ns3"]
    assert signed_mock.requests[0].url.params["InstanceId"] == INSTANCE
    assert len(signed_mock.requests) == 2


async def test_list_stops_without_total_on_short_page(
    acr: ACRClient, signed_mock: SignedMock
) -> None:
    signed_mock.queue(ok(Repositories=[{"RepoId": "crr-1", "RepoName": "a"}]))
    repos = [r async for r in acr.list_repositories(INSTANCE, namespace="ns", page_size=30)]
    assert [r.repo_id for r in repos] == ["crr-1"]
    assert signed_mock.last.url.params["RepoNamespaceName"] == "ns"
    assert "RepoName" not in signed_mock.last.url.params


async def test_list_repositories_and_tags(acr: ACRClient, signed_mock: SignedMock) -> None:
    repo = {
        "RepoId": REPO,
        "RepoName": "app",
        "RepoNamespaceName": "ns",
        "RepoType": "PRIVATE",
        "RepoStatus": "NORMAL",
        "RepoBuildType": "MANUAL",
        "Summary": "demo",
        "TagImmutability": False,
        "CreateTime": 1623205918000,
        "ModifiedTime": 1623205918000,
        "InstanceId": INSTANCE,
        "ResourceGroupId": "",
    }
    tags = [
        {
            "Tag": "v1",
            "Digest": "6a2c8a4a4f2d8d2c0d9e4c4d0f7f9b5c8a9e7c6d5b4a3f2e1d0c9b8a7f6e5d4c",
            "ImageId": "sha256:abcd",
            "ImageSize": 1024,
            "ImageCreate": 1623205918000,
            "ImageUpdate": "1623205918000",
            "Status": "NORMAL",
        },
        {"Tag": "v1_accelerated", "ImageSize": "1300", "ImageUpdate": "1623205919000"},
    ]
    signed_mock.queue(
        ok(Repositories=[repo], PageNo=1, PageSize=30, TotalCount="1"),
        ok(Images=tags, PageNo=1, PageSize=100, TotalCount="2"),
    )
    repos = [r async for r in acr.list_repositories(INSTANCE, status="ALL")]
    assert repos[0].path == "ns/app"
    assert signed_mock.last.url.params["RepoStatus"] == "ALL"
    listed = [t async for t in acr.list_tags(INSTANCE, REPO)]
    assert [t.tag for t in listed] == ["v1", "v1_accelerated"]
    assert listed[0].updated_ms == 1623205918000
    assert listed[1].size == 1300
    assert signed_mock.last.url.params["RepoId"] == REPO
    assert signed_mock.last.headers["x-acs-action"] == "ListRepoTag"


async def test_business_error_raises_with_request_id(
    acr: ACRClient, signed_mock: SignedMock
) -> None:
    signed_mock.queue(business_error("REPO_NOT_EXIST", "repo not exist"))
    with pytest.raises(ResourceNotFound) as info:
        await acr.get_repository(INSTANCE, namespace="ns", name="gone")
    assert info.value.code == "REPO_NOT_EXIST"
    assert info.value.request_id == "REQ-1"
    assert info.value.status == 200
    signed_mock.queue(business_error("PARAM_INVALID", "bad"))
    with pytest.raises(CloudError) as info2:
        await acr.create_repository(INSTANCE, "ns", "x")
    assert type(info2.value) is CloudError
    assert info2.value.code == "PARAM_INVALID"


async def test_http_errors(acr: ACRClient, signed_mock: SignedMock) -> None:
    denied = {"Code": "NoPrivilege", "Message": "Access denied for this user.", "RequestId": "R"}
    bad_sig = {"Code": "SignatureDoesNotMatch", "Message": "not matched", "RequestId": "R"}
    signed_mock.queue(json_response(403, denied), json_response(400, bad_sig))
    with pytest.raises(CloudError) as info:
        await acr.get_instance(INSTANCE)
    assert info.value.code == "NoPrivilege"
    assert info.value.status == 403
    with pytest.raises(SignatureError):
        await acr.get_instance(INSTANCE)


async def test_get_calls_and_flat_bodies(acr: ACRClient, signed_mock: SignedMock) -> None:
    signed_mock.queue(
        ok(**_instance(7)),
        ok(Tag="v1", Digest="d", ImageSize=5, ImageUpdate=1623205918000, Status="NORMAL"),
    )
    instance = await acr.get_instance("cri-7")
    assert instance.instance_name == "inst7"
    assert "RequestId" not in instance.extra
    tag = await acr.get_tag(INSTANCE, REPO, "v1")
    assert signed_mock.last.method == "GET"
    assert dict(signed_mock.last.url.params) == {
        "InstanceId": INSTANCE,
        "RepoId": REPO,
        "Tag": "v1",
    }
    assert tag.updated_ms == 1623205918000


async def test_create_repository(acr: ACRClient, signed_mock: SignedMock) -> None:
    signed_mock.queue(ok(RepoId="crr-new"))
    repo_id = await acr.create_repository(
        INSTANCE, "ns", "app", summary="hello world", tag_immutability=True
    )
    assert repo_id == "crr-new"
    assert dict(signed_mock.last.url.params) == {
        "InstanceId": INSTANCE,
        "RepoNamespaceName": "ns",
        "RepoName": "app",
        "RepoType": "PRIVATE",
        "Summary": "hello world",
        "TagImmutability": "True",  # str(True), as the official Python SDK sends it
    }
    # the query on the wire is the canonical one (space as %20)
    assert b"Summary=hello%20world" in signed_mock.last.url.query


async def test_acceleration_rules(acr: ACRClient, signed_mock: SignedMock) -> None:
    rule = {
        "BuildRuleId": "crabr-1",
        "ScopeType": "REPOSITORY",
        "ScopeId": REPO,
        "ArtifactType": "ACCELERATED_IMAGE",
        "Parameters": {"ImageIndexOnly": False, "PriorityFile": ""},
    }
    signed_mock.queue(
        ok(BuildRuleId="crabr-1"),
        ok(**rule),
        ok(),
        business_error("ARTIFACT_BUILD_RULE_NOT_EXIST", "artifact build rule not found"),
        business_error("ARTIFACT_BUILD_RULE_NOT_EXIST", "artifact build rule not found"),
    )
    assert await acr.create_acceleration_rule(INSTANCE, REPO) == "crabr-1"
    created = signed_mock.last
    assert created.method == "POST"
    assert dict(created.url.params) == {
        "InstanceId": INSTANCE,
        "ScopeType": "REPOSITORY",
        "ScopeId": REPO,
        "ArtifactType": "ACCELERATED_IMAGE",
        "Parameters": "{}",
    }
    got = await acr.get_acceleration_rule(INSTANCE, REPO)
    assert got is not None
    assert got.build_rule_id == "crabr-1"
    assert got.parameters == {"ImageIndexOnly": False, "PriorityFile": ""}
    assert signed_mock.last.method == "GET"
    assert await acr.delete_acceleration_rule(INSTANCE, REPO) is True
    assert signed_mock.last.headers["x-acs-action"] == "DeleteArtifactBuildRule"
    assert await acr.get_acceleration_rule(INSTANCE, REPO) is None
    assert await acr.delete_acceleration_rule(INSTANCE, REPO) is False


async def test_build_tasks_and_logs_use_page(acr: ACRClient, signed_mock: SignedMock) -> None:
    task = {
        "BuildTaskId": "i2a-1yu****",
        "ArtifactBuildType": "IMAGE_TO_ACCELERATED_IMAGE",
        "TaskStatus": "BUILDING",
        "StartTime": 1638239728,
        "EndTime": 0,
        "SourceArtifact": {"ArtifactType": "IMAGE", "RepoId": REPO, "Version": "latest"},
        "TargetArtifact": {
            "ArtifactType": "IMAGE",
            "RepoId": REPO,
            "Version": "latest_accelerated",
        },
        "Instructions": [],
    }
    lines = [{"LineNumber": i, "Message": f"line {i}"} for i in range(1, 4)]
    signed_mock.queue(
        ok(**task),
        ok(BuildTaskLogs=lines[:2], TotalCount=3),
        ok(BuildTaskLogs=lines[2:], TotalCount=3),
        ok(),
    )
    got = await acr.get_build_task(INSTANCE, "i2a-1yu****")
    assert got.task_status == "BUILDING"
    assert not got.finished
    assert (got.source_tag, got.target_tag, got.repo_id) == ("latest", "latest_accelerated", REPO)
    logs = [
        line.message
        async for line in acr.list_build_task_logs(INSTANCE, "i2a-1yu****", page_size=2)
    ]
    assert logs == ["line 1", "line 2", "line 3"]
    params = [dict(r.url.params) for r in signed_mock.requests[1:3]]
    assert params[0]["Page"] == "1" and params[1]["Page"] == "2"  # noqa: PT018
    assert "PageNo" not in params[0]
    await acr.cancel_build_task(INSTANCE, "i2a-1yu****")
    assert signed_mock.last.method == "POST"
    assert signed_mock.last.headers["x-acs-action"] == "CancelArtifactBuildTask"


async def test_registry_hosts_from_endpoints(acr: ACRClient, signed_mock: SignedMock) -> None:
    endpoints = [
        {
            "EndpointType": "internet",
            "Enable": True,
            "Status": "RUNNING",
            "Domains": [
                {"Domain": "my.example.com", "Type": "USER"},
                {"Domain": "inst-registry.cn-hangzhou.cr.aliyuncs.com", "Type": "SYSTEM"},
            ],
            "AclEntries": [],
        },
        {
            "EndpointType": "vpc",
            "Enable": True,
            "Status": "RUNNING",
            "Domains": [
                {"Domain": "inst-registry-vpc.cn-hangzhou.cr.aliyuncs.com", "Type": "SYSTEM"}
            ],
            "LinkedVpcs": [{"VpcId": "vpc-1"}],
        },
    ]
    signed_mock.queue(ok(Endpoints=endpoints))
    hosts = await acr.registry_hosts(INSTANCE)
    assert hosts.public == "inst-registry.cn-hangzhou.cr.aliyuncs.com"
    assert hosts.vpc == "inst-registry-vpc.cn-hangzhou.cr.aliyuncs.com"
    assert hosts.preferred_for_functions == hosts.vpc
    assert signed_mock.last.url.params["ModuleName"] == "Registry"
    assert await acr.registry_hosts(INSTANCE) == hosts  # cached
    assert len(signed_mock.requests) == 1


async def test_registry_hosts_fallback_to_documented_names(
    acr: ACRClient, signed_mock: SignedMock
) -> None:
    signed_mock.queue(ok(Endpoints=[]), ok(**_instance(5)))
    hosts = await acr.registry_hosts("cri-5")
    assert hosts.public == "inst5-registry.cn-hangzhou.cr.aliyuncs.com"
    assert hosts.vpc == "inst5-registry-vpc.cn-hangzhou.cr.aliyuncs.com"


async def test_authorization_token(acr: ACRClient, signed_mock: SignedMock) -> None:
    signed_mock.queue(
        ok(
            TempUsername="cr_temp_user",
            AuthorizationToken="eyJ-secret-token",
            ExpireTime=1700000000000,
        )
    )
    creds = await acr.get_authorization_token(INSTANCE)
    assert creds.username == "cr_temp_user"
    assert creds.password == "eyJ-secret-token"
    assert creds.expires_ms == 1700000000000
    assert "eyJ-secret-token" not in repr(creds)
    assert "eyJ-secret-token" not in str(creds)


async def test_image_exists_and_acceleration_status(
    acr: ACRClient, signed_mock: SignedMock
) -> None:
    domain = {"Domain": "inst-registry-vpc.cn-hangzhou.cr.aliyuncs.com", "Type": "SYSTEM"}
    endpoints = [{"EndpointType": "vpc", "Enable": True, "Domains": [domain]}]

    def answer(request: httpx.Request) -> httpx.Response:
        action = request.headers["x-acs-action"]
        params = request.url.params
        if action == "ListInstance":
            return ok(Instances=[_instance(1)], TotalCount=1)
        if action == "ListInstanceEndpoint":
            return ok(Endpoints=endpoints)
        if action == "GetRepository":
            if params["RepoName"] == "app":
                return ok(RepoId=REPO, RepoName="app", RepoNamespaceName="ns")
            return business_error("REPO_NOT_EXIST")
        if action == "GetRepoTag":
            if params["Tag"] == "v1_accelerated":
                return ok(Tag="v1_accelerated", Digest="sha256:1")
            return business_error("TAG_NOT_EXIST")
        raise AssertionError(action)

    signed_mock.handler = answer
    exists = acr.image_exists()
    host = "inst-registry-vpc.cn-hangzhou.cr.aliyuncs.com"

    def fn(image: str) -> Function:
        return Function(
            function_name="f", custom_container_config=CustomContainerConfig(image=image)
        )

    status = await acceleration_status(fn(f"{host}/ns/app:v1"), exists)
    assert status.state is AccelerationState.AVAILABLE
    assert status.accelerated_image == f"{host}/ns/app:v1_accelerated"
    assert status.source == "registry"
    status = await acceleration_status(fn(f"{host}/ns/app:v1_accelerated"), exists)
    assert status.state is AccelerationState.READY
    status = await acceleration_status(fn(f"{host}/ns/app:v2_accelerated"), exists)
    assert status.state is AccelerationState.MISSING
    status = await acceleration_status(fn(f"{host}/ns/app:v2"), exists)
    assert status.state is AccelerationState.NONE
    status = await acceleration_status(fn(f"{host}/ns/gone:v1"), exists)
    assert status.state is AccelerationState.NONE
    status = await acceleration_status(fn("other.example.com/ns/app:v1"), exists)
    assert status.state is AccelerationState.UNKNOWN
