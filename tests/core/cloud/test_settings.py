"""Settings: TOML round trip, profiles, validation, isolation, no secrets in the file."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from core.errors import SettingsError
from core.settings import (
    LOCAL_PROFILE_NAME,
    AliyunProfile,
    LocalProfile,
    MemorySettingsStore,
    RegistryProfile,
    Settings,
    TomlSettingsStore,
)
from core.settings import config_dir as settings_config_dir


def _prod() -> AliyunProfile:
    return AliyunProfile(
        name="prod",
        region="cn-hangzhou",
        account_id="1234567890123456",
        access_key_id="LTAI5tExampleKeyId",
        acr_instance_id="cri-abc123",
    )


def test_config_dir_is_isolated_per_test(config_dir: Path) -> None:
    assert Path(os.environ["FCDESK_CONFIG_DIR"]) == config_dir
    assert settings_config_dir() == config_dir
    assert list(config_dir.iterdir()) == []


def test_config_dir_default_is_platform_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FCDESK_CONFIG_DIR")
    assert settings_config_dir().name == "fcdesk"


def test_default_settings_have_local_only(config_dir: Path) -> None:
    store = TomlSettingsStore()
    assert store.path == config_dir / "settings.toml"
    settings = store.load()
    assert settings.profile_names() == [LOCAL_PROFILE_NAME]
    assert settings.profile() is settings.local
    assert settings.profile("local") is settings.local
    assert isinstance(settings.local, LocalProfile)


def test_round_trip_keeps_profiles_and_unknown_keys(config_dir: Path) -> None:
    store = TomlSettingsStore()
    settings = store.load()
    settings.add_profile(_prod())
    settings.add_profile(
        RegistryProfile(name="harbor lab", url="https://harbor.example.com", username="robot$ci")
    )
    settings.default_profile = "prod"
    settings.extra["gui"] = {"language": "zh_CN", "recent": ["a", "b"]}
    settings.profiles["prod"].extra["future_field"] = 3
    store.save(settings)

    again = TomlSettingsStore(config_dir / "settings.toml").load()
    assert again == settings
    assert again.profile().name == "prod"
    assert again.profile_names() == ["Local", "harbor lab", "prod"]
    raw = tomllib.loads((config_dir / "settings.toml").read_text())
    assert raw["profiles"]["prod"]["kind"] == "aliyun"
    assert raw["gui"]["language"] == "zh_CN"
    assert raw["version"] == 1


def test_file_written_atomically_and_no_temp_left(config_dir: Path) -> None:
    store = TomlSettingsStore()
    for i in range(3):
        s = store.load()
        s.local.url = f"http://127.0.0.1:{8000 + i}"
        store.save(s)
    # The settings and the lock writers take turns on; no temporary file left behind.
    assert sorted(p.name for p in config_dir.iterdir()) == ["settings.toml", "settings.toml.lock"]
    assert store.load().local.url == "http://127.0.0.1:8002"


def test_secrets_in_file_are_dropped(config_dir: Path) -> None:
    (config_dir / "settings.toml").write_text(
        '[profiles.p]\nkind = "aliyun"\nregion = "cn-shanghai"\naccess_key_id = "id"\n'
        'access_key_secret = "TopSecretValue"\npassword = "pw"\n'
    )
    store = TomlSettingsStore()
    settings = store.load()
    assert "access_key_secret" not in settings.profiles["p"].extra
    store.save(settings)
    assert "TopSecretValue" not in (config_dir / "settings.toml").read_text()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("not = [valid", "SettingsInvalid"),
        ("version = 99", "SettingsTooNew"),
        ('[profiles.p]\nkind = "martian"', "SettingsInvalid"),
        ('[profiles.p]\nkind = "aliyun"', "SettingsInvalid"),
        ('[profiles.p]\nkind = "aliyun"\nregion = "Hangzhou"\naccess_key_id="x"', "InvalidRegion"),
        ('[profiles.p]\nkind = "registry"\nurl = 3', "SettingsInvalid"),
        ('[profiles.p]\nkind = "registry"\nurl = "ftp://x"', "InvalidURL"),
        ("profiles = 3", "SettingsInvalid"),
        ('secret_store = "plaintext"', "SettingsInvalid"),
    ],
)
def test_invalid_files_are_reported(config_dir: Path, text: str, code: str) -> None:
    (config_dir / "settings.toml").write_text(text)
    with pytest.raises(SettingsError) as info:
        TomlSettingsStore().load()
    assert info.value.code == code


def test_unknown_default_falls_back_to_local() -> None:
    settings = Settings.from_dict({"default_profile": "gone"})
    assert settings.default_profile == LOCAL_PROFILE_NAME


def _ali(name: str = "p", **kw: str) -> AliyunProfile:
    return AliyunProfile(name=name, region="cn-hangzhou", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("profile", "code", "field"),
    [
        (_ali("Local", access_key_id="x"), "ReservedProfileName", "name"),
        (_ali("a/b", access_key_id="x"), "InvalidProfileName", "name"),
        (_ali("", access_key_id="x"), "InvalidProfileName", "name"),
        (_ali(), "MissingAccessKeyId", "access_key_id"),
        (_ali(access_key_id="x", account_id="12a"), "InvalidAccountId", "account_id"),
        (_ali(access_key_id="x", fc_endpoint="fcv3"), "InvalidURL", "fc_endpoint"),
        (_ali(access_key_id="x", acr_instance_id="x"), "InvalidInstanceId", "acr_instance_id"),
        (RegistryProfile(name="r", url=""), "InvalidURL", "url"),
    ],
)
def test_profile_validation(
    profile: AliyunProfile | RegistryProfile, code: str, field: str
) -> None:
    with pytest.raises(SettingsError) as info:
        Settings().add_profile(profile)
    assert info.value.code == code
    assert info.value.detail["field"] == field


def test_env_and_cli_profiles_need_no_key_id() -> None:
    settings = Settings()
    settings.add_profile(AliyunProfile(name="e", region="cn-beijing", credential_source="env"))
    settings.add_profile(
        AliyunProfile(
            name="c", region="cn-beijing", credential_source="aliyun-cli", aliyun_cli_profile="x"
        )
    )
    assert settings.profile_names() == ["Local", "c", "e"]


def test_add_remove_profiles() -> None:
    settings = Settings()
    settings.add_profile(_prod())
    with pytest.raises(SettingsError) as info:
        settings.add_profile(_prod())
    assert info.value.code == "ProfileExists"
    settings.add_profile(_prod(), replace=True)
    settings.default_profile = "prod"
    settings.remove_profile("prod")
    assert settings.default_profile == LOCAL_PROFILE_NAME
    with pytest.raises(SettingsError) as info:
        settings.remove_profile("prod")
    assert info.value.code == "ProfileNotFound"
    with pytest.raises(SettingsError) as info:
        settings.remove_profile("Local")
    assert info.value.code == "ReservedProfileName"
    with pytest.raises(SettingsError) as info:
        settings.profile("nope")
    assert info.value.code == "ProfileNotFound"


def test_memory_store_round_trip() -> None:
    store = MemorySettingsStore()
    settings = store.load()
    settings.add_profile(_prod())
    store.save(settings)
    assert store.load() == settings
    assert store.load() is not settings


def test_update_helper(config_dir: Path) -> None:
    store = TomlSettingsStore()
    store.update(lambda s: s.add_profile(_prod()))
    assert "prod" in store.load().profiles
