"""Profiles to credentials, endpoints and clients; imports from env and the aliyun CLI."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from core.cloud import (
    Credentials,
    FileSecretStore,
    KeyringSecretStore,
    MemorySecretStore,
    delete_profile_secrets,
    endpoints_for,
    local_secret_key,
    open_clients,
    profiles_from_aliyun_cli,
    resolve_credentials,
    secret_key,
    secret_store_for,
    store_credentials,
)
from core.errors import CredentialsError, SettingsError
from core.settings import AliyunProfile, LocalProfile, Settings

SECRET = "Secret-For-Profile-Tests-123"
TOKEN = "Sts-Token-For-Profile-Tests-456"


def _profile(**kw: object) -> AliyunProfile:
    base: dict[str, object] = {
        "name": "prod",
        "region": "cn-hangzhou",
        "account_id": "1234567890123456",
        "access_key_id": "LTAI5tProd",
    }
    base.update(kw)
    return AliyunProfile(**base)  # type: ignore[arg-type]


def test_keyring_profile_round_trip() -> None:
    store = MemorySecretStore()
    profile = _profile()
    with pytest.raises(CredentialsError) as info:
        resolve_credentials(profile, store, env={})
    assert info.value.code == "SecretNotFound"
    store_credentials(store, "prod", Credentials("LTAI5tProd", SECRET))
    creds = resolve_credentials(profile, store, env={})
    assert creds == Credentials("LTAI5tProd", SECRET, None, "keyring:prod")
    sts_profile = _profile(sts=True)
    with pytest.raises(CredentialsError):
        resolve_credentials(sts_profile, store, env={})
    store_credentials(store, "prod", Credentials("LTAI5tProd", SECRET, TOKEN))
    assert resolve_credentials(sts_profile, store, env={}).security_token == TOKEN
    store_credentials(store, "prod", Credentials("LTAI5tProd", SECRET))
    assert store.get(secret_key("prod", "security_token")) is None
    delete_profile_secrets(store, "prod")
    assert store.get(secret_key("prod", "access_key_secret")) is None


def test_env_and_cli_sources(tmp_path: Path) -> None:
    env = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "envid", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET}
    profile = _profile(credential_source="env", access_key_id="")
    assert resolve_credentials(profile, None, env=env).access_key_id == "envid"
    with pytest.raises(CredentialsError) as info:
        resolve_credentials(profile, None, env={})
    assert info.value.code == "MissingEnvCredentials"
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {
                "current": "a",
                "profiles": [
                    {"name": "a", "mode": "AK", "access_key_id": "cliid",
                     "access_key_secret": SECRET, "region_id": "cn-beijing"},
                ],
            }
        )
    )  # fmt: skip
    cli = _profile(credential_source="aliyun-cli", aliyun_cli_profile="a")
    creds = resolve_credentials(cli, None, env={}, aliyun_config=config)
    assert creds.access_key_id == "cliid"
    assert creds.source == "aliyun-cli:a"


def test_local_profile_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    store = MemorySecretStore()
    local = LocalProfile(url="http://127.0.0.1:1234", access_key_id="LTAIlocal")
    with pytest.raises(CredentialsError):
        resolve_credentials(local, store, env={})
    store.set(local_secret_key("LTAIlocal"), SECRET)
    assert local_secret_key("LTAIlocal") == "local-LTAIlocal/access_key_secret"
    assert resolve_credentials(local, store, env={}).access_key_secret == SECRET
    env = {"FCDESK_LOCAL_ACCESS_KEY_SECRET": "from-env-secret"}
    assert resolve_credentials(local, store, env=env).access_key_secret == "from-env-secret"
    with pytest.raises(CredentialsError) as info:
        resolve_credentials(LocalProfile(), store, env={})
    assert info.value.code == "LocalKeyUnknown"


def test_secret_store_choice(config_dir: Path) -> None:
    settings = Settings()
    assert isinstance(secret_store_for(settings), KeyringSecretStore)
    settings.secret_store = "file"
    store = secret_store_for(settings)
    assert isinstance(store, FileSecretStore)
    assert store.path == config_dir / "secrets.json"


def test_endpoints() -> None:
    ep = endpoints_for(_profile())
    assert ep.fc == "https://fcv3.cn-hangzhou.aliyuncs.com"
    assert ep.fc_invoke == "https://1234567890123456.cn-hangzhou.fc.aliyuncs.com"
    assert ep.acr == "https://cr.cn-hangzhou.aliyuncs.com/"
    assert not ep.is_local
    overridden = endpoints_for(
        _profile(
            account_id="",
            fc_endpoint="https://fc.example",
            acr_endpoint="https://cr.example/",
        )
    )
    assert overridden.fc == overridden.fc_invoke == "https://fc.example"
    assert overridden.acr == "https://cr.example/"
    local = endpoints_for(LocalProfile(url="http://127.0.0.1:4000/"))
    assert local.fc == "http://127.0.0.1:4000"
    assert local.acr == "http://127.0.0.1:4000/"
    assert local.extensions == "http://127.0.0.1:4000/x-fcdesk"
    assert local.is_local
    with pytest.raises(SettingsError):
        endpoints_for(LocalProfile())


async def test_open_clients() -> None:
    creds = Credentials("id", SECRET)
    async with httpx.AsyncClient() as http:
        cloud = open_clients(_profile(acr_instance_id="cri-abc"), http, creds)
        assert cloud.local is None
        assert cloud.acr_instance_id == "cri-abc"
        assert cloud.fc.invoke_endpoint.startswith("https://1234567890123456.")
        local = open_clients(LocalProfile(url="http://127.0.0.1:4000"), http, creds)
        assert local.local is not None
        assert local.acr.endpoint == "http://127.0.0.1:4000/"


def test_aliyun_cli_import(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    keys = {"access_key_secret": SECRET}
    profiles = [
        {"name": "a", "mode": "AK", "access_key_id": "id-a", "region_id": "cn-beijing", **keys},
        {"name": "s", "mode": "StsToken", "access_key_id": "id-s", "sts_token": TOKEN, **keys},
        {"name": "r", "mode": "RamRoleArn", "access_key_id": "x", **keys},
    ]
    config.write_text(json.dumps({"current": "a", "profiles": profiles}))
    copied = {i.profile.name: i for i in profiles_from_aliyun_cli(config)}
    assert copied["a"].profile.region == "cn-beijing"
    assert copied["a"].profile.credential_source == "keyring"
    assert copied["a"].credentials is not None
    assert copied["s"].profile.sts
    assert copied["s"].profile.region == "cn-hangzhou"
    assert copied["r"].credentials is None
    assert copied["r"].problem == "UnsupportedMode"
    linked = {i.profile.name: i for i in profiles_from_aliyun_cli(config, link=True)}
    assert linked["a"].profile.credential_source == "aliyun-cli"
    assert linked["a"].profile.aliyun_cli_profile == "a"
