"""import_rootfs / fcaccel import: directory or tarball → layered OCI image."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import pytest
import zstandard

from core.errors import InvalidInput, UnsafeContent
from core.oci import (
    OCI_LAYER,
    OCI_LAYER_GZIP,
    OCI_LAYER_ZSTD,
    Compression,
    Digest,
    ImageConfig,
    Manifest,
    OCILayout,
)
from core.registry import ImportOptions, RegistryClient, import_rootfs
from tests.fixtures.images import random_bytes
from tests.fixtures.registry import RunningRegistry


def make_tree(root: Path) -> Path:
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "hello.txt").write_text("hello\n")
    (root / "usr" / "lib" / "deep").mkdir(parents=True)
    (root / "usr" / "lib" / "deep" / "big.bin").write_bytes(random_bytes(300_000, seed=1))
    (root / "usr" / "lib" / "small.txt").write_text("x" * 5000)
    (root / "usr" / "bin").mkdir()
    (root / "usr" / "bin" / "tool").write_bytes(b"#!/bin/sh\n")
    (root / "usr" / "bin" / "tool").chmod(0o755)
    os.link(root / "usr" / "bin" / "tool", root / "usr" / "bin" / "tool-link")
    (root / "app").mkdir()
    (root / "app" / "server.py").write_text("print('hi')\n")
    os.symlink("../etc/hello.txt", root / "app" / "hello")
    return root


def layer_tar(layout: OCILayout, digest: Digest, media_type: str) -> bytes:
    blob = layout.read_blob(digest)
    if media_type == OCI_LAYER_GZIP:
        return gzip.decompress(blob)
    if media_type == OCI_LAYER_ZSTD:
        return zstandard.ZstdDecompressor().decompressobj().decompress(blob)
    return blob


def read_image(path: Path, tag: str) -> tuple[OCILayout, Manifest, ImageConfig]:
    layout = OCILayout.open(path)
    manifest = layout.get_manifest(layout.resolve(tag))
    assert isinstance(manifest, Manifest)
    config = ImageConfig.parse(layout.read_blob(manifest.config.digest))
    return layout, manifest, config


def names(tar_bytes: bytes) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        return {m.name: m for m in tar.getmembers()}


@pytest.mark.parametrize("compression", list(Compression))
async def test_directory_import_is_correct_and_reproducible(
    tmp_path: Path, compression: Compression
) -> None:
    tree = make_tree(tmp_path / "rootfs")
    opts = ImportOptions(
        compression=compression,
        split_paths=("usr/lib",),
        timestamp=1_700_000_000,
        entrypoint=["/app/server.py"],
        cmd=["--port", "9000"],
        env=["A=1"],
        working_dir="/app",
        exposed_ports=["9000"],
        labels={"k": "v"},
    )
    first = await import_rootfs(tree, f"oci:{tmp_path / 'out'}:v1", options=opts)
    second = await import_rootfs(tree, f"oci:{tmp_path / 'out2'}:v1", options=opts)
    assert first.digest == second.digest
    layout, manifest, config = read_image(tmp_path / "out", "v1")
    assert manifest.digest == first.digest
    assert len(manifest.layers) == 2
    assert config.diff_ids == tuple(layer.diff_id for layer in first.layers)
    assert len(config.history) == 2
    assert config.created == "2023-11-14T22:13:20Z"
    assert config.entrypoint == ("/app/server.py",)
    assert config.cmd == ("--port", "9000")
    assert config.env == ("A=1",)
    assert config.working_dir == "/app"
    assert config.exposed_ports == ("9000/tcp",)
    assert config.labels == {"k": "v"}
    media = {Compression.GZIP: OCI_LAYER_GZIP, Compression.ZSTD: OCI_LAYER_ZSTD}.get(
        compression, OCI_LAYER
    )
    base_tar = layer_tar(layout, manifest.layers[0].digest, media)
    lib_tar = layer_tar(layout, manifest.layers[1].digest, media)
    assert Digest.of_bytes(base_tar) == config.diff_ids[0]
    assert Digest.of_bytes(lib_tar) == config.diff_ids[1]
    base, lib = names(base_tar), names(lib_tar)
    assert "usr/lib/deep/big.bin" in lib
    assert "usr/lib/deep/big.bin" not in base
    assert {"usr", "usr/lib"} <= set(lib)  # parents come along
    assert base["usr/bin/tool-link"].islnk()
    assert base["usr/bin/tool-link"].linkname == "usr/bin/tool"
    assert base["app/hello"].issym()
    assert base["usr/bin/tool"].mode & 0o111
    assert {m.mtime for m in (*base.values(), *lib.values())} == {1_700_000_000}
    assert [p for p in (tmp_path / "out").rglob(".*")] == []


async def test_size_split_and_tarball_source(tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "rootfs")
    tarball = tmp_path / "rootfs.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:
        tar.add(tree, arcname=".")
    result = await import_rootfs(
        tarball,
        f"oci:{tmp_path / 'out'}:t",
        options=ImportOptions(max_layer_size=100_000, timestamp=0),
    )
    assert len(result.layers) >= 2
    layout, manifest, config = read_image(tmp_path / "out", "t")
    all_names: set[str] = set()
    for desc in manifest.layers:
        all_names |= set(names(layer_tar(layout, desc.digest, desc.media_type)))
    assert "usr/lib/deep/big.bin" in all_names
    assert "etc/hello.txt" in all_names
    assert config.created == "1970-01-01T00:00:00Z"


async def test_source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = make_tree(tmp_path / "rootfs")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    result = await import_rootfs(tree, f"oci:{tmp_path / 'out'}")
    assert result.config.created == "1970-01-02T00:00:00Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(InvalidInput):
        await import_rootfs(tree, f"oci:{tmp_path / 'out'}")


async def test_unsafe_tarball_entry_writes_nothing(tmp_path: Path) -> None:
    tarball = tmp_path / "evil.tar"
    with tarfile.open(tarball, "w") as tar:
        info = tarfile.TarInfo("ok.txt")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"ok"))
        info = tarfile.TarInfo("../../escape")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    out = tmp_path / "out"
    with pytest.raises(UnsafeContent) as exc:
        await import_rootfs(tarball, f"oci:{out}:v1")
    assert exc.value.entry == "../../escape"
    layout = OCILayout.open(out)
    assert layout.tags() == []
    assert list(layout.blobs()) == []
    assert [p for p in out.rglob(".*")] == []


async def test_bad_sources(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        await import_rootfs(tmp_path / "missing", f"oci:{tmp_path / 'o'}")
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"this is not a tarball" * 100)
    with pytest.raises(InvalidInput):
        await import_rootfs(junk, f"oci:{tmp_path / 'o'}")
    with pytest.raises(InvalidInput):
        await import_rootfs(tmp_path, "docker://127.0.0.1:1/x:y")  # no client


@pytest.mark.integration
async def test_import_pushes_to_registry(
    basic_auth_registry: RunningRegistry, unique_repo: str, tmp_path: Path
) -> None:
    tree = make_tree(tmp_path / "rootfs")
    async with RegistryClient(
        basic_auth_registry.host, credentials=basic_auth_registry.credentials
    ) as reg:
        result = await import_rootfs(
            tree,
            f"docker://{basic_auth_registry.host}/{unique_repo}:v1",
            client=reg,
            options=ImportOptions(split_paths=("usr",), timestamp=0),
        )
        got = await reg.get_manifest(unique_repo, "v1")
        assert got.digest == result.digest
        assert isinstance(got, Manifest)
        for layer, desc in zip(result.layers, got.layers, strict=True):
            assert await reg.blob_size(unique_repo, desc.digest) == layer.size
        config = ImageConfig.parse(await reg.get_blob(unique_repo, got.config.digest))
        assert config.diff_ids == tuple(layer.diff_id for layer in result.layers)


async def test_fcaccel_import_cli(tmp_path: Path) -> None:
    import asyncio
    import json
    import subprocess
    import sys

    tree = make_tree(tmp_path / "rootfs")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "core.cli",
        "import",
        str(tree),
        f"oci:{tmp_path / 'out'}:cli",
        "--compression",
        "zstd",
        "--layer",
        "usr",
        "--timestamp",
        "0",
        "--entrypoint",
        '["/app/server.py"]',
        "--env",
        "MODE=test",
        "--expose",
        "9000",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    result = json.loads(out)
    _, manifest, config = read_image(tmp_path / "out", "cli")
    assert result["digest"] == str(manifest.digest)
    assert [layer["group"] for layer in result["layers"]] == ["/", "usr"]
    assert config.env == ("MODE=test",)
    assert {d.media_type for d in manifest.layers} == {OCI_LAYER_ZSTD}
    bad = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "core.cli",
        "import",
        str(tree),
        f"oci:{tmp_path / 'out'}:x",
        "--entrypoint",
        "not-json-list",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _, err = await bad.communicate()
    assert bad.returncode == 1
    assert b"--entrypoint must be a JSON list" in err
    assert b"Traceback" not in err


async def test_zstd_tarball_and_truncated_tarball(tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "rootfs")
    plain = tmp_path / "rootfs.tar"
    with tarfile.open(plain, "w") as tar:
        tar.add(tree, arcname=".")
    packed = tmp_path / "rootfs.tar.zst"
    packed.write_bytes(zstandard.ZstdCompressor().compress(plain.read_bytes()))
    from_zstd = await import_rootfs(
        packed, f"oci:{tmp_path / 'a'}:z", options=ImportOptions(timestamp=0)
    )
    from_plain = await import_rootfs(
        plain, f"oci:{tmp_path / 'b'}:p", options=ImportOptions(timestamp=0)
    )
    assert from_zstd.digest == from_plain.digest
    cut = tmp_path / "cut.tar.zst"
    cut.write_bytes(packed.read_bytes()[: packed.stat().st_size // 2])
    with pytest.raises(InvalidInput):
        await import_rootfs(cut, f"oci:{tmp_path / 'c'}:x")
    assert OCILayout.open(tmp_path / "c").tags() == []
