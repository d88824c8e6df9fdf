"""Small tars and images for conversion tests (built in memory, pushed to a real registry)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import zstandard

from core.oci import Descriptor, Digest, ImageConfig, Manifest
from core.registry import RegistryClient

__all__ = ["Entry", "compress", "make_tar", "push_image", "sample_entries"]


@dataclass
class Entry:
    name: str
    data: bytes | None = None
    type: bytes = tarfile.REGTYPE
    link: str = ""
    mode: int = 0o644
    mtime: float = 1_700_000_000.25
    pax: dict[str, str] = field(default_factory=dict)
    devmajor: int = 0
    devminor: int = 0


def make_tar(entries: Iterable[Entry], *, fmt: int = tarfile.PAX_FORMAT) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for e in entries:
            ti = tarfile.TarInfo(e.name)
            ti.type = e.type
            ti.mode = e.mode
            ti.mtime = e.mtime
            ti.linkname = e.link
            ti.devmajor, ti.devminor = e.devmajor, e.devminor
            ti.pax_headers = dict(e.pax)
            if e.data is not None:
                ti.size = len(e.data)
            tf.addfile(ti, io.BytesIO(e.data) if e.data is not None else None)
    return buf.getvalue()


def sample_entries(seed: int = 1, big: int = 300_000) -> list[Entry]:
    rnd = hashlib.sha256(str(seed).encode()).digest()
    big_data = (rnd * (big // 32 + 1))[:big]
    noise = os.urandom(150_000)
    return [
        Entry("./", type=tarfile.DIRTYPE, mode=0o755),
        Entry("etc/", type=tarfile.DIRTYPE, mode=0o755),
        Entry("etc/hello.txt", b"hello world\n"),
        Entry("etc/big.bin", big_data + noise),
        Entry("etc/empty", b""),
        Entry("etc/link", type=tarfile.SYMTYPE, link="hello.txt"),
        Entry("etc/abs", type=tarfile.SYMTYPE, link="/etc/hello.txt"),
        Entry("etc/hard", type=tarfile.LNKTYPE, link="etc/hello.txt"),
        Entry("etc/fifo", type=tarfile.FIFOTYPE),
        Entry(
            "etc/xattr",
            b"x" * 10,
            pax={"SCHILY.xattr.user.test": "value", "mtime": "1700000000.123456789"},
        ),
        Entry("usr/", type=tarfile.DIRTYPE, mode=0o755),
        Entry("usr/bin/", type=tarfile.DIRTYPE, mode=0o755),
        Entry("usr/bin/app", b"#!/bin/sh\necho app\n" * 100, mode=0o755),
        Entry("usr/zeros", bytes(200_000)),
        Entry("usr/" + "long-name-" * 20 + "end", b"long\n"),
    ]


def compress(tar: bytes, kind: str) -> bytes:
    if kind == "gzip":
        return gzip.compress(tar, mtime=0)
    if kind == "zstd":
        return zstandard.ZstdCompressor(level=3).compress(tar)
    return tar


_MEDIA = {
    ("gzip", False): "application/vnd.oci.image.layer.v1.tar+gzip",
    ("zstd", False): "application/vnd.oci.image.layer.v1.tar+zstd",
    ("none", False): "application/vnd.oci.image.layer.v1.tar",
    ("gzip", True): "application/vnd.docker.image.rootfs.diff.tar.gzip",
    ("none", True): "application/vnd.docker.image.rootfs.diff.tar",
}


async def push_image(
    client: RegistryClient,
    repo: str,
    tag: str,
    tars: Sequence[bytes],
    *,
    compression: str = "gzip",
    docker: bool = False,
    arch: str = "amd64",
    push_tag: bool = True,
) -> Manifest:
    """Push a single-platform image made of ``tars`` and return its manifest."""
    layers = []
    for t in tars:
        blob = compress(t, compression)
        d = Digest.of_bytes(blob)
        await client.push_blob(repo, blob, digest=d)
        layers.append(Descriptor(_MEDIA[(compression, docker)], d, len(blob)))
    cfg_type = (
        "application/vnd.docker.container.image.v1+json"
        if docker
        else "application/vnd.oci.image.config.v1+json"
    )
    config = ImageConfig.build(
        diff_ids=[Digest.of_bytes(t) for t in tars],
        architecture=arch,
        cmd=["/usr/bin/app"],
        media_type=cfg_type,
    )
    await client.push_blob(repo, config.raw, digest=config.digest)
    manifest = Manifest.build(
        Descriptor(cfg_type, config.digest, config.size),
        layers,
        media_type=(
            "application/vnd.docker.distribution.manifest.v2+json"
            if docker
            else "application/vnd.oci.image.manifest.v1+json"
        ),
    )
    await client.put_manifest(repo, manifest, tag if push_tag else None)
    return manifest


def manifest_json(m: Manifest) -> dict[str, object]:
    return dict(json.loads(m.raw))
