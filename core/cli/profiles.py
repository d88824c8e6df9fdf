"""``fcaccel profiles``: list, add, import, remove profiles and choose the default one.

Secrets go to the secret store chosen in the settings: the system keyring, or — only when the
user asks for it with ``--secret-store file`` — a file readable only by the user.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import Any

from core.cli._cloud_common import emit_json, print_table
from core.cloud import (
    Credentials,
    KeyringSecretStore,
    SecretStore,
    credentials_from_env,
    delete_profile_secrets,
    profiles_from_aliyun_cli,
    secret_key,
    secret_store_for,
    store_credentials,
)
from core.errors import CredentialsError, SettingsError
from core.settings import (
    AliyunProfile,
    LocalProfile,
    Profile,
    RegistryProfile,
    Settings,
    TomlSettingsStore,
    validate_profile_name,
)

__all__ = ["register"]

_NO_KEYRING_ADVICE = (
    "no usable system keyring was found. Secrets are never written to a plain file unless you "
    "ask: re-run with --secret-store file to keep them in a file readable only by you, or use "
    "--credential-source env / aliyun-cli so that no secret is stored at all."
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("profiles", help="manage connection profiles")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    p = sub.add_parser("list", help="list profiles")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_list)

    p = sub.add_parser("add", help="add (or with --replace, change) a profile")
    p.add_argument("name")
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--region", help="Alibaba Cloud region id, e.g. cn-hangzhou")
    kind.add_argument("--registry", metavar="URL", help="a plain OCI registry profile")
    p.add_argument("--account-id", default="")
    p.add_argument("--access-key-id", default="")
    p.add_argument(
        "--credential-source", choices=["keyring", "env", "aliyun-cli"], default="keyring"
    )
    p.add_argument("--aliyun-cli-profile", default="")
    p.add_argument("--sts", action="store_true", help="also store an STS security token")
    p.add_argument(
        "--secret-stdin",
        action="store_true",
        help="read the secret (then the STS token) from stdin lines instead of prompting",
    )
    p.add_argument("--fc-endpoint", default="")
    p.add_argument("--fc-invoke-endpoint", default="")
    p.add_argument("--acr-endpoint", default="")
    p.add_argument("--acr-instance-id", default="")
    p.add_argument("--username", default="", help="registry user name")
    p.add_argument("--insecure", action="store_true", help="registry over plain HTTP")
    p.add_argument("--default", action="store_true", help="make it the default profile")
    p.add_argument("--replace", action="store_true")
    _secret_store_argument(p)
    p.set_defaults(func=_add)

    p = sub.add_parser("import", help="import profiles from the environment or the aliyun CLI")
    p.add_argument("--from", dest="source", choices=["env", "aliyun-cli"], required=True)
    p.add_argument("--name", help="profile name (env import; default 'env')")
    p.add_argument("--region", help="region (env import, or when the CLI profile has none)")
    p.add_argument("--account-id", default="")
    p.add_argument(
        "--link",
        action="store_true",
        help="read the credentials from their source at run time instead of copying them",
    )
    p.add_argument("--replace", action="store_true")
    p.add_argument("--json", action="store_true")
    _secret_store_argument(p)
    p.set_defaults(func=_import)

    p = sub.add_parser("remove", help="remove a profile and its stored secrets")
    p.add_argument("name")
    p.set_defaults(func=_remove)

    p = sub.add_parser("default", help="choose the default profile")
    p.add_argument("name")
    p.set_defaults(func=_default)


def _secret_store_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--secret-store",
        choices=["keyring", "file"],
        help="where secrets are kept from now on (the choice is saved in the settings)",
    )


def _open_store(settings: Settings, args: argparse.Namespace) -> SecretStore:
    if getattr(args, "secret_store", None):
        settings.secret_store = args.secret_store
    store = secret_store_for(settings)
    if isinstance(store, KeyringSecretStore):
        try:
            store.check()
        except CredentialsError as exc:
            raise CredentialsError(_NO_KEYRING_ADVICE, code=exc.code) from exc
    return store


def _read_secret(prompt: str, from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return getpass.getpass(prompt)


async def _list(args: argparse.Namespace) -> int:
    settings = TomlSettingsStore().load()
    rows: list[dict[str, Any]] = []
    for profile in settings.all_profiles():
        row: dict[str, Any] = {
            "name": profile.name,
            "kind": profile.kind,
            "default": profile.name == settings.default_profile,
        }
        if isinstance(profile, AliyunProfile):
            row.update(
                region=profile.region,
                accountId=profile.account_id,
                accessKeyId=profile.access_key_id,
                credentialSource=profile.credential_source,
                sts=profile.sts,
            )
        elif isinstance(profile, RegistryProfile):
            row.update(url=profile.url, username=profile.username)
        elif isinstance(profile, LocalProfile):
            row.update(url=profile.url or "(started by fcdesk / fcaccel serve)")
        rows.append(row)
    if args.json:
        emit_json({"secretStore": settings.secret_store, "profiles": rows})
        return 0
    print_table(
        ["", "NAME", "KIND", "WHERE", "CREDENTIALS"],
        [
            [
                "*" if r["default"] else "",
                r["name"],
                r["kind"],
                r.get("region") or r.get("url") or "",
                r.get("credentialSource") or r.get("username") or "",
            ]
            for r in rows
        ],
    )
    return 0


async def _add(args: argparse.Namespace) -> int:
    settings_store = TomlSettingsStore()
    settings = settings_store.load()
    validate_profile_name(args.name)
    if args.registry:
        profile: AliyunProfile | RegistryProfile = RegistryProfile(
            name=args.name, url=args.registry, username=args.username, insecure=args.insecure
        )
    elif args.region:
        profile = AliyunProfile(
            name=args.name,
            region=args.region,
            account_id=args.account_id,
            access_key_id=args.access_key_id,
            credential_source=args.credential_source,
            sts=args.sts,
            aliyun_cli_profile=args.aliyun_cli_profile,
            fc_endpoint=args.fc_endpoint,
            fc_invoke_endpoint=args.fc_invoke_endpoint,
            acr_endpoint=args.acr_endpoint,
            acr_instance_id=args.acr_instance_id,
        )
    else:
        raise SettingsError("give --region (Alibaba Cloud) or --registry URL", code="MissingKind")
    profile.validate()
    if args.name in settings.profiles and not args.replace:
        raise SettingsError(f"a profile named {args.name!r} exists", code="ProfileExists")
    needs_secret = isinstance(profile, RegistryProfile) and bool(profile.username)
    needs_secret |= isinstance(profile, AliyunProfile) and profile.credential_source == "keyring"
    if needs_secret:
        store = await asyncio.to_thread(_open_store, settings, args)
        if isinstance(profile, AliyunProfile):
            secret = _read_secret("AccessKey secret: ", args.secret_stdin)
            token = _read_secret("STS token: ", args.secret_stdin) if args.sts else None
            creds = Credentials(profile.access_key_id, secret, token or None)
            await asyncio.to_thread(store_credentials, store, profile.name, creds)
        else:
            password = _read_secret("Registry password: ", args.secret_stdin)
            await asyncio.to_thread(store.set, secret_key(profile.name, "password"), password)

    def change(current: Settings) -> None:
        # Applied to the file as it is now (a console may have written meanwhile).
        if args.secret_store:
            current.secret_store = args.secret_store
        current.add_profile(profile, replace=args.replace)
        if args.default:
            current.default_profile = profile.name

    settings_store.update(change)
    print(f"profile {profile.name} saved")
    return 0


async def _import(args: argparse.Namespace) -> int:
    settings_store = TomlSettingsStore()
    settings = settings_store.load()
    imported: list[tuple[AliyunProfile, Credentials | None, str | None]] = []
    if args.source == "env":
        creds = credentials_from_env()
        if creds is None:
            raise CredentialsError(
                "ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set",
                code="MissingEnvCredentials",
            )
        if not args.region:
            raise SettingsError("--region is required for an env import", code="MissingRegion")
        profile = AliyunProfile(
            name=args.name or "env",
            region=args.region,
            account_id=args.account_id,
            access_key_id=creds.access_key_id,
            credential_source="env" if args.link else "keyring",
            sts=creds.is_sts,
        )
        imported.append((profile, creds, None))
    else:
        for item in profiles_from_aliyun_cli(
            link=args.link, default_region=args.region or "cn-hangzhou"
        ):
            if args.account_id:
                item.profile.account_id = args.account_id
            imported.append((item.profile, item.credentials, item.problem))
    store: SecretStore | None = None
    results = []
    for profile, creds, problem in imported:
        outcome: dict[str, Any] = {"name": profile.name, "region": profile.region}
        try:
            if problem is not None or creds is None:
                raise CredentialsError(f"not importable: {problem}", code=problem or "Unusable")
            if profile.name in settings.profiles and not args.replace:
                raise SettingsError("exists (use --replace)", code="ProfileExists")
            profile.validate()
            if profile.credential_source == "keyring":
                if store is None:
                    store = await asyncio.to_thread(_open_store, settings, args)
                await asyncio.to_thread(store_credentials, store, profile.name, creds)
            settings.add_profile(profile, replace=args.replace)
            outcome["imported"] = True
        except (CredentialsError, SettingsError) as exc:
            if exc.code == "NoKeyringBackend":
                raise
            outcome.update(imported=False, code=exc.code, reason=str(exc))
        results.append(outcome)
    added = [settings.profiles[r["name"]] for r in results if r["imported"]]
    chosen_store = settings.secret_store

    def change(current: Settings) -> None:
        current.secret_store = chosen_store
        for profile in added:
            current.add_profile(profile, replace=args.replace)

    settings_store.update(change)
    if args.json:
        emit_json(results)
    else:
        for r in results:
            state = "imported" if r["imported"] else f"skipped: {r['reason']}"
            print(f"{r['name']}: {state}")
    return 0 if any(r["imported"] for r in results) else 1


async def _remove(args: argparse.Namespace) -> int:
    settings_store = TomlSettingsStore()
    removed: list[Profile] = []

    def change(current: Settings) -> None:
        removed.append(current.profile(args.name))
        current.remove_profile(args.name)

    settings = settings_store.update(change)
    profile = removed[0]
    if not isinstance(profile, LocalProfile):
        store = secret_store_for(settings)
        try:
            await asyncio.to_thread(delete_profile_secrets, store, profile.name)
        except CredentialsError as exc:
            print(f"fcaccel: warning: stored secrets not removed: {exc}", file=sys.stderr)
    print(f"profile {args.name} removed")
    return 0


async def _default(args: argparse.Namespace) -> int:
    def change(current: Settings) -> None:
        current.default_profile = current.profile(args.name).name

    settings = TomlSettingsStore().update(change)
    print(f"default profile: {settings.default_profile}")
    return 0
