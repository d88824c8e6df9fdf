"""Real third-party readers: Debian's podman 4.3.1 (partial pull) and ctr-remote 0.12."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.convert import ConvertOptions, ConvertStatus, convert_image
from core.formats import ANNOTATION_TOC_DIGEST, FormatKind
from core.oci import ImageReference, Manifest
from core.registry import RegistryClient
from tests.core.convert.helpers import make_tar, push_image, sample_entries
from tests.fixtures.registry import RunningRegistry

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, **kw)  # type: ignore[call-overload, no-any-return]


@pytest.mark.parametrize("kind", [FormatKind.ZSTD_CHUNKED, FormatKind.ESTARGZ])
async def test_podman_partially_pulls_fcdesk_layers(
    distribution_registry: RunningRegistry, unique_repo: str, tmp_path: Path, kind: FormatKind
) -> None:
    entries = sample_entries(7)
    tar = make_tar(entries)
    async with RegistryClient(distribution_registry.host) as client:
        await push_image(client, unique_repo, "v1", [tar])
        src = ImageReference.parse(distribution_registry.ref(unique_repo, "v1"))
        res = await convert_image(
            client, src, options=ConvertOptions(format=kind, chunk_size=64 << 10)
        )
    assert res.status is ConvertStatus.CONVERTED
    layer_digest = res.images[0].layers[0].digest
    root, run = tmp_path / "root", tmp_path / "run"
    conf = tmp_path / "storage.conf"
    conf.write_text(
        f"""[storage]
driver = "overlay"
graphroot = "{root}"
runroot = "{run}"
[storage.options]
pull_options = {{enable_partial_images = "true", use_hard_links = "false", ostree_repos = ""}}
"""
    )
    env = {**os.environ, "CONTAINERS_STORAGE_CONF": str(conf)}
    try:
        proc = await asyncio.to_thread(
            _run,
            ["podman", "--log-level=debug", "pull", "--tls-verify=false", res.target],
            env=env,
        )
        log = proc.stdout + proc.stderr
        # podman falls back to a full pull silently: the debug log is the evidence
        assert f"Retrieved partial blob {layer_digest}" in log, log[-4000:]
        assert "Failed to retrieve partial blob" not in log
        diff = root / "overlay" / layer_digest.split(":")[1] / "diff"
        for e in entries:
            if e.data is not None and e.type == b"0":
                name = e.name
                assert (diff / name).read_bytes() == e.data, name
        assert (diff / "etc" / "hard").read_bytes() == b"hello world\n"
        assert os.readlink(diff / "etc" / "link") == "hello.txt"
    finally:
        # the storage lives under tmp_path only; nothing is mounted after a pull
        await asyncio.to_thread(shutil.rmtree, root, True)
        await asyncio.to_thread(shutil.rmtree, run, True)


@contextlib.contextmanager
def _containerd() -> Iterator[str]:
    base = Path(tempfile.mkdtemp(prefix="fcdesk-ctd-"))
    sock = base / "containerd.sock"
    (base / "config.toml").write_text(
        f"""version = 2
root = "{base / "root"}"
state = "{base / "state"}"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "{sock}"
[ttrpc]
  address = "{base / "ttrpc.sock"}"
"""
    )
    log = open(base / "containerd.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        ["containerd", "--config", str(base / "config.toml")], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail((base / "containerd.log").read_text(errors="replace")[-3000:])
            if sock.exists() and _run(["ctr-remote", "-a", str(sock), "version"]).returncode == 0:
                break
            time.sleep(0.1)
        else:
            pytest.fail("containerd did not start")
        yield str(sock)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(base, ignore_errors=True)


async def test_ctr_remote_agrees_with_estargz_toc_digest(
    distribution_registry: RunningRegistry, unique_repo: str
) -> None:
    tar = make_tar(sample_entries(8))
    async with RegistryClient(distribution_registry.host) as client:
        await push_image(client, unique_repo, "v1", [tar, make_tar(sample_entries(9))])
        src = ImageReference.parse(distribution_registry.ref(unique_repo, "v1"))
        res = await convert_image(
            client, src, options=ConvertOptions(format=FormatKind.ESTARGZ, chunk_size=64 << 10)
        )
        m = await client.get_manifest(unique_repo, "v1_accelerated")
    assert isinstance(m, Manifest)
    with _containerd() as sock:
        fetched = await asyncio.to_thread(
            _run, ["ctr-remote", "-a", sock, "content", "fetch", "--plain-http", res.target]
        )
        assert fetched.returncode == 0, fetched.stderr
        for layer in m.layers:
            out = await asyncio.to_thread(
                _run, ["ctr-remote", "-a", sock, "images", "get-toc-digest", str(layer.digest)]
            )
            assert out.returncode == 0, out.stderr
            assert out.stdout.strip() == (layer.annotations or {})[ANNOTATION_TOC_DIGEST]
