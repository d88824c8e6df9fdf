"""copy_image / fcaccel copy between OCI layouts and docker-registry, and interop with skopeo."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import DigestMismatch, InvalidReference, ManifestError, ManifestNotFound
from core.oci import Index, Manifest, OCILayout, Platform
from core.registry import ImageLocation, RegistryClient, copy_image
from tests.fixtures.images import TestImage, TestIndex, push_image, write_layout
from tests.fixtures.registry import RunningRegistry

pytestmark = pytest.mark.integration

SKOPEO = shutil.which("skopeo") or "/usr/bin/skopeo"


def layout_files(path: Path) -> dict[str, bytes]:
    """Every blob of a layout by name (what "byte-identical" compares)."""
    return {
        p.name: p.read_bytes()
        for p in (path / "blobs" / "sha256").iterdir()
        if not p.name.startswith(".")
    }


def run_skopeo(*args: str) -> None:
    if not os.path.exists(SKOPEO):
        pytest.fail("skopeo is missing: install the skopeo Debian package (bash .ci/setup does)")
    proc = subprocess.run(
        [SKOPEO, "--insecure-policy", *args], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr


async def fcaccel(*args: str) -> dict[str, object]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "core.cli",
        *args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    result: dict[str, object] = json.loads(out)
    return result


def test_location_parsing() -> None:
    loc = ImageLocation.parse("oci:/tmp/x/y:v1")
    assert (loc.kind, loc.path, loc.tag) == ("layout", Path("/tmp/x/y"), "v1")
    assert ImageLocation.parse("oci:rel/dir").tag is None
    assert ImageLocation.parse("oci:./a:b/c").path == Path("./a:b/c")
    reg = ImageLocation.parse("docker://127.0.0.1:5000/a/b:t")
    assert reg.reference is not None
    assert (reg.reference.registry, reg.reference.repository, reg.tag_or_none) == (
        "127.0.0.1:5000",
        "a/b",
        "t",
    )
    assert ImageLocation.parse("ubuntu").reference is not None
    assert str(ImageLocation.parse("oci:p:t")) == "oci:p:t"
    for bad in ("oci:", "oci:p:-bad", "s3://x/y", "docker://UP/Case:x y"):
        with pytest.raises(InvalidReference):
            ImageLocation.parse(bad)


async def test_layout_to_registry_to_layout_round_trip(
    distribution_registry: RunningRegistry, small_image: TestImage, unique_repo: str, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    write_layout(small_image, src, "v1")
    async with RegistryClient(distribution_registry.host) as reg:
        dest = f"docker://{distribution_registry.host}/{unique_repo}:v1"
        first = await copy_image(f"oci:{src}:v1", dest, destination_client=reg)
        assert first.digest == small_image.digest
        assert first.blobs_copied == 4
        again = await copy_image(f"oci:{src}:v1", dest, destination_client=reg)
        assert (again.blobs_copied, again.blobs_skipped) == (0, 4)
        out = tmp_path / "out"
        back = await copy_image(dest, f"oci:{out}:v1", source_client=reg)
        assert back.digest == small_image.digest
        # same registry, other repository: blobs are mounted, not copied
        mirror = await copy_image(
            dest,
            f"docker://{distribution_registry.host}/{unique_repo}-mirror:m",
            source_client=reg,
            destination_client=reg,
        )
        assert mirror.blobs_mounted == 4
        assert mirror.bytes_copied == 0
    assert layout_files(out) == layout_files(src)
    assert OCILayout.open(out).resolve("v1").digest == small_image.digest


async def test_fcaccel_copy_then_skopeo_copy_back_is_byte_identical(
    distribution_registry: RunningRegistry, small_image: TestImage, unique_repo: str, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    write_layout(small_image, src, "v1")
    ref = f"{distribution_registry.host}/{unique_repo}:v1"
    result = await fcaccel("copy", f"oci:{src}:v1", f"docker://{ref}")
    assert result["digest"] == str(small_image.digest)
    out = tmp_path / "skopeo-out"
    await asyncio.to_thread(
        run_skopeo,
        "copy",
        "--preserve-digests",
        "--dest-oci-accept-uncompressed-layers",
        "--src-tls-verify=false",
        f"docker://{ref}",
        f"oci:{out}:v1",
    )
    assert layout_files(out) == layout_files(src)
    assert OCILayout.open(out).resolve("v1").digest == small_image.digest


async def test_image_written_by_skopeo_is_read_by_fcdesk(
    distribution_registry: RunningRegistry, small_image: TestImage, unique_repo: str, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    write_layout(small_image, src, "v1")
    ref = f"{distribution_registry.host}/{unique_repo}:v1"
    await asyncio.to_thread(
        run_skopeo, "copy", "--dest-tls-verify=false", f"oci:{src}:v1", f"docker://{ref}"
    )
    async with RegistryClient(distribution_registry.host) as reg:
        got = await reg.get_manifest(unique_repo, "v1")
        assert isinstance(got, Manifest)
        for desc in got.blobs:
            assert await reg.get_blob(unique_repo, desc.digest) == small_image.blobs[desc.digest]
        out = tmp_path / "fc-out"
        await copy_image(f"docker://{ref}", f"oci:{out}:v1", source_client=reg)
    assert layout_files(out) == {
        **layout_files(src),
        got.digest.hex: got.raw,
    }


async def test_multiarch_index_all_platforms_and_filtered(
    distribution_registry: RunningRegistry,
    multiarch_index: TestIndex,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    src = tmp_path / "src"
    write_layout(multiarch_index, src, "multi")
    ref = f"{distribution_registry.host}/{unique_repo}:multi"
    async with RegistryClient(distribution_registry.host) as reg:
        result = await copy_image(f"oci:{src}:multi", f"docker://{ref}", destination_client=reg)
        assert result.digest == multiarch_index.digest
        assert result.manifests == 3
        assert sorted(result.platforms) == ["linux/amd64", "linux/arm64/v8"]
        top = await reg.get_manifest(unique_repo, "multi")
        assert isinstance(top, Index)
        for img in multiarch_index.images:
            child = await reg.get_manifest(unique_repo, img.digest)
            assert child.raw == img.manifest.raw
        # skopeo --all copies the whole index back out, byte-identical
        out = tmp_path / "skopeo-all"
        await asyncio.to_thread(
            run_skopeo,
            "copy",
            "--all",
            "--preserve-digests",
            "--src-tls-verify=false",
            f"docker://{ref}",
            f"oci:{out}:multi",
        )
        assert layout_files(out) == layout_files(src)
        # one platform only: the destination gets that image's manifest itself
        arm = tmp_path / "arm"
        one = await copy_image(
            f"docker://{ref}",
            f"oci:{arm}:a",
            source_client=reg,
            platforms=[Platform.parse("linux/arm64")],
        )
        assert one.digest == multiarch_index.images[1].digest
        with pytest.raises(ManifestError):
            await copy_image(
                f"docker://{ref}",
                f"oci:{arm}:b",
                source_client=reg,
                platforms=[Platform.parse("linux/s390x")],
            )
    assert OCILayout.open(arm).tags() == ["a"]


async def test_corrupt_source_blob_leaves_no_tag(
    distribution_registry: RunningRegistry, small_image: TestImage, unique_repo: str, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    layout = write_layout(small_image, src, "v1")
    victim = small_image.layers[1].descriptor.digest
    path = layout.blob_path(victim)
    path.write_bytes(path.read_bytes()[:-3] + b"bad")
    async with RegistryClient(distribution_registry.host) as reg:
        with pytest.raises(DigestMismatch):
            await copy_image(
                f"oci:{src}:v1",
                f"docker://{distribution_registry.host}/{unique_repo}:v1",
                destination_client=reg,
            )
        assert await reg.head_manifest(unique_repo, "v1") is None
        assert await reg.blob_size(unique_repo, victim) is None
        with pytest.raises(DigestMismatch):
            await copy_image(f"oci:{src}:v1", f"oci:{tmp_path / 'dst'}:v1")
    dst = OCILayout.open(tmp_path / "dst")
    assert dst.tags() == []
    assert not dst.has_blob(victim)


async def test_copy_from_basic_auth_registry_with_the_cli(
    basic_auth_registry: RunningRegistry, small_image: TestImage, unique_repo: str, tmp_path: Path
) -> None:
    assert basic_auth_registry.credentials is not None
    user, password = basic_auth_registry.credentials
    async with RegistryClient(basic_auth_registry.host, credentials=(user, password)) as reg:
        await push_image(reg, unique_repo, small_image, "v1")
    out = tmp_path / "out"
    result = await fcaccel(
        "copy",
        "--src-creds",
        f"{user}:{password}",
        f"docker://{basic_auth_registry.host}/{unique_repo}:v1",
        f"oci:{out}:v1",
    )
    assert result["digest"] == str(small_image.digest)
    assert OCILayout.open(out).resolve("v1").digest == small_image.digest


async def test_missing_tag_in_layout(tmp_path: Path, small_image: TestImage) -> None:
    write_layout(small_image, tmp_path / "src", "v1")
    with pytest.raises(ManifestNotFound):
        await copy_image(f"oci:{tmp_path / 'src'}:nope", f"oci:{tmp_path / 'dst'}")


async def test_registry_to_registry_across_registries(
    distribution_registry: RunningRegistry,
    basic_auth_registry: RunningRegistry,
    multiarch_index: TestIndex,
    unique_repo: str,
) -> None:
    async with (
        RegistryClient(distribution_registry.host) as src,
        RegistryClient(
            basic_auth_registry.host,
            credentials=basic_auth_registry.credentials,
            upload_chunk_size=16 * 1024,  # several PATCH chunks per blob
        ) as dst,
    ):
        await push_image(src, unique_repo, multiarch_index, "m")
        events: list[str] = []
        result = await copy_image(
            f"docker://{distribution_registry.host}/{unique_repo}:m",
            f"docker://{basic_auth_registry.host}/{unique_repo}:m",
            source_client=src,
            destination_client=dst,
            on_progress=lambda p: events.append(p.phase),
        )
        assert result.digest == multiarch_index.digest
        assert result.blobs_copied == len(multiarch_index.blobs)
        assert "copy" in events
        got = await dst.get_manifest(unique_repo, "m")
        assert got.raw == multiarch_index.index.raw
        for digest, data in multiarch_index.blobs.items():
            assert await dst.get_blob(unique_repo, digest) == data
        again = await copy_image(
            f"docker://{distribution_registry.host}/{unique_repo}:m",
            f"docker://{basic_auth_registry.host}/{unique_repo}:m",
            source_client=src,
            destination_client=dst,
        )
        assert again.blobs_skipped == len(multiarch_index.blobs)
