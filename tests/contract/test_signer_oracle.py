"""fcdesk's ACS3-HMAC-SHA256 signer against the official SDK runtime's signer
(``alibabacloud_tea_openapi.utils.Utils.get_authorization``), over generated requests.

Each example is one logical request — method, path (percent-encoded as the SDK encodes a path
parameter), query parameters, headers, body, optional STS token — signed with a fixed date and
nonce by `core.cloud.ACS3Auth` on a real ``httpx.Request`` and by the SDK on its own request
object carrying the same headers. The two ``Authorization`` headers must be identical, and
fcdesk's verifier (the Local server's) must accept the SDK's signature.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import httpx
from alibabacloud_tea_openapi.utils import Utils
from darabonba.request import DaraRequest
from darabonba.url import Url as DaraURL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.cloud import ACS3Auth, Credentials, format_acs_date, verify_signature

WHEN = datetime(2024, 5, 17, 3, 4, 5, tzinfo=UTC)
NONCE = "9d1f0c5b7e2a4c3f8a6b1d0e2f4a6c8e"
HOST = "fcv3.cn-hangzhou.aliyuncs.com"

_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]),  # any Unicode text but surrogates
    max_size=40,
)
# Parameter names as the APIs spell them: letters, digits and the unreserved marks.
_param_name = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-~",
    min_size=1,
    max_size=24,
)
# Header values as HTTP carries them: visible ASCII, spaces inside.
_header_value = st.from_regex(r"[!-~]([ -~]{0,30}[!-~])?", fullmatch=True)
_header_name = st.from_regex(r"(x-acs-|x-fc-)[a-z][a-z0-9-]{0,15}", fullmatch=True)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, object]:
    method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE"]))
    style = draw(st.sampled_from(["rpc", "roa"]))
    if style == "rpc":
        path = "/"
    else:
        # "." and ".." are not resource names, and HTTP clients remove them as dot segments
        segments = draw(
            st.lists(_text.filter(lambda s: s not in ("", ".", "..")), min_size=1, max_size=3)
        )
        path = "/2023-03-30/" + "/".join(DaraURL.percent_encode(s) for s in segments)
    query = draw(st.dictionaries(_param_name, _text, max_size=6))
    headers = {
        "x-acs-action": draw(st.from_regex(r"[A-Z][A-Za-z]{2,30}", fullmatch=True)),
        "x-acs-version": draw(st.sampled_from(["2023-03-30", "2018-12-01"])),
        "accept": "application/json",
    }
    for name, value in draw(st.dictionaries(_header_name, _header_value, max_size=3)).items():
        if name not in ("x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"):
            headers[name] = value
    body = b""
    if method in ("POST", "PUT"):
        kind = draw(st.sampled_from(["none", "json", "bytes"]))
        if kind == "json":
            headers["content-type"] = "application/json; charset=utf-8"
            body = draw(_text).encode()
        elif kind == "bytes":
            headers["content-type"] = "application/octet-stream"
            body = draw(st.binary(max_size=200))
    token = draw(st.one_of(st.none(), st.from_regex(r"[A-Za-z0-9+/=]{8,60}", fullmatch=True)))
    return {
        "method": method,
        "path": path,
        "query": query,
        "headers": headers,
        "body": body,
        "token": token,
    }


def _fcdesk_authorization(req: dict[str, object], creds: Credentials) -> httpx.Request:
    request = httpx.Request(
        str(req["method"]),
        f"https://{HOST}{req['path']}",
        params=req["query"],  # type: ignore[arg-type]
        headers=req["headers"],  # type: ignore[arg-type]
        content=req["body"],  # type: ignore[arg-type]
    )
    ACS3Auth(creds, clock=lambda: WHEN, nonce=lambda: NONCE).sign_request(request)
    return request


def _sdk_authorization(req: dict[str, object], creds: Credentials) -> tuple[str, dict[str, str]]:
    body = req["body"]
    assert isinstance(body, bytes)
    payload = hashlib.sha256(body).hexdigest()
    headers = dict(req["headers"])  # type: ignore[call-overload]
    headers.update(
        {
            "host": HOST,
            "x-acs-date": format_acs_date(WHEN),
            "x-acs-signature-nonce": NONCE,
            "x-acs-content-sha256": payload,
        }
    )
    if creds.security_token:
        headers["x-acs-accesskey-id"] = creds.access_key_id
        headers["x-acs-security-token"] = creds.security_token
    request = DaraRequest()
    request.method = req["method"]
    request.pathname = req["path"]
    request.query = dict(req["query"])  # type: ignore[call-overload]
    request.headers = headers
    auth = Utils.get_authorization(
        request,
        "ACS3-HMAC-SHA256",
        payload,
        creds.access_key_id,
        creds.access_key_secret,
    )
    return auth, headers


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(req=requests(), secret=st.text(min_size=1, max_size=40).filter(lambda s: "\x00" not in s))
def test_fcdesk_signs_as_the_sdk_signs(req: dict[str, object], secret: str) -> None:
    token = req["token"]
    creds = Credentials("LTAI5tQ4oracle", secret, token if isinstance(token, str) else None)
    ours = _fcdesk_authorization(req, creds)
    theirs, sdk_headers = _sdk_authorization(req, creds)
    assert ours.headers["authorization"] == theirs
    # the Local server's verifier accepts the SDK's signature over the same request
    info = verify_signature(
        method=str(req["method"]),
        path=str(req["path"]),
        query=list(req["query"].items()),  # type: ignore[attr-defined]
        headers={**sdk_headers, "authorization": theirs},
        body=req["body"],  # type: ignore[arg-type]
        secret_for=lambda ak: secret if ak == creds.access_key_id else None,
        now=WHEN,
    )
    assert info.access_key_id == creds.access_key_id
