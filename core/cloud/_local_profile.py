"""The Local profile's connection details, read from the Local server's data directory.

A Local profile may leave its URL and AccessKey empty: they are then those of the server
running on the profile's data directory (``server.json`` names its URL, ``access-key.json``
its AccessKey id and where the secret lives). Reading never creates a key pair: that is the
server's job when it starts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import platformdirs

from core.cloud._credentials import Credentials
from core.cloud._profiles import (
    LOCAL_SECRET_ENV,
    local_secret_key,
    resolve_credentials,
    secret_store_for,
)
from core.cloud._secrets import FileSecretStore, KeyringSecretStore, SecretStore
from core.errors import CredentialsError, SettingsError
from core.settings import LocalProfile, Settings

__all__ = [
    "LOCAL_KEY_SECRET_FILE",
    "default_local_data_dir",
    "local_data_dir",
    "resolve_local_profile",
]

LOCAL_KEY_SECRET_FILE = "access-key.secret"  # the server's file secret store, in its data dir
_SERVER_FILE = "server.json"
_KEY_FILE = "access-key.json"


def default_local_data_dir() -> Path:
    """Where ``fcaccel serve`` keeps its data when no directory is given."""
    return Path(platformdirs.user_data_dir("fcdesk")) / "local"


def local_data_dir(profile: LocalProfile) -> Path:
    """The data directory of the Local server ``profile`` names (or the default one)."""
    if profile.data_dir:
        return Path(profile.data_dir).expanduser()
    return default_local_data_dir()


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _server_store(choice: str, data_dir: Path) -> SecretStore:
    if choice == "file":
        return FileSecretStore(data_dir / LOCAL_KEY_SECRET_FILE)
    if choice == "keyring":
        return KeyringSecretStore()
    raise CredentialsError(
        f"the Local server keeps its secret in the environment; set {LOCAL_SECRET_ENV}",
        code="SecretNotFound",
    )


def _read_server_key(profile: LocalProfile, choice: str, data_dir: Path) -> Credentials:
    store = _server_store(choice, data_dir)
    secret = store.get(local_secret_key(profile.access_key_id))
    if not secret:
        raise CredentialsError(
            f"the secret of the Local AccessKey {profile.access_key_id} is not in the "
            f"{choice} store; set {LOCAL_SECRET_ENV}, or restart the Local server",
            code="SecretNotFound",
        )
    return Credentials(profile.access_key_id, secret, source=choice)


async def resolve_local_profile(
    profile: LocalProfile, settings: Settings
) -> tuple[LocalProfile, Credentials]:
    """``profile`` with its URL and AccessKey id filled in from the running server's data
    directory when not configured, and the credentials to sign with.

    Raises `SettingsError` (``LocalServerNotRunning``) when no server has written its URL,
    and `CredentialsError` when the secret cannot be found.
    """
    if profile.url and profile.access_key_id:
        store = secret_store_for(settings)
        creds = await asyncio.to_thread(resolve_credentials, profile, store)
        return profile, creds
    data_dir = local_data_dir(profile)
    info = await asyncio.to_thread(_read_json, data_dir / _SERVER_FILE)
    url = profile.url or str((info or {}).get("url") or "")
    if not url:
        raise SettingsError(
            f"no Local server is running on {data_dir}; start one with 'fcaccel serve'",
            code="LocalServerNotRunning",
        )
    key = await asyncio.to_thread(_read_json, data_dir / _KEY_FILE) or {}
    key_id = profile.access_key_id or str(key.get("accessKeyId") or "")
    profile = dataclasses.replace(profile, url=url, access_key_id=key_id)
    if os.environ.get(LOCAL_SECRET_ENV):
        return profile, resolve_credentials(profile, None)
    if not key_id:
        raise CredentialsError(
            f"the Local server on {data_dir} has no AccessKey yet; restart it",
            code="SecretNotFound",
        )
    choice = str(key.get("secretStore") or "keyring")
    creds = await asyncio.to_thread(_read_server_key, profile, choice, data_dir)
    return profile, creds
