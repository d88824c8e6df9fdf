"""Start-up profiles: the files an image reads while it starts, in the order it opens them.

A profile is recorded once (:class:`~core.pull.LazyMount` with ``record=True``) and then used
twice: by the converter's *optimized* order (which moves those files to the front of each
layer, behind one prefetch boundary) and by lazy pulls of *preserve* layers (which prefetch
their chunks). The second stage of acceleration.

Text form (what ``core.convert.load_profile`` and ``fcaccel convert --profile`` read)::

    # fcdesk start-up profile v1
    # image: sha256:…            (the manifest it was recorded on)
    # source: sha256:…           (that image's plain source, when it is an accelerated one)
    # recorded: 2025-01-31T09:12:00+00:00
    # bytes: 13412345            (the files' total size, when known)
    usr/bin/python3.11
    usr/lib/python3.11/encodings/__init__.py
    …

Where it is kept, so it travels with the image:

* in the registry, as an OCI artifact in the image's repository: a manifest whose
  ``artifactType`` is :data:`PROFILE_ARTIFACT_TYPE`, whose ``subject`` is the image manifest,
  whose one layer is the text above, tagged :func:`profile_tag` (``sha256-<hex>.profile``,
  derived from the image digest, so it is found without the referrers API);
* in the local content cache, ``profiles/<hex>.json``, by manifest digest.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from core._files import atomic_write
from core.errors import InvalidInput, ManifestError, NotFound
from core.oci import OCI_EMPTY, Descriptor, Digest, Manifest
from core.pull._cache import ContentCache
from core.registry import RegistryClient

__all__ = [
    "PROFILE_ARTIFACT_TYPE",
    "PROFILE_MEDIA_TYPE",
    "StartupProfile",
    "fetch_profile",
    "is_profile_tag",
    "load_cached_profile",
    "profile_tag",
    "push_profile",
    "save_cached_profile",
]

PROFILE_ARTIFACT_TYPE = "application/vnd.fcdesk.startup-profile.v1"
PROFILE_MEDIA_TYPE = "text/vnd.fcdesk.startup-profile.v1"
_HEADER = "# fcdesk start-up profile v1"
_MAX_PROFILE = 16 << 20


@dataclass(frozen=True, slots=True)
class StartupProfile:
    """Paths (no leading ``/``) in first-open order; ``image`` is the manifest digest the
    profile was recorded on, ``source`` its plain source's digest when known, ``size`` the
    total size of the files in bytes (0 when unknown)."""

    paths: tuple[str, ...]
    image: str = ""
    source: str = ""
    recorded_at: str = field(
        default_factory=lambda: datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    )
    size: int = 0

    @classmethod
    def from_paths(
        cls,
        paths: Iterable[str],
        *,
        image: str = "",
        source: str = "",
        recorded_at: str | None = None,
        size: int = 0,
    ) -> StartupProfile:
        seen: dict[str, None] = {}
        for p in paths:
            p = p.strip().lstrip("/")
            if p and "\n" not in p:
                seen.setdefault(p, None)
        if recorded_at is None:
            return cls(tuple(seen), image, source, size=size)
        return cls(tuple(seen), image, source, recorded_at, size)

    def to_text(self) -> bytes:
        lines = [_HEADER]
        if self.image:
            lines.append(f"# image: {self.image}")
        if self.source:
            lines.append(f"# source: {self.source}")
        lines.append(f"# recorded: {self.recorded_at}")
        if self.size:
            lines.append(f"# bytes: {self.size}")
        lines.extend(self.paths)
        return ("\n".join(lines) + "\n").encode()

    @classmethod
    def from_text(cls, data: bytes) -> StartupProfile:
        try:
            text = data.decode()
        except UnicodeDecodeError as exc:
            raise InvalidInput("a start-up profile must be UTF-8 text") from exc
        meta: dict[str, str] = {}
        paths: list[str] = []
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            if line.startswith("#"):
                key, sep, value = line[1:].partition(":")
                if sep and key.strip() in ("image", "source", "recorded", "bytes"):
                    meta[key.strip()] = value.strip()
                continue
            paths.append(line)
        size = meta.get("bytes", "0")
        return cls.from_paths(
            paths,
            image=meta.get("image", ""),
            source=meta.get("source", ""),
            recorded_at=meta.get("recorded"),
            size=int(size) if size.isdigit() else 0,
        )

    @property
    def digest(self) -> Digest:
        """Digest of the paths alone (one per line), as the converter annotates it."""
        return Digest.of_bytes("\n".join(self.paths).encode())

    def as_dict(self) -> dict[str, Any]:
        return {
            "image": self.image,
            "source": self.source,
            "recorded_at": self.recorded_at,
            "size": self.size,
            "paths": list(self.paths),
        }


_PROFILE_TAG = re.compile(r"[a-z0-9]+-[0-9a-f]{32,}\.profile")


def is_profile_tag(tag: str) -> bool:
    """Whether ``tag`` names a pushed start-up profile (:func:`profile_tag`), not an image."""
    return _PROFILE_TAG.fullmatch(tag) is not None


def profile_tag(manifest_digest: Digest | str) -> str:
    """The tag a profile of ``manifest_digest`` is pushed under: ``sha256-<hex>.profile``."""
    d = Digest.parse(manifest_digest)
    return f"{d.algorithm}-{d.encoded}.profile"


async def push_profile(
    registry: RegistryClient,
    repository: str,
    profile: StartupProfile,
    subject: Descriptor,
) -> Digest:
    """Push ``profile`` as an artifact about the image ``subject`` (tagged
    :func:`profile_tag` of the subject); returns the artifact manifest digest."""
    body = profile.to_text()
    empty = b"{}"
    empty_digest = Digest.of_bytes(empty)
    await registry.push_blob(repository, empty, digest=empty_digest)
    body_digest = Digest.of_bytes(body)
    await registry.push_blob(repository, body, digest=body_digest)
    manifest = Manifest.build(
        Descriptor(OCI_EMPTY, empty_digest, len(empty)),
        [
            Descriptor(
                PROFILE_MEDIA_TYPE,
                body_digest,
                len(body),
                annotations={"org.opencontainers.image.title": "startup-profile.txt"},
            )
        ],
        artifact_type=PROFILE_ARTIFACT_TYPE,
        subject=Descriptor(subject.media_type, subject.digest, subject.size),
        annotations={"org.opencontainers.image.created": profile.recorded_at},
    )
    return await registry.put_manifest(repository, manifest, profile_tag(subject.digest))


async def fetch_profile(
    registry: RegistryClient, repository: str, manifest_digest: Digest | str
) -> StartupProfile | None:
    """The profile pushed for ``manifest_digest``, or ``None`` when there is none."""
    try:
        found = await registry.get_manifest(repository, profile_tag(manifest_digest))
    except NotFound:
        return None
    if not isinstance(found, Manifest) or found.artifact_type != PROFILE_ARTIFACT_TYPE:
        raise ManifestError(f"{profile_tag(manifest_digest)} is not a start-up profile")
    layers = [d for d in found.layers if d.media_type == PROFILE_MEDIA_TYPE]
    if len(layers) != 1:
        raise ManifestError("a start-up profile artifact must hold exactly one profile")
    data = await registry.get_blob(repository, layers[0].digest, max_size=_MAX_PROFILE)
    return StartupProfile.from_text(data)


def save_cached_profile(
    cache: ContentCache, manifest_digest: Digest | str, profile: StartupProfile
) -> None:
    """Keep ``profile`` in the local cache under ``manifest_digest`` (atomic). Blocking."""
    atomic_write(
        cache.profile_path(manifest_digest),
        json.dumps(profile.as_dict(), indent=1).encode(),
    )


def load_cached_profile(
    cache: ContentCache, manifest_digest: Digest | str
) -> StartupProfile | None:
    """The cached profile of ``manifest_digest``, or ``None``. Blocking."""
    path = cache.profile_path(manifest_digest)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cached profile {path} is unreadable: {exc}") from exc
    size = data.get("size", 0)
    return StartupProfile(
        tuple(data.get("paths", ())),
        data.get("image", ""),
        data.get("source", ""),
        data.get("recorded_at", ""),
        size if isinstance(size, int) and size >= 0 else 0,
    )
