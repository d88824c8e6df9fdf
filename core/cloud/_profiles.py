"""From a settings profile to credentials and API clients; importing profiles from the
environment and the aliyun CLI."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from core._retry import RetryPolicy
from core.cloud._acr import ACRClient
from core.cloud._credentials import (
    Credentials,
    aliyun_cli_credentials,
    credentials_from_env,
    read_aliyun_cli_config,
)
from core.cloud._endpoints import (
    Endpoints,
    acr_endpoint,
    fc_invoke_endpoint,
    fc_management_endpoint,
    local_endpoints,
)
from core.cloud._fc import FCClient
from core.cloud._local import LocalExtensions
from core.cloud._secrets import FileSecretStore, KeyringSecretStore, SecretStore, secret_key
from core.errors import CredentialsError, SettingsError
from core.settings import AliyunProfile, LocalProfile, Settings, config_dir

__all__ = [
    "LOCAL_SECRET_ENV",
    "SECRETS_FILE_NAME",
    "ImportedProfile",
    "ProfileClients",
    "delete_profile_secrets",
    "endpoints_for",
    "local_secret_key",
    "open_clients",
    "profiles_from_aliyun_cli",
    "resolve_credentials",
    "secret_store_for",
    "store_credentials",
]

#: Environment override of the Local server's AccessKey secret (child processes, tests).
LOCAL_SECRET_ENV = "FCDESK_LOCAL_ACCESS_KEY_SECRET"
SECRETS_FILE_NAME = "secrets.json"


def secret_store_for(settings: Settings, directory: Path | None = None) -> SecretStore:
    """The secret store the user chose: the keyring (default) or the private file."""
    if settings.secret_store == "file":
        return FileSecretStore((directory or config_dir()) / SECRETS_FILE_NAME)
    return KeyringSecretStore()


def local_secret_key(access_key_id: str) -> str:
    """Where the Local server keeps its secret in a secret store."""
    return secret_key(f"local-{access_key_id}", "access_key_secret")


def store_credentials(store: SecretStore, profile_name: str, creds: Credentials) -> None:
    """Keep ``creds``' secret (and STS token, or its absence) for ``profile_name``."""
    store.set(secret_key(profile_name, "access_key_secret"), creds.access_key_secret)
    if creds.security_token:
        store.set(secret_key(profile_name, "security_token"), creds.security_token)
    else:
        store.delete(secret_key(profile_name, "security_token"))


def delete_profile_secrets(store: SecretStore, profile_name: str) -> None:
    for name in ("access_key_secret", "security_token", "password"):
        store.delete(secret_key(profile_name, name))


def resolve_credentials(
    profile: AliyunProfile | LocalProfile,
    store: SecretStore | None,
    *,
    env: Mapping[str, str] | None = None,
    aliyun_config: Path | None = None,
) -> Credentials:
    """The credentials a profile signs with. Raises `CredentialsError` with a code saying what
    is missing (``SecretNotFound``, ``MissingEnvCredentials``, ``NoKeyringBackend`` …)."""
    env = os.environ if env is None else env
    if isinstance(profile, LocalProfile):
        if not profile.access_key_id:
            raise CredentialsError(
                "the Local profile's AccessKey id is not known yet (start the Local server)",
                code="LocalKeyUnknown",
            )
        secret = env.get(LOCAL_SECRET_ENV) or None
        if secret is None and store is not None:
            secret = store.get(local_secret_key(profile.access_key_id))
        if not secret:
            raise CredentialsError(
                "the Local server's AccessKey secret is not in the secret store",
                code="SecretNotFound",
                profile=profile.name,
            )
        return Credentials(profile.access_key_id, secret, source="local")
    if profile.credential_source == "env":
        creds = credentials_from_env(env)
        if creds is None:
            raise CredentialsError(
                "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set",
                code="MissingEnvCredentials",
                profile=profile.name,
            )
        return creds
    if profile.credential_source == "aliyun-cli":
        return aliyun_cli_credentials(profile.aliyun_cli_profile or None, aliyun_config, env)
    if store is None:
        raise CredentialsError("no secret store", code="NoSecretStore")
    secret = store.get(secret_key(profile.name, "access_key_secret"))
    if not secret:
        raise CredentialsError(
            f"the AccessKey secret of profile {profile.name!r} is not in the secret store",
            code="SecretNotFound",
            profile=profile.name,
        )
    token = store.get(secret_key(profile.name, "security_token")) if profile.sts else None
    if profile.sts and not token:
        raise CredentialsError(
            f"the STS token of profile {profile.name!r} is not in the secret store",
            code="SecretNotFound",
            profile=profile.name,
        )
    return Credentials(profile.access_key_id, secret, token, source=f"keyring:{profile.name}")


def endpoints_for(profile: AliyunProfile | LocalProfile) -> Endpoints:
    if isinstance(profile, LocalProfile):
        if not profile.url:
            raise SettingsError(
                "the Local server's URL is not known (is it running?)", code="LocalServerUnknown"
            )
        return local_endpoints(profile.url)
    fc = profile.fc_endpoint or fc_management_endpoint(profile.region)
    if profile.fc_invoke_endpoint:
        invoke = profile.fc_invoke_endpoint
    elif profile.account_id:
        invoke = fc_invoke_endpoint(profile.region, profile.account_id)
    else:
        invoke = fc
    return Endpoints(
        fc=fc, fc_invoke=invoke, acr=profile.acr_endpoint or acr_endpoint(profile.region)
    )


@dataclass(frozen=True, slots=True)
class ProfileClients:
    """The API clients of one profile (all on the caller's ``httpx.AsyncClient``)."""

    fc: FCClient
    acr: ACRClient
    endpoints: Endpoints
    local: LocalExtensions | None = None
    acr_instance_id: str | None = None


def open_clients(
    profile: AliyunProfile | LocalProfile,
    http: httpx.AsyncClient,
    credentials: Credentials,
    *,
    retry: RetryPolicy | None = None,
) -> ProfileClients:
    endpoints = endpoints_for(profile)
    region = None if isinstance(profile, LocalProfile) else profile.region
    fc = FCClient(
        http, credentials, endpoint=endpoints.fc, invoke_endpoint=endpoints.fc_invoke, retry=retry
    )
    acr = ACRClient(http, credentials, endpoint=endpoints.acr, region=region, retry=retry)
    local = None
    if isinstance(profile, LocalProfile):
        local = LocalExtensions(http, credentials, base_url=endpoints.fc, retry=retry)
    hint = None if isinstance(profile, LocalProfile) else profile.acr_instance_id or None
    return ProfileClients(fc=fc, acr=acr, endpoints=endpoints, local=local, acr_instance_id=hint)


@dataclass(frozen=True, slots=True)
class ImportedProfile:
    """One importable profile; ``credentials`` is ``None`` with ``problem`` set when its mode
    cannot be used."""

    profile: AliyunProfile
    credentials: Credentials | None
    problem: str | None = None


def profiles_from_aliyun_cli(
    path: Path | None = None, *, link: bool = False, default_region: str = "cn-hangzhou"
) -> list[ImportedProfile]:
    """Profiles of ``~/.aliyun/config.json`` as fcdesk profiles.

    With ``link`` the profile reads the CLI file at run time (``credential_source =
    "aliyun-cli"``); otherwise the caller copies ``credentials`` into the secret store
    (`store_credentials`) and the profile uses it.
    """
    _current, cli_profiles = read_aliyun_cli_config(path)
    out = []
    for cli in cli_profiles:
        if not cli.name:
            continue
        creds = cli.credentials
        profile = AliyunProfile(
            name=cli.name,
            region=cli.region or default_region,
            access_key_id=creds.access_key_id if creds else "",
            credential_source="aliyun-cli" if link else "keyring",
            sts=bool(creds and creds.is_sts),
            aliyun_cli_profile=cli.name if link else "",
        )
        out.append(ImportedProfile(profile, creds, cli.problem))
    return out
