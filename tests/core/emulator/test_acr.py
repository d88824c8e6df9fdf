"""ACR EE API subset: shapes, types and business errors as the real API has them."""

from __future__ import annotations

import httpx

from tests.core.emulator.helpers import acr, push_image
from tests.fixtures.emulator import LocalServerHandle


async def test_instance_and_endpoints(local_server_thread: LocalServerHandle) -> None:
    srv = local_server_thread
    async with srv.signed_client() as http:
        body = await acr(http, "ListInstance", PageNo=1, PageSize=30)
        assert body["Code"] == "success"
        assert body["IsSuccess"] is True
        assert body["TotalCount"] == 1  # an int in ListInstance
        inst = body["Instances"][0]
        assert inst["InstanceId"].startswith("cri-")
        assert inst["InstanceSpecification"] == "Enterprise_Standard"
        assert inst["InstanceStatus"] == "RUNNING"
        got = await acr(http, "GetInstance", InstanceId=inst["InstanceId"])
        assert got["InstanceName"] == inst["InstanceName"]
        eps = await acr(http, "ListInstanceEndpoint", ModuleName="Registry")
        types = {e["EndpointType"]: e for e in eps["Endpoints"]}
        assert types["internet"]["Domains"][0]["Domain"] == srv.host
        assert types["vpc"]["Domains"][0]["Domain"].startswith("localhost:")
        missing = await acr(http, "GetInstance", InstanceId="cri-doesnotexist")
        assert missing["IsSuccess"] is False
        assert missing["Code"] == "INSTANCE_NOT_EXIST"
        # GET with everything in the query works too (as some tools call ListInstance)
        r = await http.get(
            "/",
            params={"PageNo": "1"},
            headers={"x-acs-action": "ListInstance", "x-acs-version": "2018-12-01"},
        )
        assert r.json()["TotalCount"] == 1


async def test_namespaces_repositories_tags(local_server_thread: LocalServerHandle) -> None:
    srv = local_server_thread
    async with srv.signed_client() as http:
        created = await acr(http, "CreateNamespace", NamespaceName="team", AutoCreateRepo="true")
        assert created["IsSuccess"] is True
        dup = await acr(http, "CreateNamespace", NamespaceName="team")
        assert (dup["IsSuccess"], dup["Code"]) == (False, "NAMESPACE_ALREADY_EXIST")
        ns = await acr(http, "ListNamespace")
        assert ns["TotalCount"] == "1"  # a string in ListNamespace
        assert ns["Namespaces"][0]["NamespaceName"] == "team"
        repo = await acr(
            http,
            "CreateRepository",
            RepoNamespaceName="team",
            RepoName="api",
            RepoType="PRIVATE",
            Summary="the api",
        )
        repo_id = repo["RepoId"]
        assert repo_id.startswith("crr-")
        nons = await acr(
            http,
            "CreateRepository",
            RepoNamespaceName="nope",
            RepoName="x",
            RepoType="PRIVATE",
            Summary="s",
        )
        assert nons["Code"] == "NAMESPACE_NOT_EXIST"
        r = await http.post(
            "/",
            params={"InstanceId": "cri-local0000000001", "RepoNamespaceName": "team"},
            headers={"x-acs-action": "CreateRepository", "x-acs-version": "2018-12-01"},
        )
        assert r.status_code == 400
        assert r.json()["Code"] == "MissingParameter"

    # a push creates repositories (and namespaces) that the API lists at once
    async with srv.registry_client() as reg:
        await push_image(reg, "team/api", "v1")
        await push_image(reg, "team/api", "v2")
        await push_image(reg, "pushed/new", "latest")
    async with srv.signed_client() as http:
        repos = await acr(http, "ListRepository", RepoStatus="ALL")
        assert repos["TotalCount"] == "2"
        names = {f"{r['RepoNamespaceName']}/{r['RepoName']}" for r in repos["Repositories"]}
        assert names == {"team/api", "pushed/new"}
        tags = await acr(http, "ListRepoTag", RepoId=repo_id, PageNo=1, PageSize=1)
        assert tags["TotalCount"] == "2"  # a string in ListRepoTag
        assert len(tags["Images"]) == 1
        image = tags["Images"][0]
        assert isinstance(image["ImageUpdate"], str)
        assert isinstance(image["ImageSize"], int)
        assert len(image["Digest"]) == 64
        one = await acr(http, "GetRepoTag", RepoId=repo_id, Tag="v1")
        assert one["Tag"] == "v1"
        assert isinstance(one["ImageUpdate"], int)
        gone = await acr(http, "GetRepoTag", RepoId=repo_id, Tag="v9")
        assert (gone["IsSuccess"], gone["Code"]) == (False, "TAG_NOT_EXIST")
        assert (await acr(http, "DeleteRepoTag", RepoId=repo_id, Tag="v2"))["IsSuccess"]
        tags = await acr(http, "ListRepoTag", RepoId=repo_id)
        assert [i["Tag"] for i in tags["Images"]] == ["v1"]
        bad = await acr(http, "ListRepoTag", RepoId="crr-missing")
        assert (bad["IsSuccess"], bad["Code"]) == (False, "REPO_NOT_EXIST")
        got = await acr(http, "GetRepository", RepoNamespaceName="team", RepoName="api")
        assert got["RepoId"] == repo_id
        await acr(http, "UpdateRepository", RepoId=repo_id, Summary="new", RepoType="PUBLIC")
        got = await acr(http, "GetRepository", RepoId=repo_id)
        assert (got["Summary"], got["RepoType"]) == ("new", "PUBLIC")


async def test_login_token_works_as_registry_password(
    local_server_thread: LocalServerHandle,
) -> None:
    srv = local_server_thread
    async with srv.signed_client() as http:
        tok = await acr(http, "GetAuthorizationToken")
    async with httpx.AsyncClient(
        base_url=srv.url, auth=(tok["TempUsername"], tok["AuthorizationToken"])
    ) as reg:
        assert (await reg.get("/v2/")).status_code == 200
    async with httpx.AsyncClient(base_url=srv.url, auth=(tok["TempUsername"], "x")) as reg:
        assert (await reg.get("/v2/")).status_code == 401


async def test_build_rules(local_server_thread: LocalServerHandle) -> None:
    srv = local_server_thread
    async with srv.registry_client() as reg:
        await push_image(reg, "acc/app", "v1")
    async with srv.signed_client() as http:
        repo = await acr(http, "GetRepository", RepoNamespaceName="acc", RepoName="app")
        ns = await acr(http, "GetNamespace", NamespaceName="acc")
        none = await acr(
            http,
            "GetArtifactBuildRule",
            ScopeType="REPOSITORY",
            ScopeId=repo["RepoId"],
            ArtifactType="ACCELERATED_IMAGE",
        )
        assert (none["IsSuccess"], none["Code"]) == (False, "ARTIFACT_BUILD_RULE_NOT_EXIST")
        rule = await acr(
            http,
            "CreateArtifactBuildRule",
            ScopeType="REPOSITORY",
            ScopeId=repo["RepoId"],
            ArtifactType="ACCELERATED_IMAGE",
            Parameters="{}",
        )
        assert rule["BuildRuleId"].startswith("crabr-")
        again = await acr(
            http,
            "CreateArtifactBuildRule",
            ScopeType="REPOSITORY",
            ScopeId=repo["RepoId"],
            ArtifactType="ACCELERATED_IMAGE",
        )
        assert again["BuildRuleId"] == rule["BuildRuleId"]
        got = await acr(http, "GetArtifactBuildRule", BuildRuleId=rule["BuildRuleId"])
        assert got["ScopeId"] == repo["RepoId"]
        assert got["Parameters"] == {"ImageIndexOnly": False, "PriorityFile": ""}
        ns_rule = await acr(
            http,
            "CreateArtifactBuildRule",
            ScopeType="NAMESPACE",
            ScopeId=ns["NamespaceId"],
            ArtifactType="ACCELERATED_IMAGE",
        )
        assert ns_rule["IsSuccess"] is True
        bad = await acr(
            http,
            "CreateArtifactBuildRule",
            ScopeType="REPOSITORY",
            ScopeId="crr-missing",
            ArtifactType="ACCELERATED_IMAGE",
        )
        assert bad["Code"] == "REPO_NOT_EXIST"
        deleted = await acr(
            http,
            "DeleteArtifactBuildRule",
            ScopeType="REPOSITORY",
            ScopeId=repo["RepoId"],
            ArtifactType="ACCELERATED_IMAGE",
        )
        assert deleted["IsSuccess"] is True
        gone = await acr(http, "GetArtifactBuildRule", BuildRuleId=rule["BuildRuleId"])
        assert gone["IsSuccess"] is False
        task = await acr(http, "GetArtifactBuildTask", BuildTaskId="i2a-missing")
        assert task["Code"] == "ARTIFACT_BUILD_TASK_NOT_EXIST"
        r = await http.post(
            "/", headers={"x-acs-action": "NoSuchAction", "x-acs-version": "2018-12-01"}
        )
        assert r.status_code == 404
