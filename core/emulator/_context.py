"""What every route of the Local server shares: configuration, stores, auth, events, hooks."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.cloud import Credentials
from core.emulator._auth import Authenticator
from core.emulator._blobs import BlobStore
from core.emulator._db import Database
from core.emulator._events import EventBus

__all__ = [
    "INSTANCE_ID",
    "INSTANCE_NAME",
    "REGION_ID",
    "SEED_KINDS",
    "ServerConfig",
    "ServerContext",
    "new_id",
]

#: The one local ACR instance.
INSTANCE_ID = "cri-local0000000001"
INSTANCE_NAME = "fcdesk-local"
REGION_ID = "local"


def new_id(prefix: str, length: int = 16) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


#: What a first start can seed (see ``ServerConfig.seed_image``).
SEED_KINDS = ("small", "medium", "bloated")


def _default_seed_image() -> str:
    value = os.environ.get("FCDESK_SEED", "").strip().lower()
    return value if value in SEED_KINDS else "medium"


def _default_auto_profile() -> bool:
    return os.environ.get("FCDESK_AUTO_PROFILE", "1").strip().lower() not in ("0", "no", "off")


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(slots=True)
class ServerConfig:
    """Options of ``fcaccel serve`` (see `core.cli.serve`)."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 0
    secret_store: str = "keyring"
    anonymous_pull: bool = False
    seed: bool = True
    #: Which demo a first start seeds: ``small`` (seconds; tests), or ``medium``/``bloated``
    #: (the small one first, then a realistic image; see `core.emulator._seed`). Default:
    #: ``FCDESK_SEED`` from the environment, else ``medium``.
    seed_image: str = field(default_factory=lambda: _default_seed_image())
    conversion_workers: int = 1
    #: Record a start-up profile after a tag's first conversion and convert it again in
    #: optimized order (`core.emulator._profiler`). Default: ``FCDESK_AUTO_PROFILE`` from the
    #: environment (``0`` switches it off), else on.
    auto_profile: bool = field(default_factory=lambda: _default_auto_profile())
    instance_idle_timeout: float = 300.0
    runtime_mode: str = "auto"
    account_id: str = "1000000000000001"
    #: An upload session untouched this long (seconds) is abandoned: its row and file go
    #: at the next sweep (at start-up, then every ``upload_sweep_interval`` seconds).
    upload_ttl: float = 3600.0
    #: Seconds a client may take to send a request's line and headers, and to send the next
    #: piece of a body (see `core.emulator._guard`).
    header_timeout: float = 20.0
    body_timeout: float = 60.0
    upload_sweep_interval: float = 600.0
    #: Test seams: a `Converter` for the worker and an `InstanceBackend` for the runtime
    #: (``None`` = the real ones built on core.convert / core.coldstart).
    converter: Any = None
    instance_backend: Any = None


TagHook = Callable[[str, str, str], Awaitable[None]]
#: ``hook(repo, tags, digests)``: tags (and manifests by digest) were deleted from ``repo``;
#: both empty: the whole repository was deleted.
DeleteHook = Callable[[str, tuple[str, ...], tuple[str, ...]], Awaitable[None]]


@dataclass(slots=True)
class ServerContext:
    config: ServerConfig
    credentials: Credentials
    db: Database
    blobs: BlobStore
    auth: Authenticator
    bus: EventBus
    started: float = field(default_factory=time.time)
    #: The URL clients reach the server at once it listens (``http://127.0.0.1:PORT``).
    url: str = ""
    #: Called as ``hook(repo, tag, digest)`` after a tag was written by a push.
    tag_hooks: list[TagHook] = field(default_factory=list)
    #: Called as ``hook(repo, tags, digests)`` after tags or manifests were deleted.
    delete_hooks: list[DeleteHook] = field(default_factory=list)
    services: dict[str, Any] = field(default_factory=dict)

    @property
    def registry_host(self) -> str:
        return self.url.split("://", 1)[-1]

    async def tag_written(self, repo: str, tag: str, digest: str) -> None:
        for hook in self.tag_hooks:
            await hook(repo, tag, digest)

    async def images_deleted(
        self, repo: str, tags: tuple[str, ...] = (), digests: tuple[str, ...] = ()
    ) -> None:
        """Tell the services that ``tags`` and the manifests ``digests`` of ``repo`` are gone
        (nothing named: the whole repository)."""
        for hook in self.delete_hooks:
            await hook(repo, tags, digests)
