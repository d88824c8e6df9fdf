"""The Local server's AccessKey pair.

Created on first start. The id (public) is kept in ``<data-dir>/access-key.json``; the secret
lives in a `core.cloud.SecretStore` chosen by the operator:

* ``keyring`` (default) — the system keyring (`KeyringSecretStore`), key
  ``local-<id>/access_key_secret``. With no usable keyring backend the server refuses to start
  and names the explicit alternative instead of writing the secret to disk by itself.
* ``file`` — `FileSecretStore` at ``<data-dir>/access-key.secret`` (mode 0600), only when asked.
* ``FCDESK_LOCAL_ACCESS_KEY_SECRET`` in the environment overrides both (child processes, tests);
  on first start it becomes the secret and nothing is stored.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import string
from pathlib import Path

from core._files import atomic_write
from core.cloud import (
    Credentials,
    FileSecretStore,
    KeyringSecretStore,
    SecretStore,
    secret_key,
)
from core.errors import CredentialsError

__all__ = [
    "ENV_SECRET",
    "SECRET_FILE",
    "load_access_key",
    "open_secret_store",
]

ENV_SECRET = "FCDESK_LOCAL_ACCESS_KEY_SECRET"
SECRET_FILE = "access-key.secret"
_ID_FILE = "access-key.json"


def open_secret_store(choice: str, data_dir: Path) -> SecretStore:
    """The store named by ``--secret-store``; raises `CredentialsError` when it is unusable."""
    if choice == "file":
        return FileSecretStore(data_dir / SECRET_FILE)
    if choice == "keyring":
        store = KeyringSecretStore()
        try:
            store.check()
        except CredentialsError as exc:
            raise CredentialsError(
                "no usable system keyring is available to keep the Local server's AccessKey "
                "secret; start with --secret-store file to keep it in a file readable only by "
                f"you inside the data directory, or pass it in {ENV_SECRET}",
                code="NoKeyringBackend",
            ) from exc
        return store
    raise CredentialsError(f"unknown secret store {choice!r} (use keyring or file)")


def _new_id() -> str:
    alphabet = string.ascii_letters + string.digits
    return "LTAI" + "".join(secrets.choice(alphabet) for _ in range(20))


def _new_secret() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(30))


def _key(key_id: str) -> str:
    return secret_key(f"local-{key_id}", "access_key_secret")


def load_access_key(data_dir: Path, choice: str) -> Credentials:
    """Read (or on first start create) the local AccessKey pair.

    ``Credentials.source`` names where the secret lives: ``env``, ``keyring`` or ``file``.
    """
    id_path = data_dir / _ID_FILE
    env_secret = os.environ.get(ENV_SECRET) or None
    key_id: str | None = None
    with contextlib.suppress(FileNotFoundError):
        try:
            doc = json.loads(id_path.read_text("utf-8"))
            key_id = str(doc["accessKeyId"])
        except (ValueError, KeyError, TypeError) as exc:
            raise CredentialsError(f"{id_path.name} is damaged: {exc}") from exc
    store = None if env_secret is not None else open_secret_store(choice, data_dir)
    source = "env" if store is None else choice
    if key_id is not None:
        if env_secret is not None:
            return Credentials(key_id, env_secret, source=source)
        assert store is not None
        secret = store.get(_key(key_id))
        if not secret:
            raise CredentialsError(
                f"the secret of the Local AccessKey {key_id} is not in the {choice} store; set "
                f"{ENV_SECRET}, or delete {id_path.name} from the data directory to create a "
                "new key pair",
                code="SecretNotFound",
            )
        return Credentials(key_id, secret, source=source)
    key_id = _new_id()
    secret = env_secret or _new_secret()
    if store is not None:
        store.set(_key(key_id), secret)
    data_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(id_path, json.dumps({"accessKeyId": key_id, "secretStore": source}))
    return Credentials(key_id, secret, source=source)
