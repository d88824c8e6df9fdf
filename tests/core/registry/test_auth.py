"""Auth strategies: challenge parsing and a Bearer token flow against an in-test token server."""

from __future__ import annotations

import base64
import json
import time
from collections import Counter

import httpx
import pytest

from core import RetryPolicy
from core.errors import AuthError
from core.registry import Anonymous, BasicAuth, BearerAuth, RegistryClient, parse_challenges

FAST = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.01)


def test_parse_challenges() -> None:
    [ch] = parse_challenges(
        'Bearer realm="https://auth.example/token",service="registry.example",'
        'scope="repository:a/b:pull,push"'
    )
    assert ch.scheme == "bearer"
    assert ch.realm == "https://auth.example/token"
    assert ch.params["service"] == "registry.example"
    assert ch.params["scope"] == "repository:a/b:pull,push"
    basic, bearer = parse_challenges('Basic realm="x", Bearer realm="https://t/", service=s')
    assert (basic.scheme, basic.realm) == ("basic", "x")
    assert (bearer.scheme, bearer.params["service"]) == ("bearer", "s")
    assert parse_challenges("") == []
    [esc] = parse_challenges(r'Bearer realm="a\"b"')
    assert esc.realm == 'a"b'


class TokenRegistry:
    """A registry that wants Bearer tokens from its own token endpoint."""

    def __init__(self, *, user: str | None = None, password: str | None = None, ttl: int = 300):
        self.user, self.password, self.ttl = user, password, ttl
        self.issued: Counter[str] = Counter()
        self.valid: dict[str, tuple[str, float]] = {}
        self.registry_auth: list[str | None] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "auth.test":
            return self.token(request)
        auth = request.headers.get("authorization")
        self.registry_auth.append(auth)
        repo = request.url.path.split("/")[2] if request.url.path.count("/") > 2 else ""
        need = f"repository:{repo}:pull" if repo else ""
        tok = (auth or "").removeprefix("Bearer ")
        scope, expires = self.valid.get(tok, ("", 0.0))
        if not auth or (need and need not in scope) or expires < time.monotonic():
            chal = 'Bearer realm="https://auth.test/token",service="reg.test"'
            if need:
                chal += f',scope="{need}"'
            return httpx.Response(
                401,
                headers={"WWW-Authenticate": chal},
                json={"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]},
            )
        return httpx.Response(200, json={"name": repo, "tags": ["a", "b"]})

    def token(self, request: httpx.Request) -> httpx.Response:
        if self.user is not None:
            expected = "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            if request.headers.get("authorization") != expected:
                return httpx.Response(401)
            assert request.url.params.get("account") == self.user
        assert request.url.params.get("service") == "reg.test"
        scope = " ".join(request.url.params.get_list("scope"))
        tok = f"tok{sum(self.issued.values())}"
        self.issued[scope] += 1
        self.valid[tok] = (scope, time.monotonic() + self.ttl)
        return httpx.Response(200, json={"token": tok, "expires_in": self.ttl})


async def test_bearer_flow_caches_tokens_per_scope() -> None:
    server = TokenRegistry(user="alice", password="s3cret")
    http = httpx.AsyncClient(transport=httpx.MockTransport(server.handler))
    async with RegistryClient(
        "http://reg.test", http=http, credentials=("alice", "s3cret"), retry=FAST
    ) as reg:
        assert [t async for t in reg.list_tags("one")] == ["a", "b"]
        assert [t async for t in reg.list_tags("one")] == ["a", "b"]
        assert [t async for t in reg.list_tags("two")] == ["a", "b"]
        assert [t async for t in reg.list_tags("one")] == ["a", "b"]
    assert server.issued == Counter({"repository:one:pull": 1, "repository:two:pull": 1})
    # one 401 for the first request only; "two" got its token up front (realm already known)
    assert server.registry_auth.count(None) == 1
    await http.aclose()


async def test_bearer_token_is_refreshed_before_it_expires() -> None:
    server = TokenRegistry(ttl=300)
    http = httpx.AsyncClient(transport=httpx.MockTransport(server.handler))
    now = [1000.0]
    auth = BearerAuth(clock=lambda: now[0])
    async with RegistryClient("http://reg.test", http=http, auth=auth, retry=FAST) as reg:
        assert [t async for t in reg.list_tags("one")] == ["a", "b"]
        now[0] += 200  # still fresh
        assert [t async for t in reg.list_tags("one")] == ["a", "b"]
        now[0] += 95  # inside the refresh margin before expiry
        assert [t async for t in reg.list_tags("one")] == ["a", "b"]
    assert server.issued["repository:one:pull"] == 2
    # the refresh happened up front: only the very first request met a 401
    assert server.registry_auth.count(None) == 1
    await http.aclose()


async def test_bearer_refresh_on_401_with_a_revoked_token() -> None:
    server = TokenRegistry()
    http = httpx.AsyncClient(transport=httpx.MockTransport(server.handler))
    async with RegistryClient("http://reg.test", http=http, retry=FAST) as reg:
        assert [t async for t in reg.list_tags("one")] == ["a", "b"]
        server.valid.clear()  # the registry forgets every token
        assert [t async for t in reg.list_tags("one")] == ["a", "b"]
    assert server.issued["repository:one:pull"] == 2
    await http.aclose()


async def test_bad_credentials_at_the_token_server() -> None:
    server = TokenRegistry(user="alice", password="right")
    http = httpx.AsyncClient(transport=httpx.MockTransport(server.handler))
    async with RegistryClient(
        "http://reg.test", http=http, credentials=("alice", "wrong"), retry=FAST
    ) as reg:
        with pytest.raises(AuthError) as info:
            await reg.ping()
    assert "wrong" not in str(info.value)
    await http.aclose()


async def test_anonymous_strategy_gives_up_on_a_challenge() -> None:
    server = TokenRegistry()
    http = httpx.AsyncClient(transport=httpx.MockTransport(server.handler))
    async with RegistryClient("http://reg.test", http=http, auth=Anonymous(), retry=FAST) as reg:
        with pytest.raises(AuthError) as info:
            await reg.ping()
    assert info.value.status == 401
    assert info.value.code == "UNAUTHORIZED"
    await http.aclose()


async def test_bearer_strategy_answers_a_basic_challenge_with_credentials() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        if request.headers.get("authorization") != "Basic " + base64.b64encode(b"u:p").decode():
            return httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="r"'})
        return httpx.Response(200, headers={"Docker-Distribution-Api-Version": "registry/2.0"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with RegistryClient("http://reg.test", http=http, credentials=("u", "p")) as reg:
        assert await reg.ping() == "registry/2.0"
        assert await reg.ping() == "registry/2.0"
    assert seen[0] is None
    assert seen[1:] == [seen[1]] * 2
    await http.aclose()


async def test_basic_auth_strategy_and_no_secret_in_repr() -> None:
    auth = BasicAuth("user", "hunter2")
    assert "hunter2" not in repr(auth)
    bearer = BearerAuth("user", "hunter2")
    assert "hunter2" not in repr(bearer)
    reg = RegistryClient("http://reg.test", auth=auth)
    assert "hunter2" not in repr(reg)
    await reg.aclose()


async def test_oauth2_style_access_token_is_accepted() -> None:
    server = TokenRegistry()
    original = server.token

    def oauth(request: httpx.Request) -> httpx.Response:
        answer = original(request)
        body = json.loads(answer.content)
        return httpx.Response(200, json={"access_token": body["token"]})  # no expires_in

    server.token = oauth  # type: ignore[method-assign]
    http = httpx.AsyncClient(transport=httpx.MockTransport(server.handler))
    async with RegistryClient("http://reg.test", http=http, retry=FAST) as reg:
        assert [t async for t in reg.list_tags("one")] == ["a", "b"]
    await http.aclose()
