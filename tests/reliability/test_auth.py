"""Auth and access of the Local server.

* API calls (FC, ACR, ``/x-fcdesk/``): unsigned, wrongly signed, stale (either way), replayed
  (also across a restart), tampered (body, query, path, signed headers) and otherwise malformed
  calls are refused with the cloud's codes;
* the registry refuses anonymous pushes and pulls unless ``--anonymous-pull`` (then pulls only),
  wrong passwords and forged, expired or foreign Bearer tokens;
* the server listens on loopback only unless told otherwise (the bound sockets are read from
  ``/proc``);
* the AccessKey secret lives only in the secret store: never in logs of a whole session of
  calls (success and failure), the data directory, the settings directory, exception messages
  or reprs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.cloud import ACRClient, ACS3Auth, Credentials, FCClient, LocalExtensions
from core.errors import AuthError, CloudError, CoreError, RegistryError
from core.registry import RegistryClient
from tests.fixtures.emulator import (
    LocalServerHandle,
    start_local_server,
    start_local_server_thread,
)
from tests.reliability._images import build_image, push_built
from tests.reliability.conftest import Recorder

FCV = "2023-03-30"
TARGETS = {
    "fc": ("GET", "/2023-03-30/functions", {"x-acs-action": "ListFunctions", "x-acs-version": FCV}),
    "acr": (
        "POST",
        "/?InstanceId=cri-local0000000001",
        {"x-acs-action": "ListNamespace", "x-acs-version": "2018-12-01"},
    ),
    "ext": ("GET", "/x-fcdesk/info", {"x-acs-action": "Info", "x-acs-version": "local"}),
}


def _signed(
    srv: LocalServerHandle,
    family: str,
    *,
    creds: Credentials | None = None,
    clock: Callable[[], datetime] | None = None,
    content: bytes = b"",
) -> httpx.Request:
    method, path, headers = TARGETS[family]
    request = httpx.Request(method, srv.url + path, headers=headers, content=content)
    ACS3Auth(creds or srv.credentials, clock=clock).sign_request(request)
    return request


def _copy(request: httpx.Request, **changes: Any) -> httpx.Request:
    return httpx.Request(
        changes.get("method", request.method),
        changes.get("url", request.url),
        headers=changes.get("headers", request.headers),
        content=changes.get("content", request.content),
    )


def _without(request: httpx.Request, name: str) -> httpx.Request:
    headers = httpx.Headers(request.headers)
    del headers[name]
    return _copy(request, headers=headers)


def _with(request: httpx.Request, name: str, value: str) -> httpx.Request:
    headers = httpx.Headers(request.headers)
    headers[name] = value
    return _copy(request, headers=headers)


def _path(request: httpx.Request, suffix: str) -> httpx.Request:
    """The request with ``suffix`` appended to its path (query kept)."""
    return _copy(request, url=request.url.copy_with(path=request.url.path + suffix))


def _query(request: httpx.Request) -> httpx.Request:
    url = request.url.copy_merge_params({"PageSize": "99"})
    return _copy(request, url=url)


WRONG = "wrong-secret-0123456789abcdef"
SKEW = timedelta(minutes=20)

# attack -> (how to build the request, accepted codes)
ATTACKS: dict[str, tuple[Callable[[LocalServerHandle, str], httpx.Request], set[str]]] = {
    "unsigned": (
        lambda s, f: httpx.Request(TARGETS[f][0], s.url + TARGETS[f][1], headers=TARGETS[f][2]),
        {"MissingAuthorization", "MissingRequiredHeader"},
    ),
    "wrong-secret": (
        lambda s, f: _signed(s, f, creds=Credentials(s.access_key_id, WRONG)),
        {"SignatureNotMatch", "SignatureDoesNotMatch"},
    ),
    "unknown-key": (
        lambda s, f: _signed(s, f, creds=Credentials("LTAI" + "x" * 20, s.access_key_secret)),
        {"InvalidAccessKeyId.NotFound", "InvalidAccessKeyID"},
    ),
    "stale-past": (
        lambda s, f: _signed(s, f, clock=lambda: datetime.now(UTC) - SKEW),
        {"InvalidTimeStamp.Expired", "RequestTimeTooSkewed"},
    ),
    "stale-future": (
        lambda s, f: _signed(s, f, clock=lambda: datetime.now(UTC) + SKEW),
        {"InvalidTimeStamp.Expired", "RequestTimeTooSkewed"},
    ),
    "tampered-body": (
        lambda s, f: _copy(_signed(s, f, content=b'{"a":1}'), content=b'{"a":2}'),
        {"ContentSHA256Mismatch", "SignatureNotMatch", "SignatureDoesNotMatch"},
    ),
    "tampered-query": (
        lambda s, f: _query(_signed(s, f)),
        {"SignatureNotMatch", "SignatureDoesNotMatch"},
    ),
    "tampered-action": (
        lambda s, f: _with(_signed(s, f), "x-acs-action", "DeleteFunction"),
        {"SignatureNotMatch", "SignatureDoesNotMatch"},
    ),
    "tampered-path": (
        lambda s, f: _path(_signed(s, f), "x"),
        {"SignatureNotMatch", "SignatureDoesNotMatch", "PathNotSupported"},
    ),
    "date-dropped": (
        lambda s, f: _without(_signed(s, f), "x-acs-date"),
        {"MissingHeader", "MissingRequiredHeader", "InvalidTimeStamp.Format"},
    ),
    "nonce-dropped": (
        lambda s, f: _without(_signed(s, f), "x-acs-signature-nonce"),
        {"MissingHeader", "MissingRequiredHeader", "MissingSignatureNonce"},
    ),
    "garbage-authorization": (
        lambda s, f: _with(_signed(s, f), "authorization", "ACS3-HMAC-SHA256 nonsense"),
        {"IncompleteSignature", "InvalidArgument"},
    ),
    "basic-instead": (
        lambda s, f: _with(
            _signed(s, f),
            "authorization",
            "Basic "
            + base64.b64encode(f"{s.access_key_id}:{s.access_key_secret}".encode()).decode(),
        ),
        {"IncompleteSignature", "InvalidArgument"},
    ),
    "unsigned-security-token": (
        lambda s, f: _with(_signed(s, f), "x-acs-security-token", "CAIS-forged"),
        {
            "MissingHeader",
            "MissingRequiredHeader",
            "SignatureNotMatch",
            "SignatureDoesNotMatch",
            "InvalidSecurityToken",
        },
    ),
}


def _code(r: httpx.Response) -> str:
    try:
        body = r.json()
    except ValueError:
        return f"HTTP {r.status_code}"
    return str(body.get("Code") or body.get("code") or "")


@pytest.fixture
def server(local_server_thread: LocalServerHandle) -> LocalServerHandle:
    return local_server_thread


@pytest.mark.parametrize("family", sorted(TARGETS))
@pytest.mark.parametrize("attack", sorted(ATTACKS))
async def test_api_call_refused(
    server: LocalServerHandle, attack: str, family: str, reliability: Recorder
) -> None:
    build, codes = ATTACKS[attack]
    async with httpx.AsyncClient(timeout=30) as http:
        r = await http.send(build(server, family))
        assert r.status_code in (400, 401, 403, 404), (r.status_code, r.text)
        assert _code(r) in codes, r.text
        if family == "acr" and _code(r) != "PathNotSupported":
            assert r.json()["IsSuccess"] is False
        assert r.json()["RequestId"]
        # the same call, properly signed, works: the refusal was about the attack
        ok = await http.send(_signed(server, family))
        assert ok.status_code == 200, ok.text
    reliability.hostile(f"api-{attack}", f"server-auth-{family}", "refused", _code(r))


@pytest.mark.parametrize("family", sorted(TARGETS))
async def test_replayed_call_refused(
    server: LocalServerHandle, family: str, reliability: Recorder
) -> None:
    request = _signed(server, family)
    async with httpx.AsyncClient(timeout=30) as http:
        first = await http.send(request)
        assert first.status_code == 200, first.text
        again = await http.send(_copy(request))
    assert again.status_code in (400, 403)
    assert _code(again) == "SignatureNonceUsed"
    reliability.hostile("api-replayed", f"server-auth-{family}", "refused", _code(again))


@pytest.mark.integration
async def test_replay_refused_after_restart(tmp_path: Path, reliability: Recorder) -> None:
    """Nonces outlive the process: a call captured before a restart stays spent."""
    srv = start_local_server(tmp_path / "data")
    try:
        request = _signed(srv, "fc")
        async with httpx.AsyncClient(timeout=30) as http:
            assert (await http.send(request)).status_code == 200
        srv = srv.restart()
        replay = _copy(
            request, url=httpx.URL(str(request.url)).copy_with(port=int(srv.url.rsplit(":", 1)[1]))
        )
        async with httpx.AsyncClient(timeout=30) as http:
            r = await http.send(replay)
    finally:
        srv.stop()
    # the port changed with the restart and the Host header is signed: either way it is refused
    assert r.status_code in (400, 403)
    assert _code(r) in ("SignatureNonceUsed", "SignatureNotMatch")
    reliability.hostile("api-replayed-after-restart", "server-auth-fc", "refused", _code(r))


# -- registry --------------------------------------------------------------------------------

IMAGE = build_image(77, layers=1, files_per_layer=1, file_size=2000)


def _token(secret: str, *, push: bool, exp: int) -> str:
    """A registry token made the way the server makes them (to forge variants)."""
    key = hashlib.sha256(b"fcdesk-registry-token\0" + secret.encode()).digest()
    payload = {"sub": "x", "push": push, "scope": "", "exp": exp, "jti": "forged"}
    raw = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=")
    tag = base64.urlsafe_b64encode(hmac.new(key, raw, hashlib.sha256).digest()).rstrip(b"=")
    return (raw + b"." + tag).decode()


async def _seed_image(srv: LocalServerHandle) -> None:
    async with RegistryClient(srv.url, credentials=srv.registry_auth) as client:
        await push_built(client, "auth/app", IMAGE, "v1")


REGISTRY_ATTACKS: dict[str, Callable[[LocalServerHandle], dict[str, str]]] = {
    "anonymous": lambda s: {},
    "wrong-password": lambda s: {
        "authorization": "Basic " + base64.b64encode(f"{s.access_key_id}:{WRONG}".encode()).decode()
    },
    "unknown-user": lambda s: {
        "authorization": "Basic "
        + base64.b64encode(f"admin:{s.access_key_secret}".encode()).decode()
    },
    "forged-token": lambda s: {"authorization": "Bearer " + _token(WRONG, push=True, exp=2**40)},
    "expired-token": lambda s: {
        "authorization": "Bearer "
        + _token(s.access_key_secret, push=True, exp=int(time.time()) - 5)
    },
    "garbage-token": lambda s: {"authorization": "Bearer not.a.token"},
    "empty-basic": lambda s: {"authorization": "Basic"},
    "malformed-basic": lambda s: {"authorization": "Basic !!!not-base64!!!"},
}


@pytest.mark.parametrize("attack", sorted(REGISTRY_ATTACKS))
@pytest.mark.parametrize("operation", ["pull", "push"])
async def test_registry_refuses(
    server: LocalServerHandle, attack: str, operation: str, reliability: Recorder
) -> None:
    await _seed_image(server)
    headers = REGISTRY_ATTACKS[attack](server)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        if operation == "pull":
            r = await http.get(
                "/v2/auth/app/manifests/v1",
                headers={**headers, "Accept": IMAGE.manifest.media_type},
            )
        else:
            r = await http.post("/v2/auth/app/blobs/uploads/", headers=headers)
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"].startswith("Bearer realm=")
    assert r.json()["errors"][0]["code"] == "UNAUTHORIZED"
    reliability.hostile(f"registry-{attack}-{operation}", "server-registry", "refused", "401")


async def test_valid_token_is_accepted(server: LocalServerHandle) -> None:
    """The forging helper makes tokens exactly like the server: the refusals above are real."""
    await _seed_image(server)
    token = _token(server.access_key_secret, push=False, exp=int(time.time()) + 60)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        r = await http.get(
            "/v2/auth/app/manifests/v1",
            headers={"authorization": f"Bearer {token}", "Accept": IMAGE.manifest.media_type},
        )
        assert r.status_code == 200
        # a pull-only token cannot push
        r = await http.post(
            "/v2/auth/app/blobs/uploads/", headers={"authorization": f"Bearer {token}"}
        )
        assert r.status_code == 401


async def test_registry_client_reports_wrong_credentials(
    server: LocalServerHandle, reliability: Recorder
) -> None:
    async with RegistryClient(server.url, credentials=(server.access_key_id, WRONG)) as client:
        with pytest.raises(AuthError) as info:
            await client.get_manifest("auth/app", "v1")
    assert WRONG not in str(info.value)
    assert WRONG not in repr(info.value)
    reliability.hostile("registry-client-wrong-password", "server-registry", "refused", "AuthError")


async def test_anonymous_pull_when_configured(tmp_path: Path, reliability: Recorder) -> None:
    srv = start_local_server_thread(tmp_path / "anon", anonymous_pull=True)
    try:
        await _seed_image(srv)
        async with RegistryClient(srv.url) as anonymous:  # anonymous Bearer tokens
            got = await anonymous.get_manifest("auth/app", "v1")
            assert got.raw == IMAGE.manifest.raw
            with pytest.raises(AuthError):
                await anonymous.push_blob("auth/app", b"x" * 10)
        async with httpx.AsyncClient(base_url=srv.url, timeout=30) as http:
            r = await http.post("/v2/auth/app/blobs/uploads/")
            assert r.status_code == 401
            token = (
                await http.get("/x-fcdesk/token", params={"scope": "repository:auth/app:push"})
            ).json()["token"]
            r = await http.post(
                "/v2/auth/app/blobs/uploads/", headers={"authorization": f"Bearer {token}"}
            )
            assert r.status_code == 401
    finally:
        srv.stop()
    reliability.hostile("registry-anonymous-push", "server-registry", "refused", "401")


# -- where the server listens ----------------------------------------------------------------


def _listening(pid: int) -> set[str]:
    """``ip:port`` of every listening TCP socket of process ``pid``."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    out: set[str] = set()
    for table, family in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 6)):
        with open(table) as fh:
            next(fh)
            for line in fh:
                parts = line.split()
                local, state, inode = parts[1], parts[3], parts[9]
                if state != "0A" or inode not in inodes:  # 0A = LISTEN
                    continue
                hexip, hexport = local.split(":")
                port = int(hexport, 16)
                if family == 4:
                    ip = ".".join(str(b) for b in reversed(bytes.fromhex(hexip)))
                else:
                    raw = bytes.fromhex(hexip)
                    words = [raw[i : i + 4][::-1] for i in range(0, 16, 4)]
                    ip = "[" + b"".join(words).hex() + "]"
                out.add(f"{ip}:{port}")
    return out


@pytest.mark.integration
async def test_listens_on_loopback_only_by_default(tmp_path: Path, reliability: Recorder) -> None:
    srv = start_local_server(tmp_path / "data")
    try:
        assert srv.url.startswith("http://127.0.0.1:")
        sockets = _listening(srv.pid)
        assert sockets == {srv.host}, sockets
    finally:
        srv.stop()
    reliability.hostile("bind-default", "server-listen", "refused", "127.0.0.1")


@pytest.mark.integration
async def test_listens_where_told(tmp_path: Path) -> None:
    srv = start_local_server(tmp_path / "data", extra_args=("--no-seed", "--host", "0.0.0.0"))
    try:
        port = srv.url.rsplit(":", 1)[1]
        assert _listening(srv.pid) == {f"0.0.0.0:{port}"}
    finally:
        srv.stop()


# -- the secret stays in the secret store ----------------------------------------------------


def _grep_tree(root: Path, needles: list[bytes]) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            found += [f"{path}: {n[:6]!r}…" for n in needles if n in data]
    return found


async def test_secret_only_in_the_keyring(
    tmp_path: Path,
    config_dir: Path,
    memory_keyring: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    reliability: Recorder,
) -> None:
    """A whole session against a Local server keeping its secret in the (in-memory) keyring,
    with every logger at DEBUG: the secret appears in the keyring and nowhere else."""
    from core.emulator import LocalServer, ServerConfig

    monkeypatch.delenv("FCDESK_LOCAL_ACCESS_KEY_SECRET", raising=False)
    caplog.set_level(logging.DEBUG)
    data = tmp_path / "data"
    errors: list[BaseException] = []
    texts: list[str] = []
    async with LocalServer(ServerConfig(data_dir=data, secret_store="keyring", seed=False)) as srv:
        assert srv.ctx is not None
        creds = srv.ctx.credentials
        secret = creds.access_key_secret
        assert secret in memory_keyring.passwords.values()
        texts += [repr(creds), str(creds), json.dumps(srv.ready_info())]
        base = srv.url
        async with httpx.AsyncClient(timeout=60) as http:
            fc = FCClient(http, creds, endpoint=base)
            acr = ACRClient(http, creds, endpoint=f"{base}/")
            ext = LocalExtensions(http, creds, base_url=base)
            texts += [repr(fc), repr(acr), repr(ext)]
            async with RegistryClient(base, credentials=(creds.access_key_id, secret)) as reg:
                texts.append(repr(reg))
                await push_built(reg, "leak/app", IMAGE, "v1")
                await reg.get_manifest("leak/app", "v1")
            texts.append(json.dumps(await ext.info()))
            [n async for n in acr.list_namespaces("cri-local0000000001")]
            token = await acr.get_authorization_token("cri-local0000000001")
            texts.append(repr(token))
            async with RegistryClient(base, credentials=(token.username, token.password)) as reg:
                await reg.get_manifest("leak/app", "v1")
            [f async for f in fc.list_functions()]
            wrong = Credentials(creds.access_key_id, WRONG)
            for call in (
                lambda: FCClient(http, wrong, endpoint=base).get_function("nope"),
                lambda: fc.get_function("does-not-exist"),
                lambda: ACRClient(http, wrong, endpoint=f"{base}/").get_instance("x"),
                lambda: ext.get_task("i2a-missing"),
            ):
                try:
                    await call()
                except (CloudError, CoreError) as exc:
                    errors.append(exc)
            async with RegistryClient(base, credentials=(creds.access_key_id, WRONG)) as bad:
                try:
                    await bad.get_manifest("leak/app", "v1")
                except RegistryError as exc:
                    errors.append(exc)
    assert len(errors) == 5
    for error in errors:
        texts += [str(error), repr(error), json.dumps(getattr(error, "detail", {}), default=str)]
    texts += [r.getMessage() for r in caplog.records]
    texts.append(caplog.text)
    needles = [secret, secret[4:-4]]
    leaks = [t[:200] for t in texts for n in needles if n in t]
    assert not leaks, leaks
    raw = [n.encode() for n in needles]
    assert not _grep_tree(data, raw), "the data directory holds the secret"
    assert not _grep_tree(config_dir, raw), "the settings directory holds the secret"
    reliability.hostile("secret-leak-session", "server-secrets", "refused", "keyring-only")


@pytest.mark.integration
async def test_file_store_secret_stays_in_its_file(tmp_path: Path, reliability: Recorder) -> None:
    """``--secret-store file`` (asked for explicitly): only the 0600 file in the 0700 data
    directory holds the secret; the server's log and ready line do not."""
    data = tmp_path / "data"
    env = {"FCDESK_LOCAL_ACCESS_KEY_SECRET": ""}
    srv = start_local_server(data, extra_args=("--no-seed", "--secret-store", "file"), env=env)
    try:
        secret_file = data / "access-key.secret"
        assert secret_file.stat().st_mode & 0o777 == 0o600
        assert data.stat().st_mode & 0o777 == 0o700
        secret = json.loads(secret_file.read_text())["secrets"].popitem()[1]
        creds = Credentials(srv.access_key_id, secret)
        srv.access_key_secret = secret
        async with httpx.AsyncClient(base_url=srv.url, auth=ACS3Auth(creds), timeout=30) as http:
            assert (await http.get("/x-fcdesk/info")).status_code == 200
        async with RegistryClient(srv.url, credentials=(srv.access_key_id, secret)) as reg:
            await push_built(reg, "leak/file", IMAGE, "v1")
        log = (data.parent / "data-serve.log").read_bytes()
    finally:
        srv.stop()
    needle = secret.encode()
    holders = [p for p in _grep_tree(data, [needle]) if "access-key.secret" not in p]
    assert not holders, holders
    assert needle not in log
    assert secret not in json.dumps(srv.ready)
    reliability.hostile("secret-leak-file-store", "server-secrets", "refused", "file-only")
