"""The image converter against a real registry (Debian's docker-registry)."""

from __future__ import annotations

import asyncio

import pytest

from core._progress import Progress
from core.convert import (
    ANNOTATION_FORMAT,
    ANNOTATION_SOURCE_DIGEST,
    ANNOTATION_SOURCE_LAYER,
    ConvertOptions,
    ConvertStatus,
    Order,
    convert_image,
    load_profile,
)
from core.errors import ManifestNotFound, UnsafeContent
from core.formats import TOC, EntryType, FormatKind, read_file, read_toc, verify_chunk
from core.oci import ImageConfig, ImageReference, Index, Manifest
from core.registry import RegistryClient
from tests.core.convert.helpers import Entry, make_tar, push_image, sample_entries
from tests.fixtures.registry import RunningRegistry

CHUNK = 64 << 10


def fetcher(client: RegistryClient, repo: str, digest: str):  # type: ignore[no-untyped-def]
    async def fetch(start: int, end: int) -> bytes:
        return await client.get_blob_range(repo, digest, start, end - start)

    return fetch


async def verify_manifest(client: RegistryClient, repo: str, m: Manifest) -> list[TOC]:
    """Read every layer's TOC through Range requests and verify every file and chunk."""
    tocs = []
    for layer in m.layers:
        fetch = fetcher(client, repo, str(layer.digest))
        toc = await read_toc(fetch, layer.size, layer.annotations, require_verified=True)
        for e in toc.entries:
            if e.type is EntryType.REG and e.chunks:
                for c in e.chunks:
                    data = await fetch(c.compressed_offset, c.compressed_end)
                    verify_chunk(toc.kind, data, c, name=e.name)
                await read_file(fetch, toc, e.name)
        tocs.append(toc)
    return tocs


@pytest.fixture
async def client(distribution_registry: RunningRegistry):  # type: ignore[no-untyped-def]
    async with RegistryClient(distribution_registry.host) as c:
        yield c


async def test_convert_single_platform(
    client: RegistryClient, distribution_registry: RunningRegistry, unique_repo: str
) -> None:
    tars = [
        make_tar(sample_entries(1)),
        make_tar([Entry("app/", type=b"5"), Entry("app/x", b"x" * 5000)]),
    ]
    src_m = await push_image(client, unique_repo, "v1", tars)
    src = ImageReference.parse(distribution_registry.ref(unique_repo, "v1"))
    events: list[Progress] = []
    res = await convert_image(
        client, src, options=ConvertOptions(chunk_size=CHUNK), on_progress=events.append
    )
    assert res.status is ConvertStatus.CONVERTED
    assert res.target.endswith(f"{unique_repo}:v1_accelerated")
    m = await client.get_manifest(unique_repo, "v1_accelerated")
    assert isinstance(m, Manifest)
    assert str(m.digest) == res.digest
    assert m.media_type == "application/vnd.oci.image.manifest.v1+json"
    ann = m.annotations or {}
    assert ann[ANNOTATION_FORMAT] == "zstd:chunked"
    assert ann[ANNOTATION_SOURCE_DIGEST] == str(src_m.digest)
    assert [layer.annotations[ANNOTATION_SOURCE_LAYER] for layer in m.layers] == [  # type: ignore[index]
        str(d.digest) for d in src_m.layers
    ]
    # preserve: the config (and its diff_ids) is untouched
    assert m.config.digest == src_m.config.digest
    tocs = await verify_manifest(client, unique_repo, m)
    assert all(t.kind is FormatKind.ZSTD_CHUNKED for t in tocs)
    phases = {e.phase for e in events}
    assert {"convert", "image"} <= phases
    last_image = [e for e in events if e.phase == "image"][-1]
    assert last_image.done == last_image.total
    assert last_image.extra["bytes_out"] == res.bytes_out

    # re-running is idempotent and cheap
    again = await convert_image(client, src, options=ConvertOptions(chunk_size=CHUNK))
    assert again.status is ConvertStatus.UP_TO_DATE
    assert again.digest == res.digest
    # same input and options elsewhere → same digests (deterministic)
    other = await convert_image(client, src, src.with_tag("copy"), ConvertOptions(chunk_size=CHUNK))
    assert other.status is ConvertStatus.CONVERTED
    assert other.digest == res.digest
    assert all(layer.pushed == "exists" for layer in other.images[0].layers)
    # an accelerated source is detected
    acc = await convert_image(client, src.with_tag("v1_accelerated"))
    assert acc.status is ConvertStatus.ALREADY_ACCELERATED


async def test_docker_index_to_estargz_optimized(
    client: RegistryClient, distribution_registry: RunningRegistry, unique_repo: str, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    descs = []
    for arch in ("amd64", "arm64"):
        m = await push_image(
            client, unique_repo, arch, [make_tar(sample_entries(2))], docker=True, arch=arch
        )
        descs.append(m)
    from core.oci import Descriptor, Platform

    index = Index.build(
        [
            Descriptor(m.media_type, m.digest, m.size, platform=Platform("linux", a))
            for m, a in zip(descs, ("amd64", "arm64"), strict=True)
        ],
        media_type="application/vnd.docker.distribution.manifest.list.v2+json",
    )
    await client.put_manifest(unique_repo, index, "multi")
    profile = tmp_path / "profile.ndjson"
    profile.write_text(
        '{"path":"usr/bin/app","manifestDigest":"sha256:x","layerIndex":0}\n{"path":"etc/hello.txt"}\n'
    )
    opts = ConvertOptions(
        format=FormatKind.ESTARGZ,
        order=Order.OPTIMIZED,
        profile=load_profile(profile),
        chunk_size=CHUNK,
    )
    src = ImageReference.parse(distribution_registry.ref(unique_repo, "multi"))
    res = await convert_image(client, src, options=opts)
    assert res.status is ConvertStatus.CONVERTED
    assert len(res.images) == 2
    out = await client.get_manifest(unique_repo, "multi_accelerated")
    assert isinstance(out, Index)
    assert out.media_type == "application/vnd.oci.image.index.v1+json"
    assert [str(d.platform) for d in out.manifests] == ["linux/amd64", "linux/arm64"]
    for d in out.manifests:
        platform_manifest = await client.get_manifest(unique_repo, d.digest)
        assert isinstance(platform_manifest, Manifest)
        m = platform_manifest
        assert m.media_type == "application/vnd.oci.image.manifest.v1+json"
        assert m.config.media_type == "application/vnd.oci.image.config.v1+json"
        assert all(layer.media_type.endswith("tar+gzip") for layer in m.layers)
        cfg = ImageConfig.parse(await client.get_blob(unique_repo, m.config.digest))
        tocs = await verify_manifest(client, unique_repo, m)
        assert tocs[0].prefetch_end is not None
        # optimized eStargz rewrites diff_ids to the new uncompressed streams
        layer_blob = await client.get_blob(unique_repo, m.layers[0].digest)
        import gzip
        import hashlib

        assert (
            str(cfg.diff_ids[0])
            == "sha256:" + hashlib.sha256(gzip.decompress(layer_blob)).hexdigest()
        )


async def test_bad_layer_pushes_no_tag(
    client: RegistryClient, distribution_registry: RunningRegistry, unique_repo: str
) -> None:
    good = make_tar(sample_entries(3))
    evil = make_tar(
        [Entry("etc/", type=b"5"), Entry("etc/passwd", type=b"1", link="../../etc/shadow")]
    )
    src_m = await push_image(client, unique_repo, "v1", [good, evil])
    src = ImageReference.parse(distribution_registry.ref(unique_repo, "v1"))
    with pytest.raises(UnsafeContent) as info:
        await convert_image(client, src, options=ConvertOptions(chunk_size=CHUNK))
    assert str(src_m.layers[1].digest) in str(info.value)
    assert "etc/passwd" in str(info.value)
    with pytest.raises(ManifestNotFound):
        await client.get_manifest(unique_repo, "v1_accelerated")


async def test_cancel_leaves_no_tag(
    client: RegistryClient, distribution_registry: RunningRegistry, unique_repo: str, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    import os

    tars = [make_tar([Entry("big", os.urandom(8 << 20))]) for _ in range(2)]
    await push_image(client, unique_repo, "v1", tars)
    src = ImageReference.parse(distribution_registry.ref(unique_repo, "v1"))
    started = asyncio.Event()

    def on_progress(p: Progress) -> None:
        if p.phase == "convert":
            started.set()

    task = asyncio.create_task(
        convert_image(
            client,
            src,
            options=ConvertOptions(chunk_size=CHUNK, spool_dir=str(tmp_path)),
            on_progress=on_progress,
        )
    )
    await asyncio.wait_for(started.wait(), 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    with pytest.raises(ManifestNotFound):
        await client.get_manifest(unique_repo, "v1_accelerated")
    assert list(tmp_path.iterdir()) == []  # spool files removed


async def test_wrong_diff_id_is_refused(
    client: RegistryClient, distribution_registry: RunningRegistry, unique_repo: str
) -> None:
    from core.errors import ConvertError
    from core.oci import Descriptor, Digest

    tar = make_tar(sample_entries(5))
    good = await push_image(client, unique_repo, "v1", [tar], push_tag=False)
    config = ImageConfig.build(diff_ids=[Digest.of_bytes(b"not the layer")])
    await client.push_blob(unique_repo, config.raw, digest=config.digest)
    bad = Manifest.build(Descriptor(config.media_type, config.digest, config.size), good.layers)
    await client.put_manifest(unique_repo, bad, "lying")
    src = ImageReference.parse(distribution_registry.ref(unique_repo, "lying"))
    with pytest.raises(ConvertError, match="diff_id"):
        await convert_image(client, src, options=ConvertOptions(chunk_size=CHUNK))
    with pytest.raises(ManifestNotFound):
        await client.get_manifest(unique_repo, "lying_accelerated")
