"""Every API request must carry a valid, fresh, unreplayed ACS3 signature."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from core.cloud import ACS3Auth, Credentials
from tests.fixtures.emulator import LocalServerHandle

FC = ("/2023-03-30/functions", {"x-acs-action": "ListFunctions", "x-acs-version": "2023-03-30"})
ACR = (
    "/?InstanceId=cri-local0000000001",
    {"x-acs-action": "ListNamespace", "x-acs-version": "2018-12-01"},
)
EXT = ("/x-fcdesk/tasks", {"x-acs-action": "ListTasks", "x-acs-version": "local"})


def _code(family: str, r: httpx.Response) -> str:
    body = r.json()
    if family == "acr":
        assert body["IsSuccess"] is False
    assert body["RequestId"]
    return str(body["Code"])


@pytest.mark.parametrize(("family", "target"), [("fc", FC), ("acr", ACR), ("ext", EXT)])
async def test_signature_failures(
    local_server_thread: LocalServerHandle, family: str, target: tuple[str, dict[str, str]]
) -> None:
    srv = local_server_thread
    path, headers = target
    method = "POST" if family == "acr" else "GET"
    async with httpx.AsyncClient(base_url=srv.url) as plain:
        r = await plain.request(method, path, headers=headers)
        assert r.status_code == 400
        assert _code(family, r) in ("MissingRequiredHeader", "MissingAuthorization")

    wrong = Credentials(srv.access_key_id, "not-the-secret")
    async with httpx.AsyncClient(base_url=srv.url, auth=ACS3Auth(wrong)) as http:
        r = await http.request(method, path, headers=headers)
        assert r.status_code == 403
        assert _code(family, r) == "SignatureNotMatch"

    unknown = Credentials("LTAIunknownunknown00000", srv.access_key_secret)
    async with httpx.AsyncClient(base_url=srv.url, auth=ACS3Auth(unknown)) as http:
        r = await http.request(method, path, headers=headers)
        assert r.status_code in (403, 404)
        assert _code(family, r) in ("InvalidAccessKeyID", "InvalidAccessKeyId.NotFound")

    stale = ACS3Auth(srv.credentials, clock=lambda: datetime.now(UTC) - timedelta(minutes=20))
    async with httpx.AsyncClient(base_url=srv.url, auth=stale) as http:
        r = await http.request(method, path, headers=headers)
        assert r.status_code == 403
        assert _code(family, r) in ("RequestTimeTooSkewed", "InvalidTimeStamp.Expired")

    fixed = ACS3Auth(srv.credentials, nonce=lambda: "the-same-nonce-" + family)
    async with httpx.AsyncClient(base_url=srv.url, auth=fixed) as http:
        first = await http.request(method, path, headers=headers)
        assert first.status_code == 200, first.text
        again = await http.request(method, path, headers=headers)
        assert again.status_code in (400, 403)
        assert _code(family, again) == "SignatureNonceUsed"

    async with srv.signed_client() as http:
        r = await http.request(method, path, headers=headers)
        assert r.status_code == 200, r.text


async def test_tampered_body_is_refused(local_server_thread: LocalServerHandle) -> None:
    srv = local_server_thread
    auth = ACS3Auth(srv.credentials)
    request = httpx.Request(
        "POST",
        f"{srv.url}/2023-03-30/functions",
        json={"functionName": "a"},
        headers={"x-acs-action": "CreateFunction", "x-acs-version": "2023-03-30"},
    )
    auth.sign_request(request)
    tampered = httpx.Request(
        "POST", request.url, headers=request.headers, content=b'{"functionName":"b"}'
    )
    async with httpx.AsyncClient() as http:
        r = await http.send(tampered)
    assert r.status_code == 403
    assert r.json()["Code"] == "SignatureNotMatch"


async def test_health_needs_no_signature(local_server_thread: LocalServerHandle) -> None:
    async with httpx.AsyncClient(base_url=local_server_thread.url) as http:
        r = await http.get("/x-fcdesk/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["version"]
