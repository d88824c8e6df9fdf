"""FCClient against replayed response bodies shaped like the documented FC 3.0 examples.
Every request goes through a transport that verifies its ACS3 signature."""

from __future__ import annotations

import base64
import email.utils
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from core import Progress, RetryPolicy
from core.cloud import Credentials, CustomContainerConfig, FCClient, Function, HealthCheckConfig
from core.errors import (
    CloudError,
    CredentialsError,
    ResourceNotFound,
    SignatureError,
    ThrottledError,
    TransportError,
)
from tests.fixtures.cloud import SignedMock, json_response, no_sleep

ENDPOINT = "https://fcv3.cn-hangzhou.aliyuncs.com"
INVOKE = "https://1234567890123456.cn-hangzhou.fc.aliyuncs.com"
REQUEST_ID = "1-64e70cf1-5cbef92ea8fc8c42899cf5d1"

# GetFunction as the FC 3.0 doc sample fills it: retired acceleration fields hold "deprecated".
GET_FUNCTION_SAMPLE = {
    "functionId": "aa715851-1c20-4b89-a8fb-***",
    "functionName": "my-function-1",
    "functionArn": "acs:fc:cn-shanghai:123:functions/my-function-1",
    "description": "my function",
    "runtime": "custom-container",
    "handler": "index.handler",
    "timeout": 60,
    "memorySize": 512,
    "cpu": 0.5,
    "diskSize": 512,
    "instanceConcurrency": 1,
    "internetAccess": True,
    "role": "acs:ram::188077086902****:role/fc-test",
    "environmentVariables": {"key": "value"},
    "createdTime": "2023-04-01T08:15:27Z",
    "lastModifiedTime": "2023-04-01T08:15:27Z",
    "codeSize": 0,
    "codeChecksum": "",
    "state": "Active",
    "stateReason": "Function creating",
    "stateReasonCode": "Creating",
    "lastUpdateStatus": "Successful",
    "lastUpdateStatusReason": "The system is currently processing the acceleration "
    "optimization for the image.",
    "lastUpdateStatusReasonCode": "ImageOptimizing",
    "customContainerConfig": {
        "accelerationInfo": {"status": "deprecated"},
        "accelerationType": "deprecated",
        "acrInstanceId": "deprecated",
        "command": ["-arg1", "value1"],
        "entrypoint": ["python", "server.py"],
        "healthCheckConfig": {
            "failureThreshold": 1,
            "httpGetUrl": "/ready",
            "initialDelaySeconds": 1,
            "periodSeconds": 1,
            "successThreshold": 2,
            "timeoutSeconds": 1,
        },
        "image": "registry-vpc.cn-hangzhou.aliyuncs.com/fc-demo/helloworld:v1beta1",
        "port": 9000,
        "resolvedImageUri": "stand-sh-registry-vpc.cn-shanghai.cr.aliyuncs.com/fc-demo2/"
        "springboot-helloworld@sha256:68d1****",
        "registryConfig": {"authConfig": {"userName": "u", "password": "p"}},
    },
    "logConfig": {"project": "p", "logstore": "l", "enableRequestMetrics": True},
    "nasConfig": {"groupId": 100, "userId": 100, "mountPoints": []},
    "tracingConfig": {},
    "tags": [{"key": "k", "value": "v"}],
}


def _fn_summary(name: str) -> dict[str, object]:
    return {
        "functionName": name,
        "runtime": "custom-container",
        "memorySize": 512,
        "customContainerConfig": {"image": f"r/ns/{name}:v1", "port": 9000},
    }


@pytest.fixture
def fc(
    mock_http: httpx.AsyncClient, cloud_credentials: Credentials, fast_retry: RetryPolicy
) -> FCClient:
    return FCClient(
        mock_http, cloud_credentials, endpoint=ENDPOINT, invoke_endpoint=INVOKE, retry=fast_retry
    )


def test_for_region_defaults(cloud_credentials: Credentials) -> None:
    http = httpx.AsyncClient()
    client = FCClient.for_region(http, cloud_credentials, "cn-hangzhou", "1234567890123456")
    assert client.endpoint == "https://fcv3.cn-hangzhou.aliyuncs.com"
    assert client.invoke_endpoint == "https://1234567890123456.cn-hangzhou.fc.aliyuncs.com"
    other = FCClient.for_region(http, cloud_credentials, "me-central-1")
    assert other.endpoint == "https://me-central-1.fc.aliyuncs.com"
    assert other.invoke_endpoint == other.endpoint
    acdr = FCClient.for_region(http, cloud_credentials, "cn-heyuan-acdr-1", "42")
    assert acdr.invoke_endpoint == "https://42.cn-heyuan-acdr-1-internal.fc.aliyuncs.com"


async def test_list_functions_pages_through_next_token(
    fc: FCClient, signed_mock: SignedMock
) -> None:
    signed_mock.queue(
        json_response(
            200, {"functions": [_fn_summary("demo-a"), _fn_summary("demo-b")], "nextToken": "tok2"}
        ),
        json_response(200, {"functions": [_fn_summary("demo-c")], "nextToken": ""}),
    )
    names = [f.function_name async for f in fc.list_functions(prefix="demo-", limit=2)]
    assert names == ["demo-a", "demo-b", "demo-c"]
    first, second = signed_mock.requests
    assert first.method == "GET"
    assert first.url.path == "/2023-03-30/functions"
    assert dict(first.url.params) == {"limit": "2", "prefix": "demo-"}
    assert dict(second.url.params) == {"limit": "2", "prefix": "demo-", "nextToken": "tok2"}
    assert first.headers["x-acs-action"] == "ListFunctions"
    assert first.headers["x-acs-version"] == "2023-03-30"


async def test_list_functions_absent_token_ends_and_max_items(
    fc: FCClient, signed_mock: SignedMock
) -> None:
    signed_mock.queue(
        json_response(200, {"functions": [_fn_summary("a"), _fn_summary("b")], "nextToken": "more"})
    )
    names = [f.function_name async for f in fc.list_functions(max_items=1)]
    assert names == ["a"]
    signed_mock.queue(json_response(200, {"functions": []}))
    assert [f async for f in fc.list_functions()] == []


async def test_list_functions_refuses_looping_token(fc: FCClient, signed_mock: SignedMock) -> None:
    page = json_response(200, {"functions": [_fn_summary("a")], "nextToken": "same"})
    signed_mock.handler = lambda _: page
    with pytest.raises(CloudError) as info:
        _ = [f async for f in fc.list_functions()]
    assert info.value.code == "InvalidResponse"


async def test_get_function_keeps_everything_and_treats_deprecated_as_absent(
    fc: FCClient, signed_mock: SignedMock
) -> None:
    signed_mock.queue(
        json_response(200, GET_FUNCTION_SAMPLE, headers={"x-fc-request-id": REQUEST_ID})
    )
    fn = await fc.get_function("my-function-1", qualifier="LATEST")
    assert signed_mock.last.url.path == "/2023-03-30/functions/my-function-1"
    assert dict(signed_mock.last.url.params) == {"qualifier": "LATEST"}
    assert fn.state == "Active"
    assert fn.last_update_status_reason_code == "ImageOptimizing"
    ccc = fn.custom_container_config
    assert ccc is not None
    assert ccc.health_check_config is not None
    assert ccc.health_check_config.http_get_url == "/ready"
    assert ccc.entrypoint == ["python", "server.py"]
    assert fn.resolved_image_uri is not None
    assert "@sha256:" in fn.resolved_image_uri
    assert fn.extra["nasConfig"]["groupId"] == 100  # unknown to the model, kept
    assert fn.to_json() == GET_FUNCTION_SAMPLE  # lossless round trip
    update = fn.to_update_json()
    for dropped in ("functionName", "state", "functionArn", "lastUpdateStatus", "tags", "codeSize"):
        assert dropped not in update
    assert "accelerationInfo" not in update["customContainerConfig"]
    assert "accelerationType" not in update["customContainerConfig"]
    assert "acrInstanceId" not in update["customContainerConfig"]
    assert "resolvedImageUri" not in update["customContainerConfig"]
    assert update["customContainerConfig"]["healthCheckConfig"]["successThreshold"] == 2
    assert update["logConfig"]["project"] == "p"


async def test_function_names_are_percent_encoded_in_paths(
    fc: FCClient, signed_mock: SignedMock
) -> None:
    signed_mock.queue(json_response(200, {"functionName": "a b"}))
    await fc.get_function("a b")
    assert signed_mock.last.url.raw_path == b"/2023-03-30/functions/a%20b"


async def test_create_function_body(fc: FCClient, signed_mock: SignedMock) -> None:
    created = dict(GET_FUNCTION_SAMPLE, state="Pending", stateReasonCode="Creating")
    signed_mock.queue(json_response(200, created))
    fn = Function.for_container(
        "demo", "registry-vpc.cn-hangzhou.aliyuncs.com/ns/app:v1_accelerated"
    )
    fn.handler = None
    fn.extra["code"] = {"zipFile": "x"}
    assert fn.custom_container_config is not None
    fn.custom_container_config.health_check_config = HealthCheckConfig(http_get_url="/ready")
    result = await fc.create_function(fn)
    assert result.state == "Pending"
    request = signed_mock.last
    assert request.method == "POST"
    assert request.url.path == "/2023-03-30/functions"
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.headers["x-acs-action"] == "CreateFunction"
    body = json.loads(request.content)
    assert "code" not in body
    assert body["handler"] == "index.handler"
    assert body["functionName"] == "demo"
    assert body["cpu"] == 0.35
    assert body["memorySize"] == 512
    assert body["diskSize"] == 512
    assert body["customContainerConfig"] == {
        "image": "registry-vpc.cn-hangzhou.aliyuncs.com/ns/app:v1_accelerated",
        "port": 9000,
        "healthCheckConfig": {"httpGetUrl": "/ready"},
    }


async def test_update_and_delete(fc: FCClient, signed_mock: SignedMock) -> None:
    signed_mock.queue(json_response(200, GET_FUNCTION_SAMPLE), httpx.Response(204))
    patch = Function(
        memory_size=1024, custom_container_config=CustomContainerConfig(image="r/ns/app:v2")
    )
    await fc.update_function("my-function-1", patch)
    request = signed_mock.requests[0]
    assert request.method == "PUT"
    assert request.url.path == "/2023-03-30/functions/my-function-1"
    assert json.loads(request.content) == {
        "memorySize": 1024,
        "customContainerConfig": {"image": "r/ns/app:v2"},
    }
    await fc.delete_function("my-function-1")
    assert signed_mock.last.method == "DELETE"
    assert signed_mock.last.headers["x-acs-action"] == "DeleteFunction"


async def test_list_instances(fc: FCClient, signed_mock: SignedMock) -> None:
    signed_mock.queue(
        json_response(
            200, {"instances": [{"instanceId": "c-1", "versionId": "1", "qualifier": "LATEST"}]}
        )
    )
    instances = await fc.list_instances("f")
    assert instances[0].instance_id == "c-1"
    assert instances[0].extra == {"qualifier": "LATEST"}
    assert signed_mock.last.url.path == "/2023-03-30/functions/f/instances"


async def test_invoke_sync_with_log_tail(fc: FCClient, signed_mock: SignedMock) -> None:
    log = "FC Invoke Start RequestId: x\nhello\nFC Invoke End RequestId: x\n"
    signed_mock.queue(
        httpx.Response(
            200,
            content=b'{"ok":true}',
            headers={
                "x-fc-request-id": REQUEST_ID,
                "x-fc-log-result": base64.b64encode(log.encode()).decode(),
                "x-fc-instance-id": "c-abc",
            },
        )
    )
    result = await fc.invoke_function("f", b'{"k": 1}', log_tail=True, qualifier="LATEST")
    request = signed_mock.last
    assert str(request.url).startswith(INVOKE + "/2023-03-30/functions/f/invocations")
    assert request.content == b'{"k": 1}'
    assert request.headers["x-fc-invocation-type"] == "Sync"
    assert request.headers["x-fc-log-type"] == "Tail"
    assert request.headers["content-type"] == "application/octet-stream"
    assert result.status == 200
    assert result.ok
    assert result.body == b'{"ok":true}'
    assert result.request_id == REQUEST_ID
    assert result.log == log
    assert result.instance_id == "c-abc"


async def test_invoke_async_and_function_errors_are_returned(
    fc: FCClient, signed_mock: SignedMock
) -> None:
    signed_mock.queue(
        httpx.Response(202, headers={"x-fc-request-id": "r1"}),
        httpx.Response(
            500,
            content=b'{"errorMessage":"boom","errorType":"Error"}',
            headers={"x-fc-error-type": "UnhandledInvocationError", "x-fc-request-id": "r2"},
        ),
        httpx.Response(502, content=b"bad gateway from the app"),
    )
    queued = await fc.invoke_function("f", b"e", asynchronous=True, async_task_id="task_1")
    assert signed_mock.last.headers["x-fc-invocation-type"] == "Async"
    assert signed_mock.last.headers["x-fc-async-task-id"] == "task_1"
    assert queued.status == 202
    failed = await fc.invoke_function("f", b"e")
    assert failed.status == 500
    assert not failed.ok
    assert failed.error_type == "UnhandledInvocationError"
    raw = await fc.invoke_function("f")
    assert raw.status == 502
    assert raw.body == b"bad gateway from the app"


async def test_invoke_platform_errors_raise(fc: FCClient, signed_mock: SignedMock) -> None:
    signed_mock.queue(
        json_response(
            404,
            {
                "Code": "FunctionNotFound",
                "Message": "function 'f' does not exist",
                "RequestId": REQUEST_ID,
            },
        ),
        json_response(412, {"Code": "CAExited", "Message": "container exited", "RequestId": "r"}),
    )
    with pytest.raises(ResourceNotFound) as info:
        await fc.invoke_function("f")
    assert info.value.code == "FunctionNotFound"
    assert info.value.request_id == REQUEST_ID
    assert info.value.status == 404
    with pytest.raises(CloudError) as info2:
        await fc.invoke_function("f")
    assert info2.value.code == "CAExited"


def _err(code: str, message: str, *, style: str = "Pascal") -> dict[str, str]:
    if style == "camel":
        return {"code": code, "message": message, "requestId": REQUEST_ID}
    if style == "fc2":
        return {"errorCode": code, "errorMessage": message}
    return {"Code": code, "Message": message, "RequestId": REQUEST_ID}


@pytest.mark.parametrize(
    ("status", "body", "cls", "code"),
    [
        (404, _err("FunctionNotFound", "function not found"), ResourceNotFound, "FunctionNotFound"),
        (409, _err("FunctionAlreadyExists", "exists"), CloudError, "FunctionAlreadyExists"),
        (400, _err("InvalidArgument", "Handler is required", style="camel"), CloudError,
         "InvalidArgument"),
        (403, _err("SignatureNotMatch", "signature does not match"), SignatureError,
         "SignatureNotMatch"),
        (403, _err("InvalidAccessKeyId.NotFound", "key not found"), CredentialsError,
         "InvalidAccessKeyId.NotFound"),
        (403, _err("AccessDenied", "no permission"), CloudError, "AccessDenied"),
        (400, _err("ServiceNotFound", "service not found", style="fc2"), ResourceNotFound,
         "ServiceNotFound"),
    ],
)  # fmt: skip
async def test_error_bodies_map_to_the_exception_tree(
    fc: FCClient,
    signed_mock: SignedMock,
    status: int,
    body: dict[str, str],
    cls: type[CloudError],
    code: str,
) -> None:
    signed_mock.queue(json_response(status, body))
    with pytest.raises(cls) as info:
        await fc.get_function("f")
    assert type(info.value) is cls
    assert info.value.code == code
    assert info.value.status == status
    if "RequestId" in body or "requestId" in body:
        assert info.value.request_id == REQUEST_ID
        assert REQUEST_ID in str(info.value)
    assert "GetFunction" in str(info.value)


async def test_non_json_error_body(fc: FCClient, signed_mock: SignedMock) -> None:
    signed_mock.queue(
        httpx.Response(400, content=b"<html>gateway</html>", headers={"x-fc-request-id": "rid"})
    )
    with pytest.raises(CloudError) as info:
        await fc.get_function("f")
    assert info.value.code == "BadRequest"
    assert info.value.request_id == "rid"


async def test_throttling_is_retried_with_backoff(
    mock_http: httpx.AsyncClient, signed_mock: SignedMock, cloud_credentials: Credentials
) -> None:
    delays: list[float] = []

    async def record(delay: float) -> None:
        delays.append(delay)

    fc = FCClient(
        mock_http,
        cloud_credentials,
        endpoint=ENDPOINT,
        retry=RetryPolicy(max_attempts=4, base_delay=0.5, max_delay=8, sleep=record),
    )
    throttled = {
        "Code": "Throttling.User",
        "Message": "Request was denied due to user flow control.",
        "RequestId": "r",
    }
    signed_mock.queue(
        json_response(429, throttled),
        json_response(
            503,
            {"Code": "ResourceThrottled", "Message": "busy", "RequestId": "r"},
            headers={"retry-after": "3"},
        ),
        json_response(200, GET_FUNCTION_SAMPLE),
    )
    fn = await fc.get_function("f")
    assert fn.function_name == "my-function-1"
    assert len(delays) == 2
    assert 0 <= delays[0] <= 0.5  # full jitter under the first cap
    assert delays[1] == 3.0  # Retry-After honoured
    # every retry is a freshly signed request (new nonce)
    nonces = {r.headers["x-acs-signature-nonce"] for r in signed_mock.requests}
    assert len(nonces) == 3


async def test_throttling_with_a_retry_after_beyond_the_budget_gives_up_at_once(
    mock_http: httpx.AsyncClient, signed_mock: SignedMock, cloud_credentials: Credentials
) -> None:
    delays: list[float] = []

    async def record(delay: float) -> None:
        delays.append(delay)

    fc = FCClient(
        mock_http,
        cloud_credentials,
        endpoint=ENDPOINT,
        retry=RetryPolicy(max_attempts=4, max_total=60, sleep=record),
    )
    signed_mock.queue(
        json_response(
            429,
            {"Code": "Throttling", "Message": "slow down", "RequestId": "r"},
            headers={"retry-after": "3600"},
        )
    )
    with pytest.raises(ThrottledError) as info:
        await fc.get_function("f")
    assert delays == []
    assert len(signed_mock.requests) == 1
    assert info.value.detail["retry_after"] == 3600.0


async def test_throttling_gives_up_after_bounded_attempts(
    fc: FCClient, signed_mock: SignedMock
) -> None:
    throttled = json_response(429, {"Code": "Throttling", "Message": "slow down", "RequestId": "r"})
    signed_mock.handler = lambda _: throttled
    with pytest.raises(ThrottledError) as info:
        await fc.create_function(Function.for_container("f", "r/ns/a:v1"))
    assert len(signed_mock.requests) == 4
    assert info.value.detail["attempts"] == 4


async def test_server_errors_retried_only_when_idempotent(
    fc: FCClient, signed_mock: SignedMock
) -> None:
    error = json_response(500, {"Code": "InternalServerError", "Message": "oops", "RequestId": "r"})
    signed_mock.queue(error, json_response(200, GET_FUNCTION_SAMPLE))
    await fc.get_function("f")
    assert len(signed_mock.requests) == 2
    signed_mock.queue(error)
    with pytest.raises(CloudError):
        await fc.create_function(Function.for_container("f", "r/ns/a:v1"))
    assert len(signed_mock.requests) == 3


async def test_clock_skew_is_explained(fc: FCClient, signed_mock: SignedMock) -> None:
    server_time = datetime.now(UTC) + timedelta(minutes=20)
    signed_mock.queue(
        json_response(
            403,
            {
                "Code": "InvalidTimeStamp.Expired",
                "Message": "Specified time stamp or date value is expired.",
                "RequestId": "r",
            },
            headers={"date": email.utils.format_datetime(server_time, usegmt=True)},
        )
    )
    with pytest.raises(SignatureError) as info:
        await fc.get_function("f")
    assert info.value.code == "InvalidTimeStamp.Expired"
    assert info.value.detail["skew_seconds"] == pytest.approx(1200, abs=5)
    assert "ahead" in str(info.value)


async def test_transport_errors(cloud_credentials: Credentials) -> None:
    calls = 0

    def fail(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(fail)) as http:
        fc = FCClient(
            http,
            cloud_credentials,
            endpoint=ENDPOINT,
            retry=RetryPolicy(max_attempts=3, sleep=no_sleep),
        )
        with pytest.raises(TransportError) as info:
            await fc.get_function("f")
    assert calls == 3
    assert info.value.detail["host"] == "fcv3.cn-hangzhou.aliyuncs.com"


async def test_read_errors_not_retried_for_post(cloud_credentials: Credentials) -> None:
    calls = 0

    def fail(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ReadError("reset", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(fail)) as http:
        fc = FCClient(
            http,
            cloud_credentials,
            endpoint=ENDPOINT,
            retry=RetryPolicy(max_attempts=3, sleep=no_sleep),
        )
        with pytest.raises(TransportError):
            await fc.invoke_function("f", b"x")
    assert calls == 1  # the function may have run: never invoked twice


async def test_wait_until_ready(fc: FCClient, signed_mock: SignedMock) -> None:
    states = [
        {"functionName": "f", "state": "Pending", "stateReasonCode": "Creating"},
        {
            "functionName": "f",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "lastUpdateStatusReasonCode": "ImageOptimizing",
        },
        {"functionName": "f", "state": "Active", "lastUpdateStatus": "Successful"},
    ]
    signed_mock.queue(*(json_response(200, s) for s in states))
    events: list[Progress] = []
    fn = await fc.wait_until_ready("f", interval=0, on_progress=events.append)
    assert fn.is_ready
    assert [e.item for e in events] == ["Pending/None", "Active/InProgress", "Active/Successful"]
    assert events[1].extra["reasonCode"] == "ImageOptimizing"


async def test_wait_until_ready_failed(fc: FCClient, signed_mock: SignedMock) -> None:
    failed = json_response(
        200,
        {
            "functionName": "f",
            "state": "Failed",
            "stateReason": "image gone",
            "stateReasonCode": "ImageNotFound",
        },
    )
    signed_mock.handler = lambda _: failed
    with pytest.raises(CloudError) as info:
        await fc.wait_until_ready("f", interval=0)
    assert info.value.code == "FunctionFailed"
    assert info.value.detail["reason_code"] == "ImageNotFound"
    assert len(signed_mock.requests) == 3


async def test_sts_credentials_are_sent(
    mock_http: httpx.AsyncClient, signed_mock: SignedMock, sts_credentials: Credentials
) -> None:
    fc = FCClient(mock_http, sts_credentials, endpoint=ENDPOINT)
    signed_mock.queue(json_response(200, {"functionName": "f"}))
    await fc.get_function("f")
    assert signed_mock.last.headers["x-acs-security-token"] == sts_credentials.security_token
    assert "x-acs-security-token" in signed_mock.last.headers["authorization"]


async def test_credentials_callable_is_read_per_request(
    mock_http: httpx.AsyncClient, signed_mock: SignedMock, cloud_credentials: Credentials
) -> None:
    current = [cloud_credentials]
    fc = FCClient(mock_http, lambda: current[0], endpoint=ENDPOINT)
    signed_mock.queue(json_response(200, {"functionName": "f"}))
    await fc.get_function("f")
    current[0] = Credentials(cloud_credentials.access_key_id, "rotated-secret-value")
    signed_mock.secret = "rotated-secret-value"
    signed_mock.queue(json_response(200, {"functionName": "f"}))
    await fc.get_function("f")
    assert len(signed_mock.requests) == 2


def test_error_from_a_bare_response() -> None:
    from core.cloud import error_from_response

    error = error_from_response(
        httpx.Response(404, json={"Code": "FunctionNotFound", "Message": "gone", "RequestId": "x"})
    )
    assert isinstance(error, ResourceNotFound)
    assert error.request_id == "x"
    assert str(error) == "FunctionNotFound: gone (request id x)"
