"""No secret in logs, exception messages, settings files or repr(): run every kind of call,
success and failure, with DEBUG logging captured, then grep everything for the secrets."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from core import RetryPolicy
from core.cloud import (
    ACRClient,
    FCClient,
    FileSecretStore,
    Function,
    KeyringSecretStore,
    LocalExtensions,
    MemorySecretStore,
    open_clients,
    resolve_credentials,
    secret_store_for,
    store_credentials,
)
from core.cloud import Credentials as Creds
from core.errors import CoreError
from core.settings import AliyunProfile, RegistryProfile, TomlSettingsStore
from tests.fixtures.cloud import (
    TEST_ACCESS_KEY_SECRET,
    TEST_SECURITY_TOKEN,
    SignedMock,
    json_response,
    no_sleep,
)

SECRETS = (TEST_ACCESS_KEY_SECRET, TEST_SECURITY_TOKEN)


def _assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text
        # not even a large fragment of it
        assert secret[4:-4] not in text


def _answer(request: httpx.Request) -> httpx.Response:
    action = request.headers.get("x-acs-action", "")
    if action == "GetFunction":
        # a hostile/buggy server echoing the secret back must not get it into our errors
        return json_response(
            400,
            {
                "Code": "InvalidArgument",
                "Message": f"bad secret {TEST_ACCESS_KEY_SECRET} and token {TEST_SECURITY_TOKEN}",
                "RequestId": "r",
            },
        )
    if action == "ListFunctions":
        return json_response(200, {"functions": [{"functionName": "f"}]})
    if action == "InvokeFunction":
        return httpx.Response(200, content=b"ok", headers={"x-fc-log-result": "aGVsbG8="})
    if action == "ListInstance":
        return json_response(429, {"Code": "Throttling", "Message": "slow", "RequestId": "r"})
    if action == "GetAuthorizationToken":
        return json_response(
            200,
            {
                "IsSuccess": True,
                "TempUsername": "cr_temp_user",
                "AuthorizationToken": TEST_SECURITY_TOKEN,
            },
        )
    if action == "GetRepository":
        return json_response(200, {"IsSuccess": False, "Code": "REPO_NOT_EXIST", "RequestId": "r"})
    return json_response(403, {"Code": "SignatureNotMatch", "Message": "no", "RequestId": "r"})


def _config_files(config_dir: Path) -> list[str]:
    assert (config_dir / "settings.toml").exists()
    return [
        path.read_text("utf-8")
        for path in config_dir.rglob("*")
        if path.is_file() and path.name != "secrets.json"  # the chosen secret store itself
    ]


async def test_nothing_leaks(
    caplog: pytest.LogCaptureFixture, config_dir: Path, sts_credentials: Creds
) -> None:
    caplog.set_level(logging.DEBUG)
    mock = SignedMock()
    mock.handler = _answer
    texts: list[str] = [repr(sts_credentials), str(sts_credentials)]
    retry = RetryPolicy(max_attempts=2, sleep=no_sleep)
    async with httpx.AsyncClient(transport=mock.transport) as http:
        fc = FCClient(http, sts_credentials, endpoint="https://fc.example", retry=retry)
        acr = ACRClient(http, sts_credentials, endpoint="https://cr.example/", retry=retry)
        local = LocalExtensions(http, sts_credentials, base_url="https://local.example")
        texts += [repr(fc), repr(acr), repr(local), repr(fc._api._auth)]
        _ = [f async for f in fc.list_functions()]
        await fc.invoke_function("f", b"{}", log_tail=True)
        token = await acr.get_authorization_token("cri-1")
        texts += [repr(token), str(token)]
        for call in (
            fc.get_function("f"),
            fc.create_function(Function.for_container("f", "r/ns/a:v1")),
            acr.get_repository("cri-1", namespace="n", name="r"),
            local.info(),
        ):
            with pytest.raises(CoreError) as info:
                await call
            texts += [str(info.value), repr(info.value), repr(info.value.detail)]
        with pytest.raises(CoreError) as info:
            _ = [i async for i in acr.list_instances()]
        texts += [str(info.value), repr(info.value), repr(info.value.detail)]

    # settings and the stores
    store = KeyringSecretStore()
    settings_store = TomlSettingsStore()
    settings = settings_store.load()
    profile = AliyunProfile(
        name="prod", region="cn-hangzhou", access_key_id=sts_credentials.access_key_id, sts=True
    )
    settings.add_profile(profile)
    settings.add_profile(RegistryProfile(name="reg", url="https://r.example", username="u"))
    store_credentials(store, "prod", sts_credentials)
    settings_store.save(settings)
    creds = resolve_credentials(profile, secret_store_for(settings), env={})
    assert creds.security_token == TEST_SECURITY_TOKEN
    async with httpx.AsyncClient() as http:
        clients = open_clients(profile, http, creds)
        texts += [repr(clients), repr(settings), repr(profile), repr(store)]
    file_store = FileSecretStore(config_dir / "secrets.json")
    file_store.set("prod/access_key_secret", TEST_ACCESS_KEY_SECRET)
    memory = MemorySecretStore({"k": TEST_ACCESS_KEY_SECRET})
    texts += [repr(file_store), repr(memory)]

    texts += _config_files(config_dir)
    assert caplog.records, "the client logs its requests at DEBUG"
    texts += [r.getMessage() for r in caplog.records]
    texts.append(caplog.text)
    _assert_clean("\n".join(texts))
    assert "GetFunction" in caplog.text  # the log is useful: it names actions and outcomes
