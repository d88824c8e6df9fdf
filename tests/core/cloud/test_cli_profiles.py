"""``fcaccel profiles``: add, import, list, default, remove — secrets to the chosen store only."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from core.cli import main
from core.settings import AliyunProfile, RegistryProfile, TomlSettingsStore
from tests.fixtures.cloud import InMemoryKeyring

SECRET = "Cli-Secret-Value-0123456789"
TOKEN = "Cli-Sts-Token-abcdefghij"


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def _settings_text(config_dir: Path) -> str:
    return (config_dir / "settings.toml").read_text()


def test_add_aliyun_profile_keeps_secret_in_keyring(
    monkeypatch: pytest.MonkeyPatch, config_dir: Path, memory_keyring: InMemoryKeyring,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    _stdin(monkeypatch, f"{SECRET}\n{TOKEN}\n")
    rc = main(
        ["profiles", "add", "prod", "--region", "cn-shanghai", "--account-id", "123",
         "--access-key-id", "LTAI5tCli", "--sts", "--secret-stdin", "--default"]
    )  # fmt: skip
    assert rc == 0
    assert memory_keyring.passwords == {
        ("fcdesk", "prod/access_key_secret"): SECRET,
        ("fcdesk", "prod/security_token"): TOKEN,
    }
    settings = TomlSettingsStore().load()
    profile = settings.profile()
    assert isinstance(profile, AliyunProfile)
    assert (profile.name, profile.region, profile.sts) == ("prod", "cn-shanghai", True)
    text = _settings_text(config_dir)
    assert SECRET not in text
    assert TOKEN not in text
    capsys.readouterr()
    assert main(["profiles", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in listed["profiles"]] == ["Local", "prod"]
    assert listed["profiles"][1]["default"] is True
    assert SECRET not in json.dumps(listed)


def test_registry_profile_and_remove(
    monkeypatch: pytest.MonkeyPatch, memory_keyring: InMemoryKeyring
) -> None:
    _stdin(monkeypatch, "pw-123456\n")
    assert main(["profiles", "add", "harbor", "--registry", "https://harbor.example.com",
                 "--username", "robot", "--secret-stdin"]) == 0  # fmt: skip
    profile = TomlSettingsStore().load().profile("harbor")
    assert isinstance(profile, RegistryProfile)
    assert memory_keyring.passwords[("fcdesk", "harbor/password")] == "pw-123456"
    assert main(["profiles", "default", "harbor"]) == 0
    assert main(["profiles", "remove", "harbor"]) == 0
    assert memory_keyring.passwords == {}
    settings = TomlSettingsStore().load()
    assert settings.profile_names() == ["Local"]
    assert settings.default_profile == "Local"


def test_no_keyring_means_asking_not_plain_text(
    monkeypatch: pytest.MonkeyPatch, config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    _stdin(monkeypatch, f"{SECRET}\n")
    args = ["profiles", "add", "p", "--region", "cn-hangzhou", "--access-key-id", "id",
            "--secret-stdin"]  # fmt: skip
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "NoKeyringBackend" in err
    assert "--secret-store file" in err
    assert not (config_dir / "secrets.json").exists()
    assert not (config_dir / "settings.toml").exists()  # nothing half-saved
    # the explicit choice
    _stdin(monkeypatch, f"{SECRET}\n")
    assert main([*args, "--secret-store", "file"]) == 0
    secrets_file = config_dir / "secrets.json"
    assert stat.S_IMODE(os.stat(secrets_file).st_mode) == 0o600
    assert SECRET in secrets_file.read_text()
    assert SECRET not in _settings_text(config_dir)
    assert TomlSettingsStore().load().secret_store == "file"


def test_import_from_env(monkeypatch: pytest.MonkeyPatch, memory_keyring: InMemoryKeyring) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
    assert main(["profiles", "import", "--from", "env", "--region", "cn-beijing"]) == 0
    profile = TomlSettingsStore().load().profile("env")
    assert isinstance(profile, AliyunProfile)
    assert profile.access_key_id == "env-id"
    assert memory_keyring.passwords[("fcdesk", "env/access_key_secret")] == SECRET
    assert main(["profiles", "import", "--from", "env", "--region", "cn-beijing", "--name",
                 "linked", "--link"]) == 0  # fmt: skip
    linked = TomlSettingsStore().load().profile("linked")
    assert isinstance(linked, AliyunProfile)
    assert linked.credential_source == "env"
    assert ("fcdesk", "linked/access_key_secret") not in memory_keyring.passwords


def test_import_from_aliyun_cli(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, memory_keyring: InMemoryKeyring,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    home = tmp_path / "home"
    (home / ".aliyun").mkdir(parents=True)
    (home / ".aliyun" / "config.json").write_text(
        json.dumps(
            {
                "current": "default",
                "profiles": [
                    {"name": "default", "mode": "AK", "access_key_id": "a",
                     "access_key_secret": SECRET, "region_id": "cn-shenzhen"},
                    {"name": "role", "mode": "RamRoleArn", "access_key_id": "b",
                     "access_key_secret": SECRET, "ram_role_arn": "acs:ram::1:role/x"},
                ],
            }
        )
    )  # fmt: skip
    monkeypatch.setenv("HOME", str(home))
    assert main(["profiles", "import", "--from", "aliyun-cli", "--json"]) == 0
    results = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert results["default"]["imported"] is True
    assert results["role"]["imported"] is False
    assert results["role"]["code"] == "UnsupportedMode"
    profile = TomlSettingsStore().load().profile("default")
    assert isinstance(profile, AliyunProfile)
    assert profile.region == "cn-shenzhen"
    assert memory_keyring.passwords[("fcdesk", "default/access_key_secret")] == SECRET
