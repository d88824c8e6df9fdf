"""fcdesk's FC and ACR clients send what Alibaba Cloud's official Python SDK sends.

For every operation fcdesk calls (`FC_OPERATIONS`, `ACR_OPERATIONS`), the SDK and fcdesk's
client are given the same inputs and talk to a recording loopback server. The two requests
must agree on method, raw path, query (decoded: the SDK writes a space as ``+``, fcdesk as
``%20``, which the service decodes alike), body (JSON compared as values: member order does
not matter to a JSON reader), and signed headers: the same names with the same values, except
the per-request date and nonce, the client's own ``user-agent`` and the SDK's
``x-acs-credentials-provider`` (which names the SDK's credentials library). Both signatures
must verify over the request as it arrived.

The recorder answers with bodies built from the SDK's response models with every field set
(`populated`), so each case also shows that fcdesk's clients parse what the real API may send,
fields they do not use included.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from alibabacloud_cr20181201 import models as cr
from alibabacloud_cr20181201.client import Client as CrClient
from alibabacloud_fc20230330 import models as fc
from alibabacloud_fc20230330.client import Client as FcClient
from alibabacloud_tea_openapi import models as openapi
from darabonba.runtime import RuntimeOptions

from core.cloud import (
    ACRClient,
    Credentials,
    CustomContainerConfig,
    FCClient,
    Function,
    HealthCheckConfig,
    verify_signature,
)
from tests.contract._recorder import Answer, Recorded, Recorder
from tests.contract._sdk import cr_client, fc_client, populated
from tests.contract.test_sdk_operations import ACR_OPERATIONS, FC_OPERATIONS

AK = "LTAIcontractparity01"
SECRET = "contract-parity-secret-0123456789"
INSTANCE = "cri-parity0000000001"
REPO_ID = "crr-parity0000000001"
TASK_ID = "i2a-parity0000000001"
IMAGE = "cri-parity-registry-vpc.cn-hangzhou.cr.aliyuncs.com/ns/app:v1_accelerated"

#: Signed by one side only, by design (see the module docstring).
_SDK_ONLY = frozenset({"x-acs-credentials-provider"})
_PER_REQUEST = frozenset({"x-acs-date", "x-acs-signature-nonce", "user-agent"})


@dataclass(frozen=True)
class Clients:
    fc: FCClient
    acr: ACRClient


@dataclass(frozen=True)
class Case:
    action: str
    sdk: Callable[[FcClient, CrClient], object]
    fcdesk: Callable[[Clients], Awaitable[Any]]
    answer: Callable[[], Answer]
    check: Callable[[Any], bool | None] = lambda result: None


def _rpc(model: type, **overrides: Any) -> Callable[[], Answer]:
    def build() -> Answer:
        body = populated(model, code="success", is_success=True, **overrides).to_map()
        body["FieldFromTheFuture"] = {"nested": [1, "two"]}  # an API that grew
        return Answer.json(body, 200, **{"x-acs-request-id": "parity"})

    return build


def _fc_json(model: type, status: int = 200, **overrides: Any) -> Callable[[], Answer]:
    def build() -> Answer:
        body = populated(model, **overrides).to_map()
        body["fieldFromTheFuture"] = {"nested": True}
        return Answer.json(body, status, **{"x-fc-request-id": "1-parity"})

    return build


def _function_answer() -> Answer:
    return _fc_json(
        fc.Function,
        state="Active",
        last_update_status="Successful",
        custom_container_config=populated(fc.CustomContainerConfig, image=IMAGE),
    )()


async def _first_pages(items: Any) -> list[Any]:
    return [item async for item in items]


def _sdk_invoke(f: FcClient, c: CrClient) -> object:
    return f.invoke_function_with_options(
        "demo-1",
        fc.InvokeFunctionRequest(body=io.BytesIO(b'{"k": 1, "text": "h\xc3\xa9"}')),
        fc.InvokeFunctionHeaders(x_fc_invocation_type="Sync", x_fc_log_type="Tail"),
        RuntimeOptions(),
    )


def _sdk_delete_rule(f: FcClient, c: CrClient) -> object:
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
    query = {
        "InstanceId": INSTANCE,
        "ScopeType": "REPOSITORY",
        "ScopeId": REPO_ID,
        "ArtifactType": "ACCELERATED_IMAGE",
    }
    return c.call_api(params, openapi.OpenApiRequest(query=query), RuntimeOptions())


def _created_function() -> Function:
    fn = Function.for_container(
        "demo-1",
        IMAGE,
        port=9000,
        cpu=0.5,
        memory_size=1024,
        timeout=60,
        instance_concurrency=10,
        environment_variables={"B": "2", "A": "é 1"},
        description="parity test",
    )
    assert fn.custom_container_config is not None
    fn.custom_container_config.entrypoint = ["python"]
    fn.custom_container_config.command = ["app.py", "--port", "9000"]
    fn.custom_container_config.health_check_config = HealthCheckConfig(http_get_url="/ready")
    return fn


def _sdk_create(f: FcClient, c: CrClient) -> object:
    return f.create_function(
        fc.CreateFunctionRequest(
            body=fc.CreateFunctionInput(
                function_name="demo-1",
                runtime="custom-container",
                handler="index.handler",
                cpu=0.5,
                memory_size=1024,
                disk_size=512,
                timeout=60,
                instance_concurrency=10,
                internet_access=True,
                environment_variables={"B": "2", "A": "é 1"},
                description="parity test",
                custom_container_config=fc.CustomContainerConfig(
                    image=IMAGE,
                    port=9000,
                    entrypoint=["python"],
                    command=["app.py", "--port", "9000"],
                    health_check_config=fc.CustomHealthCheckConfig(http_get_url="/ready"),
                ),
            )
        )
    )


def _check_function(result: Any) -> None:
    assert isinstance(result, Function)
    assert result.state == "Active"
    assert result.image == IMAGE
    assert result.memory_size == 7
    assert "fieldFromTheFuture" in result.extra


CASES = [
    # -- Function Compute 3.0 --------------------------------------------------------------
    Case(
        "ListFunctions",
        lambda f, c: f.list_functions(fc.ListFunctionsRequest(limit=10, prefix="demo -")),
        lambda cl: _first_pages(cl.fc.list_functions(prefix="demo -", limit=10)),
        _fc_json(fc.ListFunctionsOutput, next_token=None),
        lambda result: [fn.name for fn in result] == ["sample-function_name"],
    ),
    Case(
        "GetFunction",
        lambda f, c: f.get_function("demo-1", fc.GetFunctionRequest(qualifier="LATEST")),
        lambda cl: cl.fc.get_function("demo-1", qualifier="LATEST"),
        _function_answer,
        _check_function,
    ),
    Case(
        "CreateFunction",
        _sdk_create,
        lambda cl: cl.fc.create_function(_created_function()),
        _function_answer,
        _check_function,
    ),
    Case(
        "UpdateFunction",
        lambda f, c: f.update_function(
            "demo-1",
            fc.UpdateFunctionRequest(
                body=fc.UpdateFunctionInput(
                    memory_size=2048,
                    cpu=1.0,
                    custom_container_config=fc.CustomContainerConfig(image=IMAGE, port=9000),
                )
            ),
        ),
        lambda cl: cl.fc.update_function(
            "demo-1",
            Function(
                memory_size=2048,
                cpu=1.0,
                custom_container_config=CustomContainerConfig(image=IMAGE, port=9000),
            ),
        ),
        _function_answer,
        _check_function,
    ),
    Case(
        "DeleteFunction",
        lambda f, c: f.delete_function("demo-1"),
        lambda cl: cl.fc.delete_function("demo-1"),
        lambda: Answer(204, b"", {"x-fc-request-id": "1-parity"}),
    ),
    Case(
        "ListInstances",
        lambda f, c: f.list_instances("demo-1", fc.ListInstancesRequest(qualifier="LATEST")),
        lambda cl: cl.fc.list_instances("demo-1", qualifier="LATEST"),
        _fc_json(fc.ListInstancesOutput),
        lambda result: [i.instance_id for i in result] == ["sample-instance_id"],
    ),
    Case(
        "InvokeFunction",
        _sdk_invoke,
        lambda cl: cl.fc.invoke_function("demo-1", b'{"k": 1, "text": "h\xc3\xa9"}', log_tail=True),
        lambda: Answer(
            200,
            b"hello",
            {
                "content-type": "text/plain",
                "x-fc-request-id": "1-parity",
                "x-fc-log-result": "RkMgSW52b2tlIFN0YXJ0",
            },
        ),
        lambda result: (result.body, result.log) == (b"hello", "FC Invoke Start"),
    ),
    # -- Container Registry ----------------------------------------------------------------
    Case(
        "ListInstance",
        lambda f, c: c.list_instance(cr.ListInstanceRequest(page_no=1, page_size=30)),
        lambda cl: _first_pages(cl.acr.list_instances()),
        _rpc(cr.ListInstanceResponseBody, total_count=1),
        lambda result: [i.instance_id for i in result] == ["sample-instance_id"],
    ),
    Case(
        "GetInstance",
        lambda f, c: c.get_instance(cr.GetInstanceRequest(instance_id=INSTANCE)),
        lambda cl: cl.acr.get_instance(INSTANCE),
        _rpc(cr.GetInstanceResponseBody),
        lambda result: result.instance_name == "sample-instance_name",
    ),
    Case(
        "ListInstanceEndpoint",
        lambda f, c: c.list_instance_endpoint(
            cr.ListInstanceEndpointRequest(instance_id=INSTANCE, module_name="Registry")
        ),
        lambda cl: cl.acr.list_instance_endpoints(INSTANCE),
        _rpc(cr.ListInstanceEndpointResponseBody),
        lambda result: result[0].domain() == "sample-domain",
    ),
    Case(
        "GetAuthorizationToken",
        lambda f, c: c.get_authorization_token(
            cr.GetAuthorizationTokenRequest(instance_id=INSTANCE)
        ),
        lambda cl: cl.acr.get_authorization_token(INSTANCE),
        _rpc(cr.GetAuthorizationTokenResponseBody),
        lambda result: (result.username, result.expires_ms) == ("sample-temp_username", 7),
    ),
    Case(
        "ListNamespace",
        lambda f, c: c.list_namespace(
            cr.ListNamespaceRequest(
                instance_id=INSTANCE, namespace_name="ns", page_no=1, page_size=30
            )
        ),
        lambda cl: _first_pages(cl.acr.list_namespaces(INSTANCE, name="ns")),
        _rpc(cr.ListNamespaceResponseBody),
        lambda result: [n.namespace_name for n in result] == ["sample-namespace_name"],
    ),
    Case(
        "ListRepository",
        lambda f, c: c.list_repository(
            cr.ListRepositoryRequest(
                instance_id=INSTANCE, repo_namespace_name="ns", page_no=1, page_size=30
            )
        ),
        lambda cl: _first_pages(cl.acr.list_repositories(INSTANCE, namespace="ns")),
        _rpc(cr.ListRepositoryResponseBody),
        lambda result: [r.repo_id for r in result] == ["sample-repo_id"],
    ),
    Case(
        "GetRepository",
        lambda f, c: c.get_repository(
            cr.GetRepositoryRequest(
                instance_id=INSTANCE, repo_namespace_name="ns", repo_name="app/web"
            )
        ),
        lambda cl: cl.acr.get_repository(INSTANCE, namespace="ns", name="app/web"),
        _rpc(cr.GetRepositoryResponseBody),
        lambda result: result.repo_name == "sample-repo_name",
    ),
    Case(
        "CreateRepository",
        lambda f, c: c.create_repository(
            cr.CreateRepositoryRequest(
                instance_id=INSTANCE,
                repo_namespace_name="ns",
                repo_name="app",
                repo_type="PRIVATE",
                summary="a summary with spaces & signs",
                detail="détail",
                tag_immutability=True,
            )
        ),
        lambda cl: cl.acr.create_repository(
            INSTANCE,
            "ns",
            "app",
            summary="a summary with spaces & signs",
            detail="détail",
            tag_immutability=True,
        ),
        _rpc(cr.CreateRepositoryResponseBody),
        lambda result: result == "sample-repo_id",
    ),
    Case(
        "ListRepoTag",
        lambda f, c: c.list_repo_tag(
            cr.ListRepoTagRequest(instance_id=INSTANCE, repo_id=REPO_ID, page_no=1, page_size=100)
        ),
        lambda cl: _first_pages(cl.acr.list_tags(INSTANCE, REPO_ID)),
        _rpc(cr.ListRepoTagResponseBody),
        lambda result: [t.tag for t in result] == ["sample-tag"],
    ),
    Case(
        "GetRepoTag",
        lambda f, c: c.get_repo_tag(
            cr.GetRepoTagRequest(instance_id=INSTANCE, repo_id=REPO_ID, tag="v1")
        ),
        lambda cl: cl.acr.get_tag(INSTANCE, REPO_ID, "v1"),
        _rpc(cr.GetRepoTagResponseBody),
        lambda result: (result.tag, result.size) == ("sample-tag", 7),
    ),
    Case(
        "CreateArtifactBuildRule",
        lambda f, c: c.create_artifact_build_rule(
            cr.CreateArtifactBuildRuleRequest(
                instance_id=INSTANCE,
                scope_type="REPOSITORY",
                scope_id=REPO_ID,
                artifact_type="ACCELERATED_IMAGE",
                parameters={"PriorityFile": "L2FwcC/DqQo=", "ImageIndexOnly": False},
            )
        ),
        lambda cl: cl.acr.create_acceleration_rule(
            INSTANCE,
            REPO_ID,
            parameters={"PriorityFile": "L2FwcC/DqQo=", "ImageIndexOnly": False},
        ),
        _rpc(cr.CreateArtifactBuildRuleResponseBody),
        lambda result: result == "sample-build_rule_id",
    ),
    Case(
        "GetArtifactBuildRule",
        lambda f, c: c.get_artifact_build_rule(
            cr.GetArtifactBuildRuleRequest(
                instance_id=INSTANCE,
                scope_type="REPOSITORY",
                scope_id=REPO_ID,
                artifact_type="ACCELERATED_IMAGE",
            )
        ),
        lambda cl: cl.acr.get_acceleration_rule(INSTANCE, REPO_ID),
        _rpc(cr.GetArtifactBuildRuleResponseBody),
        lambda result: result.build_rule_id == "sample-build_rule_id",
    ),
    Case(
        "DeleteArtifactBuildRule",
        _sdk_delete_rule,
        lambda cl: cl.acr.delete_acceleration_rule(INSTANCE, REPO_ID),
        lambda: Answer.json({"RequestId": "parity", "Code": "success", "IsSuccess": True}),
        lambda result: result is True,
    ),
    Case(
        "GetArtifactBuildTask",
        lambda f, c: c.get_artifact_build_task(
            cr.GetArtifactBuildTaskRequest(instance_id=INSTANCE, build_task_id=TASK_ID)
        ),
        lambda cl: cl.acr.get_build_task(INSTANCE, TASK_ID),
        _rpc(cr.GetArtifactBuildTaskResponseBody),
        lambda result: (
            (result.build_task_id, result.source_tag) == ("sample-build_task_id", "sample-version")
        ),
    ),
    Case(
        "ListArtifactBuildTaskLog",
        lambda f, c: c.list_artifact_build_task_log(
            cr.ListArtifactBuildTaskLogRequest(
                instance_id=INSTANCE, build_task_id=TASK_ID, page=1, page_size=100
            )
        ),
        lambda cl: _first_pages(cl.acr.list_build_task_logs(INSTANCE, TASK_ID)),
        _rpc(cr.ListArtifactBuildTaskLogResponseBody),
        lambda result: [line.message for line in result] == ["sample-message"],
    ),
    Case(
        "CancelArtifactBuildTask",
        lambda f, c: c.cancel_artifact_build_task(
            cr.CancelArtifactBuildTaskRequest(instance_id=INSTANCE, build_task_id=TASK_ID)
        ),
        lambda cl: cl.acr.cancel_build_task(INSTANCE, TASK_ID),
        _rpc(cr.CancelArtifactBuildTaskResponseBody),
    ),
]


@pytest.fixture(scope="module")
def recorder() -> Iterator[Recorder]:
    with Recorder() as rec:
        yield rec


def _run_fcdesk(rec: Recorder, case: Case) -> Any:
    async def go() -> Any:
        async with httpx.AsyncClient(timeout=30) as http:
            creds = Credentials(AK, SECRET)
            clients = Clients(
                fc=FCClient(http, creds, endpoint=rec.url),
                acr=ACRClient(http, creds, endpoint=rec.url + "/"),
            )
            return await case.fcdesk(clients)

    return asyncio.run(go())


def _verified(request: Recorded) -> None:
    verify_signature(
        method=request.method,
        path=request.path,
        query=request.query,
        headers=request.headers,
        body=request.body,
        secret_for=lambda ak: SECRET if ak == AK else None,
    )


def _body(request: Recorded) -> Any:
    if request.headers.get("content-type", "").startswith("application/json"):
        return json.loads(request.body)
    return request.body


def _compare(sdk: Recorded, ours: Recorded) -> None:
    assert ours.method == sdk.method
    assert ours.path == sdk.path
    assert ours.params == sdk.params
    assert _body(ours) == _body(sdk)
    sdk_signed = set(sdk.signed_headers) - _SDK_ONLY
    assert set(ours.signed_headers) == sdk_signed
    for name in sorted(sdk_signed - _PER_REQUEST):
        if name == "x-acs-content-sha256":
            continue  # each side's own body hash, checked below
        assert ours.headers.get(name) == sdk.headers.get(name), name
    for request in (sdk, ours):
        assert request.headers["x-acs-content-sha256"] == hashlib.sha256(request.body).hexdigest()
        _verified(request)


@pytest.mark.parametrize("case", CASES, ids=[c.action for c in CASES])
def test_fcdesk_sends_what_the_sdk_sends(recorder: Recorder, case: Case) -> None:
    recorder.answers[case.action] = case.answer()
    recorder.requests.clear()
    sdk_fc = fc_client(recorder.host, AK, SECRET)
    sdk_cr = cr_client(recorder.host, AK, SECRET)
    case.sdk(sdk_fc, sdk_cr)
    from_sdk = recorder.take()
    result = _run_fcdesk(recorder, case)
    from_fcdesk = recorder.take()
    assert from_sdk.action == from_fcdesk.action == case.action
    _compare(from_sdk, from_fcdesk)
    assert case.check(result) in (None, True), result


def test_the_cases_cover_every_listed_operation() -> None:
    assert sorted(c.action for c in CASES) == sorted(FC_OPERATIONS + ACR_OPERATIONS)


_CALL_PATTERNS = (
    re.compile(r"""\.call\(\s*["']([A-Z][A-Za-z]+)["']"""),
    re.compile(r"""\._pages\(\s*["']([A-Z][A-Za-z]+)["']"""),
    re.compile(r"""\baction=["']([A-Z][A-Za-z]+)["']"""),
    re.compile(r"""_json\(\s*["'][A-Z]+["'],\s*_path\([^)]*\),\s*["']([A-Z][A-Za-z]+)["']"""),
)


def test_the_listed_operations_are_all_that_fcdesk_calls() -> None:
    """Every action named in a client call anywhere in core/ and gui/ is listed (a new call
    fails here until it is listed and covered above)."""
    root = Path(__file__).resolve().parents[2]
    found: set[str] = set()
    for package in ("core", "gui"):
        for path in (root / package).rglob("*.py"):
            if "emulator" in path.parts:
                continue  # the Local server's own code names the actions it serves
            text = path.read_text("utf-8")
            for pattern in _CALL_PATTERNS:
                found.update(pattern.findall(text))
    assert found == set(FC_OPERATIONS + ACR_OPERATIONS)
