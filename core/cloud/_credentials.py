"""AccessKey / STS credentials and where they come from.

Sources, in the order the Alibaba Cloud tools use them: the environment
(``ALIBABA_CLOUD_ACCESS_KEY_ID`` / ``_SECRET`` / ``ALIBABA_CLOUD_SECURITY_TOKEN``), the aliyun
CLI's ``~/.aliyun/config.json`` profiles (``AK`` and ``StsToken`` modes), and fcdesk's own
secret store (the system keyring). Nothing here ever puts a secret into a message or a repr.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import CredentialsError

__all__ = [
    "ALIYUN_CLI_SUPPORTED_MODES",
    "AliyunCliProfile",
    "Credentials",
    "aliyun_cli_config_path",
    "aliyun_cli_credentials",
    "credentials_from_env",
    "mask",
    "read_aliyun_cli_config",
]

ENV_ACCESS_KEY_ID = "ALIBABA_CLOUD_ACCESS_KEY_ID"
ENV_ACCESS_KEY_SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
ENV_SECURITY_TOKEN = "ALIBABA_CLOUD_SECURITY_TOKEN"
ENV_PROFILE = "ALIBABA_CLOUD_PROFILE"

#: aliyun CLI profile modes fcdesk can use as they are (no token exchange needed).
ALIYUN_CLI_SUPPORTED_MODES = ("AK", "StsToken")


def mask(value: str) -> str:
    """Show an identifier without revealing it: the first and last 3 characters at most."""
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:3]}****{value[-3:]}"


@dataclass(frozen=True, slots=True, repr=False)
class Credentials:
    """An AccessKey pair, optionally with an STS security token.

    ``source`` says where it came from (``"env"``, ``"aliyun-cli:<profile>"``,
    ``"keyring:<profile>"``…). ``repr()`` and ``str()`` never show the secret or the token.
    """

    access_key_id: str
    access_key_secret: str = field(compare=True)
    security_token: str | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if not self.access_key_id or not self.access_key_secret:
            raise CredentialsError(
                "an AccessKey id and secret are both required", code="IncompleteCredentials"
            )

    @property
    def is_sts(self) -> bool:
        return bool(self.security_token)

    def __repr__(self) -> str:
        kind = "sts" if self.is_sts else "ak"
        return (
            f"Credentials(access_key_id={mask(self.access_key_id)!r}, kind={kind!r}, "
            f"source={self.source!r})"
        )

    __str__ = __repr__


def credentials_from_env(env: Mapping[str, str] | None = None) -> Credentials | None:
    """Credentials from ``ALIBABA_CLOUD_ACCESS_KEY_ID``/``_SECRET`` (+ ``_SECURITY_TOKEN``).

    Returns ``None`` when neither is set; raises `CredentialsError` when only one is.
    """
    env = os.environ if env is None else env
    key_id = env.get(ENV_ACCESS_KEY_ID, "").strip()
    secret = env.get(ENV_ACCESS_KEY_SECRET, "").strip()
    token = env.get(ENV_SECURITY_TOKEN, "").strip() or None
    if not key_id and not secret:
        return None
    if not key_id or not secret:
        missing = ENV_ACCESS_KEY_ID if not key_id else ENV_ACCESS_KEY_SECRET
        raise CredentialsError(
            f"environment variable {missing} is empty or missing",
            code="IncompleteCredentials",
            variable=missing,
        )
    return Credentials(key_id, secret, token, source="env")


def aliyun_cli_config_path(home: Path | None = None) -> Path:
    return (home or Path.home()) / ".aliyun" / "config.json"


@dataclass(frozen=True, slots=True, repr=False)
class AliyunCliProfile:
    """One profile of the aliyun CLI's ``config.json``.

    ``credentials`` is ``None`` for modes fcdesk cannot use directly (``RamRoleArn``,
    ``EcsRamRole``, ``OIDC``, SSO …); ``problem`` then says why, as a code.
    """

    name: str
    mode: str
    region: str
    credentials: Credentials | None
    problem: str | None = None

    @property
    def usable(self) -> bool:
        return self.credentials is not None

    def __repr__(self) -> str:
        return (
            f"AliyunCliProfile(name={self.name!r}, mode={self.mode!r}, region={self.region!r}, "
            f"credentials={self.credentials!r}, problem={self.problem!r})"
        )


def _cli_profile(raw: Mapping[str, Any]) -> AliyunCliProfile:
    name = str(raw.get("name") or "")
    mode = str(raw.get("mode") or "AK")
    region = str(raw.get("region_id") or raw.get("region") or "")
    if mode not in ALIYUN_CLI_SUPPORTED_MODES:
        return AliyunCliProfile(name, mode, region, None, problem="UnsupportedMode")
    key_id = str(raw.get("access_key_id") or "").strip()
    secret = str(raw.get("access_key_secret") or "").strip()
    token = str(raw.get("sts_token") or "").strip() or None
    if not key_id or not secret:
        return AliyunCliProfile(name, mode, region, None, problem="IncompleteCredentials")
    if mode == "StsToken" and token is None:
        return AliyunCliProfile(name, mode, region, None, problem="MissingSecurityToken")
    creds = Credentials(key_id, secret, token if mode == "StsToken" else None, f"aliyun-cli:{name}")
    return AliyunCliProfile(name, mode, region, creds)


def read_aliyun_cli_config(path: Path | None = None) -> tuple[str, list[AliyunCliProfile]]:
    """Read the aliyun CLI configuration: ``(current profile name, profiles)``.

    Raises `CredentialsError` with code ``AliyunConfigNotFound`` / ``AliyunConfigInvalid``.
    """
    path = path or aliyun_cli_config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CredentialsError(
            f"aliyun CLI configuration not found: {path}", code="AliyunConfigNotFound"
        ) from exc
    except OSError as exc:
        raise CredentialsError(
            f"cannot read aliyun CLI configuration {path}: {exc.strerror}",
            code="AliyunConfigNotFound",
        ) from exc
    try:
        data = json.loads(text)
    except ValueError:
        # The JSON error message quotes the document; it may contain secrets, so drop it.
        raise CredentialsError(
            f"aliyun CLI configuration {path} is not valid JSON", code="AliyunConfigInvalid"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("profiles", []), list):
        raise CredentialsError(
            f"aliyun CLI configuration {path} has no profile list", code="AliyunConfigInvalid"
        )
    profiles = [_cli_profile(p) for p in data.get("profiles", []) if isinstance(p, dict)]
    return str(data.get("current") or ""), profiles


def aliyun_cli_credentials(
    name: str | None = None, path: Path | None = None, env: Mapping[str, str] | None = None
) -> Credentials:
    """Credentials of one aliyun CLI profile: ``name``, else ``ALIBABA_CLOUD_PROFILE``, else
    the CLI's current profile."""
    env = os.environ if env is None else env
    current, profiles = read_aliyun_cli_config(path)
    wanted = name or env.get(ENV_PROFILE) or current or "default"
    for profile in profiles:
        if profile.name == wanted:
            if profile.credentials is None:
                raise CredentialsError(
                    f"aliyun CLI profile {wanted!r} uses mode {profile.mode!r}, which fcdesk "
                    f"cannot use directly (supported: {', '.join(ALIYUN_CLI_SUPPORTED_MODES)})"
                    if profile.problem == "UnsupportedMode"
                    else f"aliyun CLI profile {wanted!r} has incomplete credentials",
                    code=profile.problem or "IncompleteCredentials",
                    profile=wanted,
                    mode=profile.mode,
                )
            return profile.credentials
    raise CredentialsError(
        f"aliyun CLI profile {wanted!r} does not exist", code="ProfileNotFound", profile=wanted
    )
