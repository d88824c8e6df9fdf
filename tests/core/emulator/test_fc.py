"""FC 3.0 API subset: validation, errors, paging, the state machine and invocation semantics
(with a scripted instance backend, so no sandbox is needed here)."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.emulator._runtime import HandleResponse, InstanceSpec, Phase
from core.errors import ColdStartError
from tests.core.emulator.helpers import fc_headers, push_image
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread

API = "/2023-03-30/functions"


def _fn(name: str, image: str, **extra: Any) -> dict[str, Any]:
    return {
        "functionName": name,
        "runtime": "custom-container",
        "handler": "index.handler",
        "customContainerConfig": {"image": image, "port": 9000},
        **extra,
    }


async def _create(http: httpx.AsyncClient, doc: dict[str, Any]) -> httpx.Response:
    return await http.post(API, json=doc, headers=fc_headers("CreateFunction"))


async def _get(http: httpx.AsyncClient, name: str) -> dict[str, Any]:
    r = await http.get(f"{API}/{name}", headers=fc_headers("GetFunction"))
    body: dict[str, Any] = r.json()
    return body


async def _wait_state(http: httpx.AsyncClient, name: str, state: str) -> dict[str, Any]:
    for _ in range(200):
        doc = await _get(http, name)
        if doc.get("state") == state and doc.get("lastUpdateStatus") != "InProgress":
            return doc
        await asyncio.sleep(0.05)
    raise AssertionError(f"{name}: {doc}")


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"functionName": "9bad"}, "functionName"),
        ({"functionName": ""}, "functionName"),
        ({"runtime": "python3.10"}, "not supported"),
        ({"handler": ""}, "Handler is required"),
        ({"memorySize": 100}, "memorySize"),
        ({"memorySize": 200}, "multiple of 64"),
        ({"cpu": 0.33}, "multiple of 0.05"),
        ({"diskSize": 1024}, "diskSize"),
        ({"timeout": 0}, "timeout"),
        ({"code": {"zipFile": "x"}}, "code"),
        ({"customContainerConfig": {"image": "registry.example.com/ns/app:v1"}}, "Local registry"),
        ({"customContainerConfig": {"image": "::bad::"}}, "invalid image"),
        ({"customContainerConfig": {"image": "localhost:1/ns/a:v1", "port": 70000}}, "port"),
        (
            {
                "customContainerConfig": {
                    "image": "localhost:1/ns/a:v1",
                    "healthCheckConfig": {"timeoutSeconds": 9},
                }
            },
            "timeoutSeconds",
        ),
    ],
)
async def test_create_validation(
    local_server_thread: LocalServerHandle, change: dict[str, Any], fragment: str
) -> None:
    async with local_server_thread.signed_client() as http:
        doc = _fn("ok", "localhost:1/ns/a:v1")
        doc.update(change)
        r = await _create(http, doc)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["Code"] == "InvalidArgument"
    assert fragment in body["Message"]
    assert r.headers["x-fc-request-id"] == body["RequestId"]
    assert body["RequestId"].startswith("1-")


async def test_crud_paging_and_errors(local_server_thread: LocalServerHandle) -> None:
    srv = local_server_thread
    async with srv.registry_client() as reg:
        digest, _ = await push_image(reg, "ns/app", "v1")
    image = f"{srv.host}/ns/app:v1"
    async with srv.signed_client() as http:
        for i in range(5):
            assert (await _create(http, _fn(f"fn-{i}", image))).status_code == 200
        assert (await _create(http, _fn("other", image))).status_code == 200
        dup = await _create(http, _fn("fn-0", image))
        assert (dup.status_code, dup.json()["Code"]) == (409, "FunctionAlreadyExists")

        r = await http.get(API, params={"limit": 2, "prefix": "fn-"}, headers=fc_headers("L"))
        page = r.json()
        assert [f["functionName"] for f in page["functions"]] == ["fn-0", "fn-1"]
        assert "state" not in page["functions"][0]  # like the cloud: GetFunction only
        assert page["functions"][0]["memorySize"] == 512
        names = [f["functionName"] for f in page["functions"]]
        token = page["nextToken"]
        while token:
            r = await http.get(
                API, params={"limit": 2, "prefix": "fn-", "nextToken": token}, headers={}
            )
            names += [f["functionName"] for f in r.json()["functions"]]
            token = r.json().get("nextToken")
        assert names == [f"fn-{i}" for i in range(5)]
        bad = await http.get(API, params={"limit": 101})
        assert bad.json()["Code"] == "InvalidArgument"

        doc = await _wait_state(http, "fn-0", "Active")
        assert doc["lastUpdateStatus"] == "Successful"
        assert doc["customContainerConfig"]["resolvedImageUri"] == f"{srv.host}/ns/app@{digest}"
        assert doc["functionArn"].endswith(":functions/fn-0")
        assert doc["cpu"] == 0.35
        assert doc["customContainerConfig"]["accelerationType"] == "None"

        missing = await http.get(f"{API}/nope")
        assert (missing.status_code, missing.json()["Code"]) == (404, "FunctionNotFound")
        r = await http.put(f"{API}/fn-0", json={"memorySize": 1024, "description": "bigger"})
        assert r.status_code == 200
        assert r.json()["lastUpdateStatus"] == "InProgress"
        # a configuration-only update deploys no image: no ImageOptimizing reason
        assert r.json()["lastUpdateStatusReasonCode"] == ""
        doc = await _wait_state(http, "fn-0", "Active")
        assert (doc["memorySize"], doc["description"]) == (1024, "bigger")
        assert doc["lastUpdateStatus"] == "Successful"
        r = await http.put(f"{API}/fn-0", json={"memorySize": 100})
        assert r.status_code == 400
        assert (await http.delete(f"{API}/fn-1")).status_code == 204
        assert (await http.delete(f"{API}/fn-1")).status_code == 404

        # an image that does not exist: Failed with a reason code
        assert (await _create(http, _fn("ghost", f"{srv.host}/ns/app:nope"))).status_code == 200
        ghost = await _wait_state(http, "ghost", "Failed")
        assert ghost["stateReasonCode"] == "ImageNotFound"
        assert ghost["lastUpdateStatus"] == "Failed"
        r = await http.post(f"{API}/ghost/invocations", content=b"x")
        assert (r.status_code, r.json()["Code"]) == (412, "FunctionNotActive")


class _ScriptedHandle:
    def __init__(self, spec: InstanceSpec, backend: _ScriptedBackend) -> None:
        self.instance_id = spec.instance_id
        self.mode = "scripted"
        self.backend = backend
        self.stopped = False

    async def request(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes, deadline: float
    ) -> HandleResponse:
        self.backend.seen.append(dict(headers))
        if body == b"slow":
            async with asyncio.timeout(deadline):
                await asyncio.sleep(deadline + 5)
        if body == b"fail":
            return HandleResponse(
                500, {"x-fc-status": "404"}, b'{"errorMessage":"boom"}', b"traceback\n"
            )
        log = f"handled {headers.get('x-fc-request-id')}\n".encode()
        return HandleResponse(
            200, {"content-type": "application/json"}, b'{"echo":' + body + b"}", log
        )

    async def stop(self) -> None:
        self.stopped = True
        self.backend.stopped += 1


class _ScriptedBackend:
    def __init__(self) -> None:
        self.starts = 0
        self.stopped = 0
        self.seen: list[dict[str, str]] = []
        self.refuse = False

    def info(self) -> dict[str, Any]:
        return {"mode": "scripted"}

    async def start(
        self, spec: InstanceSpec, on_phase: Callable[[Phase], None], on_update: Any = None
    ) -> Any:
        if self.refuse:
            raise ColdStartError("entrypoint not found", code="ProcessExited")
        self.starts += 1
        on_phase(Phase("resolve", 0, 1.5))
        on_phase(Phase("pull", 1.5, 10, bytes=1000, requests=2))
        on_phase(Phase("start", 11.5, 5))
        return _ScriptedHandle(spec, self)


async def test_invoke_semantics(tmp_path: Path) -> None:
    backend = _ScriptedBackend()
    srv = start_local_server_thread(
        tmp_path / "d", instance_backend=backend, instance_idle_timeout=0.5
    )
    try:
        async with srv.registry_client() as reg:
            await push_image(reg, "ns/app", "v1")
        async with srv.signed_client() as http:
            await _create(http, _fn("f", f"{srv.host}/ns/app:v1", timeout=1))
            await _wait_state(http, "f", "Active")
            url = f"{API}/f/invocations"
            r = await http.post(url, content=b"1", headers={"x-fc-log-type": "Tail"})
            assert r.status_code == 200
            assert r.content == b'{"echo":1}'
            assert r.headers["x-fc-cold-start"] == "true"
            rid = r.headers["x-fc-request-id"]
            log = base64.b64decode(r.headers["x-fc-log-result"]).decode()
            assert f"handled {rid}" in log
            assert log.startswith(f"FC Invoke Start RequestId: {rid}")
            sent = backend.seen[-1]
            assert sent["x-fc-request-id"] == rid
            assert sent["x-fc-function-name"] == "f"
            assert sent["x-fc-control-path"] == "/invoke"
            r2 = await http.post(url, content=b"2")
            assert r2.headers["x-fc-cold-start"] == "false"
            assert "x-fc-log-result" not in r2.headers
            assert backend.starts == 1

            timeline = (await http.get(f"/x-fcdesk/invocations/{rid}")).json()
            assert [p["name"] for p in timeline["timeline"]] == [
                "resolve",
                "pull",
                "start",
                "first-invoke",
            ]
            # a handled function error: 200, body kept, x-fc-error-type set
            r = await http.post(url, content=b"fail")
            assert r.status_code == 200
            assert r.headers["x-fc-error-type"] == "HandledInvocationError"
            assert r.json() == {"errorMessage": "boom"}
            # the function's timeout
            r = await http.post(url, content=b"slow")
            assert r.headers["x-fc-error-type"] == "FunctionTimeoutError"
            # instances go idle and are stopped after the idle timeout
            for _ in range(100):
                if backend.stopped:
                    break
                await asyncio.sleep(0.1)
            assert backend.stopped >= 1
            listed = await http.get(f"{API}/f/instances")
            assert listed.json()["instances"] == []
            # an instance that cannot start
            backend.refuse = True
            r = await http.post(url, content=b"3")
            assert (r.status_code, r.json()["Code"]) == (412, "CAExited")
            assert "entrypoint not found" in r.json()["Message"]
            r = await http.post(url, content=b"3", headers={"x-fc-invocation-type": "Async"})
            assert r.status_code == 400
    finally:
        srv.stop()
