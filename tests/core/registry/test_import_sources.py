"""``fcaccel import`` with several sources (each the next layers, in order) and its progress.

Oracles: the sources are made with GNU tar, the image is unpacked with umoci (OCI's own
reference unpacker), which applies the layers in order: what a later source puts at a path
wins, a later whiteout removes what an earlier one had."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from core._progress import Progress
from core.errors import InvalidInput
from core.oci import ImageConfig
from core.registry import ImportOptions, import_rootfs
from tests.fixtures.images import random_bytes

ROOT = Path(__file__).resolve().parents[3]


def _sources(tmp: Path) -> tuple[Path, Path]:
    base = tmp / "base"
    (base / "etc").mkdir(parents=True)
    (base / "etc" / "os-release").write_text("ID=debian\n")
    (base / "etc" / "motd").write_text("old\n")
    (base / "usr" / "lib").mkdir(parents=True)
    (base / "usr" / "lib" / "big.bin").write_bytes(random_bytes(3_000_000, seed=7))
    (base / "var" / "cache").mkdir(parents=True)
    (base / "var" / "cache" / "junk").write_text("junk\n")
    tarball = tmp / "base.tar.gz"
    subprocess.run(["tar", "-C", str(base), "-czf", str(tarball), "."], check=True)
    app = tmp / "app"
    (app / "app").mkdir(parents=True)
    (app / "app" / "server.py").write_text("print('serving')\n")
    (app / "etc").mkdir()
    (app / "etc" / "motd").write_text("new\n")
    (app / "var" / "cache").mkdir(parents=True)
    (app / "var" / "cache" / ".wh.junk").write_text("")  # removes the base layer's file
    return tarball, app


def _unpack(layout: Path, tag: str, dest: Path) -> Path:
    subprocess.run(
        ["umoci", "raw", "unpack", "--rootless", "--image", f"{layout}:{tag}", str(dest)],
        check=True,
        capture_output=True,
    )
    return dest


async def test_each_source_is_the_next_layer(tmp_path: Path) -> None:
    tarball, app = _sources(tmp_path)
    events: list[Progress] = []
    result = await import_rootfs(
        [tarball, app],
        f"oci:{tmp_path / 'out'}:v1",
        options=ImportOptions(timestamp=0, entrypoint=["/usr/bin/python3", "/app/server.py"]),
        on_progress=events.append,
    )
    assert [layer.source for layer in result.layers] == [str(tarball), str(app)]
    config = ImageConfig.parse(
        (tmp_path / "out" / "blobs" / "sha256")
        .joinpath(str(result.manifest.config.digest).split(":")[1])
        .read_bytes()
    )
    assert len(config.diff_ids) == 2
    history = [h.created_by for h in config.history]
    assert "base.tar.gz: base" in (history[0] or "")
    assert "app: base" in (history[1] or "")

    rootfs = await asyncio.to_thread(_unpack, tmp_path / "out", "v1", tmp_path / "rootfs")
    assert (rootfs / "etc" / "os-release").read_text() == "ID=debian\n"
    assert (rootfs / "etc" / "motd").read_text() == "new\n"  # the later layer wins
    assert not (rootfs / "var" / "cache" / "junk").exists()  # whiteout applied
    assert (rootfs / "app" / "server.py").exists()
    assert (rootfs / "usr" / "lib" / "big.bin").stat().st_size == 3_000_000

    reads = [e for e in events if e.phase == "import"]
    total = tarball.stat().st_size + sum(p.stat().st_size for p in app.rglob("*") if p.is_file())
    assert reads
    assert all(e.total == total for e in reads)
    assert [e.done for e in reads] == sorted(e.done for e in reads)  # never goes back
    assert reads[-1].done == total
    assert {e.extra["source"] for e in reads} == {0, 1}
    assert reads[-1].extra["sources"] == 2


async def test_split_paths_apply_within_each_source(tmp_path: Path) -> None:
    tarball, app = _sources(tmp_path)
    result = await import_rootfs(
        [tarball, app],
        f"oci:{tmp_path / 'out'}:v1",
        options=ImportOptions(timestamp=0, split_paths=("usr/lib", "app")),
    )
    assert [(layer.source, layer.group) for layer in result.layers] == [
        (str(tarball), ""),
        (str(tarball), "usr/lib"),
        (str(app), ""),
        (str(app), "app"),
    ]


async def test_a_missing_source_writes_nothing(tmp_path: Path) -> None:
    tarball, _ = _sources(tmp_path)
    with pytest.raises(InvalidInput, match="neither a directory nor a file"):
        await import_rootfs([tarball, tmp_path / "missing"], f"oci:{tmp_path / 'out'}:v1")
    assert not (tmp_path / "out" / "index.json").exists() or json.loads(
        (tmp_path / "out" / "index.json").read_text()
    ).get("manifests") in (None, [])
    with pytest.raises(InvalidInput, match="at least one"):
        await import_rootfs([], f"oci:{tmp_path / 'out2'}:v1")


def test_cli_several_sources_json_progress(tmp_path: Path) -> None:
    tarball, app = _sources(tmp_path)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "core.cli",
            "import",
            str(tarball),
            str(app),
            f"oci:{tmp_path / 'out'}:cli",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    progress = [doc for doc in lines if doc["event"] == "progress"]
    assert progress
    assert progress[-1]["phase"] == "read"
    assert progress[-1]["bytes"] == progress[-1]["total"] > 3_000_000
    assert all(doc["rate"] >= 0 for doc in progress)
    done = lines[-1]
    assert done["event"] == "done"
    assert [layer["source"] for layer in done["layers"]] == [str(tarball), str(app)]
    # without --json, stdout is the result alone, as before
    plain = subprocess.run(
        [sys.executable, "-m", "core.cli", "import", str(app), f"oci:{tmp_path / 'o2'}:x"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert plain.returncode == 0, plain.stderr
    assert len(plain.stdout.splitlines()) == 1
    assert "event" not in json.loads(plain.stdout)
