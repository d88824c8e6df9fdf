"""`SettingsViewModel`: profiles (core.settings), secrets (core.cloud secret stores) and the
console's own preferences (the ``[gui]`` table of the shared settings file).

The file is shared with ``fcaccel`` and other consoles: every change is one
``store.update(change)`` (locked, applied to the file as it is now), never a write-back of
this console's copy, and `check_external` (a file watcher calls it) picks up what other
processes wrote — profiles added by ``fcaccel profiles add`` appear in the profile list.

``core.cloud`` (HTTP clients, keyring, YAML) is imported when a secret is first needed, not
with the first window.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from core.errors import CoreError, SettingsError
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


def _gui_table(settings: Settings) -> dict[str, Any]:
    table = settings.extra.get("gui")
    return dict(table) if isinstance(table, dict) else {}


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
        self._stamp = self._file_stamp()
        self._watcher: QFileSystemWatcher | None = None
        self._recheck = QTimer(self)
        self._recheck.setSingleShot(True)
        self._recheck.setInterval(150)  # a replaced file settles; several events, one read
        self._recheck.timeout.connect(self.check_external)

    # -- the shared file ----------------------------------------------------------------
    def _file_stamp(self) -> object:
        stamp = getattr(self.store, "stamp", None)
        return stamp() if stamp is not None else None

    def watch(self) -> None:
        """Notice changes other processes make to the settings file (its folder is watched:
        the file is replaced, not rewritten, on every save)."""
        path = getattr(self.store, "path", None)
        if not isinstance(path, Path) or self._watcher is not None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self._watcher = QFileSystemWatcher([str(path.parent)], self)
        self._watcher.directoryChanged.connect(lambda _p: self._recheck.start())
        self._watcher.fileChanged.connect(lambda _p: self._recheck.start())

    def check_external(self) -> bool:
        """Re-read the file when another process changed it; True when it had changed.
        An unreadable file (half-written by hand) keeps the settings in use."""
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return False
        try:
            fresh = self.store.load()
        except CoreError:
            return False
        self._adopt(fresh, stamp)
        return True

    def update(self, change: Callable[[Settings], None]) -> Settings:
        """Apply ``change`` to the settings as they are in the file now (another process's
        changes included) and save; raises `CoreError` (nothing saved) on failure."""
        fresh = self.store.update(change)
        self._adopt(copy.deepcopy(fresh), self._file_stamp())
        return fresh

    def _adopt(self, fresh: Settings, stamp: object) -> None:
        old = self.settings
        self.settings, self._stamp = fresh, stamp
        if (
            old.profile_names() != fresh.profile_names()
            or old.default_profile != fresh.default_profile
            or old.to_dict().get("profiles") != fresh.to_dict().get("profiles")
        ):
            self.profilesChanged.emit()
        before, after = _gui_table(old), _gui_table(fresh)
        for key in GUI_DEFAULTS:
            if before.get(key) != after.get(key):
                self.preferenceChanged.emit(key, self.pref(key))
        if old.secret_store != fresh.secret_store:
            self.preferenceChanged.emit("secret_mode", self.secret_mode())

    # -- preferences --------------------------------------------------------------------
    def pref(self, key: str) -> Any:
        value = _gui_table(self.settings).get(key, GUI_DEFAULTS[key])
        default = GUI_DEFAULTS[key]
        return value if isinstance(value, type(default)) else default

    def set_pref(self, key: str, value: Any) -> None:
        if self.pref(key) == value:
            return

        def change(settings: Settings) -> None:
            table = settings.extra.get("gui")
            if not isinstance(table, dict):
                table = settings.extra["gui"] = {}
            table[key] = value

        try:
            self.update(change)
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

        def change(settings: Settings) -> None:
            table = settings.extra.get("gui")
            if isinstance(table, dict):
                table["secret_mode"] = ""
            settings.secret_store = "file" if mode == "file" else "keyring"

        try:
            self.update(change)
        except CoreError as exc:
            self.failed.emit(exc)

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
        thread: keyring calls may block on D-Bus). Raises `CoreError` (nothing saved)."""
        from core.cloud import secret_key

        profile.validate()
        self.check_external()
        if profile.name in self.settings.profiles and not replace:
            raise SettingsError(
                f"a profile named {profile.name!r} exists",
                code="ProfileExists",
                profile=profile.name,
                field="name",
            )
        if secret:
            field = "password" if isinstance(profile, RegistryProfile) else "access_key_secret"
            store = self.secret_store()
            await asyncio.to_thread(store.set, secret_key(profile.name, field), secret)
        self.update(lambda settings: settings.add_profile(profile, replace=replace))

    async def check_profile(
        self, profile: AliyunProfile | RegistryProfile, secret: str = ""
    ) -> None:
        """Ask the profile's service whether its credentials work (one cheap, read-only
        call: ListFunctions with one result, or the registry's ``/v2/``); raises the
        service's `CoreError` when they do not or the service cannot be reached."""
        import httpx

        if isinstance(profile, RegistryProfile):
            from core.registry import RegistryClient

            creds = (profile.username, secret) if profile.username else None
            client = RegistryClient(
                profile.url, credentials=creds, insecure=True if profile.insecure else None
            )
            try:
                await client.ping()
            finally:
                await client.aclose()
            return
        from core import RetryPolicy
        from core.cloud import Credentials, open_clients, resolve_credentials

        if profile.credential_source == "keyring":
            creds_ = Credentials(profile.access_key_id, secret, source="new profile")
        else:
            creds_ = await asyncio.to_thread(resolve_credentials, profile, None)
        timeout = httpx.Timeout(20.0, connect=10.0)
        async with httpx.AsyncClient(timeout=timeout, trust_env=False) as http:
            clients = open_clients(profile, http, creds_, retry=RetryPolicy(max_attempts=1))
            listing = clients.fc.list_functions(limit=1)
            try:
                async for _function in listing:
                    break
            finally:
                aclose = getattr(listing, "aclose", None)
                if aclose is not None:
                    await aclose()

    async def remove_profile(self, name: str) -> None:
        from core.cloud import delete_profile_secrets

        self.update(lambda settings: settings.remove_profile(name))
        store = self.secret_store()
        try:
            await asyncio.to_thread(delete_profile_secrets, store, name)
        except CoreError as exc:
            self.failed.emit(exc)

    def set_default_profile(self, name: str) -> None:
        def change(settings: Settings) -> None:
            settings.default_profile = settings.profile(name).name

        try:
            self.update(change)
        except CoreError as exc:
            self.failed.emit(exc)

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
