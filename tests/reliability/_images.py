"""Small images for the reliability suite, built in code from seeded random bytes."""

from __future__ import annotations

import gzip
import io
import random
import tarfile
from dataclasses import dataclass, field

import httpx

from core import RetryPolicy
from core.oci import OCI_LAYER_GZIP, Descriptor, Digest, ImageConfig, Manifest
from core.registry import RegistryClient

__all__ = [
    "FAST_RETRY",
    "BuiltImage",
    "build_image",
    "fast_client",
    "push_built",
    "tar_of",
]

#: Retries quick enough for tests (a real client waits longer between tries).
FAST_RETRY = RetryPolicy(max_attempts=6, base_delay=0.01, max_delay=0.05, max_total=30.0)


def fast_client(url: str, *, timeout: float = 2.0, **kwargs: object) -> RegistryClient:
    """A registry client with short timeouts and fast, bounded retries."""
    kwargs.setdefault("retry", FAST_RETRY)
    return RegistryClient(url, timeout=httpx.Timeout(timeout), **kwargs)  # type: ignore[arg-type]


def tar_of(files: dict[str, bytes], *, mode: int = 0o644) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        dirs: set[str] = set()
        for name in sorted(files):
            parts = name.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                d = "/".join(parts[:i])
                if d not in dirs:
                    dirs.add(d)
                    info = tarfile.TarInfo(d)
                    info.type = tarfile.DIRTYPE
                    info.mode = 0o755
                    info.mtime = 1_700_000_000
                    tar.addfile(info)
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            info.mode = mode
            info.mtime = 1_700_000_000
            tar.addfile(info, io.BytesIO(files[name]))
    return buf.getvalue()


@dataclass
class BuiltImage:
    manifest: Manifest
    config: ImageConfig
    layers: list[bytes]
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def blobs(self) -> dict[Digest, bytes]:
        out = {Digest.of_bytes(b): b for b in self.layers}
        out[self.config.digest] = self.config.raw
        return out


def build_image(
    seed: int, *, layers: int = 2, files_per_layer: int = 3, file_size: int = 400_000
) -> BuiltImage:
    """An image of ``layers`` gzip layers of random (incompressible) files."""
    rng = random.Random(seed)
    blobs: list[bytes] = []
    diff_ids: list[Digest] = []
    descriptors: list[Descriptor] = []
    all_files: dict[str, bytes] = {}
    for i in range(layers):
        files = {
            f"layer{i}/dir{j % 2}/file{j}.bin": rng.randbytes(file_size + rng.randrange(1000))
            for j in range(files_per_layer)
        }
        all_files.update(files)
        raw = tar_of(files)
        diff_ids.append(Digest.of_bytes(raw))
        blob = gzip.compress(raw, compresslevel=1, mtime=0)
        blobs.append(blob)
        descriptors.append(Descriptor(OCI_LAYER_GZIP, Digest.of_bytes(blob), len(blob)))
    config = ImageConfig.build(diff_ids=diff_ids, cmd=["/bin/true"])
    manifest = Manifest.build(config.descriptor(), descriptors)
    return BuiltImage(manifest, config, blobs, all_files)


async def push_built(client: RegistryClient, repository: str, image: BuiltImage, tag: str) -> None:
    for blob in image.layers:
        await client.push_blob(repository, blob, digest=Digest.of_bytes(blob))
    await client.push_blob(repository, image.config.raw, digest=image.config.digest)
    await client.put_manifest(repository, image.manifest, tag)
