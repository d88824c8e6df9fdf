"""`SettingsViewModel`: profiles (core.settings), secrets (core.cloud secret stores) and the
console's own preferences (the ``[gui]`` table of the shared settings file).

``core.cloud`` (HTTP clients, keyring, YAML) is imported when a secret is first needed, not
with the first window.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from core.errors import CoreError
from core.settings import (
    AliyunProfile,
    RegistryProfile,
    Settings,
    SettingsStore,
    TomlSettingsStore,
)

if TYPE_CHECKING:
    from core.cloud import SecretStore

__all__ = ["GUI_DEFAULTS", "SettingsViewModel"]

GUI_DEFAULTS: dict[str, Any] = {
    "language": "",  # "" = the system's
    "theme": "system",  # system | light | dark
    "server_data_dir": "",  # "" = fcaccel's default
    "server_port": 0,
    "secret_mode": "",  # "" = settings.secret_store; "session" = memory only
}


class SettingsViewModel(QObject):
    profilesChanged = Signal()
    preferenceChanged = Signal(str, object)
    failed = Signal(object)

    def __init__(self, store: SettingsStore | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store or TomlSettingsStore()
        try:
            self.settings = self.store.load()
        except CoreError as exc:
            self.settings = Settings()
            self.load_error: CoreError | None = exc
        else:
            self.load_error = None
        self._session_store: SecretStore | None = None
        # ``fcdesk --data-dir``: this session's Local server directory, not saved.
        self.data_dir_override: Path | None = None
        self._session_secrets_now = False  # unattended runs: in memory, nothing saved

    # -- preferences --------------------------------------------------------------------
    def _gui(self) -> dict[str, Any]:
        table = self.settings.extra.get("gui")
        if not isinstance(table, dict):
            table = {}
            self.settings.extra["gui"] = table
        return table

    def pref(self, key: str) -> Any:
        value = self._gui().get(key, GUI_DEFAULTS[key])
        default = GUI_DEFAULTS[key]
        return value if isinstance(value, type(default)) else default

    def set_pref(self, key: str, value: Any) -> None:
        if self.pref(key) == value:
            return
        self._gui()[key] = value
        self.save()
        self.preferenceChanged.emit(key, value)

    def save(self) -> None:
        try:
            self.store.save(self.settings)
        except CoreError as exc:
            self.failed.emit(exc)

    # -- secrets ------------------------------------------------------------------------
    @staticmethod
    def keyring_ok() -> bool:
        from core.cloud import keyring_available

        return keyring_available()

    def use_session_secrets_now(self) -> None:
        """Keep secrets in memory for this run without saving that choice (an unattended
        run, such as ``--smoke-test``, where nobody can answer the question)."""
        self._session_secrets_now = True

    def secret_mode(self) -> str:
        """``keyring``, ``file`` or ``session``."""
        if self._session_secrets_now or self.pref("secret_mode") == "session":
            return "session"
        return self.settings.secret_store

    def needs_secret_choice(self) -> bool:
        return self.secret_mode() == "keyring" and not self.keyring_ok()

    def set_secret_mode(self, mode: str) -> None:
        if mode == "session":
            self.set_pref("secret_mode", "session")
            return
        self._gui()["secret_mode"] = ""
        self.settings.secret_store = "file" if mode == "file" else "keyring"
        self.save()
        self.preferenceChanged.emit("secret_mode", mode)

    def secret_store(self) -> SecretStore:
        from core.cloud import MemorySecretStore, secret_store_for

        if self.secret_mode() == "session":
            if self._session_store is None:
                self._session_store = MemorySecretStore()
            return self._session_store
        return secret_store_for(self.settings)

    # -- profiles -----------------------------------------------------------------------
    def profile_names(self) -> list[str]:
        return self.settings.profile_names()

    def profile_kind(self, name: str) -> str:
        return self.settings.profile(name).kind

    async def add_profile(
        self, profile: AliyunProfile | RegistryProfile, secret: str = "", *, replace: bool = False
    ) -> None:
        """Validate and save ``profile``; its secret goes to the secret store (off the GUI
        thread: keyring calls may block on D-Bus)."""
        from core.cloud import secret_key

        self.settings.add_profile(profile, replace=replace)
        if secret:
            field = "password" if isinstance(profile, RegistryProfile) else "access_key_secret"
            store = self.secret_store()
            await asyncio.to_thread(store.set, secret_key(profile.name, field), secret)
        self.save()
        self.profilesChanged.emit()

    async def remove_profile(self, name: str) -> None:
        from core.cloud import delete_profile_secrets

        self.settings.remove_profile(name)
        store = self.secret_store()
        try:
            await asyncio.to_thread(delete_profile_secrets, store, name)
        except CoreError as exc:
            self.failed.emit(exc)
        self.save()
        self.profilesChanged.emit()

    def set_default_profile(self, name: str) -> None:
        self.settings.profile(name)
        self.settings.default_profile = name
        self.save()

    def server_data_dir(self) -> Path:
        """The Local server's data directory in effect: ``--data-dir``, else the
        preference, else fcaccel's default."""
        if self.data_dir_override is not None:
            return self.data_dir_override
        value = str(self.pref("server_data_dir") or "")
        if value:
            return Path(value).expanduser()
        from core.cloud import default_local_data_dir

        return default_local_data_dir()
