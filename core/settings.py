"""fcdesk settings: profiles and preferences in one TOML file shared by ``fcdesk`` and
``fcaccel``.

The file lives in the platform's user configuration directory (``FCDESK_CONFIG_DIR``
overrides it) and never contains a secret: AccessKey secrets, STS tokens and registry
passwords live in a secret store (``core.cloud.SecretStore``), keyed by profile name.

```toml
version = 1
default_profile = "Local"
secret_store = "keyring"          # or "file" when the user chose a private file

[local]
url = ""                           # "" = the Local server running on data_dir
access_key_id = ""                 # "" = the one in data_dir
data_dir = ""                      # "" = the default data directory

[profiles.prod]
kind = "aliyun"
region = "cn-hangzhou"
account_id = "1234567890123456"
access_key_id = "LTAI..."
credential_source = "keyring"      # keyring | env | aliyun-cli

[profiles.harbor]
kind = "registry"
url = "https://harbor.example.com"
username = "robot$ci"
```

Unknown keys (in the file, a profile or another tool's section such as ``[gui]``) are kept
when the file is rewritten.

Several processes share the file (two consoles, ``fcaccel`` while a console is open): every
change is made with `TomlSettingsStore.update`, which holds an exclusive lock on
``settings.toml.lock`` while it reads the file again, applies the change and replaces the
file, so no process ever writes back a stale copy over another's profile or preference.
"""

from __future__ import annotations

import contextlib
import os
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol, TypeAlias

import platformdirs
import tomli_w

from core._files import atomic_write, lock_exclusive
from core.errors import SettingsError

__all__ = [
    "CONFIG_DIR_ENV",
    "LOCAL_PROFILE_NAME",
    "SETTINGS_FILE_NAME",
    "AliyunProfile",
    "CredentialSource",
    "LocalProfile",
    "MemorySettingsStore",
    "Profile",
    "RegistryProfile",
    "SecretStoreKind",
    "Settings",
    "SettingsStore",
    "TomlSettingsStore",
    "config_dir",
    "validate_profile_name",
]

CONFIG_DIR_ENV = "FCDESK_CONFIG_DIR"
SETTINGS_FILE_NAME = "settings.toml"
LOCAL_PROFILE_NAME = "Local"
_VERSION = 1

CredentialSource: TypeAlias = Literal["keyring", "env", "aliyun-cli"]
SecretStoreKind: TypeAlias = Literal["keyring", "file"]

_PROFILE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@+-]{0,63}$")
_REGION_RE = re.compile(r"^[a-z]{2,}(-[a-z0-9]+)+$")
_ACCOUNT_RE = re.compile(r"^[0-9]{1,32}$")


def config_dir() -> Path:
    """The configuration directory: ``$FCDESK_CONFIG_DIR``, else the platform's user one."""
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir("fcdesk", appauthor=False))


def validate_profile_name(name: str) -> None:
    """Raise `SettingsError` (code ``InvalidProfileName``) unless ``name`` is usable."""
    if not _PROFILE_NAME_RE.match(name) or name != name.strip():
        raise SettingsError(
            f"invalid profile name {name!r}: 1-64 letters, digits, space or ._@+- "
            "starting with a letter or digit",
            code="InvalidProfileName",
            field="name",
        )
    if name.lower() == LOCAL_PROFILE_NAME.lower():
        raise SettingsError(
            f"profile name {name!r} is reserved", code="ReservedProfileName", field="name"
        )


def _check_url(value: str, field_name: str, *, allow_empty: bool = True) -> None:
    if not value and allow_empty:
        return
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
        raise SettingsError(
            f"{field_name} must be an http(s) URL", code="InvalidURL", field=field_name
        )


@dataclass(slots=True)
class LocalProfile:
    """The Local server (``fcaccel serve``). Always present; the default profile.

    ``url`` is the server's base URL; empty means the server running on ``data_dir`` (empty:
    the default data directory), whose ``server.json`` names its URL and AccessKey id.
    ``access_key_id`` empty likewise means "the data directory's". The secret is in the secret
    store under ``local-<access key id>/access_key_secret``, where the server keeps it.
    """

    kind: ClassVar[str] = "local"
    url: str = ""
    access_key_id: str = ""
    data_dir: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return LOCAL_PROFILE_NAME

    def validate(self) -> None:
        _check_url(self.url, "url")


@dataclass(slots=True)
class AliyunProfile:
    """An Alibaba Cloud account in one region.

    ``credential_source``: ``keyring`` (the AccessKey secret, and the STS token when ``sts``,
    are in the secret store), ``env`` (``ALIBABA_CLOUD_*`` variables at run time) or
    ``aliyun-cli`` (``aliyun_cli_profile`` of ``~/.aliyun/config.json``, read at run time).
    Empty endpoint fields use the documented defaults for ``region``.
    """

    kind: ClassVar[str] = "aliyun"
    name: str
    region: str
    account_id: str = ""
    access_key_id: str = ""
    credential_source: CredentialSource = "keyring"
    sts: bool = False
    aliyun_cli_profile: str = ""
    fc_endpoint: str = ""
    fc_invoke_endpoint: str = ""
    acr_endpoint: str = ""
    acr_instance_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> None:
        validate_profile_name(self.name)
        if not _REGION_RE.match(self.region):
            raise SettingsError(
                f"invalid region id {self.region!r}", code="InvalidRegion", field="region"
            )
        if self.account_id and not _ACCOUNT_RE.match(self.account_id):
            raise SettingsError(
                "account id must be digits", code="InvalidAccountId", field="account_id"
            )
        if self.credential_source not in ("keyring", "env", "aliyun-cli"):
            raise SettingsError(
                f"unknown credential source {self.credential_source!r}",
                code="InvalidCredentialSource",
                field="credential_source",
            )
        if self.credential_source == "keyring" and not self.access_key_id:
            raise SettingsError(
                "an AccessKey id is required", code="MissingAccessKeyId", field="access_key_id"
            )
        for name in ("fc_endpoint", "fc_invoke_endpoint", "acr_endpoint"):
            _check_url(getattr(self, name), name)
        if self.acr_instance_id and not re.match(r"^cri-[A-Za-z0-9]+$", self.acr_instance_id):
            raise SettingsError(
                "ACR instance ids look like cri-xxxx",
                code="InvalidInstanceId",
                field="acr_instance_id",
            )


@dataclass(slots=True)
class RegistryProfile:
    """A plain OCI registry (Distribution, Harbor, zot …). Its password is in the secret store."""

    kind: ClassVar[str] = "registry"
    name: str
    url: str
    username: str = ""
    insecure: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> None:
        validate_profile_name(self.name)
        _check_url(self.url, "url", allow_empty=False)


Profile: TypeAlias = LocalProfile | AliyunProfile | RegistryProfile
_KINDS: dict[str, type[AliyunProfile] | type[RegistryProfile]] = {
    "aliyun": AliyunProfile,
    "registry": RegistryProfile,
}


@dataclass(slots=True)
class Settings:
    """Everything fcdesk remembers, secrets excluded.

    ``profiles`` holds the user's named profiles (the ``Local`` profile is `local`, always
    there). ``extra`` keeps unknown top-level keys and other tools' sections.
    """

    local: LocalProfile = field(default_factory=LocalProfile)
    profiles: dict[str, AliyunProfile | RegistryProfile] = field(default_factory=dict)
    default_profile: str = LOCAL_PROFILE_NAME
    secret_store: SecretStoreKind = "keyring"
    extra: dict[str, Any] = field(default_factory=dict)

    def profile_names(self) -> list[str]:
        return [LOCAL_PROFILE_NAME, *sorted(self.profiles, key=str.lower)]

    def all_profiles(self) -> Iterator[Profile]:
        yield self.local
        for name in sorted(self.profiles, key=str.lower):
            yield self.profiles[name]

    def profile(self, name: str | None = None) -> Profile:
        """The profile ``name`` (the default profile when ``None``)."""
        name = name or self.default_profile or LOCAL_PROFILE_NAME
        if name.lower() == LOCAL_PROFILE_NAME.lower():
            return self.local
        try:
            return self.profiles[name]
        except KeyError:
            raise SettingsError(
                f"no profile named {name!r}", code="ProfileNotFound", profile=name
            ) from None

    def add_profile(
        self, profile: AliyunProfile | RegistryProfile, *, replace: bool = False
    ) -> None:
        """Add (or with ``replace`` overwrite) a profile after validating it."""
        profile.validate()
        if profile.name in self.profiles and not replace:
            raise SettingsError(
                f"a profile named {profile.name!r} exists",
                code="ProfileExists",
                profile=profile.name,
            )
        self.profiles[profile.name] = profile

    def remove_profile(self, name: str) -> None:
        if name.lower() == LOCAL_PROFILE_NAME.lower():
            raise SettingsError("the Local profile cannot be removed", code="ReservedProfileName")
        if self.profiles.pop(name, None) is None:
            raise SettingsError(f"no profile named {name!r}", code="ProfileNotFound", profile=name)
        if self.default_profile == name:
            self.default_profile = LOCAL_PROFILE_NAME

    # -- (de)serialisation -------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.extra)
        data.update(
            version=_VERSION,
            default_profile=self.default_profile,
            secret_store=self.secret_store,
            local=_profile_to_dict(self.local),
        )
        data["profiles"] = {
            name: {"kind": p.kind, **_profile_to_dict(p)}
            for name, p in sorted(self.profiles.items())
        }
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Settings:
        data = dict(data)
        version = data.pop("version", _VERSION)
        if not isinstance(version, int) or version > _VERSION:
            raise SettingsError(
                f"settings version {version!r} is newer than this fcdesk understands",
                code="SettingsTooNew",
            )
        local = _profile_from_dict(LocalProfile, _table(data.pop("local", {}), "local"), None)
        profiles: dict[str, AliyunProfile | RegistryProfile] = {}
        for name, raw in _table(data.pop("profiles", {}), "profiles").items():
            raw = dict(_table(raw, f"profiles.{name}"))
            kind = raw.pop("kind", None)
            cls_ = _KINDS.get(str(kind))
            if cls_ is None:
                raise SettingsError(
                    f"profile {name!r} has unknown kind {kind!r}",
                    code="SettingsInvalid",
                    profile=name,
                )
            profile = _profile_from_dict(cls_, raw, name)
            profile.validate()
            profiles[name] = profile
        default = str(data.pop("default_profile", LOCAL_PROFILE_NAME))
        if default != LOCAL_PROFILE_NAME and default not in profiles:
            default = LOCAL_PROFILE_NAME
        store = data.pop("secret_store", "keyring")
        if store not in ("keyring", "file"):
            raise SettingsError(f"unknown secret store {store!r}", code="SettingsInvalid")
        settings = cls(
            local=local,
            profiles=profiles,
            default_profile=default,
            secret_store=store,
            extra=data,
        )
        local.validate()
        return settings


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise SettingsError(f"settings: {where} must be a table", code="SettingsInvalid")
    return value


_FORBIDDEN_KEYS = frozenset(
    {"access_key_secret", "secret", "password", "security_token", "sts_token", "token"}
)


def _profile_to_dict(profile: Profile) -> dict[str, Any]:
    out: dict[str, Any] = {k: v for k, v in profile.extra.items() if k not in _FORBIDDEN_KEYS}
    for f in fields(profile):
        if f.name in ("extra", "name"):
            continue
        out[f.name] = getattr(profile, f.name)
    return out


def _profile_from_dict(cls: type[Any], raw: Mapping[str, Any], name: str | None) -> Any:
    known = {f.name: f for f in fields(cls) if f.name not in ("extra", "name")}
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _FORBIDDEN_KEYS:
            # A secret must never sit in this file; drop it rather than carry it along.
            continue
        f = known.get(key)
        if f is None:
            extra[key] = value
            continue
        expected = bool if isinstance(f.default, bool) else str
        if not isinstance(value, expected):
            raise SettingsError(
                f"settings: {key} of profile {name or LOCAL_PROFILE_NAME!r} has the wrong type",
                code="SettingsInvalid",
                field=key,
            )
        kwargs[key] = value
    if name is not None:
        kwargs["name"] = name
    try:
        return cls(**kwargs, extra=extra)
    except TypeError as exc:
        raise SettingsError(
            f"settings: profile {name!r} lacks a required field", code="SettingsInvalid"
        ) from exc


class SettingsStore(Protocol):
    """Loads and changes `Settings`. Implementations: `TomlSettingsStore`,
    `MemorySettingsStore`.

    ``update(change)`` is how a change is saved: the store reads the current settings (what
    other processes wrote included), applies ``change`` and writes the result, atomically
    with respect to other writers. ``save`` writes a whole `Settings` as it is (a first
    write, an import), overwriting what is there."""

    def load(self) -> Settings: ...

    def save(self, settings: Settings) -> None: ...

    def update(self, change: Callable[[Settings], None]) -> Settings: ...


class MemorySettingsStore:
    """Settings kept in memory (tests, and tools that must not touch the user's file)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self._data = (settings or Settings()).to_dict()

    def load(self) -> Settings:
        return Settings.from_dict(self._data)

    def save(self, settings: Settings) -> None:
        settings.local.validate()
        for profile in settings.profiles.values():
            profile.validate()
        self._data = settings.to_dict()

    def update(self, change: Callable[[Settings], None]) -> Settings:
        settings = self.load()
        change(settings)
        self.save(settings)
        return settings


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``lock_path`` (created when missing)."""
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise SettingsError(
            f"cannot lock settings {lock_path}: {exc.strerror}", code="SettingsUnwritable"
        ) from exc
    try:
        lock_exclusive(fd)
        yield
    finally:
        os.close(fd)  # closing releases the lock


class TomlSettingsStore:
    """Settings in ``settings.toml`` of `config_dir` (or ``path``), written atomically.

    A missing file loads as default settings (only the ``Local`` profile). Changes go through
    `update` (locked read-change-write); readers need no lock, the file being replaced whole.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self._path = Path(path) if path is not None else config_dir() / SETTINGS_FILE_NAME

    @property
    def path(self) -> Path:
        return self._path

    @property
    def lock_path(self) -> Path:
        return self._path.with_name(self._path.name + ".lock")

    def __repr__(self) -> str:
        return f"TomlSettingsStore(path={str(self._path)!r})"

    def stamp(self) -> tuple[int, int, int] | None:
        """The file's identity and age (inode, size, mtime in ns), or None when it is
        missing: a changed stamp means another process (or this one) rewrote it."""
        try:
            st = self._path.stat()
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def load(self) -> Settings:
        try:
            raw = self._path.read_bytes()
        except FileNotFoundError:
            return Settings()
        except OSError as exc:
            raise SettingsError(
                f"cannot read settings {self._path}: {exc.strerror}", code="SettingsUnreadable"
            ) from exc
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(
                f"settings {self._path} is not valid TOML: {exc}", code="SettingsInvalid"
            ) from exc
        return Settings.from_dict(data)

    def save(self, settings: Settings) -> None:
        """Write ``settings`` whole (under the lock); prefer `update` for changes."""
        with _exclusive(self.lock_path):
            self._write(settings)

    def _write(self, settings: Settings) -> None:
        settings.local.validate()
        for profile in settings.profiles.values():
            profile.validate()
        text = tomli_w.dumps(settings.to_dict())
        directory = self._path.parent
        try:
            directory.mkdir(parents=True, exist_ok=True)
            atomic_write(self._path, text, private=True)
        except OSError as exc:
            raise SettingsError(
                f"cannot write settings {self._path}: {exc.strerror}", code="SettingsUnwritable"
            ) from exc

    def update(self, change: Callable[[Settings], None]) -> Settings:
        """Under the lock: read the file as it is now, apply ``change(settings)`` and write
        it back; returns the settings written. When ``change`` raises, nothing is written."""
        with _exclusive(self.lock_path):
            settings = self.load()
            change(settings)
            self._write(settings)
        return settings
