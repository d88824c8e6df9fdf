"""Small test images built in code and pushed with the registry client."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass

import zstandard

from core.oci import (
    OCI_LAYER_GZIP,
    OCI_LAYER_ZSTD,
    Descriptor,
    Digest,
    ImageConfig,
    Manifest,
)
from core.registry import RegistryClient

Entry = tuple[tarfile.TarInfo, bytes]


def entry(name: str, kind: bytes = tarfile.REGTYPE, **kw: object) -> Entry:
    info = tarfile.TarInfo(name)
    info.type = kind
    data = kw.pop("data", b"")
    assert isinstance(data, bytes)
    info.mtime = 1_700_000_000
    info.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    for key, value in kw.items():
        setattr(info, key, value)
    if kind == tarfile.REGTYPE:
        info.size = len(data)
    return info, data


def tar_bytes(entries: Sequence[Entry]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in entries:
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return buf.getvalue()


@dataclass
class PushedImage:
    repository: str
    tag: str
    manifest: Manifest
    layers: list[bytes]

    def ref(self, host: str) -> str:
        return f"{host}/{self.repository}:{self.tag}"


async def push_image(
    client: RegistryClient,
    repository: str,
    layers: Sequence[Sequence[Entry]],
    *,
    tag: str = "latest",
    compression: str = "gzip",
    entrypoint: Sequence[str] | None = None,
) -> PushedImage:
    """Push an image whose layers hold ``layers`` (bottom first)."""
    descriptors = []
    blobs = []
    diff_ids = []
    for entries in layers:
        raw = tar_bytes(entries)
        diff_ids.append(Digest.of_bytes(raw))
        if compression == "gzip":
            blob, media_type = gzip.compress(raw, mtime=0), OCI_LAYER_GZIP
        else:
            blob, media_type = zstandard.ZstdCompressor().compress(raw), OCI_LAYER_ZSTD
        digest = Digest("sha256", hashlib.sha256(blob).hexdigest())
        await client.push_blob(repository, blob, digest=digest)
        descriptors.append(Descriptor(media_type, digest, len(blob)))
        blobs.append(blob)
    config = ImageConfig.build(diff_ids=diff_ids, entrypoint=entrypoint)
    await client.push_blob(repository, config.raw, digest=config.digest)
    manifest = Manifest.build(config.descriptor(), descriptors)
    await client.put_manifest(repository, manifest, tag)
    return PushedImage(repository, tag, manifest, blobs)
