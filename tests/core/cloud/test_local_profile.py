"""`resolve_local_profile`: a Local profile without URL or key is filled in from the running
server's data directory; nothing is created there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.cloud import (
    LOCAL_KEY_SECRET_FILE,
    LOCAL_SECRET_ENV,
    FileSecretStore,
    local_data_dir,
    local_secret_key,
    resolve_local_profile,
)
from core.errors import CredentialsError, SettingsError
from core.settings import LocalProfile, Settings


def _server(data_dir: Path, *, store: str = "file", secret: str | None = "s3cret") -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "server.json").write_text(json.dumps({"url": "http://127.0.0.1:4567"}))
    (data_dir / "access-key.json").write_text(
        json.dumps({"accessKeyId": "LTAIlocal0001", "secretStore": store})
    )
    if secret is not None:
        FileSecretStore(data_dir / LOCAL_KEY_SECRET_FILE).set(
            local_secret_key("LTAIlocal0001"), secret
        )


async def test_fills_url_and_key_from_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(LOCAL_SECRET_ENV, raising=False)
    _server(tmp_path / "srv")
    profile = LocalProfile(data_dir=str(tmp_path / "srv"))
    assert local_data_dir(profile) == tmp_path / "srv"
    filled, creds = await resolve_local_profile(profile, Settings())
    assert filled.url == "http://127.0.0.1:4567"
    assert filled.access_key_id == "LTAIlocal0001"
    assert (creds.access_key_id, creds.access_key_secret) == ("LTAIlocal0001", "s3cret")


async def test_the_environment_secret_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LOCAL_SECRET_ENV, "from-env")
    _server(tmp_path / "srv", secret=None)
    _filled, creds = await resolve_local_profile(
        LocalProfile(data_dir=str(tmp_path / "srv")), Settings()
    )
    assert creds.access_key_secret == "from-env"


async def test_no_server_and_missing_secret_are_specific_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(LOCAL_SECRET_ENV, raising=False)
    with pytest.raises(SettingsError) as info:
        await resolve_local_profile(LocalProfile(data_dir=str(tmp_path / "none")), Settings())
    assert info.value.code == "LocalServerNotRunning"
    assert not (tmp_path / "none").exists()  # reading creates nothing
    _server(tmp_path / "srv", secret=None)
    with pytest.raises(CredentialsError) as info2:
        await resolve_local_profile(LocalProfile(data_dir=str(tmp_path / "srv")), Settings())
    assert info2.value.code == "SecretNotFound"
    assert sorted(p.name for p in (tmp_path / "srv").iterdir()) == [
        "access-key.json",
        "server.json",
    ]
