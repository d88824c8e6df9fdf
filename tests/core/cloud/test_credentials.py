"""Credentials, secret stores and credential sources (environment, aliyun CLI)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import keyring
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import pytest

from core.cloud import (
    Credentials,
    FileSecretStore,
    KeyringSecretStore,
    MemorySecretStore,
    SecretStore,
    aliyun_cli_credentials,
    credentials_from_env,
    keyring_available,
    read_aliyun_cli_config,
    secret_key,
)
from core.errors import CredentialsError
from tests.fixtures.cloud import InMemoryKeyring

SECRET = "S3cr3t-AccessKeySecret-Value"
TOKEN = "CAIS-sts-token-value-0123456789"


def test_credentials_repr_hides_secret_and_token() -> None:
    creds = Credentials("LTAI5tExampleKeyId", SECRET, TOKEN, source="env")
    for text in (repr(creds), str(creds), f"{creds}", repr([creds]), repr({"c": creds})):
        assert SECRET not in text
        assert TOKEN not in text
        assert "LTAI5tExampleKeyId" not in text
    assert "LTA****yId" in repr(creds)
    assert creds.is_sts
    assert not Credentials("a", "b").is_sts


def test_credentials_require_both_parts() -> None:
    with pytest.raises(CredentialsError) as info:
        Credentials("id", "")
    assert info.value.code == "IncompleteCredentials"


def test_env_credentials() -> None:
    assert credentials_from_env({}) is None
    creds = credentials_from_env(
        {
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "id",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET,
            "ALIBABA_CLOUD_SECURITY_TOKEN": TOKEN,
        }
    )
    assert creds == Credentials("id", SECRET, TOKEN, source="env")
    with pytest.raises(CredentialsError) as info:
        credentials_from_env({"ALIBABA_CLOUD_ACCESS_KEY_ID": "id"})
    assert info.value.code == "IncompleteCredentials"
    assert info.value.detail["variable"] == "ALIBABA_CLOUD_ACCESS_KEY_SECRET"


def test_env_credentials_from_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "id2")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
    creds = credentials_from_env()
    assert creds is not None
    assert creds.access_key_id == "id2"
    assert creds.security_token is None


ALIYUN_CONFIG = {
    "current": "work",
    "profiles": [
        {
            "name": "default",
            "mode": "AK",
            "access_key_id": "ak-default",
            "access_key_secret": SECRET,
            "region_id": "cn-hangzhou",
            "output_format": "json",
            "language": "en",
        },
        {
            "name": "work",
            "mode": "StsToken",
            "access_key_id": "STS.ak",
            "access_key_secret": SECRET,
            "sts_token": TOKEN,
            "region_id": "cn-shanghai",
        },
        {
            "name": "role",
            "mode": "RamRoleArn",
            "access_key_id": "ak",
            "access_key_secret": SECRET,
            "ram_role_arn": "acs:ram::1:role/x",
            "ram_session_name": "s",
            "region_id": "cn-beijing",
        },
        {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "r", "region_id": "cn-beijing"},
        {"name": "broken", "mode": "AK", "access_key_id": "x", "region_id": "cn-beijing"},
        {"name": "nosts", "mode": "StsToken", "access_key_id": "x", "access_key_secret": "y"},
    ],
    "meta_path": "",
}


@pytest.fixture
def aliyun_config(tmp_path: Path) -> Path:
    path = tmp_path / ".aliyun" / "config.json"
    path.parent.mkdir()
    path.write_text(json.dumps(ALIYUN_CONFIG))
    return path


def test_read_aliyun_cli_config(aliyun_config: Path) -> None:
    current, profiles = read_aliyun_cli_config(aliyun_config)
    assert current == "work"
    by_name = {p.name: p for p in profiles}
    assert by_name["default"].credentials == Credentials(
        "ak-default", SECRET, None, "aliyun-cli:default"
    )
    assert by_name["default"].region == "cn-hangzhou"
    assert by_name["work"].credentials is not None
    assert by_name["work"].credentials.security_token == TOKEN
    assert by_name["role"].problem == "UnsupportedMode"
    assert by_name["ecs"].problem == "UnsupportedMode"
    assert by_name["broken"].problem == "IncompleteCredentials"
    assert by_name["nosts"].problem == "MissingSecurityToken"
    assert not by_name["role"].usable
    text = repr(profiles)
    assert SECRET not in text
    assert TOKEN not in text


def test_aliyun_cli_credentials_selection(aliyun_config: Path) -> None:
    assert aliyun_cli_credentials(path=aliyun_config, env={}).access_key_id == "STS.ak"
    env = {"ALIBABA_CLOUD_PROFILE": "default"}
    assert aliyun_cli_credentials(path=aliyun_config, env=env).access_key_id == "ak-default"
    assert aliyun_cli_credentials("default", aliyun_config, env={}).source == "aliyun-cli:default"
    with pytest.raises(CredentialsError) as info:
        aliyun_cli_credentials("role", aliyun_config, env={})
    assert info.value.code == "UnsupportedMode"
    assert "RamRoleArn" in str(info.value)
    with pytest.raises(CredentialsError) as info:
        aliyun_cli_credentials("missing", aliyun_config, env={})
    assert info.value.code == "ProfileNotFound"


def test_aliyun_cli_config_errors(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError) as info:
        read_aliyun_cli_config(tmp_path / "nope.json")
    assert info.value.code == "AliyunConfigNotFound"
    bad = tmp_path / "bad.json"
    bad.write_text('{"profiles": [{"access_key_secret": "' + SECRET + '", }')
    with pytest.raises(CredentialsError) as info:
        read_aliyun_cli_config(bad)
    assert info.value.code == "AliyunConfigInvalid"
    assert SECRET not in str(info.value)
    assert info.value.__cause__ is None  # the JSON error (which quotes the text) is dropped
    bad.write_text('{"profiles": 3}')
    with pytest.raises(CredentialsError) as info:
        read_aliyun_cli_config(bad)
    assert info.value.code == "AliyunConfigInvalid"


# -- secret stores ------------------------------------------------------------------------------


def _exercise(store: SecretStore) -> None:
    assert isinstance(store, SecretStore)
    key = secret_key("prod", "access_key_secret")
    assert store.get(key) is None
    store.set(key, SECRET)
    assert store.get(key) == SECRET
    store.set(key, SECRET + "2")
    assert store.get(key) == SECRET + "2"
    store.delete(key)
    assert store.get(key) is None
    store.delete(key)  # deleting a missing key is fine
    assert SECRET not in repr(store)


def test_memory_store() -> None:
    _exercise(MemorySecretStore())


def test_keyring_store_uses_the_installed_backend(memory_keyring: InMemoryKeyring) -> None:
    store = KeyringSecretStore()
    _exercise(store)
    store.set("p/password", "pw")
    assert memory_keyring.passwords == {("fcdesk", "p/password"): "pw"}
    assert keyring_available()


class EmptyChainer(keyring.backends.chainer.ChainerBackend):
    """What keyring picks when no backend at all is installed."""

    backends: list[keyring.backend.KeyringBackend] = []  # type: ignore[assignment]  # noqa: RUF012


@pytest.mark.parametrize(
    "backend",
    [
        keyring.backends.fail.Keyring(),
        keyring.backends.null.Keyring(),
        EmptyChainer(),
    ],
    ids=["fail", "null", "empty-chainer"],
)
def test_keyring_store_refuses_unusable_backends(backend: keyring.backend.KeyringBackend) -> None:
    keyring.set_keyring(backend)
    assert not keyring_available()
    store = KeyringSecretStore()
    for call in (store.check, lambda: store.get("k"), lambda: store.set("k", SECRET)):
        with pytest.raises(CredentialsError) as info:
            call()
        assert info.value.code == "NoKeyringBackend"
        assert "file" in str(info.value)  # the message names the alternative
        assert SECRET not in str(info.value)


def test_keyring_errors_are_mapped() -> None:
    class Broken(InMemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise keyring.errors.PasswordSetError("locked")

    store = KeyringSecretStore(backend=Broken())
    with pytest.raises(CredentialsError) as info:
        store.set("k", SECRET)
    assert info.value.code == "KeyringError"
    assert SECRET not in str(info.value)


def test_file_store(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "secrets.json"
    store = FileSecretStore(path)
    _exercise(store)
    store.set("a/b", SECRET)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["secrets.json"]
    # another process (a new instance) sees the same secrets
    assert FileSecretStore(path).get("a/b") == SECRET


def test_file_store_refuses_group_readable_file(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    FileSecretStore(path).set("a/b", SECRET)
    os.chmod(path, 0o644)
    with pytest.raises(CredentialsError) as info:
        FileSecretStore(path).get("a/b")
    assert info.value.code == "InsecureSecretFile"


def test_file_store_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    path.write_text("{" + SECRET)
    os.chmod(path, 0o600)
    with pytest.raises(CredentialsError) as info:
        FileSecretStore(path).get("x")
    assert info.value.code == "SecretFileError"
    assert SECRET not in str(info.value)


def test_secret_key_rules() -> None:
    assert secret_key("prod", "password") == "prod/password"
    with pytest.raises(CredentialsError):
        secret_key("", "password")
