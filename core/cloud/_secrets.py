"""Secret stores: where AccessKey secrets, STS tokens and registry passwords live.

The default is the system keyring (`KeyringSecretStore`). When the platform has no usable
keyring backend it raises `CredentialsError` with code ``NoKeyringBackend`` instead of falling
back to anything: the caller tells the user and offers the explicit alternative,
`FileSecretStore` (a file readable only by the user). `MemorySecretStore` is for tests.

Secrets are addressed by ``(profile name, field)``; see `secret_key`.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail, null

from core._files import atomic_write
from core.errors import CredentialsError

__all__ = [
    "SERVICE_NAME",
    "FileSecretStore",
    "KeyringSecretStore",
    "MemorySecretStore",
    "SecretStore",
    "keyring_available",
    "secret_key",
]

#: The keyring service name every fcdesk secret is stored under.
SERVICE_NAME = "fcdesk"


def secret_key(profile: str, field: str) -> str:
    """The store key of one secret: ``"<profile>/<field>"`` (e.g. ``"prod/access_key_secret"``)."""
    if not profile or not field or "/" in field:
        raise CredentialsError("invalid secret key", code="InvalidSecretKey")
    return f"{profile}/{field}"


@runtime_checkable
class SecretStore(Protocol):
    """A place for secrets. Calls may block (D-Bus, file I/O): GUIs call them off the UI thread."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...

    def delete(self, key: str) -> None:
        """Remove ``key``; removing a missing key is not an error."""
        ...


class MemorySecretStore:
    """A dict. For tests and for one-shot credentials that must not outlive the process."""

    def __init__(self, initial: dict[str, str] | None = None) -> None:
        self._data: dict[str, str] = dict(initial or {})

    def __repr__(self) -> str:
        return f"MemorySecretStore(keys={sorted(self._data)!r})"

    def get(self, key: str) -> str | None:
        return self._data.get(key)

    def set(self, key: str, value: str) -> None:
        self._data[key] = value

    def delete(self, key: str) -> None:
        self._data.pop(key, None)


def _unusable(backend: keyring.backend.KeyringBackend) -> bool:
    if isinstance(backend, fail.Keyring | null.Keyring):
        return True
    if isinstance(backend, chainer.ChainerBackend):
        return not backend.backends
    return False


def keyring_available(backend: keyring.backend.KeyringBackend | None = None) -> bool:
    """Whether a real keyring backend is configured (not keyring's 'fail' or 'null' ones)."""
    return not _unusable(backend or keyring.get_keyring())


class KeyringSecretStore:
    """Secrets in the system keyring (Secret Service, macOS Keychain, Windows Credential Locker).

    Raises `CredentialsError` (code ``NoKeyringBackend``) on first use when only keyring's
    'fail' / 'null' backend is available; never falls back to plain text by itself.
    """

    def __init__(
        self,
        service: str = SERVICE_NAME,
        backend: keyring.backend.KeyringBackend | None = None,
    ) -> None:
        self._service = service
        self._backend = backend

    def __repr__(self) -> str:
        return f"KeyringSecretStore(service={self._service!r})"

    def backend(self) -> keyring.backend.KeyringBackend:
        """The usable backend, or `CredentialsError` ``NoKeyringBackend``."""
        backend = self._backend or keyring.get_keyring()
        if _unusable(backend):
            raise CredentialsError(
                "no usable system keyring was found (install and unlock a Secret Service "
                "provider such as GNOME Keyring or KWallet), so secrets cannot be stored "
                "safely; choose a file readable only by you instead, or use environment "
                "variables",
                code="NoKeyringBackend",
                backend=type(backend).__module__ + "." + type(backend).__name__,
            )
        return backend

    def check(self) -> None:
        """Raise `CredentialsError` when secrets cannot be stored here."""
        self.backend()

    def get(self, key: str) -> str | None:
        backend = self.backend()
        try:
            return backend.get_password(self._service, key)
        except keyring.errors.KeyringError as exc:
            raise CredentialsError(
                f"the keyring refused to read {key!r}: {type(exc).__name__}", code="KeyringError"
            ) from exc

    def set(self, key: str, value: str) -> None:
        backend = self.backend()
        try:
            backend.set_password(self._service, key, value)
        except keyring.errors.KeyringError as exc:
            raise CredentialsError(
                f"the keyring refused to store {key!r}: {type(exc).__name__}",
                code="KeyringError",
            ) from exc

    def delete(self, key: str) -> None:
        backend = self.backend()
        try:
            backend.delete_password(self._service, key)
        except keyring.errors.PasswordDeleteError:
            return  # not there: nothing to delete
        except keyring.errors.KeyringError as exc:
            raise CredentialsError(
                f"the keyring refused to delete {key!r}: {type(exc).__name__}",
                code="KeyringError",
            ) from exc


class FileSecretStore:
    """Secrets in a JSON file readable and writable only by the user (mode 0600).

    Only used when the user chose it (typically because no keyring exists), and by the Local
    server's tests, where secrets must cross process boundaries. Writes are atomic; a file that
    other users can read is refused (code ``InsecureSecretFile``), as ssh does.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = Path(path)
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self._path

    def __repr__(self) -> str:
        return f"FileSecretStore(path={str(self._path)!r})"

    def _read(self) -> dict[str, str]:
        try:
            with open(self._path, "rb") as fh:
                if sys.platform != "win32":
                    mode = os.fstat(fh.fileno()).st_mode
                    if mode & 0o077:
                        raise CredentialsError(
                            f"secret file {self._path} is accessible by other users "
                            f"(mode {mode & 0o777:o}); run chmod 600 on it",
                            code="InsecureSecretFile",
                        )
                raw = fh.read()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise CredentialsError(
                f"cannot read secret file {self._path}: {exc.strerror}", code="SecretFileError"
            ) from exc
        try:
            data = json.loads(raw)
        except ValueError:
            raise CredentialsError(
                f"secret file {self._path} is corrupt", code="SecretFileError"
            ) from None
        secrets = data.get("secrets") if isinstance(data, dict) else None
        if not isinstance(secrets, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in secrets.items()
        ):
            raise CredentialsError(f"secret file {self._path} is corrupt", code="SecretFileError")
        return secrets

    def _write(self, data: dict[str, str]) -> None:
        directory = self._path.parent
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            text = json.dumps({"version": 1, "secrets": data}, indent=1, sort_keys=True)
            atomic_write(self._path, text, private=True)
        except OSError as exc:
            raise CredentialsError(
                f"cannot write secret file {self._path}: {exc.strerror}", code="SecretFileError"
            ) from exc

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._read().get(key)

    def set(self, key: str, value: str) -> None:
        with self._lock:
            data = self._read()
            data[key] = value
            self._write(data)

    def delete(self, key: str) -> None:
        with self._lock:
            data = self._read()
            if data.pop(key, None) is not None:
                self._write(data)
