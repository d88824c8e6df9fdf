"""ACS3-HMAC-SHA256: the official worked example, byte for byte, both through the pure functions
and through `ACS3Auth` on real httpx requests; and the verifier rejecting every kind of
alteration. (Agreement with the official SDK's signer over generated requests:
tests/contract/test_signer_oracle.py.)"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from core.cloud import (
    EMPTY_PAYLOAD_SHA256,
    ACS3Auth,
    Credentials,
    canonical_query_string,
    canonical_request,
    parse_authorization,
    percent_encode,
    sign,
    string_to_sign,
    verify_payload,
    verify_signature,
)
from core.errors import SignatureError

AK = "YourAccessKeyId"
SECRET = "YourAccessKeySecret"
DATE = "2023-10-26T10:22:32Z"
NONCE = "3156853299f313e23d1673dc12e1703d"
WHEN = datetime(2023, 10, 26, 10, 22, 32, tzinfo=UTC)

OFFICIAL_CANONICAL = (
    "POST\n"
    "/\n"
    "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n"
    "host:ecs.cn-shanghai.aliyuncs.com\n"
    "x-acs-action:RunInstances\n"
    "x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
    "x-acs-date:2023-10-26T10:22:32Z\n"
    "x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n"
    "x-acs-version:2014-05-26\n"
    "\n"
    "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)
OFFICIAL_SIGNATURE = "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
OFFICIAL_AUTHORIZATION = (
    "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;"
    "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,"
    "Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
)

CREATE_BODY = (
    b'{"functionName":"demo","runtime":"custom-container","handler":"index.handler",'
    b'"customContainerConfig":{"image":"registry-vpc.cn-hangzhou.aliyuncs.com/fc-demo/'
    b'helloworld:v1","port":9000}}'
)


def _auth(creds: Credentials | None = None) -> ACS3Auth:
    return ACS3Auth(creds or Credentials(AK, SECRET), clock=lambda: WHEN, nonce=lambda: NONCE)


def _signed(request: httpx.Request, creds: Credentials | None = None) -> httpx.Request:
    flow = _auth(creds).sync_auth_flow(request)
    return next(flow)


def test_empty_payload_hash() -> None:
    assert hashlib.sha256(b"").hexdigest() == EMPTY_PAYLOAD_SHA256
    assert EMPTY_PAYLOAD_SHA256.startswith("e3b0c442")


def test_official_vector_pure_functions() -> None:
    headers = {
        "host": "ecs.cn-shanghai.aliyuncs.com",
        "x-acs-action": "RunInstances",
        "x-acs-version": "2014-05-26",
        "x-acs-date": DATE,
        "x-acs-signature-nonce": NONCE,
        "x-acs-content-sha256": EMPTY_PAYLOAD_SHA256,
    }
    canonical = canonical_request(
        "POST",
        "/",
        [
            ("RegionId", "cn-shanghai"),
            ("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"),
        ],
        headers,
        list(headers),
        EMPTY_PAYLOAD_SHA256,
    )
    assert canonical == OFFICIAL_CANONICAL
    assert hashlib.sha256(canonical.encode()).hexdigest() == (
        "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
    )
    sts = string_to_sign(canonical)
    assert sts == (
        "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
    )
    assert sign(SECRET, sts) == OFFICIAL_SIGNATURE


def test_official_vector_through_httpx_auth() -> None:
    request = httpx.Request(
        "POST",
        "https://ecs.cn-shanghai.aliyuncs.com/",
        params={
            "ImageId": "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
            "RegionId": "cn-shanghai",
        },
        headers={"x-acs-action": "RunInstances", "x-acs-version": "2014-05-26"},
    )
    signed = _signed(request)
    assert signed.headers["authorization"] == OFFICIAL_AUTHORIZATION
    assert signed.headers["x-acs-date"] == DATE
    assert signed.headers["x-acs-content-sha256"] == EMPTY_PAYLOAD_SHA256


def test_create_function_payload_hash() -> None:
    assert hashlib.sha256(CREATE_BODY).hexdigest() == (
        "e12eb8d8b3bf4ec9e5a5b0ad42de87e122ab08006309fef345f70c21c37e472f"
    )
    request = httpx.Request(
        "POST",
        "https://fcv3.cn-hangzhou.aliyuncs.com/2023-03-30/functions",
        content=CREATE_BODY,
        headers={"content-type": "application/json"},
    )
    assert _signed(request).headers["x-acs-content-sha256"] == (
        "e12eb8d8b3bf4ec9e5a5b0ad42de87e122ab08006309fef345f70c21c37e472f"
    )


def test_sts_headers_are_sent_and_signed() -> None:
    creds = Credentials(AK, SECRET, "YourSecurityToken")
    request = httpx.Request(
        "GET",
        "https://fcv3.cn-hangzhou.aliyuncs.com/2023-03-30/functions/my-func",
        params={"qualifier": "LATEST"},
        headers={"x-acs-action": "GetFunction", "x-acs-version": "2023-03-30"},
    )
    signed = _signed(request, creds)
    assert signed.headers["x-acs-security-token"] == "YourSecurityToken"
    assert signed.headers["x-acs-accesskey-id"] == AK
    assert (
        "SignedHeaders=host;x-acs-accesskey-id;x-acs-action;x-acs-content-sha256;x-acs-date;"
        "x-acs-security-token;x-acs-signature-nonce;x-acs-version,"
    ) in signed.headers["authorization"]


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        ("a b", "a%20b"),
        ("a*b", "a%2Ab"),
        ("a~b", "a~b"),
        ("a+b", "a%2Bb"),
        ("a/b", "a%2Fb"),
        ("ü", "%C3%BC"),
        ("-_.", "-_."),
        ('{"k":1}', "%7B%22k%22%3A1%7D"),
    ],
)
def test_percent_encode(raw: str, encoded: str) -> None:
    assert percent_encode(raw) == encoded


def test_canonical_query_sorts_and_encodes() -> None:
    assert canonical_query_string([("b", "2 3"), ("a", "*"), ("Z", "")]) == "Z=&a=%2A&b=2%203"
    assert canonical_query_string([]) == ""


def test_wire_query_is_canonical() -> None:
    request = httpx.Request(
        "POST", "https://cr.cn-hangzhou.aliyuncs.com/", params={"b": "x y", "a": "1*"}
    )
    signed = _signed(request)
    assert signed.url.query == b"a=1%2A&b=x%20y"


def test_resigning_replaces_previous_signature() -> None:
    request = httpx.Request("GET", "https://fcv3.cn-hangzhou.aliyuncs.com/2023-03-30/functions")
    first = _signed(request, Credentials(AK, SECRET, "tok"))
    again = _signed(first, Credentials(AK, SECRET))
    assert "x-acs-security-token" not in again.headers
    assert len(again.headers.get_list("authorization")) == 1


# -- verification ----------------------------------------------------------------------------


def _verify(request: httpx.Request, *, now: datetime = WHEN, secret: str = SECRET) -> str:
    info = verify_signature(
        method=request.method,
        path=request.url.raw_path.split(b"?")[0].decode(),
        query=request.url.query,
        headers=request.headers,
        body=request.content,
        secret_for=lambda ak: secret if ak == AK else None,
        now=now,
    )
    return info.access_key_id


def _create_request(creds: Credentials | None = None) -> httpx.Request:
    return _signed(
        httpx.Request(
            "POST",
            "https://fcv3.cn-hangzhou.aliyuncs.com/2023-03-30/functions",
            params={"x": "1"},
            content=CREATE_BODY,
            headers={
                "content-type": "application/json",
                "x-acs-action": "CreateFunction",
                "x-acs-version": "2023-03-30",
            },
        ),
        creds,
    )


def test_headers_verified_first_then_the_body() -> None:
    """A server can verify the signature from the headers alone (body=None: the signature
    covers the declared body hash) and check the body once it has read it."""
    request = _create_request()
    info = verify_signature(
        method=request.method,
        path=request.url.raw_path.split(b"?")[0].decode(),
        query=request.url.query,
        headers=request.headers,
        body=None,
        secret_for=lambda ak: SECRET if ak == AK else None,
        now=WHEN,
    )
    assert info.access_key_id == AK
    verify_payload(request.headers, request.content)
    with pytest.raises(SignatureError) as exc:
        verify_payload(request.headers, request.content + b" ")
    assert exc.value.code == "ContentSHA256Mismatch"


def test_verifier_accepts_genuine_requests() -> None:
    assert _verify(_create_request()) == AK
    assert _verify(_create_request(Credentials(AK, SECRET, "tok"))) == AK


def _rebuilt(
    request: httpx.Request,
    *,
    url: str | None = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Request:
    new_headers = httpx.Headers(request.headers)
    for name, value in (headers or {}).items():
        new_headers[name] = value
    return httpx.Request(
        request.method,
        url or request.url,
        headers=new_headers,
        content=request.content if content is None else content,
    )


@pytest.mark.parametrize(
    ("alteration", "code"),
    [
        ({"content": CREATE_BODY.replace(b"9000", b"9001")}, "ContentSHA256Mismatch"),
        ({"url": "https://fcv3.cn-hangzhou.aliyuncs.com/2023-03-30/functions?x=2"}, None),
        ({"url": "https://fcv3.cn-hangzhou.aliyuncs.com/2023-03-30/functionz?x=1"}, None),
        ({"headers": {"host": "evil.example"}}, None),
        ({"headers": {"x-acs-action": "DeleteFunction"}}, None),
        ({"headers": {"content-type": "text/plain"}}, None),
        ({"headers": {"x-acs-signature-nonce": "0" * 32}}, None),
    ],
)
def test_verifier_rejects_altered_requests(alteration: dict[str, Any], code: str | None) -> None:
    original = _create_request()
    altered = _rebuilt(original, **alteration)
    with pytest.raises(SignatureError) as info:
        _verify(altered)
    assert info.value.code == (code or "SignatureNotMatch")


def test_verifier_rejects_altered_payload_hash_and_body_together() -> None:
    original = _create_request()
    body = CREATE_BODY.replace(b"9000", b"9001")
    altered = _rebuilt(
        original, content=body, headers={"x-acs-content-sha256": hashlib.sha256(body).hexdigest()}
    )
    with pytest.raises(SignatureError) as info:
        _verify(altered)
    assert info.value.code == "SignatureNotMatch"


def test_verifier_rejects_wrong_secret_unknown_key_and_stale_date() -> None:
    request = _create_request()
    with pytest.raises(SignatureError) as info:
        _verify(request, secret="other")
    assert info.value.code == "SignatureNotMatch"
    with pytest.raises(SignatureError) as info:
        _verify(_create_request(Credentials("SomeoneElse", SECRET)))
    assert info.value.code == "InvalidAccessKeyId.NotFound"
    with pytest.raises(SignatureError) as info:
        _verify(request, now=WHEN + timedelta(minutes=16))
    assert info.value.code == "InvalidTimeStamp.Expired"
    assert info.value.detail["skew_seconds"] == pytest.approx(960.0)
    assert _verify(request, now=WHEN + timedelta(minutes=14)) == AK


def test_verifier_rejects_unsigned_token_and_missing_headers() -> None:
    request = _create_request(Credentials(AK, SECRET, "tok"))
    stripped = httpx.Headers(request.headers)
    auth = stripped["authorization"].replace("x-acs-security-token;", "")
    stripped["authorization"] = auth
    with pytest.raises(SignatureError):
        _verify(_rebuilt(request, headers=dict(stripped)))
    no_nonce = httpx.Headers(request.headers)
    del no_nonce["x-acs-signature-nonce"]
    with pytest.raises(SignatureError) as info:
        _verify(httpx.Request("POST", request.url, headers=no_nonce, content=request.content))
    assert info.value.code == "MissingHeader"


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer abc",
        "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host",
        "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=zz",
        "ACS3-HMAC-SHA256 garbage",
    ],
)
def test_parse_authorization_rejects_malformed(header: str) -> None:
    with pytest.raises(SignatureError) as info:
        parse_authorization(header)
    assert info.value.code == "IncompleteSignature"


def test_parse_authorization_roundtrip() -> None:
    assert parse_authorization(OFFICIAL_AUTHORIZATION) == (
        AK,
        [
            "host",
            "x-acs-action",
            "x-acs-content-sha256",
            "x-acs-date",
            "x-acs-signature-nonce",
            "x-acs-version",
        ],
        OFFICIAL_SIGNATURE,
    )


def test_signature_error_never_carries_the_secret() -> None:
    with pytest.raises(SignatureError) as info:
        _verify(_create_request(), secret="not-" + SECRET)
    text = repr(info.value) + str(info.value) + repr(info.value.detail)
    assert SECRET not in text
