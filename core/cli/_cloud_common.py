"""Shared plumbing of the cloud commands (``functions``, ``repos``, ``tags``, ``accel``,
``profiles``): profile selection, credentials, clients, output."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from core.cloud import (
    ACRClient,
    Credentials,
    ProfileClients,
    open_clients,
    resolve_credentials,
    resolve_local_profile,
    secret_store_for,
)
from core.errors import CloudError, SettingsError
from core.settings import (
    AliyunProfile,
    LocalProfile,
    Profile,
    RegistryProfile,
    Settings,
    TomlSettingsStore,
)

__all__ = [
    "CloudContext",
    "add_common_arguments",
    "choose_instance",
    "emit_json",
    "open_profile",
    "print_table",
    "split_repo",
]


def add_common_arguments(
    parser: argparse.ArgumentParser, *, http_timeout_option: str = "--timeout"
) -> None:
    """``--profile``, ``--json`` and the HTTP timeout (``args.timeout``; a command whose
    ``--timeout`` means something else names the HTTP one ``--http-timeout``)."""
    parser.add_argument(
        "--profile", default=None, help="settings profile to use (default: the default profile)"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable JSON output")
    parser.add_argument(
        http_timeout_option,
        dest="timeout",
        type=float,
        default=30.0,
        help="HTTP timeout in seconds (default 30)",
    )


def emit_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=_default))


def _default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        to_json = getattr(value, "to_json", None)
        if callable(to_json):
            return to_json()
        return dataclasses.asdict(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def split_repo(text: str) -> tuple[str, str]:
    namespace, sep, name = text.partition("/")
    if not sep or not namespace or not name:
        raise CloudError(f"repository must be NAMESPACE/NAME, not {text!r}", code="InvalidArgument")
    return namespace, name


@dataclass
class CloudContext:
    settings: Settings
    profile: AliyunProfile | LocalProfile
    credentials: Credentials
    clients: ProfileClients
    http: httpx.AsyncClient

    @property
    def is_local(self) -> bool:
        return isinstance(self.profile, LocalProfile)


def load_settings() -> tuple[TomlSettingsStore, Settings]:
    store = TomlSettingsStore()
    return store, store.load()


@contextlib.asynccontextmanager
async def open_profile(args: argparse.Namespace) -> AsyncIterator[CloudContext]:
    """Settings → profile → credentials → clients, on one HTTP client closed at the end."""
    _store, settings = load_settings()
    profile: Profile = settings.profile(getattr(args, "profile", None))
    if isinstance(profile, RegistryProfile):
        raise SettingsError(
            f"profile {profile.name!r} is a plain registry profile; this command needs a "
            "Local or Alibaba Cloud profile",
            code="WrongProfileKind",
        )
    if isinstance(profile, LocalProfile):
        profile, creds = await resolve_local_profile(profile, settings)
    else:
        store = secret_store_for(settings)
        creds = await asyncio.to_thread(resolve_credentials, profile, store)
    timeout = httpx.Timeout(getattr(args, "timeout", 30.0), connect=10.0)
    async with httpx.AsyncClient(timeout=timeout) as http:
        clients = open_clients(profile, http, creds)
        yield CloudContext(settings, profile, creds, clients, http)


async def choose_instance(ctx: CloudContext, explicit: str | None) -> str:
    """``--instance``, else the profile's hint, else the only instance in the region."""
    if explicit:
        return explicit
    if ctx.clients.acr_instance_id:
        return ctx.clients.acr_instance_id
    acr: ACRClient = ctx.clients.acr
    found = [i.instance_id async for i in acr.list_instances() if i.instance_id]
    if len(found) == 1:
        return found[0]
    if not found:
        raise CloudError("no Container Registry instance in this region", code="NoInstance")
    raise CloudError(
        f"several registry instances ({', '.join(found)}); choose one with --instance",
        code="AmbiguousInstance",
    )
